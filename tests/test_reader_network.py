"""The reader through the real msgraph-sdk stack (open_graph) against the emulator: one retry policy,
Retry-After in every form, TLS failures said once, and the pieces of reasons."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import ssl

import httpx
import pytest
from azure.core.credentials import AccessToken

from conftest import tenant_file
from etd_readiness.collect.graph_client import open_graph
from etd_readiness.collect.reader import FetchError, GraphReader, RetryPolicy
from etd_readiness.collect.responses import backoff_seconds, retry_after_seconds
from graph_emulator import Emulator, Faults


class _Token:
    """A TokenCredential holding one token from the emulator's token endpoint."""

    def __init__(self, emu: Emulator, tenant: str) -> None:
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
        self.token = resp.json()["access_token"]

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        return AccessToken(self.token, int(dt.datetime.now(dt.UTC).timestamp()) + 3600)


@pytest.fixture
def emu():
    emu = Emulator(tenant_files=[tenant_file("healthy")], seed=7)
    emu.start()
    yield emu
    emu.stop()


def _read(emu: Emulator, url: str, graph_url: str | None = None, sleeps: list[float] | None = None):
    async def go():
        conn = open_graph(_Token(emu, "healthy"), graph_url or emu.graph_url)
        waits = sleeps if sleeps is not None else []

        async def sleep(s: float) -> None:
            waits.append(s)

        reader = GraphReader(conn, policy=RetryPolicy(backoff_s=0.01), sleep=sleep)
        try:
            return await reader.get(url)
        finally:
            await conn.close()

    return asyncio.run(go())


def test_one_retry_policy_kiota_does_not_retry_underneath(emu: Emulator) -> None:
    """kiota's RetryHandler would retry a 503 itself (3 more sends per attempt): exactly 1 + 4 reach Graph."""
    emu.faults = Faults(shapes={"empty503": {"organization": 1.0}})
    with pytest.raises(FetchError) as err:
        _read(emu, "/organization")
    assert str(err.value) == "GET /organization answered 503 with an empty body after 4 retries"
    assert emu.stats.requests[("GET", "organization")] == 5


@pytest.mark.parametrize(("mode", "waits"), [("int", [1.0]), ("fractional", [0.25])])
def test_retry_after_is_honoured(emu: Emulator, mode: str, waits: list[float]) -> None:
    emu.faults = Faults(throttle={"organization": 1.0}, retry_after=mode, retry_after_seconds=0.25, max_faults=1)
    sleeps: list[float] = []
    assert _read(emu, "/organization", sleeps=sleeps)["value"]
    assert sleeps == waits


def test_missing_retry_after_backs_off_with_jitter(emu: Emulator) -> None:
    emu.faults = Faults(throttle={"organization": 1.0}, retry_after="missing", max_faults=3)
    sleeps: list[float] = []
    assert _read(emu, "/organization", sleeps=sleeps)["value"]
    assert len(sleeps) == 3
    for attempt, wait in enumerate(sleeps):
        assert 0.01 * 2**attempt * 0.5 <= wait < 0.01 * 2**attempt


def test_retry_after_forms() -> None:
    now = dt.datetime(2026, 12, 4, 2, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds({"retry-after": "3"}) == 3.0
    assert retry_after_seconds({"Retry-After": "0.250"}) == 0.25
    assert retry_after_seconds({"retry-after": "Fri, 04 Dec 2026 02:00:07 GMT"}, now=now) == 7.0
    assert retry_after_seconds({"retry-after": "Fri, 04 Dec 2026 01:59:00 GMT"}, now=now) == 0.0
    assert retry_after_seconds({}) is None and retry_after_seconds({"retry-after": "soon"}) is None
    rng = random.Random(1)
    assert all(2.0 <= backoff_seconds(2, 1.0, rng) < 4.0 for _ in range(50))  # 1 s · 2² · [0.5, 1)


def test_tls_verification_failure_is_not_retried_and_said_once(emu: Emulator, monkeypatch) -> None:
    """The authority's HTTPS port with a CA nobody trusts: one line, no retries, no traceback."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    with pytest.raises(FetchError) as err:
        _read(emu, "/organization", graph_url=emu.authority_url + "/v1.0")
    reason = str(err.value)
    assert "cannot be reached: the TLS certificate of 127.0.0.1:" in reason, reason
    assert "could not be verified (self-signed certificate)" in reason
    assert err.value.unreachable and "retr" not in reason.split("(first on")[0]


class _Static:
    """A TokenCredential with a made-up token (the page servers below do not check it)."""

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        return AccessToken("not-a-real-token", int(dt.datetime.now(dt.UTC).timestamp()) + 3600)


class _PageServer:
    """A users endpoint on 127.0.0.1 whose every page carries the `@odata.nextLink` it is told to give."""

    def __init__(self) -> None:
        import http.server
        import json
        import threading

        self.hits: list[tuple[str, str | None]] = []
        self.next_link = ""
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.hits.append((self.path, self.headers.get("Authorization")))
                page: dict = {"value": [{"id": f"u{len(owner.hits)}"}]}
                if len(owner.hits) < 20:  # then the listing ends: a regression fails the test, never hangs it
                    page["@odata.nextLink"] = owner.next_link
                body = json.dumps(page)
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1.0"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _list_users(graph_url: str) -> list[dict]:
    async def go():
        conn = open_graph(_Static(), graph_url)
        try:
            return await GraphReader(conn, policy=RetryPolicy(backoff_s=0.01)).get_all("/users")
        finally:
            await conn.close()

    return asyncio.run(go())


def test_a_next_link_that_repeats_a_page_is_a_failed_listing_not_an_endless_one() -> None:
    graph = _PageServer()
    graph.next_link = f"{graph.url}/users"  # page 1 points at itself
    try:
        with pytest.raises(FetchError, match="repeats a page already read"):
            _list_users(graph.url)
        assert len(graph.hits) == 1
    finally:
        graph.close()


def test_a_next_link_to_another_host_is_not_followed_and_gets_no_token() -> None:
    graph, intruder = _PageServer(), _PageServer()
    graph.next_link = f"{intruder.url}/users?page=2"
    try:
        with pytest.raises(FetchError, match=r"points to another host \(127\.0\.0\.1:\d+\); not followed"):
            _list_users(graph.url)
        assert len(graph.hits) == 1 and graph.hits[0][1] == "Bearer not-a-real-token"
        assert intruder.hits == []  # the auditor's token never left for it
    finally:
        graph.close()
        intruder.close()


@pytest.mark.parametrize(
    "said",
    [  # what azure-identity 1.27 / msal raised for a token endpoint answering HTML or an empty 200, a JSON
        # object without access_token, a JSON array (seen through the real credentials against such servers)
        "Authentication failed: Expecting value: line 1 column 1 (char 0)",
        "Authentication failed: None",
        "'list' object has no attribute 'items'",
    ],
)
def test_a_token_answer_that_is_no_token_is_said_as_such_in_one_line(said: str) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    from etd_readiness.credentials import sign_in_failure

    line = sign_in_failure(ClientAuthenticationError(said))
    assert line.startswith("the token endpoint answered something that is not a token response (")
    assert "AZURE_AUTHORITY_HOST" in line and "\n" not in line


def test_an_aadsts_answer_keeps_its_code_and_fix() -> None:
    from azure.core.exceptions import ClientAuthenticationError

    from etd_readiness.credentials import sign_in_failure

    said = "Authentication failed: AADSTS7000215: Invalid client secret provided. Ensure the secret...\r\nTrace ID: x"
    line = sign_in_failure(ClientAuthenticationError(said))
    assert line.startswith("the authority rejected the sign-in (AADSTS7000215: Invalid client secret provided)")
