"""The pytest plugin: options, one collection per run (controller only under xdist), parametrization.

Loaded through its pytest11 entry point once the package is installed. It fetches only when the run
includes the checks: the checkout's `tenant_checks` directory (ini etd_checks_dir) or the installed
`etd_readiness.tenant_checks` package (`pytest --pyargs etd_readiness.tenant_checks`).
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from _pytest import timing

from .checks.base import Check, Estate, Subject
from .checks.causes import CASE_TITLES
from .findings import NotApplicable, NotEvaluated
from .heap import LongLivedHeap
from .interrupts import leaves, sigterm_as_interrupt
from .options import pytest_addoption  # noqa: F401 - the plugin's options live there
from .report import ManifestWriter, ReportPlugin
from .run_inputs import run_snapshot
from .slim import Slimmer, is_tenant_check, trim_item
from .snapshot import Snapshot

SNAPSHOT_KEY = pytest.StashKey[Path]()
ESTATE_KEY = pytest.StashKey[Estate]()
TMPDIR_KEY = pytest.StashKey[str]()
STARTED_KEY = pytest.StashKey[Any]()


CHECKS_PACKAGE = "etd_readiness.tenant_checks"


def _checks_dirs(config: pytest.Config) -> list[Path]:
    """The checkout's checks directory and wherever the installed checks package lives."""
    dirs = [(config.rootpath / config.getini("etd_checks_dir")).resolve()]
    spec = importlib.util.find_spec(CHECKS_PACKAGE)
    if spec is not None:
        dirs += [Path(p).resolve() for p in spec.submodule_search_locations or ()]
    return dirs


def arg_path(config: pytest.Config, arg: str) -> Path:
    """A command-line argument as a path; with --pyargs a dotted package name is resolved first."""
    target = arg.split("::")[0]
    if config.option.pyargs and "/" not in target and not target.endswith(".py"):
        try:
            spec = importlib.util.find_spec(target)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            return Path(next(iter(spec.submodule_search_locations))).resolve()
        if spec is not None and spec.origin:
            return Path(spec.origin).resolve()
    return (config.invocation_params.dir / target).resolve()


def checks_dir(config: pytest.Config) -> Path:
    """The directory the run's checks come from (the checkout's, else the installed package's)."""
    dirs = _checks_dirs(config)
    for arg in config.args:
        path = arg_path(config, arg)
        for d in dirs:
            if path == d or d in path.parents:
                return d
    return dirs[0]


def is_active(config: pytest.Config) -> bool:
    """True when this run collects the tenant checks (so `pytest tests` never fetches a tenant)."""
    checks_dirs = _checks_dirs(config)
    for arg in config.args:
        path = arg_path(config, arg)
        if any(path == d or d in path.parents for d in checks_dirs):
            return True
    return False


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for case, text in CASE_TITLES.items():
        config.addinivalue_line("markers", f"case{case}: case {case} - {text}")
    for family in ("1", "3"):
        config.addinivalue_line("markers", f"case{family}: every item that can report case {family}a or {family}b")
    config.addinivalue_line("markers", "etd_check(check): the check a tenant test evaluates")
    if not is_active(config):
        return
    config.pluginmanager.register(LongLivedHeap(), "etd-readiness-heap")
    if _is_worker(config):
        config.stash[SNAPSHOT_KEY] = Path(config.workerinput["etd_snapshot"])  # type: ignore[attr-defined]
        return
    report = ReportPlugin(config)
    config.pluginmanager.register(report, "etd-readiness-report")
    config.pluginmanager.register(ManifestWriter(report), "etd-readiness-manifest")
    config.pluginmanager.register(Slimmer(config), "etd-readiness-slim")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Collect in the controller before xdist starts its workers (its sessionstart is trylast).

    Here rather than in pytest_configure so that --log-file / --log-cli-level capture the collection,
    and a cassette or config error still stops the run before any report is started.
    """
    config = session.config
    if is_active(config) and not _is_worker(config):
        started = timing.Instant()
        config.stash[SNAPSHOT_KEY] = _acquire(config)
        _index_teardown_reports(config)
        config.stash[STARTED_KEY] = started


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    """pytest's closing "in N s" counts from its own session start: make it include the fetch."""
    started = session.config.stash.get(STARTED_KEY, None)
    tr = session.config.pluginmanager.get_plugin("terminalreporter")
    if started is not None and tr is not None and hasattr(tr, "_session_start"):
        tr._session_start = started


def _acquire(config: pytest.Config) -> Path:
    """Collect (or load) the snapshot once, in the controller, and write it where workers can read it."""
    opt = config.option
    try:
        with sigterm_as_interrupt():
            snapshot = run_snapshot(config)
    except (KeyboardInterrupt, BaseExceptionGroup) as err:
        interrupts = err.subgroup(KeyboardInterrupt) if isinstance(err, BaseExceptionGroup) else err
        if interrupts is None:
            raise
        said = next((str(e) for e in leaves(interrupts) if str(e)), "")
        raise KeyboardInterrupt(
            said or "interrupted while collecting: no cassette, report or snapshot was written"
        ) from None
    tmpdir = tempfile.mkdtemp(prefix="etd-readiness-")
    config.stash[TMPDIR_KEY] = tmpdir
    path = Path(tmpdir) / "snapshot.json"
    snapshot.save(path)
    if opt.etd_save_snapshot:
        snapshot.save(Path(opt.etd_save_snapshot))
    return path


def pytest_unconfigure(config: pytest.Config) -> None:
    tmpdir = config.stash.get(TMPDIR_KEY, None)
    if tmpdir:
        shutil.rmtree(tmpdir, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # xdist controller: hand each worker the snapshot path
    path = node.config.stash.get(SNAPSHOT_KEY, None)
    if path is not None:
        node.workerinput["etd_snapshot"] = str(path)


def estate_of(config: pytest.Config) -> Estate:
    """This process's view of the snapshot, loaded once."""
    if ESTATE_KEY not in config.stash:
        config.stash[ESTATE_KEY] = Estate(Snapshot.load(config.stash[SNAPSHOT_KEY]))
    return config.stash[ESTATE_KEY]


def _check_of(node) -> Check:
    marker = node.get_closest_marker("etd_check")
    if marker is None or not isinstance(marker.args[0], Check):
        raise pytest.UsageError(f"{node.nodeid}: decorate it with @etd_check(CHECK)")
    return marker.args[0]


class Assessment:
    """An item's parameter: its check and subject, judged at setup (`pytest_runtest_setup` below).

    The test's `finding` argument is parametrized directly with these, not through a fixture: a
    function fixture per item was the largest per-item cost of the run (bench/RESULTS.md).
    """

    __slots__ = ("check", "subject")

    def __init__(self, check: Check, subject: Subject) -> None:
        self.check = check
        self.subject = subject


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "finding" not in metafunc.fixturenames:
        return
    check = _check_of(metafunc.definition)
    if SNAPSHOT_KEY not in metafunc.config.stash:
        _skip_all(metafunc, "tenant checks run only as `pytest tenant_checks` (the tenant is fetched for that run)")
        return
    try:
        subjects = list(check.subjects(estate_of(metafunc.config)))
    except NotEvaluated as err:  # the data that lists the subjects is missing: one item errors with why
        subjects = [Subject("", "subjects-not-fetched", unavailable=str(err))]
    if not subjects:
        _skip_all(metafunc, check.when_empty)
        return
    metafunc.parametrize("finding", [Assessment(check, s) for s in subjects], ids=[s.test_id for s in subjects])


def _skip_all(metafunc: pytest.Metafunc, reason: str) -> None:
    skipped = pytest.param(None, marks=pytest.mark.skip(reason=reason))
    metafunc.parametrize("finding", [skipped], ids=["not-applicable"])


@pytest.hookimpl(trylast=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Judge the item's subject: its finding (None = fine) becomes the test's `finding` argument; data
    not fetched raises NotEvaluated here, so the item errors in setup; a check that does not apply skips."""
    callspec = getattr(item, "callspec", None)
    pending = callspec.params.get("finding") if callspec is not None else None
    if not isinstance(pending, Assessment):
        return
    check, subject = pending.check, pending.subject
    estate = estate_of(item.config)
    props = [("etd_check", check.check_id), ("etd_check_title", check.title), ("etd_subject", subject.test_id)]
    if check.describe is not None and not subject.unavailable:
        props += list(check.describe(estate, subject).items())
    item.user_properties += props
    try:
        result = check.run(estate, subject)
    except NotApplicable as why:
        pytest.skip(str(why))
    item.funcargs["finding"] = result  # type: ignore[attr-defined]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Findings and missing data are shown as clean text; the finding travels with the report."""
    report = yield
    excinfo = call.excinfo
    if excinfo is None:
        return report
    props: list[tuple[str, object]] = []
    if isinstance(excinfo.value, NotEvaluated):
        report.longrepr = f"NOT EVALUATED - {excinfo.value}"
        props.append(("etd_not_evaluated", str(excinfo.value)))
    finding = getattr(excinfo.value, "finding", None)
    if finding is not None:
        report.longrepr = finding.render()
        props += [p for p in finding.properties() if p[0] != "etd_subject"]
    report.user_properties += props
    item.user_properties += props  # the teardown report carries them into JUnit XML
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    """A tenant check's properties travel in its reports (JUnit, CSV); the item need not keep them."""
    result = yield
    if is_tenant_check(item):
        trim_item(item)
    return result


def _index_teardown_reports(config: pytest.Config) -> None:
    """pytest's FAILURES section finds each failed test's teardown reports by scanning every report
    of the run (TerminalReporter._get_teardown_reports): O(failures x tests). Use a dict built once."""
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if tr is None or not hasattr(tr, "_get_teardown_reports"):
        return
    cache: dict = {}

    def lookup(node_id):
        count = len(tr.stats.get("", ()))
        if cache.get("n") != count:
            index: dict = {}
            for rep in tr.getreports(""):
                if rep.when == "teardown":
                    index.setdefault(rep.id, []).append(rep)
            cache.update(n=count, index=index)
        return cache["index"].get(node_id, [])

    tr._get_teardown_reports = lookup
