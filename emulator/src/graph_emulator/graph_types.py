"""The request and response objects handlers work with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .odata import Query


@dataclass
class GraphRequest:
    """One Graph call (top-level or a batch item) after authentication."""

    method: str
    path: str  # normalised raw path after /v1.0, e.g. "/users/a%40x.com/mailFolders/inbox"
    segments: list[str]  # percent-decoded segments
    query: Query
    headers: dict[str, str]  # lower-case names
    body: bytes
    store: Any  # TenantStore of the token's tenant
    base_url: str  # the emulator's Graph URL, for nextLinks and contexts
    roles: frozenset[str] = frozenset()  # the token's roles (set by the router before the handler runs)


@dataclass
class GraphResponse:
    """A handler's answer; `body` is JSON-ready (or None for no content)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
