"""Interrupts during collection: SIGTERM does what Ctrl-C does, and what was kept is said in one line."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """During collection SIGTERM raises KeyboardInterrupt, so a kill runs the same cleanup as Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        # what Ctrl-C does now: inside asyncio.run, cancel the main task (a clean unwind), else raise
        on_sigint = signal.getsignal(signal.SIGINT)
        if callable(on_sigint) and on_sigint is not interrupt:
            on_sigint(signal.SIGINT, frame)
        else:
            raise KeyboardInterrupt()

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def leaves(err: BaseException) -> Iterator[BaseException]:
    """The exceptions inside (nested) exception groups, e.g. a KeyboardInterrupt anyio wrapped."""
    if isinstance(err, BaseExceptionGroup):
        for inner in err.exceptions:
            yield from leaves(inner)
    else:
        yield err
