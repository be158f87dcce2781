"""Client-credentials tokens the way Microsoft Entra ID issues them, and their validation by Graph.

``TokenService`` is pure (no I/O): it answers token requests with an HTTP status and a JSON body,
and validates the bearer tokens it issued. ``authority.AuthorityServer`` puts it on HTTPS.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .certs import b64url, load_certificate, self_signed_certificate, x5t, x5t_s256
from .entra_errors import BAD_SIGNATURE, UNKNOWN_KEY, TokenError, error_body

GRAPH_RESOURCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: scope resource (before "/.default") -> ``aud`` of the issued token
_RESOURCES = {
    GRAPH_RESOURCE: GRAPH_RESOURCE,
    GRAPH_RESOURCE + "/": GRAPH_RESOURCE,
    GRAPH_APP_ID: GRAPH_APP_ID,
}
_AUTH_METHODS = ("client_secret_post", "private_key_jwt", "client_secret_basic")
_CLAIMS_SUPPORTED = ("sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "tid", "ver")
_REQUIRED = ["exp", "nbf", "aud", "iss", "tid", "appid"]
_OIDC_SCOPES = {"openid", "profile", "offline_access", "email"}
_MULTI_TENANT = {"common", "organizations", "consumers"}


@dataclass(frozen=True)
class AppCredentials:
    """One auditor app registered in one tenant."""

    tenant_id: str
    tenant_name: str
    app_id: str
    object_id: str
    secret: str | None
    certificate_pem: bytes | None
    roles: tuple[str, ...]  # Graph application permission names, e.g. "User.Read.All"
    domains: tuple[str, ...] = ()  # extra names the tenant answers to, e.g. "contoso.onmicrosoft.com"


@dataclass(frozen=True)
class Claims:
    """What Graph needs from a validated access token."""

    tenant_id: str
    app_id: str
    roles: frozenset[str]


@dataclass(frozen=True)
class _Tenant:
    tenant_id: str
    name: str


@dataclass(frozen=True)
class _App:
    creds: AppCredentials
    cert: x509.Certificate | None


def _thumb(value: Any) -> str:
    """A JOSE thumbprint compared loosely: msal pads its base64url ``x5t``, others do not."""
    return value.rstrip("=").replace("+", "-").replace("/", "_") if isinstance(value, str) else ""


def _audience_ok(aud: Any, tenants: set[str], authority_url: str | None) -> bool:
    """Whether a client assertion's ``aud`` names this tenant's token endpoint (v2.0 or v1)."""
    paths = {f"/{t}/oauth2/v2.0/token" for t in tenants} | {f"/{t}/oauth2/token" for t in tenants}
    base = urlsplit(authority_url) if authority_url else None
    for value in aud if isinstance(aud, list) else [aud]:
        if not isinstance(value, str):
            continue
        parts = urlsplit(value)
        if base is not None and (parts.scheme, parts.netloc.lower()) != (base.scheme, base.netloc.lower()):
            continue
        if parts.path.lower() in paths:
            return True
    return False


class TokenService:
    """Issues app-only Graph tokens to registered apps and validates them (RS256, key made here)."""

    def __init__(
        self,
        apps: Iterable[AppCredentials],
        lifetime_seconds: int = 3600,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.lifetime_seconds = lifetime_seconds
        self._clock = clock
        self._tenants: dict[str, _Tenant] = {}
        self._apps: dict[tuple[str, str], _App] = {}
        for creds in apps:
            tenant = self._tenants.get(creds.tenant_id.lower()) or _Tenant(creds.tenant_id, creds.tenant_name)
            for alias in (creds.tenant_id, creds.tenant_name, *creds.domains):
                if alias:
                    self._tenants.setdefault(alias.lower(), tenant)
            cert = load_certificate(creds.certificate_pem) if creds.certificate_pem else None
            self._apps[(tenant.tenant_id.lower(), creds.app_id.lower())] = _App(creds, cert)
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._signing_cert = self_signed_certificate(self._key, "etd-readiness token signing", valid_days=30)
        self._kid = x5t(self._signing_cert)
        self._public_key = self._key.public_key()

    # -- tenants ---------------------------------------------------------------------------------
    def resolve_tenant(self, tenant: str) -> str | None:
        """The tenant id for a path segment (tenant id, name or domain, any case), or None."""
        found = self._tenants.get(tenant.lower())
        return found.tenant_id if found else None

    def discovery(self, authority_url: str, tenant: str) -> tuple[int, dict[str, Any]]:
        """Status and body for ``/{tenant}/v2.0/.well-known/openid-configuration``."""
        try:
            return 200, self.openid_configuration(authority_url, tenant)
        except TokenError as exc:
            body = error_body(exc)
            body["error"] = "invalid_tenant"
            return exc.status, body

    def openid_configuration(self, authority_url: str, tenant: str) -> dict[str, Any]:
        """The v2.0 OpenID discovery document; raises TokenError (AADSTS90002) for an unknown tenant."""
        base = authority_url.rstrip("/")
        if tenant.lower() in _MULTI_TENANT:
            segment, issuer_tenant = tenant.lower(), "{tenantid}"
        else:
            tid = self.resolve_tenant(tenant)
            if tid is None:
                raise TokenError(90002, tenant)
            segment = issuer_tenant = tid
        oauth = f"{base}/{segment}/oauth2/v2.0"
        return {
            "token_endpoint": f"{oauth}/token",
            "token_endpoint_auth_methods_supported": list(_AUTH_METHODS),
            "jwks_uri": f"{base}/{segment}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/{issuer_tenant}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{oauth}/authorize",
            "device_authorization_endpoint": f"{oauth}/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{oauth}/logout",
            "claims_supported": list(_CLAIMS_SUPPORTED),
            "kerberos_endpoint": f"{base}/{segment}/kerberos",
            "tenant_region_scope": "NA",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }

    def jwks(self) -> dict[str, Any]:
        """The signing keys document (``/discovery/v2.0/keys``)."""
        numbers = self._public_key.public_numbers()

        def as_b64(value: int) -> str:
            return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        der = self._signing_cert.public_bytes(serialization.Encoding.DER)
        key = {"kty": "RSA", "use": "sig", "kid": self._kid, "x5t": self._kid, "n": as_b64(numbers.n)}
        key.update(e=as_b64(numbers.e), x5c=[base64.b64encode(der).decode("ascii")])
        return {"keys": [key]}

    # -- token endpoint --------------------------------------------------------------------------
    def issue(
        self,
        tenant: str,
        form: Mapping[str, str],
        *,
        authority_url: str | None = None,
        correlation_id: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Answer ``POST /{tenant}/oauth2/v2.0/token``: (status, JSON body).

        ``authority_url`` (the server's base URL) tightens the client assertion's ``aud`` check to
        that host; without it only the path of ``aud`` is compared.
        """
        try:
            return 200, self._issue(tenant, form, authority_url)
        except TokenError as exc:
            return exc.status, error_body(exc, correlation_id)

    def _issue(self, tenant: str, form: Mapping[str, str], authority_url: str | None) -> dict[str, Any]:
        if tenant.lower() in ("common", "consumers"):
            raise TokenError(9001023)
        if tenant.lower() == "organizations":
            raise TokenError(50059)
        tid = self.resolve_tenant(tenant)
        if tid is None:
            raise TokenError(90002, tenant)
        for field in ("grant_type", "client_id", "scope"):
            if not form.get(field):
                raise TokenError(900144, field)
        if form["grant_type"] != "client_credentials":
            raise TokenError(70003, form["grant_type"])
        client_id, tenant_name = form["client_id"], self._tenants[tid.lower()].name
        app = self._apps.get((tid.lower(), client_id.lower()))
        if app is None:
            raise TokenError(700016, client_id, tenant_name)
        if form.get("client_assertion") or form.get("client_assertion_type"):
            self._check_assertion(app, {tenant.lower(), tid.lower()}, form, authority_url)
            acr = "2"
        elif form.get("client_secret"):
            expected = app.creds.secret
            if not expected or not hmac.compare_digest(form["client_secret"].encode(), expected.encode()):
                raise TokenError(7000215, app.creds.app_id)
            acr = "1"
        else:
            raise TokenError(7000216)
        return self._token(app.creds, self._audience(form["scope"], tenant_name), acr)

    @staticmethod
    def _audience(scope: str, tenant_name: str) -> str:
        wanted = [s for s in scope.split() if s not in _OIDC_SCOPES]
        if len(wanted) != 1 or not wanted[0].endswith("/.default"):
            raise TokenError(1002012, scope)
        resource = wanted[0][: -len("/.default")]
        if resource.lower() not in _RESOURCES:
            raise TokenError(500011, resource, tenant_name)
        return _RESOURCES[resource.lower()]

    def _check_assertion(
        self, app: _App, tenants: set[str], form: Mapping[str, str], authority_url: str | None
    ) -> None:
        assertion = form.get("client_assertion", "")
        if form.get("client_assertion_type") != JWT_BEARER or not assertion:
            raise TokenError(700027, BAD_SIGNATURE)
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.InvalidTokenError:
            raise TokenError(700027, BAD_SIGNATURE) from None
        cert, sha256 = app.cert, "x5t#S256" in header
        sent = header.get("x5t#S256") if sha256 else header.get("x5t")
        if cert is None or _thumb(sent) != _thumb(x5t_s256(cert) if sha256 else x5t(cert)):
            raise TokenError(700027, UNKNOWN_KEY.format(sent, app.creds.app_id))
        try:
            claims = jwt.decode(
                assertion,
                cert.public_key(),
                algorithms=["RS256", "PS256"],
                options={"verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.InvalidTokenError:
            raise TokenError(700027, BAD_SIGNATURE) from None
        if claims.get("iss") != form["client_id"] or claims.get("sub") != form["client_id"]:
            raise TokenError(700021)
        if not _audience_ok(claims.get("aud"), tenants, authority_url):
            raise TokenError(700023)
        now, exp, nbf = self._clock(), claims.get("exp"), claims.get("nbf", 0)
        if not isinstance(exp, int | float) or not isinstance(nbf, int | float) or not nbf - 300 <= now < exp:
            raise TokenError(700024)

    def _token(self, creds: AppCredentials, audience: str, acr: str) -> dict[str, Any]:
        now = int(self._clock())
        issuer = f"https://sts.windows.net/{creds.tenant_id}/"
        claims: dict[str, Any] = {
            "aud": audience,
            "iss": issuer,
            "iat": now - 300,
            "nbf": now - 300,
            "exp": now + self.lifetime_seconds,
            "appid": creds.app_id,
            "appidacr": acr,
            "azp": creds.app_id,
            "idp": issuer,
            "idtyp": "app",
            "oid": creds.object_id,
            "sub": creds.object_id,
            "tid": creds.tenant_id,
            "uti": b64url(secrets.token_bytes(16)),
            "ver": "1.0",
        }
        if creds.roles:  # Entra leaves the claim out when the app holds no application permission
            claims["roles"] = list(creds.roles)
        return {
            "token_type": "Bearer",
            "expires_in": self.lifetime_seconds,
            "ext_expires_in": self.lifetime_seconds,
            "access_token": self._sign(claims),
        }

    def _sign(self, claims: Mapping[str, Any]) -> str:
        headers = {"typ": "JWT", "x5t": self._kid, "kid": self._kid}
        return jwt.encode(dict(claims), self._key, algorithm="RS256", headers=headers)

    # -- resource side ---------------------------------------------------------------------------
    def validate_bearer(self, authorization_header: str | None) -> Claims | None:
        """Claims of a valid ``Bearer`` token for Graph; None when missing, malformed, forged or expired."""
        if not authorization_header:
            return None
        scheme, _, token = authorization_header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            claims = jwt.decode(
                token,
                self._public_key,
                algorithms=["RS256"],
                audience=[GRAPH_RESOURCE, GRAPH_APP_ID],
                options={"require": _REQUIRED, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except (jwt.InvalidTokenError, ValueError, TypeError):
            return None
        now = self._clock()
        tid, appid, roles = claims["tid"], claims["appid"], claims.get("roles", [])
        if not isinstance(claims["exp"], int | float) or not isinstance(claims["nbf"], int | float):
            return None
        if not claims["nbf"] <= now < claims["exp"] or not isinstance(tid, str) or not isinstance(appid, str):
            return None
        if claims["iss"] != f"https://sts.windows.net/{tid}/" or not isinstance(roles, list):
            return None
        return Claims(tenant_id=tid, app_id=appid, roles=frozenset(r for r in roles if isinstance(r, str)))
