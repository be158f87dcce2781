"""What pytest's reporters keep of each finished test, cut to what the outputs need (controller only).

At 100,000 mailboxes (200,000 tests) pytest's terminal reporter keeps three reports per test,
pytest-html keeps them all again (its per-test cache is never emptied) and JUnit keeps an element
tree of ~26 elements per tenant check until the end. After every reporter has seen a report
(`pytest_runtest_logreport` wrapper):

- a passed tenant check's setup report, and its teardown report unless `-rP` / `-rA` asks for the
  passes' output, leave the terminal reporter's list (only a failed test's teardown is printed);
  the passed call report stays (pytest counts and `-rp` lists those), with shared empty keywords,
  properties and sections once pytest-html has made its row (at the test's teardown);
- pytest-html's per-test cache is emptied once it has turned a test into its row;
- JUnit: each finished testcase is serialised at once into a temporary file and copied into the
  XML at the end (`junit_spool.SpoolingLogXML`): the same document, not held in memory.

Every report is whole while the hooks see it (the CSV, the evidence JSON, JUnit and pytest-html
read it then). A finished tenant-check item keeps its id, name, markers and keywords (`-k`, `--lf`,
JUnit names) but not its properties (`trim_item`); the tenants' data is released before the reports
are written (`release_snapshot`).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, cast

import pytest
from _pytest.tmpdir import tmppath_result_key

from .junit_spool import spool_junit

NOTHING: tuple = ()  # what a finished report or item keeps instead of its own empty list
NO_KEYWORDS: MappingProxyType = MappingProxyType({})
NO_MATCHES: frozenset = frozenset()  # one shared empty set: `frozenset()` allocates a new one each call


def is_tenant_check(report: Any) -> bool:
    return any(name == "etd_check" for name, _ in getattr(report, "user_properties", ()))


class Slimmer:
    """Forgets what no output reads once every reporter has seen a report."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.passed_calls: dict[str, pytest.TestReport] = {}  # until their teardown
        self.html_caches: list[dict] = []

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        spool_junit(self.config)
        self.html_caches = _html_caches(self.config)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport):
        result = yield
        if report.when == "teardown" and report.outcome != "rerun":
            for cache in self.html_caches:  # pytest-html has made the test's row from these reports
                cache.pop(report.nodeid, None)
        if not is_tenant_check(report):
            return result
        if report.when == "call" and report.passed:
            self.passed_calls[report.nodeid] = report
        elif report.when == "setup" and report.passed:
            self._unstat(report)
        elif report.when == "teardown":
            call = self.passed_calls.pop(report.nodeid, None)
            if call is not None:  # pytest-html has made its row of the test at teardown: now slim it
                call.user_properties = cast(list, NOTHING)
                call.keywords = NO_KEYWORDS
                if not call.sections:
                    call.sections = cast(list, NOTHING)
                if report.passed and not self._passes_shown():
                    self._unstat(report)
        return result

    def _passes_shown(self) -> bool:
        tr = self.config.pluginmanager.get_plugin("terminalreporter")
        return tr is not None and tr.hasopt("P")

    def _unstat(self, report: pytest.TestReport) -> None:
        """Take a passed setup/teardown report off the terminal reporter's list (it was added last)."""
        tr = self.config.pluginmanager.get_plugin("terminalreporter")
        kept = tr.stats.get("") if tr is not None else None
        if kept and kept[-1] is report:
            kept.pop()


def trim_item(item: pytest.Item) -> None:
    """A tenant check that has run: its properties are in its reports; pytest reads no more of these."""
    item.user_properties = cast(list, NOTHING)
    item._report_sections = cast(list, NOTHING)
    item.extra_keyword_matches = cast(set, NO_MATCHES)
    if tmppath_result_key in item.stash:  # tmp_path's per-phase pass/fail, read by its own teardown only
        del item.stash[tmppath_result_key]


RELEASED = "released once every test had run (the report reads only the run's facts)"
KEPT_ON_VIEW = ("snap", "name", "context", "_elsewhere", "_unfetched")


def release_snapshot(estate: Any) -> None:
    """After the last test: drop the tenants' data, indexes and derived facts before the reports are
    written. The tenants' names, ids, auditors, collection times and the run's context stay; a later
    read of a section raises NotEvaluated saying it was released, never an empty answer."""
    from .snapshot import Section

    for view in estate.tenants.values():
        for key in [k for k in vars(view) if k not in KEPT_ON_VIEW]:  # the cached indexes
            del vars(view)[key]
        view.snap.sections = {name: Section.failed(RELEASED) for name in view.snap.sections}
    estate.memo.clear()


def _html_caches(config: pytest.Config) -> list[dict]:
    """pytest-html's per-test caches of phase reports (BaseReport._reports), never emptied by it."""
    plugins = config.pluginmanager.get_plugins()
    caches = [getattr(p, "_reports", None) for p in plugins if type(p).__module__.startswith("pytest_html")]
    return [c for c in caches if isinstance(c, dict)]
