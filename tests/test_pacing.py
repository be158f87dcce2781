"""The adaptive limit and the per-mailbox slots, driven directly (no network)."""

from __future__ import annotations

import asyncio

import pytest

from etd_readiness.collect.pacing import AdaptiveLimit, MailboxSlots, mailbox_of


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _limit(start: int = 4, ceiling: int = 32) -> tuple[AdaptiveLimit, FakeTime]:
    t = FakeTime()
    return AdaptiveLimit(start, ceiling, sleep=t.sleep, clock=t.clock), t


async def _answer(limit: AdaptiveLimit, throttled: bool = False, retry_after: float | None = None) -> int:
    """One request through the limit, answered at once."""
    epoch = await limit.acquire()
    await limit.release(epoch, throttled, retry_after)
    return epoch


def test_slow_start_grows_by_one_per_answer_up_to_the_ceiling() -> None:
    async def run() -> list[int]:
        limit, _ = _limit(start=4, ceiling=10)
        seen = []
        for _ in range(8):
            await _answer(limit)
            seen.append(limit.limit)
        return seen

    assert asyncio.run(run()) == [5, 6, 7, 8, 9, 10, 10, 10]


def test_a_burst_of_429s_from_one_overload_cuts_once_then_recovers_fast_then_probes_slowly() -> None:
    async def run() -> tuple[int, int, int, list[int]]:
        limit, _ = _limit(start=16, ceiling=32)
        epochs = [await limit.acquire() for _ in range(16)]  # 16 in flight, all sent before any answer
        for epoch in epochs[:5]:
            await limit.release(epoch, throttled=True)
        after_burst = limit.limit
        for epoch in epochs[5:]:
            await limit.release(epoch, throttled=False)
        recovered = limit.limit
        grown = []
        for _ in range(3 * 15):
            await _answer(limit)
            grown.append(limit.limit)
        return after_burst, limit.stats.decreases, recovered, grown

    after_burst, decreases, recovered, grown = asyncio.run(run())
    assert after_burst == 11 and decreases == 1  # 16 x 0.7, once for the whole burst
    assert recovered == 14  # +0.5 per answer, up to 90 % of where the 429 came (14.4)
    assert grown[-1] in (16, 17)  # beyond that, one per round of ~15 answers


def test_a_429_after_the_cut_cuts_again_and_never_below_one() -> None:
    async def run() -> list[int]:
        limit, _ = _limit(start=8, ceiling=8)
        seen = []
        for _ in range(6):
            await _answer(limit, throttled=True)
            seen.append(limit.limit)
        return seen

    assert asyncio.run(run()) == [5, 3, 2, 1, 1, 1]


def test_a_rate_limits_retry_after_holds_every_new_request() -> None:
    async def run() -> tuple[list[float], int]:
        limit, t = _limit()
        epoch = await limit.acquire()
        await limit.release(epoch, throttled=True, retry_after=3.0, rate_limited=True)
        await _answer(limit)  # sent after the 429: waits out the 3 s first
        await _answer(limit)  # the hold is over
        return t.slept, limit.stats.holds

    slept, holds = asyncio.run(run())
    assert slept == [3.0] and holds == 1


def test_a_concurrency_429_holds_nobody_else() -> None:
    async def run() -> list[float]:
        limit, t = _limit()
        await _answer(limit, throttled=True, retry_after=3.0)  # Outlook's MailboxConcurrency: fewer at once
        await _answer(limit)
        return t.slept

    assert asyncio.run(run()) == []


def test_in_flight_never_exceeds_the_limit() -> None:
    async def run() -> int:
        limit, _ = _limit(start=3, ceiling=3)
        busy = peak = 0

        async def one() -> None:
            nonlocal busy, peak
            epoch = await limit.acquire()
            busy += 1
            peak = max(peak, busy)
            await asyncio.sleep(0)
            busy -= 1
            await limit.release(epoch, False)

        await asyncio.gather(*(one() for _ in range(40)))
        return peak

    assert asyncio.run(run()) == 3


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="start <= ceiling"):
        AdaptiveLimit(9, 8)


def test_mailbox_slots_keep_four_per_mailbox_whatever_the_envelopes() -> None:
    async def run() -> tuple[int, int]:
        slots = MailboxSlots()
        busy: dict[str, int] = {}
        worst = 0

        async def envelope(counts: dict[str, int]) -> None:
            nonlocal worst
            async with slots.hold(counts):
                for m, k in slots.need(counts).items():
                    busy[m] = busy.get(m, 0) + k
                worst = max(worst, *busy.values())
                await asyncio.sleep(0.001)
                for m, k in slots.need(counts).items():
                    busy[m] -= k

        # 6 envelopes of 20 items for one mailbox, and mixed ones: at most 4 of ann's at any time
        jobs = [envelope({"ann": 20}) for _ in range(6)] + [envelope({"ann": 1, "bob": 3}) for _ in range(4)]
        await asyncio.gather(*jobs)
        return worst, slots.peak

    worst, peak = asyncio.run(run())
    assert worst == 4 and peak == 4


@pytest.mark.parametrize(
    ("url", "mailbox"),
    [
        ("/users/AbC/mailFolders/inbox", "abc"),
        ("/users/u1/messages/m1?$select=id,parentFolderId", "u1"),
        ("/users/u1/mailboxSettings?$select=userPurpose", "u1"),
        ("/users/u1?$select=id", None),
        ("/users/u1/memberOf", None),
        ("/organization", None),
    ],
)
def test_mailbox_of(url: str, mailbox: str | None) -> None:
    assert mailbox_of(url) == mailbox
