"""How many Graph requests are in flight: found by Graph's answers, and capped per mailbox.

`AdaptiveLimit` works like TCP's congestion window (CUBIC's shape, simply). It starts at `start` and,
until the first 429, grows by one for every answer that was not throttled (it doubles per round of
answers). A 429 cuts it to 0.7 of itself, once for all the requests already in flight when it did (a
burst of 429s from one overload cuts once, not ten times), and remembers where the 429 came. Below 90 %
of that mark it grows by a half per answer, back quickly; above it, by one per round of answers, probing
slowly. It never leaves [1, `ceiling`]. A 429 that is a rate limit (not Outlook's "MailboxConcurrency"
one) also holds every new request until its Retry-After has passed: a full window is not emptied by
sending less at once. The throttled request itself always waits out its own Retry-After (reader.py).

`MailboxSlots` keeps Outlook's limit of 4 concurrent requests per app per mailbox (GRAPH_FACTS §6):
Graph dispatches at most 4 items of one `$batch` at once, so an envelope with k items for a mailbox
takes min(k, 4) of its slots, all of an envelope's mailboxes at once (no envelope waits holding some).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from .responses import Failure, error_of, retry_after_seconds

OUTLOOK_PER_MAILBOX = 4
DECREASE = 0.7  # of the limit, on a 429
RECOVER_BELOW = 0.9  # of the limit where the last 429 came: grow fast below it
RECOVER_STEP = 0.5  # per answer while recovering
Clock = Callable[[], float]


@dataclass
class PacingStats:
    """What the limit did: where it ended, its highest value, how often it was cut, the holds it served."""

    limit: float = 0.0
    peak: int = 0
    decreases: int = 0
    holds: int = 0


class AdaptiveLimit:
    """Grows while Graph answers, cut on a 429, a rate limit's Retry-After held for all; see the module docstring."""

    def __init__(
        self,
        start: int = 8,
        ceiling: int = 32,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Clock = time.monotonic,
        adaptive: bool = True,
    ) -> None:
        if not 1 <= start <= ceiling:
            raise ValueError(f"need 1 <= start <= ceiling, got start={start}, ceiling={ceiling}")
        self._limit = float(start)
        self._threshold = float(ceiling)  # slow start until the first 429
        self._mark = float(ceiling)  # where the last 429 came
        self._ceiling = ceiling
        self._in_flight = 0
        self._epoch = 0
        self._resume_at = 0.0
        self._sleep = sleep
        self._clock = clock
        self._cond = asyncio.Condition()
        self._adaptive = adaptive  # False: a fixed `start` in flight, no hold (the bench's comparison)
        self.stats = PacingStats(limit=self._limit, peak=start)

    @property
    def limit(self) -> int:
        """Requests allowed in flight now."""
        return max(1, int(self._limit))

    async def acquire(self, waited: bool = False) -> int:
        """Wait for a slot (and any Retry-After hold, unless the caller `waited` its own); returns the
        epoch to hand to `release`."""
        hold = self._resume_at - self._clock()
        if hold > 0 and not waited:
            self.stats.holds += 1
            await self._sleep(hold)
        async with self._cond:
            await self._cond.wait_for(lambda: self._in_flight < self.limit)
            self._in_flight += 1
            return self._epoch

    async def release(
        self, epoch: int, throttled: bool, retry_after: float | None = None, rate_limited: bool = False
    ) -> None:
        """The request was answered; `throttled` when Graph said 429 (to it or an item it carried),
        `rate_limited` when that 429 was not a concurrency one (then its Retry-After holds everyone)."""
        async with self._cond:
            self._in_flight -= 1
            if self._adaptive:
                self._adapt(epoch, throttled, retry_after if rate_limited else None)
            self._cond.notify(max(0, self.limit - self._in_flight))  # wake only as many as may go

    def _adapt(self, epoch: int, throttled: bool, hold_s: float | None) -> None:
        if throttled:
            if hold_s:
                self._resume_at = max(self._resume_at, self._clock() + hold_s)
            if epoch == self._epoch:  # the first 429 of this overload cuts; the rest were already sent
                self._mark = self._limit
                self._limit = max(1.0, self._limit * DECREASE)
                self._threshold = self._limit
                self._epoch += 1
                self.stats.decreases += 1
        elif self._limit < self._threshold:
            self._limit = min(self._limit + 1, self._threshold)
        elif self._limit < self._mark * RECOVER_BELOW:
            self._limit = min(self._limit + RECOVER_STEP, self._mark * RECOVER_BELOW)
        else:
            self._limit = min(self._limit + 1 / self._limit, float(self._ceiling))
        self.stats.limit = self._limit
        self.stats.peak = max(self.stats.peak, self.limit)


class MailboxSlots:
    """At most `per_mailbox` requests in flight for any one mailbox."""

    def __init__(self, per_mailbox: int = OUTLOOK_PER_MAILBOX) -> None:
        self._per_mailbox = per_mailbox
        self._busy: Counter[str] = Counter()
        self._cond = asyncio.Condition()
        self.peak = 0

    def need(self, mailboxes: Mapping[str, int]) -> dict[str, int]:
        """Slots an envelope carrying these items (mailbox -> count) takes."""
        return {m: min(k, OUTLOOK_PER_MAILBOX, self._per_mailbox) for m, k in mailboxes.items()}

    @asynccontextmanager
    async def hold(self, mailboxes: Mapping[str, int]) -> AsyncIterator[None]:
        """Hold the slots of every mailbox in `mailboxes` (mailbox -> items) while the body runs."""
        need = self.need(mailboxes)
        if not need:
            yield
            return
        async with self._cond:
            await self._cond.wait_for(lambda: all(self._busy[m] + n <= self._per_mailbox for m, n in need.items()))
            self._busy.update(need)
            self.peak = max(self.peak, max(self._busy[m] for m in need))
        try:
            yield
        finally:
            async with self._cond:
                for m, n in need.items():
                    left = self._busy[m] - n
                    if left > 0:
                        self._busy[m] = left
                    else:
                        del self._busy[m]
                self._cond.notify_all()


def mailbox_of(url: str) -> str | None:
    """The mailbox a relative Graph mail url is about (`/users/{id}/mailFolders/...`), lower-case; else None."""
    parts = url.split("?", 1)[0].strip("/").split("/")
    if len(parts) >= 3 and parts[0].lower() == "users" and parts[2] in MAIL_SEGMENTS:
        return parts[1].lower()
    return None


MAIL_SEGMENTS = frozenset({"mailFolders", "messages", "mailboxSettings"})


def throttle_signal(got: dict | Failure) -> tuple[bool, float | None, bool]:
    """Was this answer (or an item of a `$batch` answer) a 429; the longest Retry-After given; and was
    any of them a rate limit rather than Outlook's concurrency limit ("...MailboxConcurrency limit.")."""
    if isinstance(got, Failure):
        if got.status != 429:
            return False, None, False
        return True, retry_after_seconds(got.headers), not _is_concurrency(got.reason)
    responses = got.get("responses")
    if not isinstance(responses, list):
        return False, None, False
    throttled = [r for r in responses if isinstance(r, dict) and str(r.get("status")) == "429"]
    if not throttled:
        return False, None, False
    waits = [retry_after_seconds(r.get("headers") if isinstance(r.get("headers"), dict) else None) for r in throttled]
    rate = any(not _is_concurrency(str(error_of(r.get("body"))[1])) for r in throttled)
    return True, max((w for w in waits if w is not None), default=None), rate


def _is_concurrency(text: str) -> bool:
    return "concurrency" in text.lower()
