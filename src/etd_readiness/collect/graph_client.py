"""Build msgraph-sdk's request adapter for one tenant: auth, middleware, our own httpx client.

We keep msgraph-sdk for what it is good at (auth header, request building, redirect/telemetry
middleware, ODataError mapping) and read bulk responses as raw JSON (GRAPH_FACTS §7).
kiota's own RetryHandler is turned off (max_retries=0): `reader.GraphReader` is the one retry
policy, so the budget is what it says (kiota would otherwise retry 429/503/504 up to 3 more times
under each of the reader's attempts, GRAPH_FACTS §6), a fractional Retry-After is honoured and a
replayed 429 does not sleep. tests/test_reader_network.py counts the requests that reach Graph.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from azure.core.credentials import TokenCredential
from kiota_http.middleware.options import RetryHandlerOption
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph_core import GraphClientFactory
from msgraph_core.authentication import AzureIdentityAuthenticationProvider

PUBLIC_GRAPH = "https://graph.microsoft.com/v1.0"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def is_loopback(url: str) -> bool:
    """True when the URL points at this machine (the emulator)."""
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


def graph_scope(graph_url: str) -> str:
    """The `.default` scope for a Graph endpoint; the emulator stands in for global Graph."""
    parts = urlsplit(graph_url)
    if is_loopback(graph_url):
        return "https://graph.microsoft.com/.default"
    return f"{parts.scheme}://{parts.netloc}/.default"


def _tls_verify() -> ssl.SSLContext | bool:
    """Trust what the admin configured for Python TLS (SSL_CERT_FILE / REQUESTS_CA_BUNDLE)."""
    bundle = os.environ.get("SSL_CERT_FILE") or os.environ.get("REQUESTS_CA_BUNDLE")
    if bundle:
        return ssl.create_default_context(cafile=bundle)
    return True


@dataclass
class GraphConnection:
    """An open Graph client for one tenant; close() releases its connections."""

    client: GraphServiceClient
    adapter: GraphRequestAdapter
    http: httpx.AsyncClient
    base_url: str

    async def close(self) -> None:
        await self.http.aclose()


def open_graph(
    credential: TokenCredential, graph_url: str, timeout_s: float = 60.0, connections: int = 32
) -> GraphConnection:
    """A GraphServiceClient on `graph_url` authenticated by `credential`, without kiota's retry."""
    base_url = graph_url.rstrip("/")
    host = urlsplit(base_url).hostname or ""
    auth = AzureIdentityAuthenticationProvider(credential, scopes=[graph_scope(base_url)], allowed_hosts=[host])
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 15.0)),
        verify=_tls_verify(),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )
    options = {RetryHandlerOption.get_key(): RetryHandlerOption(max_retries=0, delay=0)}
    http = GraphClientFactory.create_with_default_middleware(client=http, options=options)
    adapter = GraphRequestAdapter(auth, http)
    adapter.base_url = base_url
    return GraphConnection(
        client=GraphServiceClient(request_adapter=adapter), adapter=adapter, http=http, base_url=base_url
    )
