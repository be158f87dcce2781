"""azure-identity credentials for a tenant, the way azure-identity users already work."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from azure.core.credentials import AccessToken, TokenCredential
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
from .settings import PUBLIC_AUTHORITY, ConfigError, Settings, TenantConfig, check_client_id


def _authority_kwargs(settings: Settings) -> dict[str, Any]:
    """Point msal at the resolved authority, always explicitly (else azure-identity would fall back to
    AZURE_AUTHORITY_HOST and break the precedence); instance discovery off for the emulator."""
    kwargs: dict[str, Any] = {"authority": settings.authority.rstrip("/") or PUBLIC_AUTHORITY}
    if is_loopback(settings.authority):
        kwargs["disable_instance_discovery"] = True
    ca = os.environ.get("REQUESTS_CA_BUNDLE")
    if ca and is_loopback(settings.authority):
        kwargs["connection_verify"] = ca
    return kwargs


def build_credential(tenant: TenantConfig, settings: Settings, env: Mapping[str, str] | None = None) -> TokenCredential:
    """The azure-identity credential this tenant's configuration asks for; ConfigError naming the field."""
    env = os.environ if env is None else env
    kw = _authority_kwargs(settings)
    client_id = tenant.client_id or env.get("AZURE_CLIENT_ID")
    kind = tenant.credential
    if client_id and not tenant.client_id:
        check_client_id(client_id, "AZURE_CLIENT_ID")
    if kind in ("secret", "certificate") and not client_id:
        raise ConfigError(f"tenant {tenant.name}: set client_id in the config or AZURE_CLIENT_ID")
    if kind == "secret":
        secret = env.get(tenant.secret_env)
        if not secret:
            raise ConfigError(f"tenant {tenant.name}: environment variable {tenant.secret_env} holds no client secret")
        return ClientSecretCredential(tenant.tenant_id, str(client_id), secret, **kw)
    if kind == "certificate":
        return _certificate(tenant, str(client_id), str(tenant.certificate_path), "certificate_path", env, kw)
    if kind == "workload-identity":
        return WorkloadIdentityCredential(tenant_id=tenant.tenant_id, client_id=client_id, **kw)
    if kind == "managed-identity":
        return ManagedIdentityCredential(client_id=client_id) if client_id else ManagedIdentityCredential()
    if kind == "azure-cli":
        return AzureCliCredential(tenant_id=tenant.tenant_id)
    if kind == "default":
        return DefaultAzureCredential(**kw)
    return _environment_credential(tenant, client_id, settings, env, kw)


def check_certificate(path: str, where: str) -> None:
    """The file azure-identity will read exists and (if PEM) holds a private key and a certificate."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{where} {path} does not exist; point it at the PEM file holding the app's private key and certificate"
        ) from None
    except OSError as err:
        raise ConfigError(f"{where} {path} cannot be read ({err.strerror}); check the file's permissions") from None
    if b"-----BEGIN" not in data:
        return  # PKCS#12 (.pfx): azure-identity parses it
    if b"PRIVATE KEY-----" not in data:
        raise ConfigError(
            f"{where} {path} holds no private key; export the certificate together with its private key "
            "(-----BEGIN PRIVATE KEY-----) into one PEM file"
        )
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise ConfigError(f"{where} {path} holds a private key but no certificate; append the certificate to it")


def _certificate(
    tenant: TenantConfig, client_id: str, path: str, where: str, env: Mapping[str, str], kw: dict[str, Any]
) -> TokenCredential:
    check_certificate(path, f"tenant {tenant.name}: {where}")
    password = env.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None
    try:
        return CertificateCredential(tenant.tenant_id, client_id, certificate_path=path, password=password, **kw)
    except (ValueError, TypeError) as err:
        hint = "" if password else " (an encrypted key needs AZURE_CLIENT_CERTIFICATE_PASSWORD)"
        raise ConfigError(f"tenant {tenant.name}: {where} {path} cannot be loaded: {err}{hint}") from None


def _environment_credential(
    tenant: TenantConfig, client_id: str | None, settings: Settings, env: Mapping[str, str], kw: dict[str, Any]
) -> TokenCredential:
    """Secret or certificate from AZURE_* variables, for the tenant named in the config."""
    from_env = settings.source == "environment"
    if not client_id:
        raise ConfigError(
            f"tenant {tenant.name}: no client id; set AZURE_CLIENT_ID (and AZURE_CLIENT_SECRET or "
            "AZURE_CLIENT_CERTIFICATE_PATH), or choose credential = 'azure-cli' / 'managed-identity'"
        )
    if env.get(tenant.secret_env):
        return ClientSecretCredential(tenant.tenant_id, client_id, env[tenant.secret_env], **kw)
    if env.get("AZURE_CLIENT_CERTIFICATE_PATH"):
        path = env["AZURE_CLIENT_CERTIFICATE_PATH"]
        return _certificate(tenant, client_id, path, "AZURE_CLIENT_CERTIFICATE_PATH", env, kw)
    if env.get("AZURE_FEDERATED_TOKEN_FILE"):
        if not Path(env["AZURE_FEDERATED_TOKEN_FILE"]).is_file():
            raise ConfigError(f"AZURE_FEDERATED_TOKEN_FILE {env['AZURE_FEDERATED_TOKEN_FILE']} does not exist")
        return WorkloadIdentityCredential(tenant_id=tenant.tenant_id, client_id=client_id, **kw)
    if env.get("AZURE_USERNAME") and env.get("AZURE_TENANT_ID") == tenant.tenant_id:
        return EnvironmentCredential(**kw)
    variables = f"{tenant.secret_env}, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE"
    if from_env:
        raise ConfigError(f"AZURE_TENANT_ID and AZURE_CLIENT_ID are set but no credential: set {variables}")
    raise ConfigError(
        f"tenant {tenant.name} (credential 'environment') has a client id but no credential: set {variables}, "
        "or choose another credential kind in the config"
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


AADSTS_FIXES = {
    7000215: "the client secret is wrong: use the secret's Value (not its ID) in the secret variable",
    7000222: "the client secret has expired: create a new one in the app registration",
    700016: "no app with this client id in the tenant: check client_id / AZURE_CLIENT_ID and admin consent",
    90002: "the tenant does not exist in this cloud: check tenant_id / AZURE_TENANT_ID and graph.authority",
    700027: "the certificate is not accepted: upload its public certificate to the app registration",
    700024: "the signed assertion is out of its time range: check this machine's clock",
    500011: "Microsoft Graph is not available to the app in this tenant: grant admin consent",
}
AADSTS = re.compile(r"AADSTS(\d+):?\s*([^\r\n]*)")
# what msal / azure-identity say when the answer was HTML, empty, a JSON array or a JSON object without a token
NOT_A_TOKEN = re.compile(
    r"Expecting value|Extra data|Unterminated string|object has no attribute|Authentication failed: None$|"
    r"not valid JSON|JSONDecodeError"
)


def sign_in_failure(err: Exception) -> str:
    """One line: the AADSTS code and Entra ID's first sentence, with the fix when the code is known."""
    text = str(getattr(err, "message", None) or err).strip()
    match = AADSTS.search(text)
    if match:
        code = int(match.group(1))
        sentence = match.group(2).split(". ")[0].rstrip(".")[:200]
        fix = AADSTS_FIXES.get(code)
        return f"the authority rejected the sign-in (AADSTS{code}: {sentence})" + (f"; {fix}" if fix else "")
    first = text.splitlines()[0][:400] if text else type(err).__name__
    if NOT_A_TOKEN.search(first):  # msal's words for a token endpoint answer it could not read
        return (
            f"the token endpoint answered something that is not a token response ({first}): check graph.authority "
            "/ AZURE_AUTHORITY_HOST, and any proxy or gateway between this machine and Entra ID"
        )
    return first
