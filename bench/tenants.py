"""Generated tenants for the bench: the same arguments always give the same file (cached by name)."""

from __future__ import annotations

import json
from pathlib import Path

from graph_emulator.generate import generate_tenant, write_tenant

# A realistic mix of seeded faults (the generator's documented example): ~4 % of users have a finding.
MIX = {"none": 0.02, "onPremises": 0.01, "flapping": 0.005, "shared": 0.01}
DELETED = 20


def tenant_file(workdir: Path, users: int, seed: int = 1) -> tuple[Path, str, str]:
    """(path, tenant name, tenant id) of a generated tenant with `users` users."""
    name = f"bench{users}"
    path = workdir / "tenants" / f"{name}-s{seed}.json"
    if not path.is_file():
        write_tenant(generate_tenant(users, seed, MIX, name=name, deleted=DELETED), path)
    with path.open(encoding="utf-8") as fh:
        doc = json.load(fh)
    return path, doc["tenant"]["name"], doc["tenant"]["id"]
