"""The authority's HTTP surface: discovery documents, keys, errors and TLS, spoken to directly."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import ssl
import urllib.request

import jwt
import pytest
import requests
from cryptography import x509

from graph_emulator.authority import AuthorityServer, TokenService

from ._world import APP_ID, AuthWorld

TIMEOUT = 5


def _get(world: AuthWorld, path: str) -> requests.Response:
    return requests.get(world.server.url + path, verify=world.server.ca_path, timeout=TIMEOUT)


def _post(world: AuthWorld, path: str, **kwargs: object) -> requests.Response:
    return requests.post(world.server.url + path, verify=world.server.ca_path, timeout=TIMEOUT, **kwargs)


@pytest.mark.parametrize("doc", ["/v2.0/.well-known/openid-configuration", "/.well-known/openid-configuration"])
@pytest.mark.parametrize("tenant", ["id", "contoso-auth", "contosoauth.onmicrosoft.com"])
def test_openid_configuration_names_the_tenant_by_id(auth_world: AuthWorld, doc: str, tenant: str) -> None:
    tid, base = auth_world.contoso.tenant_id, auth_world.server.url
    response = _get(auth_world, f"/{tid if tenant == 'id' else tenant}{doc}")
    assert response.status_code == 200
    config = response.json()
    assert config["issuer"] == f"{base}/{tid}/v2.0"
    assert config["token_endpoint"] == f"{base}/{tid}/oauth2/v2.0/token"
    assert config["authorization_endpoint"] == f"{base}/{tid}/oauth2/v2.0/authorize"
    assert config["jwks_uri"] == f"{base}/{tid}/discovery/v2.0/keys"
    assert "private_key_jwt" in config["token_endpoint_auth_methods_supported"]
    assert config == auth_world.tokens.openid_configuration(base, tenant if tenant != "id" else tid)


def test_openid_configuration_of_unknown_tenant_is_400_aadsts90002(auth_world: AuthWorld) -> None:
    response = _get(auth_world, "/nosuch.example/v2.0/.well-known/openid-configuration")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_tenant"
    assert body["error_codes"] == [90002]
    assert body["error_description"].startswith("AADSTS90002: Tenant 'nosuch.example' not found.")


def test_organizations_discovery_is_templated(auth_world: AuthWorld) -> None:
    config = _get(auth_world, "/organizations/v2.0/.well-known/openid-configuration").json()
    assert config["issuer"] == auth_world.server.url + "/{tenantid}/v2.0"
    assert config["token_endpoint"] == auth_world.server.url + "/organizations/oauth2/v2.0/token"


def test_jwks_verifies_issued_tokens(auth_world: AuthWorld) -> None:
    app = auth_world.contoso
    form = {"grant_type": "client_credentials", "client_id": app.app_id, "client_secret": app.secret}
    form["scope"] = "https://graph.microsoft.com/.default"
    response = _post(auth_world, f"/{app.tenant_id}/oauth2/v2.0/token", data=form)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == body["ext_expires_in"] == 3600
    assert response.headers["Cache-Control"] == "no-store, no-cache"

    keys = _get(auth_world, f"/{app.tenant_id}/discovery/v2.0/keys").json()["keys"]
    header = jwt.get_unverified_header(body["access_token"])
    (key,) = [k for k in keys if k["kid"] == header["kid"]]
    claims = jwt.decode(
        body["access_token"], jwt.PyJWK(key).key, algorithms=["RS256"], audience="https://graph.microsoft.com"
    )
    assert claims["tid"] == app.tenant_id


def test_client_secret_basic_is_accepted(auth_world: AuthWorld) -> None:
    app = auth_world.fabrikam
    form = {"grant_type": "client_credentials", "scope": "https://graph.microsoft.com/.default"}
    response = _post(auth_world, f"/{app.tenant_id}/oauth2/v2.0/token", data=form, auth=(app.app_id, app.secret or ""))
    assert response.status_code == 200
    assert auth_world.tokens.validate_bearer("Bearer " + response.json()["access_token"]) is not None


def test_token_errors_look_like_entra_ids(auth_world: AuthWorld) -> None:
    form = {"grant_type": "client_credentials", "client_id": APP_ID, "client_secret": "nope"}
    form["scope"] = "https://graph.microsoft.com/.default"
    tid = auth_world.contoso.tenant_id
    response = _post(auth_world, f"/{tid}/oauth2/v2.0/token", data=form, headers={"client-request-id": "corr-1234"})
    assert response.status_code == 401
    body = response.json()
    assert set(body) >= {
        "error",
        "error_description",
        "error_codes",
        "timestamp",
        "trace_id",
        "correlation_id",
    }
    assert (body["error"], body["error_codes"], body["correlation_id"]) == (
        "invalid_client",
        [7000215],
        "corr-1234",
    )
    assert body["error_description"].startswith("AADSTS7000215: Invalid client secret provided.")
    assert "Correlation ID: corr-1234" in body["error_description"]

    unknown = _post(auth_world, "/nosuch.example/oauth2/v2.0/token", data=form)
    assert (unknown.status_code, unknown.json()["error"], unknown.json()["error_codes"]) == (
        400,
        "invalid_request",
        [90002],
    )


def test_instance_discovery_points_back_here(auth_world: AuthWorld) -> None:
    query = {"authorization_endpoint": "https://x/contoso-auth/oauth2/v2.0/authorize", "api-version": "1.0"}
    response = requests.get(
        auth_world.server.url + "/common/discovery/instance",
        params=query,
        verify=auth_world.server.ca_path,
        timeout=TIMEOUT,
    )
    body = response.json()
    assert body["tenant_discovery_endpoint"] == (
        auth_world.server.url + "/contoso-auth/v2.0/.well-known/openid-configuration"
    )


def test_unknown_paths_and_methods(auth_world: AuthWorld) -> None:
    assert _get(auth_world, "/").status_code == 404
    assert _get(auth_world, f"/{auth_world.contoso.tenant_id}/nothing").status_code == 404
    assert _get(auth_world, f"/{auth_world.contoso.tenant_id}/oauth2/v2.0/token").status_code == 405


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_certificate_passes_strict_stdlib_verification(auth_world: AuthWorld, host: str) -> None:
    context = ssl.create_default_context(cafile=auth_world.server.ca_path)
    context.verify_flags |= ssl.VERIFY_X509_STRICT  # Python 3.13's default; httpx uses it
    url = auth_world.server.url.replace("127.0.0.1", host) + "/contoso-auth/v2.0/.well-known/openid-configuration"
    with urllib.request.urlopen(url, context=context, timeout=TIMEOUT) as response:  # noqa: S310 - https only
        assert json.load(response)["issuer"].endswith("/v2.0")


def test_certificate_is_its_own_ca_for_loopback(auth_world: AuthWorld) -> None:
    with open(auth_world.server.ca_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress)
    assert "localhost" in san.get_values_for_type(x509.DNSName)


def test_stop_closes_the_port_and_removes_the_certificate() -> None:
    server = AuthorityServer(TokenService([]))
    server.start()
    ca_path, port = server.ca_path, int(server.url.rsplit(":", 1)[1])
    assert os.path.exists(ca_path)
    assert os.listdir(os.path.dirname(ca_path)) == ["ca.pem"]  # the private key is not left on disk
    # an open keep-alive connection must not keep stop() waiting
    with requests.Session() as session:
        session.get(server.url + "/common/v2.0/.well-known/openid-configuration", verify=ca_path, timeout=TIMEOUT)
        server.stop()
    assert not os.path.exists(ca_path)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
