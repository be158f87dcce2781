"""Fixtures for the Graph emulator's own tests: the emulator fixtures plus signed-in httpx clients."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from graph_emulator import Emulator
from graph_emulator.fixtures import emulator_env, graph_emulator  # noqa: F401 - fixtures

TENANTS = Path(__file__).parent / "tenants"
ALPHA = TENANTS / "alpha.yaml"
BETA = TENANTS / "beta.yaml"


def get_token(emu: Emulator, tenant: str) -> str:
    """A Graph access token for the tenant's auditor, straight from the emulated token endpoint."""
    creds = emu.credentials(tenant)
    resp = httpx.post(
        f"{emu.authority_url}/{creds.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": creds.app_id,
            "client_secret": creds.secret,
            "scope": "https://graph.microsoft.com/.default",
        },
        verify=ssl.create_default_context(cafile=emu.ca_path),
    )
    resp.raise_for_status()
    return resp.json()["access_token"]


def graph_client(emu: Emulator, tenant: str) -> httpx.Client:
    """An httpx client for the Graph URL, signed in as the tenant's auditor."""
    return httpx.Client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {get_token(emu, tenant)}"})


@pytest.fixture
def emu(graph_emulator: Callable[..., Emulator]) -> Emulator:  # noqa: F811 - the imported fixture
    """An emulator serving the alpha and beta test tenants."""
    return graph_emulator(ALPHA, BETA)


@pytest.fixture
def alpha(emu: Emulator) -> Iterator[httpx.Client]:
    """httpx client signed in to alpha (broad roles)."""
    with graph_client(emu, "alpha") as client:
        yield client


@pytest.fixture
def beta(emu: Emulator) -> Iterator[httpx.Client]:
    """httpx client signed in to beta (Mail.ReadBasic.All only)."""
    with graph_client(emu, "beta") as client:
        yield client
