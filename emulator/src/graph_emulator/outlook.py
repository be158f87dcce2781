"""Outlook's concurrency limits: requests in flight per app per mailbox, and optionally per app.

GRAPH_FACTS §6: Outlook allows an app 4 concurrent requests per mailbox (one version of the page says
4 per app whatever the mailbox), and Graph dispatches at most 4 items of one `$batch` to Outlook at
once, each item counting on its own. So a batch holding k items for a mailbox occupies min(k, 4) of
that mailbox's slots, and min(items, 4) of the app's, for as long as it is served. A request that
would go over a limit is answered 429 `ApplicationThrottled` ("Application is over its
MailboxConcurrency limit.") with Retry-After, as Outlook does; a throttled batch item is a 429 item
inside a 200 envelope. The peak per mailbox is kept so tests can prove a client never went over.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import GraphError

BATCH_DISPATCH = 4


@dataclass
class Admission:
    """What one request was let through with (released when it is answered) and what was refused."""

    mailboxes: Counter[str] = field(default_factory=Counter)
    app_slots: int = 0
    refused: frozenset[str] = frozenset()  # mailboxes whose items are answered 429
    refused_all: bool = False


class OutlookConcurrency:
    """Thread-safe in-flight accounting; `per_mailbox` / `per_app` None means no limit."""

    def __init__(self, per_mailbox: int | None, per_app: int | None, retry_after_s: float) -> None:
        self.per_mailbox = per_mailbox
        self.per_app = per_app
        self.retry_after_s = retry_after_s
        self._mailboxes: Counter[str] = Counter()
        self._app = 0
        self._lock = threading.Lock()
        self.peak_per_mailbox = 0
        self.peak_app = 0
        self.throttled = 0

    def admit(self, mailboxes: Iterable[str]) -> Admission:
        """Let a request for these mailboxes (one entry per mail request or batch item) in, or refuse."""
        wanted = Counter(m.lower() for m in mailboxes)
        if not wanted:
            return Admission()
        need = {m: min(k, BATCH_DISPATCH) for m, k in wanted.items()}
        app_need = min(sum(wanted.values()), BATCH_DISPATCH)
        with self._lock:
            if self.per_app is not None and self._app + app_need > self.per_app:
                self.throttled += sum(wanted.values())
                return Admission(refused=frozenset(wanted), refused_all=True)
            refused = {
                m for m, n in need.items() if self.per_mailbox is not None and self._mailboxes[m] + n > self.per_mailbox
            }
            taken: Counter[str] = Counter({m: n for m, n in need.items() if m not in refused})
            self._mailboxes.update(taken)
            slots = app_need if taken else 0
            self._app += slots
            if taken:
                self.peak_per_mailbox = max(self.peak_per_mailbox, max(self._mailboxes[m] for m in taken))
            self.peak_app = max(self.peak_app, self._app)
            self.throttled += sum(wanted[m] for m in refused)
            return Admission(taken, slots, frozenset(refused), refused_all=bool(refused) and not taken)

    def release(self, admission: Admission) -> None:
        """The request was answered: its slots are free again."""
        with self._lock:
            self._mailboxes.subtract(admission.mailboxes)
            self._mailboxes = +self._mailboxes
            self._app -= admission.app_slots

    def error(self) -> GraphError:
        """Outlook's answer to a request over a limit."""
        headers = {"Retry-After": str(max(1, math.ceil(self.retry_after_s)))}
        return GraphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", headers)


def mailbox_of(segments: list[str]) -> str | None:
    """The mailbox a `/users/{id}/...` mail path is about (its id or address, lower-case)."""
    if len(segments) >= 3 and segments[0].lower() == "users":
        return segments[1].lower()
    return None
