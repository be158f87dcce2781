"""Progress of a live fetch or a recording: users paged, mailboxes probed of N, retries, time left.

On a terminal one line is rewritten in place every half second; otherwise (CI logs) a plain line is
written every ~10 s. `pytest -q` turns it off. The counters are plain integers the collectors bump.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TextIO

from .reader import ReadStats


@dataclass
class Progress:
    """Counters for every tenant of one fetch, and where to say them."""

    out: TextIO | None
    tty: bool = False
    interval_s: float = 10.0
    users: int = 0
    targets: int = 0
    probed: int = 0
    readers: list[ReadStats] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        """One line: what is done, what is left, and an estimate when one can be made."""
        retries = sum(r.retries for r in self.readers)
        requests = sum(r.requests for r in self.readers)
        elapsed = time.monotonic() - self.started
        text = (
            f"etd-readiness: {self.users:,} users listed; mailboxes probed {self.probed:,} of {self.targets:,}; "
            f"{requests:,} Graph requests, {retries:,} retries; {elapsed:.0f} s"
        )
        if 0 < self.probed < self.targets:
            left = elapsed / self.probed * (self.targets - self.probed)
            text += f", ~{left:.0f} s left"
        return text

    def say(self, final: bool = False) -> None:
        if self.out is None:
            return
        if self.tty:
            self.out.write("\r" + self.line() + ("\n" if final else ""))
        else:
            self.out.write(self.line() + "\n")
        self.out.flush()

    async def run(self) -> None:
        """Say the line every interval until cancelled."""
        if self.out is None:
            return
        every = 0.5 if self.tty else self.interval_s
        try:
            while True:
                await asyncio.sleep(every)
                self.say()
        except asyncio.CancelledError:
            if time.monotonic() - self.started >= every:
                self.say(final=True)
            raise


async def ticking(coro, progress: Progress | None):
    """Await `coro` while the progress line is said (no progress: just await it)."""
    if progress is None:
        return await coro
    ticker = asyncio.create_task(progress.run())
    try:
        return await coro
    finally:
        ticker.cancel()
        await asyncio.gather(ticker, return_exceptions=True)
