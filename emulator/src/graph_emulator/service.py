"""`Emulator`: the Graph server and the authority together, serving tenants loaded from files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .accounting import Stats
from .app import GraphApp
from .authority import AuthorityServer
from .faults import FaultPlanner, Faults
from .graph_server import GraphServer
from .outlook import OutlookConcurrency
from .store import TenantStore
from .tenant import load_tenants
from .tenant_model import Tenant
from .tokens import AppCredentials, TokenService


class Emulator:
    """A loopback Microsoft Graph (HTTP) and Entra ID authority (HTTPS) for the given tenant files.

    Use as a context manager or call `start()` / `stop()`. Tenant files are loaded (and validated,
    raising `TenantFileError`) in the constructor.
    """

    def __init__(
        self,
        tenant_files: Iterable[str | Path],
        faults: Faults | None = None,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        auth_port: int = 0,
    ) -> None:
        self.tenants: dict[str, Tenant] = load_tenants(list(tenant_files))
        if not self.tenants:
            raise ValueError("Emulator needs at least one tenant file")
        self.seed = seed
        self.stats = Stats()
        self._faults = faults or Faults()
        self._host, self._port, self._auth_port = host, port, auth_port
        self._graph: GraphServer | None = None
        self._authority: AuthorityServer | None = None
        self._app: GraphApp | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> Emulator:
        """Build the tenants' indexes, start both servers."""
        if self._graph is not None:
            raise RuntimeError("Emulator already started")
        tokens = TokenService(self.credentials(name) for name in self.tenants)
        stores = {t.id.lower(): TenantStore(t) for t in self.tenants.values()}
        self._app = GraphApp(stores, tokens, self.stats, FaultPlanner(self._faults, self.seed))
        self._authority = AuthorityServer(tokens, host=self._host, port=self._auth_port, on_request=self._count_auth)
        self._graph = GraphServer(self._app, host=self._host, port=self._port)
        try:
            self._authority.start()
            self._graph.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop both servers (safe to call twice)."""
        graph, self._graph = self._graph, None
        authority, self._authority = self._authority, None
        if graph is not None:
            graph.stop()
        if authority is not None:
            authority.stop()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what clients need -----------------------------------------------------------------------------
    @property
    def graph_url(self) -> str:
        """The Graph base URL, e.g. http://127.0.0.1:PORT/v1.0 (no trailing slash)."""
        return self._running()[0].url

    @property
    def authority_url(self) -> str:
        """The authority, e.g. https://127.0.0.1:PORT (azure-identity's `authority=`)."""
        return self._running()[1].url

    @property
    def ca_path(self) -> str:
        """PEM file of the authority's self-signed certificate."""
        return self._running()[1].ca_path

    @property
    def outlook(self) -> OutlookConcurrency:
        """Outlook's concurrency accounting of the faults in force: peaks per mailbox and app, refusals."""
        if self._app is None:
            raise RuntimeError("Emulator not started")
        return self._app.planner.outlook

    @property
    def faults(self) -> Faults:
        """The faults in force; assigning new ones restarts their occurrence counts."""
        return self._faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self._faults = value
        if self._app is not None:
            self._app.planner = FaultPlanner(value, self.seed)

    def credentials(self, tenant_name: str) -> AppCredentials:
        """The auditor app of a tenant, as the token service knows it."""
        t = self.tenants[tenant_name]
        a = t.auditor
        return AppCredentials(
            tenant_id=t.id,
            tenant_name=t.name,
            app_id=a.app_id,
            object_id=a.object_id,
            secret=a.secret,
            certificate_pem=a.certificate_pem,
            roles=a.roles,
            domains=tuple(d.name for d in t.domains),
        )

    def _running(self) -> tuple[GraphServer, AuthorityServer]:
        if self._graph is None or self._authority is None:
            raise RuntimeError("Emulator is not running: call start() or use it as a context manager")
        return self._graph, self._authority

    def _count_auth(self, method: str, path: str) -> None:
        family = "token" if path.rstrip("/").endswith("/oauth2/v2.0/token") else "authority"
        self.stats.count_request(method, family)
