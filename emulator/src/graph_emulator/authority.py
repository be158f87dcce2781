"""A loopback HTTPS Microsoft Entra ID authority for the Graph emulator.

It serves the OpenID discovery document, the signing keys, msal's instance discovery and the
client-credentials token endpoint, so the real azure-identity credentials (``ClientSecretCredential``,
``CertificateCredential``, ``EnvironmentCredential``) obtain tokens end to end::

    server = AuthorityServer(TokenService(apps)); server.start()
    ClientSecretCredential(tenant_id, app_id, secret, authority=server.url,
                           disable_instance_discovery=True, connection_verify=server.ca_path)

Nothing is logged: request bodies carry secrets and assertions, responses carry tokens.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import shutil
import socket
import ssl
import tempfile
import threading
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .certs import generate_tls_certificate
from .loopback import LoopbackServer, QuietHandler
from .tokens import AppCredentials, Claims, TokenService

__all__ = ["AppCredentials", "AuthorityServer", "Claims", "TokenService"]

_MAX_BODY = 1 << 20
_SECURITY_HEADERS = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


class _Handler(QuietHandler):
    """Routes one connection's requests to the owning AuthorityServer."""

    server: _TLSServer
    protocol_version = "HTTP/1.1"
    server_version = "etd-readiness-authority"
    sys_version = ""
    timeout = 30  # idle keep-alive connections are dropped after this

    def setup(self) -> None:
        self.request.settimeout(self.timeout)
        self.request.do_handshake()  # here, in the connection's thread, not in the accept loop
        super().setup()

    def serve(self, method: str) -> None:
        owner = self.server.owner
        split = urlsplit(self.path)
        try:
            body = self._read_body()
            if owner.on_request is not None:
                owner.on_request(method, split.path)
            status, payload = owner.route(method, split.path, split.query, body, self.headers)
        except Exception:  # noqa: BLE001 - never leak details (or secrets) of a failure
            status, payload = 500, {"error": "server_error", "error_description": "internal error"}
            self.close_connection = True
        self._send_json(status, payload)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > _MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(length) if length else b""

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        for name, value in _SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _TLSServer(LoopbackServer):
    """LoopbackServer whose connections are TLS, handshaken in the per-connection thread."""

    def __init__(self, address: tuple[str, int], context: ssl.SSLContext, owner: AuthorityServer) -> None:
        self.context = context
        self.owner = owner
        super().__init__(address, _Handler)

    def wrap(self, sock: socket.socket) -> socket.socket:
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)


class AuthorityServer:
    """HTTPS authority on loopback, serving in its own daemon thread (``start``/``stop``)."""

    def __init__(
        self,
        tokens: TokenService,
        host: str = "127.0.0.1",
        port: int = 0,
        on_request: Callable[[str, str], None] | None = None,
    ) -> None:
        self.tokens = tokens
        self.host = host
        self.port = port
        self.on_request = on_request  # called with (method, path without query) for every request
        self.url = ""
        self.ca_path = ""
        self._server: _TLSServer | None = None
        self._thread: threading.Thread | None = None
        self._tmpdir: str | None = None

    def start(self) -> None:
        """Make the certificate, bind, and serve in a daemon thread; sets ``url`` and ``ca_path``."""
        if self._server is not None:
            raise RuntimeError("AuthorityServer already started")
        self._tmpdir = tempfile.mkdtemp(prefix="etd-authority-")
        try:
            bundle = generate_tls_certificate()
            ca_path = os.path.join(self._tmpdir, "ca.pem")
            key_path = os.path.join(self._tmpdir, "key.pem")
            with open(ca_path, "wb") as f:
                f.write(bundle.cert_pem)
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(bundle.key_pem)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(ca_path, key_path)
            os.remove(key_path)  # loaded; only the public certificate stays on disk
            self._server = _TLSServer((self.host, self.port), context, self)
        except BaseException:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
            raise
        self.ca_path = ca_path
        port = self._server.server_address[1]
        self.url = f"https://[{self.host}]:{port}" if ":" in self.host else f"https://{self.host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="etd-authority",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, close connections and remove the certificate's temporary directory."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> AuthorityServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- routing -----------------------------------------------------------------------------------
    def route(self, method: str, path: str, query: str, body: bytes, headers: Any) -> tuple[int, dict[str, Any]]:
        """Status and JSON body for one request (``headers``: a Message-like mapping)."""
        parts = [unquote(p) for p in path.split("/") if p]
        if not parts:
            return 404, _not_found()
        tenant, rest = parts[0], parts[1:]
        if rest == ["oauth2", "v2.0", "token"]:
            if method != "POST":
                text = f"The endpoint only accepts POST requests. Received a {method} request."
                return 405, {"error": "invalid_request", "error_description": text}
            form = _form(body, headers)
            correlation = headers.get("client-request-id")
            return self.tokens.issue(tenant, form, authority_url=self.url, correlation_id=correlation)
        if method != "GET":
            return 405, {"error": "invalid_request", "error_description": f"{method} is not supported here."}
        if rest in (["v2.0", ".well-known", "openid-configuration"], [".well-known", "openid-configuration"]):
            return self.tokens.discovery(self.url, tenant)
        if rest in (["discovery", "v2.0", "keys"], ["discovery", "keys"]):
            return 200, self.tokens.jwks()
        if rest == ["discovery", "instance"]:
            return 200, self._instance_discovery(query)
        return 404, _not_found()

    def _instance_discovery(self, query: str) -> dict[str, Any]:
        """msal's ``/common/discovery/instance`` answer, pointing back at this server."""
        endpoint = parse_qs(query).get("authorization_endpoint", [""])[0]
        segments = [p for p in urlsplit(endpoint).path.split("/") if p]
        tenant = segments[0] if segments else "common"
        netloc = urlsplit(self.url).netloc
        return {
            "tenant_discovery_endpoint": f"{self.url}/{tenant}/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [{"preferred_network": netloc, "preferred_cache": netloc, "aliases": [netloc]}],
        }


def _not_found() -> dict[str, Any]:
    return {"error": "not_found", "error_description": "No such endpoint on the emulated authority."}


def _form(body: bytes, headers: Any) -> dict[str, str]:
    """The url-encoded form (first value of each field), with HTTP Basic client credentials merged in."""
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    form = {k: v[0] for k, v in fields.items()}
    auth = headers.get("Authorization") or ""
    if auth[:6].lower() == "basic ":
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            user, _, password = base64.b64decode(auth[6:].strip(), validate=True).decode().partition(":")
            form.setdefault("client_id", unquote(user))
            form.setdefault("client_secret", unquote(password))
    return form
