"""A loopback Microsoft Graph + Entra ID emulator serving tenants described in files.

    from graph_emulator import Emulator, Faults
    with Emulator(tenant_files=["contoso.yaml"], faults=Faults(latency_ms=5), seed=0) as emu:
        emu.graph_url, emu.authority_url, emu.ca_path, emu.stats

Schema of the tenant files: docs/tenant-file.md. Nothing is imported eagerly beyond this package.
"""

from __future__ import annotations

from .faults import Faults
from .service import Emulator
from .tenant import TenantFileError, load_tenant, load_tenants

__all__ = ["Emulator", "Faults", "TenantFileError", "load_tenant", "load_tenants"]
