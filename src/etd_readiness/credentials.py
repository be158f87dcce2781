"""azure-identity credentials for a tenant, the way azure-identity users already work."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from typing import Any

from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import (
    AzureCliCredential,
    CertificateCredential,
    ClientSecretCredential,
    DefaultAzureCredential,
    EnvironmentCredential,
    ManagedIdentityCredential,
    WorkloadIdentityCredential,
)

from .collect.graph_client import graph_scope, is_loopback
from .settings import PUBLIC_AUTHORITY, ConfigError, Settings, TenantConfig


def _authority_kwargs(settings: Settings) -> dict[str, Any]:
    """Point msal at a national cloud or the emulator (instance discovery off for non-Microsoft hosts)."""
    kwargs: dict[str, Any] = {}
    if settings.authority.rstrip("/") != PUBLIC_AUTHORITY:
        kwargs["authority"] = settings.authority
        if is_loopback(settings.authority):
            kwargs["disable_instance_discovery"] = True
    ca = os.environ.get("REQUESTS_CA_BUNDLE")
    if ca and is_loopback(settings.authority):
        kwargs["connection_verify"] = ca
    return kwargs


def build_credential(tenant: TenantConfig, settings: Settings, env: Mapping[str, str] | None = None) -> TokenCredential:
    """The azure-identity credential this tenant's configuration asks for."""
    env = os.environ if env is None else env
    kw = _authority_kwargs(settings)
    client_id = tenant.client_id or env.get("AZURE_CLIENT_ID")
    kind = tenant.credential
    if kind in ("secret", "certificate") and not client_id:
        raise ConfigError(f"tenant {tenant.name}: set client_id in the config or AZURE_CLIENT_ID")
    if kind == "secret":
        secret = env.get(tenant.secret_env)
        if not secret:
            raise ConfigError(f"tenant {tenant.name}: environment variable {tenant.secret_env} holds no client secret")
        return ClientSecretCredential(tenant.tenant_id, client_id, secret, **kw)
    if kind == "certificate":
        return CertificateCredential(tenant.tenant_id, client_id, certificate_path=tenant.certificate_path, **kw)
    if kind == "workload-identity":
        return WorkloadIdentityCredential(tenant_id=tenant.tenant_id, client_id=client_id, **kw)
    if kind == "managed-identity":
        return ManagedIdentityCredential(client_id=client_id) if client_id else ManagedIdentityCredential()
    if kind == "azure-cli":
        return AzureCliCredential(tenant_id=tenant.tenant_id)
    if kind == "default":
        return DefaultAzureCredential(**kw)
    return _environment_credential(tenant, client_id, env, kw)


def _environment_credential(
    tenant: TenantConfig, client_id: str | None, env: Mapping[str, str], kw: dict[str, Any]
) -> TokenCredential:
    """Secret or certificate from AZURE_* variables, for the tenant named in the config."""
    if not client_id:
        raise ConfigError(
            f"tenant {tenant.name}: no client id; set AZURE_CLIENT_ID (and AZURE_CLIENT_SECRET or "
            "AZURE_CLIENT_CERTIFICATE_PATH), or choose credential = 'azure-cli' / 'managed-identity'"
        )
    if env.get(tenant.secret_env):
        return ClientSecretCredential(tenant.tenant_id, client_id, env[tenant.secret_env], **kw)
    if env.get("AZURE_CLIENT_CERTIFICATE_PATH"):
        return CertificateCredential(
            tenant.tenant_id, client_id, certificate_path=env["AZURE_CLIENT_CERTIFICATE_PATH"], **kw
        )
    if env.get("AZURE_FEDERATED_TOKEN_FILE"):
        return WorkloadIdentityCredential(tenant_id=tenant.tenant_id, client_id=client_id, **kw)
    if env.get("AZURE_TENANT_ID") == tenant.tenant_id:
        return EnvironmentCredential(**kw)
    raise ConfigError(
        f"tenant {tenant.name}: no credential found; set AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH "
        "or AZURE_FEDERATED_TOKEN_FILE, or choose another credential kind in the config"
    )


class StaticTokenCredential:
    """A credential for replaying cassettes: hands out a fixed, meaningless token, signs in nowhere."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("replayed-cassette-no-token", 4102444800)

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        return self.get_token(*scopes)


def granted_roles(credential: TokenCredential, graph_url: str) -> tuple[str | None, list[str] | None]:
    """Sign in and read the app id and Graph application roles from the access token.

    Roles are None when the token does not tell (a delegated token from Azure CLI, or not a JWT):
    then every section is attempted and a 403 is recorded as the reason.
    Raises ClientAuthenticationError (with Entra ID's AADSTS message) when sign-in fails.
    The token itself is never kept, logged or returned.
    """
    # enable_cae=True as kiota asks, so the Graph client reuses this token from the credential's cache
    token = credential.get_token(graph_scope(graph_url), enable_cae=True).token
    claims = _jwt_claims(token)
    client_id = claims.get("appid") or claims.get("azp")
    if not claims or "scp" in claims:
        return client_id, None
    return client_id, sorted(claims.get("roles", []))


def _jwt_claims(token: str) -> dict:
    """The payload of a JWT, unverified (only to read our own roles); {} if not a JWT."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def sign_in_failure(err: ClientAuthenticationError) -> str:
    """The first line of azure-identity's error, which carries the AADSTS code."""
    text = str(err.message if hasattr(err, "message") else err)
    return text.strip().splitlines()[0][:400] if text.strip() else type(err).__name__
