"""Injected faults: latency, throttling (429), unavailability (503/504), truncated and malformed bodies,
403s the token's roles would not explain (Conditional Access, a policy changed mid-run), and the shapes
real networks add (`shapes.SHAPES`: gateway HTML pages, empty 5xx, resets, drops, slow bodies, cut gzip,
non-JSON 200s, $batch answers with items missing, duplicated or foreign).

Every decision is a hash of (seed, what, method, path+query, occurrence of that exact request), so
outcomes do not depend on thread scheduling: the same run of requests gets the same faults.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import GraphError
from .families import FAMILIES, MAIL_FAMILIES
from .outlook import OutlookConcurrency
from .shapes import SHAPES

#: "mixed": each throttled answer picks int, fractional or missing from the seed.
RETRY_AFTER_MODES = frozenset({"int", "fractional", "missing", "mixed"})


@dataclass(frozen=True)
class Faults:
    """What to break, per endpoint family (see `families.FAMILIES`; "*" means every family).

    `max_faults` limits faults to the first K occurrences of each exact request (method, path and
    query), so a retry after them succeeds; None means no limit ("throttled forever" with p=1).
    `shapes` is {shape: {family: probability}} over `shapes.SHAPES` (the `$batch` shapes act on the
    "batch" family); `slow_body_s` is how long a "slow" body stalls after its headers; `shapes_after`
    spares the first K requests of each family from shapes (a service that breaks mid-run: with K=1
    the first users page comes, the next ones meet the shapes). `mailbox_concurrency` and
    `app_mail_concurrency` are Outlook's limits on mail requests in flight (`outlook.py`): 4 per
    mailbox by default, none per app unless given; None turns a limit off.
    """

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    batch_item_latency_ms: float = 0.0
    throttle: Mapping[str, float] = field(default_factory=dict)
    unavailable: Mapping[str, float] = field(default_factory=dict)
    truncate: frozenset[str] | set[str] = frozenset()
    malformed: frozenset[str] | set[str] = frozenset()
    forbidden: frozenset[str] | set[str] = frozenset()
    retry_after: str = "int"
    retry_after_seconds: float = 1.0
    max_faults: int | None = None
    shapes: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    slow_body_s: float = 2.0
    shapes_after: int = 0
    mailbox_concurrency: int | None = 4
    app_mail_concurrency: int | None = None

    def __post_init__(self) -> None:
        if self.retry_after not in RETRY_AFTER_MODES:
            raise ValueError(f"retry_after must be one of {sorted(RETRY_AFTER_MODES)}, not {self.retry_after!r}")
        for name, table in (("throttle", self.throttle), ("unavailable", self.unavailable)):
            for fam, p in table.items():
                _check_family(name, fam)
                if not 0.0 <= float(p) <= 1.0:
                    raise ValueError(f"{name}[{fam!r}] must be a probability in [0, 1], not {p!r}")
        for shape, table in self.shapes.items():
            if shape not in SHAPES:
                raise ValueError(f"unknown fault shape {shape!r}; known: {', '.join(SHAPES)}")
            for fam, p in table.items():
                _check_family(shape, fam)
                if not 0.0 <= float(p) <= 1.0:
                    raise ValueError(f"shapes[{shape!r}][{fam!r}] must be a probability in [0, 1], not {p!r}")
        if self.slow_body_s < 0 or self.shapes_after < 0:
            raise ValueError("slow_body_s and shapes_after must not be negative")
        for name, fams in (("truncate", self.truncate), ("malformed", self.malformed), ("forbidden", self.forbidden)):
            for fam in fams:
                _check_family(name, fam)
        if min(self.latency_ms, self.jitter_ms, self.batch_item_latency_ms, self.retry_after_seconds) < 0:
            raise ValueError("latencies and retry_after_seconds must not be negative")
        if self.max_faults is not None and self.max_faults < 0:
            raise ValueError("max_faults must be None or >= 0")
        for name in ("mailbox_concurrency", "app_mail_concurrency"):
            limit = getattr(self, name)
            if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
                raise ValueError(f"{name} must be None or an integer >= 1, not {limit!r}")


def _check_family(what: str, family: str) -> None:
    if family != "*" and family not in FAMILIES:
        raise ValueError(f"{what}: unknown endpoint family {family!r}; known: {', '.join(sorted(FAMILIES))}")


class FaultPlanner:
    """Decides the faults of each request from the seed and the request's occurrence count."""

    def __init__(self, faults: Faults, seed: int) -> None:
        self.faults = faults
        self.seed = seed
        self._seen: Counter[tuple[str, str]] = Counter()
        self._families: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.outlook = OutlookConcurrency(
            faults.mailbox_concurrency, faults.app_mail_concurrency, faults.retry_after_seconds
        )

    def occurrence(self, method: str, target: str) -> int:
        """Count this exact request and return how many came before it (0 for the first)."""
        key = (method, target)
        with self._lock:
            n = self._seen[key]
            self._seen[key] = n + 1
        return n

    def _uniform(self, what: str, method: str, target: str, n: int) -> float:
        digest = hashlib.blake2b(f"{self.seed}|{what}|{method}|{target}|{n}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64

    def _active(self, n: int) -> bool:
        return self.faults.max_faults is None or n < self.faults.max_faults

    @staticmethod
    def _prob(table: Mapping[str, float], family: str) -> float:
        return float(table.get(family, table.get("*", 0.0)))

    def latency_s(self, method: str, target: str, n: int) -> float:
        """Seconds to wait before answering this request."""
        f = self.faults
        if not f.latency_ms and not f.jitter_ms:
            return 0.0
        return (f.latency_ms + f.jitter_ms * self._uniform("jitter", method, target, n)) / 1000.0

    def batch_latency_s(self, items: int) -> float:
        """Extra seconds for a batch: Graph runs at most 4 mailbox requests at a time."""
        return self.faults.batch_item_latency_ms * math.ceil(items / 4) / 1000.0

    def error(self, family: str, method: str, target: str, n: int) -> GraphError | None:
        """A 403 / 429 / 503 / 504 for this request, or None."""
        if not self._active(n):
            return None
        f = self.faults
        if family in f.forbidden or "*" in f.forbidden:
            if family in MAIL_FAMILIES:
                return GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
            return GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
        p = self._prob(f.throttle, family)
        if p and self._uniform("throttle", method, target, n) < p:
            headers = self._retry_after(method, target, n)
            if family in MAIL_FAMILIES:
                return GraphError(
                    429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", headers
                )
            return GraphError(429, "TooManyRequests", "Please retry again later.", headers)
        p = self._prob(f.unavailable, family)
        if p and self._uniform("unavailable", method, target, n) < p:
            if family in MAIL_FAMILIES:
                return GraphError(
                    503, "MailboxInfoStale", "Mailbox info is stale.", self._retry_after(method, target, n)
                )
            return GraphError(504, "UnknownError", "")
        return None

    def body_fault(self, family: str, n: int) -> str | None:
        """ "truncate", "malformed" or None for a 200 answer of this family."""
        if not self._active(n):
            return None
        f = self.faults
        if family in f.truncate or "*" in f.truncate:
            return "truncate"
        if family in f.malformed or "*" in f.malformed:
            return "malformed"
        return None

    def shape(self, family: str, method: str, target: str, n: int) -> str | None:
        """The network shape (a `shapes.SHAPES` name) this request gets, or None; first hit in SHAPES order."""
        if not self.faults.shapes:
            return None
        with self._lock:
            before = self._families[family]
            self._families[family] = before + 1
        if not self._active(n) or before < self.faults.shapes_after:
            return None
        for name in SHAPES:
            p = self._prob(self.faults.shapes.get(name, {}), family)
            if p and self._uniform(name, method, target, n) < p:
                return name
        return None

    def _retry_after(self, method: str, target: str, n: int) -> dict[str, str]:
        f = self.faults
        mode = f.retry_after
        if mode == "mixed":
            mode = ("int", "fractional", "missing")[int(self._uniform("retry-after", method, target, n) * 3)]
        if mode == "missing":
            return {}
        if mode == "fractional":
            return {"Retry-After": f"{f.retry_after_seconds:.3f}"}
        return {"Retry-After": str(math.ceil(f.retry_after_seconds))}


def break_body(body: bytes, how: str) -> bytes:
    """A truncated (first half) or syntactically invalid copy of a JSON body."""
    if how == "truncate":
        return body[: len(body) // 2]
    colon = body.find(b":")
    return body[:colon] + b" " + body[colon + 1 :] if colon >= 0 else b"{" + body
