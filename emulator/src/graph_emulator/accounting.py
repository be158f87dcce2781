"""Accounting: requests by (method, family), batch items, and every write — readable by tests."""

from __future__ import annotations

import threading
from collections import Counter


class Stats:
    """Thread-safe counters of what the emulator was asked.

    `requests` counts top-level HTTP requests by (method, family) — families in `families.py`; the
    authority's token endpoint counts as ("POST", "token"), its other pages as (method, "authority").
    `batch_items` counts the items inside `$batch` envelopes the same way. `writes` lists
    (method, path) of every attempted write, whatever the answer: each non-GET request except the
    `$batch` envelope and the authority, and each non-GET batch item. `path` is the Graph path
    after /v1.0, percent-decoded, without the query, e.g. "/users/a@x.com/messages/M/move".
    """

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.batch_items: Counter[tuple[str, str]] = Counter()
        self.writes: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def count_request(self, method: str, family: str) -> None:
        """One top-level request."""
        with self._lock:
            self.requests[(method, family)] += 1

    def count_batch_item(self, method: str, family: str) -> None:
        """One item inside a `$batch`."""
        with self._lock:
            self.batch_items[(method, family)] += 1

    def record_write(self, method: str, path: str) -> None:
        """A request that could change the tenant."""
        with self._lock:
            self.writes.append((method, path))

    def reset(self) -> None:
        """Forget everything counted so far (the same objects are kept)."""
        with self._lock:
            self.requests.clear()
            self.batch_items.clear()
            self.writes.clear()

    def total_requests(self, family: str | None = None) -> int:
        """Top-level requests, optionally of one family."""
        with self._lock:
            return sum(n for (_, fam), n in self.requests.items() if family is None or fam == family)
