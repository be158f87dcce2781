"""Fixtures for the emulated Entra ID authority: two tenants, one multi-tenant auditor app, a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_emulator.authority import AppCredentials, AuthorityServer, TokenService
from graph_emulator.certs import CertificateBundle, generate_app_certificate

from ._world import APP_ID, AuthWorld


@pytest.fixture(scope="session")
def auth_certs() -> tuple[CertificateBundle, CertificateBundle]:
    """The registered app certificate and a stray one."""
    return generate_app_certificate("auditor"), generate_app_certificate("stray")


@pytest.fixture(scope="session")
def auth_world(auth_certs: tuple[CertificateBundle, CertificateBundle]) -> Iterator[AuthWorld]:
    """A started AuthorityServer serving contoso-auth and fabrikam-auth; stopped at the end."""
    app_cert, stray_cert = auth_certs
    contoso = AppCredentials(
        tenant_id="0a7e4a8b-1c9d-4f5e-8a6b-3c2d1e0f9a01",
        tenant_name="contoso-auth",
        app_id=APP_ID,
        object_id="b1f7c2d4-5e6a-4b8c-9d0e-1f2a3b4c5d01",
        secret="contoso-test-secret",  # test-only value
        certificate_pem=app_cert.cert_pem,
        roles=("User.Read.All", "Organization.Read.All", "Mail.ReadBasic.All"),
        domains=("contosoauth.onmicrosoft.com",),
    )
    fabrikam = AppCredentials(
        tenant_id="0a7e4a8b-1c9d-4f5e-8a6b-3c2d1e0f9a02",
        tenant_name="fabrikam-auth",
        app_id=APP_ID,
        object_id="b1f7c2d4-5e6a-4b8c-9d0e-1f2a3b4c5d02",
        secret="fabrikam-test-secret",  # test-only value
        certificate_pem=None,
        roles=("User.Read.All",),
    )
    tokens = TokenService([contoso, fabrikam])
    seen: list[tuple[str, str]] = []
    server = AuthorityServer(tokens, on_request=lambda method, path: seen.append((method, path)))
    server.start()
    try:
        yield AuthWorld(contoso, fabrikam, app_cert, stray_cert, tokens, server, seen)
    finally:
        server.stop()


@pytest.fixture()
def app_cert_file(tmp_path: Path, auth_world: AuthWorld) -> Path:
    """The registered certificate with its key, as the single PEM file CertificateCredential reads."""
    path = tmp_path / "auditor.pem"
    path.write_bytes(auth_world.app_cert.combined_pem)
    return path


@pytest.fixture()
def stray_cert_file(tmp_path: Path, auth_world: AuthWorld) -> Path:
    """A certificate (with key) that is not registered for the app."""
    path = tmp_path / "stray.pem"
    path.write_bytes(auth_world.stray_cert.combined_pem)
    return path
