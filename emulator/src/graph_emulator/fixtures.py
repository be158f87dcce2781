"""pytest fixtures for the Graph emulator (load with `pytest_plugins` or import into a conftest).

def test_something(graph_emulator):
    emu = graph_emulator("tenant.yaml", faults=Faults(latency_ms=5))
    env = emulator_env(emu, "contoso-demo")
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .faults import Faults
from .service import Emulator

BUNDLED_TENANTS = Path(__file__).parent / "tenants"


def bundled_tenant(name: str) -> Path:
    """Path of a tenant file shipped with the package, e.g. bundled_tenant("contoso-demo")."""
    return BUNDLED_TENANTS / f"{name}.yaml"


def emulator_env(emu: Emulator, tenant_name: str) -> dict[str, str]:
    """Environment variables azure-identity (EnvironmentCredential) needs to sign in as the auditor."""
    creds = emu.credentials(tenant_name)
    env = {
        "AZURE_TENANT_ID": creds.tenant_id,
        "AZURE_CLIENT_ID": creds.app_id,
        "AZURE_AUTHORITY_HOST": emu.authority_url,
        "REQUESTS_CA_BUNDLE": emu.ca_path,
    }
    if creds.secret is not None:
        env["AZURE_CLIENT_SECRET"] = creds.secret
    return env


@pytest.fixture
def graph_emulator() -> Iterator[Callable[..., Emulator]]:
    """Factory: graph_emulator(*tenant_files, faults=None, seed=0) -> a started Emulator, stopped at teardown.

    Tenant files may be given one by one or as a list.
    """
    started: list[Emulator] = []

    def start(*tenant_files: str | Path | list[str | Path], faults: Faults | None = None, seed: int = 0) -> Emulator:
        files = [f for item in tenant_files for f in (item if isinstance(item, (list, tuple)) else [item])]
        emu = Emulator(files, faults=faults, seed=seed)
        emu.start()
        started.append(emu)
        return emu

    yield start
    for emu in reversed(started):
        emu.stop()


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Name resolution beyond loopback fails: a test using it cannot reach a real Graph or login host."""
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        if host is not None and str(host) not in LOOPBACK:
            raise socket.gaierror(f"tests may only reach loopback, not {host}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
