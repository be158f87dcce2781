"""Shared test data for the emulated authority (kept out of conftest so tests can import it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph_emulator.authority import AppCredentials, AuthorityServer, TokenService
from graph_emulator.certs import CertificateBundle

APP_ID = "6c1d3a2e-7a47-4f0c-9b3e-2d8f1a5c9e01"  # the same auditor app, consented in both tenants


@dataclass(frozen=True)
class AuthWorld:
    """The registered apps, their certificates and the running authority."""

    contoso: AppCredentials
    fabrikam: AppCredentials
    app_cert: CertificateBundle  # registered for the app in contoso (with its private key)
    stray_cert: CertificateBundle  # registered nowhere
    tokens: TokenService
    server: AuthorityServer
    requests: list[tuple[str, str]]  # (method, path) the server saw, via on_request

    def cred_kwargs(self, **extra: Any) -> dict[str, Any]:
        """Keyword arguments that point an azure-identity credential at the emulated authority."""
        kwargs: dict[str, Any] = {
            "authority": self.server.url,
            "disable_instance_discovery": True,
            "connection_verify": self.server.ca_path,
            "connection_timeout": 5,
            "read_timeout": 5,
            "retry_total": 0,
        }
        kwargs.update(extra)
        return kwargs
