"""Accounting: requests by (method, family), batch items, and every write — readable by tests."""

from __future__ import annotations

import threading
from collections import Counter


class Stats:
    """Thread-safe counters of what the emulator was asked.

    `requests` counts top-level HTTP requests (including the token endpoint as ("POST", "token")),
    `batch_items` the items inside `$batch` envelopes, and `writes` lists (method, path) of every
    non-GET request outside `$batch` and the token endpoint and of every non-GET batch item.
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
