"""Keep Python's cycle collector off the run's long-lived objects (controller and workers).

A tenant run holds many objects that live until the end: the snapshot and its indexes, the
collected items, the imported SDKs. CPython's collector walks every tracked object at each full
collection, and again during interpreter shutdown; at 10,000 mailboxes that was ~2 s of full
collections during the run and ~1.6 s after pytest had returned (measured with gc.callbacks).

- What exists once the plugin is configured (modules), once the session has started (the
  snapshot) and once collection has finished (the items) is long-lived: it is collected once,
  then frozen (`gc.freeze`); later full collections walk only what was allocated since. The cost:
  a garbage cycle that a frozen object is part of waits for the unfreeze (at 10,000 users ~2 MB,
  pytest's per-test warning-capture generators, measured with tracemalloc).
- First thing at pytest_unconfigure it is unfrozen again, so pytest's own unconfigure-time
  collection sees every cycle (and reports what their finalizers raise), and an in-process pytest
  run (pytester) leaves the collector as it found it.
- At interpreter exit (`atexit`, after every output is written and closed) everything is frozen,
  so shutdown frees objects by reference count without walking them once more. Objects still in
  cycles then are not finalized; the suite closes its files explicitly before that. The exit hook
  is registered once per process, however many runs it held.
"""

from __future__ import annotations

import atexit
import gc

import pytest


class LongLivedHeap:
    """Freezes the long-lived heap at three points; unfreezes at unconfigure; freezes again at exit."""

    def __init__(self) -> None:
        self.frozen = 0

    def pytest_configure(self, config: pytest.Config) -> None:
        self.freeze()  # the imported modules (called as the suite's plugin registers this one)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.freeze()  # the snapshot (collected in the controller, loaded lazily in a worker)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.freeze()  # the items

    def freeze(self) -> None:
        gc.collect()  # garbage is freed, not frozen; this walks only what is not frozen yet
        gc.freeze()
        self.frozen = gc.get_freeze_count()

    @pytest.hookimpl(tryfirst=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.frozen:
            gc.unfreeze()
            self.frozen = 0
        atexit.unregister(gc.freeze)
        atexit.register(gc.freeze)
