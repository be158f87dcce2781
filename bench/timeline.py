"""A pytest plugin (`-p bench.timeline`) that notes when each phase of a run ends.

Written as JSON to $BENCH_TIMELINE at exit: seconds since the process started for start-up (imports,
plugins), configure (first), session start (where the suite collects its snapshot), collection, the test
loop, session finish (where pytest-html writes the report) and the terminal summary.
"""

from __future__ import annotations

import json
import os
import time

import psutil
import pytest

_T0 = psutil.Process().create_time()
_marks: dict[str, float] = {}


def _mark(name: str) -> None:
    _marks[name] = round(time.time() - _T0, 3)


_mark("imported")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    _mark("configure")


@pytest.hookimpl(wrapper=True)
def pytest_sessionstart(session):
    try:
        return (yield)
    finally:
        _mark("sessionstart_end")


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    try:
        return (yield)
    finally:
        _mark("collection_end")


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session):
    _mark("testloop_start")
    try:
        return (yield)
    finally:
        _mark("testloop_end")


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session, exitstatus):
    _mark("sessionfinish_start")
    try:
        return (yield)
    finally:
        _mark("sessionfinish_end")


def pytest_unconfigure(config):
    _mark("unconfigure")
    path = os.environ.get("BENCH_TIMELINE")
    if path and not hasattr(config, "workerinput"):
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(_marks, fh)
