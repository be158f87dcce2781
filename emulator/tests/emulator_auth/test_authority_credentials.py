"""The real azure-identity credentials obtain Graph tokens from the emulated authority over HTTPS."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CertificateCredential, ClientSecretCredential, EnvironmentCredential

from ._world import APP_ID, AuthWorld

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def _unverified(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_client_secret_credential_gets_a_graph_token(auth_world: AuthWorld) -> None:
    app = auth_world.contoso
    credential = ClientSecretCredential(app.tenant_id, app.app_id, app.secret, **auth_world.cred_kwargs())
    token = credential.get_token(GRAPH_SCOPE)

    claims = auth_world.tokens.validate_bearer("Bearer " + token.token)
    assert claims is not None
    assert (claims.tenant_id, claims.app_id, claims.roles) == (app.tenant_id, APP_ID, frozenset(app.roles))
    raw = _unverified(token.token)
    assert raw["aud"] == "https://graph.microsoft.com"
    assert raw["iss"] == f"https://sts.windows.net/{app.tenant_id}/"
    assert (raw["tid"], raw["appid"], raw["azp"]) == (app.tenant_id, APP_ID, APP_ID)
    assert (raw["oid"], raw["sub"], raw["idtyp"], raw["ver"], raw["appidacr"]) == (
        app.object_id,
        app.object_id,
        "app",
        "1.0",
        "1",
    )
    assert sorted(raw["roles"]) == sorted(app.roles)
    assert raw["nbf"] <= raw["iat"] < raw["exp"]


def test_certificate_credential_gets_a_graph_token(auth_world: AuthWorld, app_cert_file: Path) -> None:
    app = auth_world.contoso
    credential = CertificateCredential(
        app.tenant_id, app.app_id, certificate_path=str(app_cert_file), **auth_world.cred_kwargs()
    )
    token = credential.get_token(GRAPH_SCOPE)

    claims = auth_world.tokens.validate_bearer("Bearer " + token.token)
    assert claims is not None
    assert claims.tenant_id == app.tenant_id
    assert claims.roles == frozenset(app.roles)
    assert _unverified(token.token)["appidacr"] == "2"  # certificate, as Entra marks it


@pytest.mark.parametrize("tenant", ["contoso-auth", "CONTOSOAUTH.onmicrosoft.com"])
def test_tenant_can_be_named_by_name_or_domain(auth_world: AuthWorld, tenant: str) -> None:
    app = auth_world.contoso
    credential = ClientSecretCredential(tenant, app.app_id, app.secret, **auth_world.cred_kwargs())
    claims = auth_world.tokens.validate_bearer("Bearer " + credential.get_token(GRAPH_SCOPE).token)
    assert claims is not None
    assert claims.tenant_id == app.tenant_id  # the token names the tenant by id, as Entra's do


def test_same_app_in_two_tenants_has_each_tenants_roles(auth_world: AuthWorld) -> None:
    got = {}
    for app in (auth_world.contoso, auth_world.fabrikam):
        credential = ClientSecretCredential(app.tenant_id, app.app_id, app.secret, **auth_world.cred_kwargs())
        claims = auth_world.tokens.validate_bearer("Bearer " + credential.get_token(GRAPH_SCOPE).token)
        assert claims is not None
        got[claims.tenant_id] = claims.roles
    assert got == {
        auth_world.contoso.tenant_id: frozenset(auth_world.contoso.roles),
        auth_world.fabrikam.tenant_id: frozenset(auth_world.fabrikam.roles),
    }
    # a secret is per tenant: contoso's secret does not open fabrikam
    wrong = ClientSecretCredential(
        auth_world.fabrikam.tenant_id, APP_ID, auth_world.contoso.secret, **auth_world.cred_kwargs()
    )
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        wrong.get_token(GRAPH_SCOPE)


def test_environment_credential_with_secret(auth_world: AuthWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    app = auth_world.contoso
    monkeypatch.setenv("AZURE_TENANT_ID", app.tenant_id)
    monkeypatch.setenv("AZURE_CLIENT_ID", app.app_id)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", app.secret or "")
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", auth_world.server.url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", auth_world.server.ca_path)
    # No environment variable turns msal's instance discovery off; the keyword must be passed
    # (without it msal asks login.microsoftonline.com first and fails offline after ~5 s).
    credential = EnvironmentCredential(
        disable_instance_discovery=True, connection_timeout=5, read_timeout=5, retry_total=0
    )
    claims = auth_world.tokens.validate_bearer("Bearer " + credential.get_token(GRAPH_SCOPE).token)
    assert claims is not None
    assert (claims.tenant_id, claims.roles) == (app.tenant_id, frozenset(app.roles))


def test_environment_credential_with_certificate(
    auth_world: AuthWorld, app_cert_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = auth_world.contoso
    monkeypatch.delenv("AZURE_CLIENT_SECRET", raising=False)
    monkeypatch.setenv("AZURE_TENANT_ID", app.tenant_id)
    monkeypatch.setenv("AZURE_CLIENT_ID", app.app_id)
    monkeypatch.setenv("AZURE_CLIENT_CERTIFICATE_PATH", str(app_cert_file))
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", auth_world.server.url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", auth_world.server.ca_path)
    credential = EnvironmentCredential(
        disable_instance_discovery=True, connection_timeout=5, read_timeout=5, retry_total=0
    )
    claims = auth_world.tokens.validate_bearer("Bearer " + credential.get_token(GRAPH_SCOPE).token)
    assert claims is not None
    assert claims.tenant_id == app.tenant_id


def test_wrong_secret_is_rejected_with_aadsts7000215(auth_world: AuthWorld) -> None:
    app = auth_world.contoso
    credential = ClientSecretCredential(app.tenant_id, app.app_id, "not-the-secret", **auth_world.cred_kwargs())
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215: Invalid client secret provided"):
        credential.get_token(GRAPH_SCOPE)


def test_unregistered_certificate_is_rejected(auth_world: AuthWorld, stray_cert_file: Path) -> None:
    app = auth_world.contoso
    credential = CertificateCredential(
        app.tenant_id, app.app_id, certificate_path=str(stray_cert_file), **auth_world.cred_kwargs()
    )
    with pytest.raises(ClientAuthenticationError, match="AADSTS700027"):
        credential.get_token(GRAPH_SCOPE)


def test_certificate_for_app_without_one_is_rejected(auth_world: AuthWorld, app_cert_file: Path) -> None:
    credential = CertificateCredential(
        auth_world.fabrikam.tenant_id, APP_ID, certificate_path=str(app_cert_file), **auth_world.cred_kwargs()
    )
    with pytest.raises(ClientAuthenticationError, match="AADSTS700027"):
        credential.get_token(GRAPH_SCOPE)


def test_unknown_tenant_is_an_authentication_error(auth_world: AuthWorld) -> None:
    credential = ClientSecretCredential(
        "9f9f9f9f-0000-4000-8000-000000000000", APP_ID, "whatever", **auth_world.cred_kwargs()
    )
    # msal turns the 400 of the discovery document into this message, as it does against Entra ID.
    with pytest.raises(ClientAuthenticationError, match="Unable to get authority configuration"):
        credential.get_token(GRAPH_SCOPE)


def test_unknown_app_is_rejected_with_aadsts700016(auth_world: AuthWorld) -> None:
    other = "11111111-2222-4333-8444-555555555555"
    credential = ClientSecretCredential(auth_world.contoso.tenant_id, other, "whatever", **auth_world.cred_kwargs())
    with pytest.raises(ClientAuthenticationError, match=f"AADSTS700016: Application with identifier '{other}'"):
        credential.get_token(GRAPH_SCOPE)


def test_token_traffic_is_reported_through_on_request(auth_world: AuthWorld) -> None:
    app = auth_world.fabrikam
    before = len(auth_world.requests)
    ClientSecretCredential(app.tenant_id, app.app_id, app.secret, **auth_world.cred_kwargs()).get_token(GRAPH_SCOPE)
    assert auth_world.requests[before:] == [
        ("GET", f"/{app.tenant_id}/v2.0/.well-known/openid-configuration"),
        ("POST", f"/{app.tenant_id}/oauth2/v2.0/token"),
    ]


def test_server_prints_no_secret_and_no_token(auth_world: AuthWorld, capfd: pytest.CaptureFixture[str]) -> None:
    app = auth_world.contoso
    good = ClientSecretCredential(app.tenant_id, app.app_id, app.secret, **auth_world.cred_kwargs())
    token = good.get_token(GRAPH_SCOPE).token
    bad = ClientSecretCredential(app.tenant_id, app.app_id, "leaky-wrong-secret", **auth_world.cred_kwargs())
    with pytest.raises(ClientAuthenticationError):
        bad.get_token(GRAPH_SCOPE)
    out, err = capfd.readouterr()
    for secret in (app.secret or "", "leaky-wrong-secret", token):
        assert secret not in out
        assert secret not in err
    assert "POST /" not in err  # BaseHTTPRequestHandler's access log is silenced
