"""Real networks misbehave in shapes Graph's JSON errors do not cover: each one, through the real SDK.

For every shape the suite writes its report, exits 1 (findings) and never INTERNALERROR, the subjects
whose data was lost are NOT EVALUATED with a one-line reason naming the request, and every other test
has the clean run's outcome: nothing passes or fails on data it did not get.
"""

from __future__ import annotations

import functools
import socket
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import write_config
from etd_readiness.collect import graph_client
from etd_readiness.collect import run as collect_run
from graph_emulator import Faults
from graph_emulator.generate import generate_tenant, write_tenant

MIX = {"none": 0.05, "onPremises": 0.05, "shared": 0.05}
USERS = 70  # four $batch envelopes of protected users
GATEWAY_SHAPES = ("html502", "empty503", "empty504", "nonjson200", "wrongtype200", "gzip", "reset", "drop")
_CLEAN: dict[str, dict[str, str]] = {}


def _tenant(tmp_path, users: int = USERS):
    doc = generate_tenant(users, seed=11, mix=MIX, name="net", deleted=3)
    path = tmp_path / f"net{users}.json"
    write_tenant(doc, path)
    return path, doc


def _config(suite_project, doc, **graph):
    graph = {"backoff_seconds": 0.01, **graph}
    return write_config(suite_project / "etd.toml", [("net", doc["tenant"]["id"])], graph=graph)


def _messages(run) -> dict[str, str]:
    """test name -> the error text of each errored test (JUnit)."""
    out = {}
    for case in ET.parse(run.workdir / "junit.xml").iter("testcase"):
        err = case.find("error")
        if err is not None:
            out[case.get("name", "")] = (err.get("message") or "") + "\n" + (err.text or "")
    return out


def _run(run_suite, emulator_for, suite_project, tmp_path, faults, users=USERS, **graph):
    path, doc = _tenant(tmp_path, users)
    emu = emulator_for(files=[path], faults=faults)
    run = run_suite(f"--etd-config={_config(suite_project, doc, **graph)}", emulator=emu)
    text = run.text()
    assert "INTERNALERROR" not in text and "Traceback" not in text, text
    # findings gate (1), or only NOT EVALUATED is left (6); never an internal error (3)
    assert run.result.ret in (1, 6), text
    assert (run.workdir / "report.html").is_file() and (run.workdir / "junit.xml").is_file()
    return run, emu


def _clean(run_suite, emulator_for, suite_project, tmp_path, users=USERS) -> dict[str, str]:
    if users not in _CLEAN:
        run, _ = _run(run_suite, emulator_for, suite_project, tmp_path, None, users)
        _CLEAN[users] = run.outcomes()
        assert "error" not in set(_CLEAN[users].values())
        assert {"passed", "failed"} <= set(_CLEAN[users].values())
    return _CLEAN[users]


def _same_or_error(clean: dict[str, str], got: dict[str, str]) -> set[str]:
    """The tests that errored; asserts every other test has the clean run's outcome.

    A test parametrized from lost data is replaced by one "...-not-fetched" test, which must error.
    """
    wrong = {name: (clean.get(name), o) for name, o in got.items() if o != "error" and o != clean.get(name)}
    assert wrong == {}, f"judged on lost data: {wrong}"
    if set(clean) - set(got):
        assert any("not-fetched" in name for name in got), sorted(set(clean) - set(got))[:5]
    return {name for name, o in got.items() if o == "error"} | (set(clean) - set(got))


def _starting(names, *prefixes) -> set[str]:
    return {n for n in names if n.startswith(prefixes)}


@pytest.mark.parametrize("shape", GATEWAY_SHAPES)
def test_shape_on_service_principals_errors_only_the_etd_tests(run_suite, emulator_for, suite_project, tmp_path, shape):
    clean = _clean(run_suite, emulator_for, suite_project, tmp_path)
    run, emu = _run(
        run_suite, emulator_for, suite_project, tmp_path, Faults(shapes={shape: {"servicePrincipals": 1.0}})
    )
    errored = _same_or_error(clean, run.outcomes())
    etd = _starting(clean, "test_etd_enterprise", "test_etd_holds")
    assert etd and etd <= errored, run.text()
    # every mailbox verdict walks ETD's reach first: a mailbox ready in the clean run is now not evaluated
    # (one with a broken link of its own stays failed: that finding needs no reach); licence tests need none
    ready = {n for n in _starting(clean, "test_etd_can_remediate_mailbox") if clean[n] == "passed"}
    assert ready and ready <= errored
    assert not _starting(errored, "test_protected_user_holds")
    reason = _messages(run)[sorted(etd)[0]]
    assert "GET /servicePrincipals?$filter=" in reason and "after 4 retries" in reason, reason
    assert "UnknownError:" not in reason and emu.stats.requests[("GET", "servicePrincipals")] >= 5


@pytest.mark.parametrize("shape", [s for s in GATEWAY_SHAPES if s != "wrongtype200"])  # that one: per item
def test_shape_on_every_batch_errors_the_mailbox_tests_with_the_reason(
    run_suite, emulator_for, suite_project, tmp_path, shape
):
    clean = _clean(run_suite, emulator_for, suite_project, tmp_path)
    run, _ = _run(run_suite, emulator_for, suite_project, tmp_path, Faults(shapes={shape: {"batch": 1.0}}))
    errored = _same_or_error(clean, run.outcomes())
    # the verdicts that need a probe (soft-deleted users need none: they are judged as usual)
    mailbox = {n for n in _starting(clean, "test_etd_can_remediate_mailbox") if "former" not in n}
    assert mailbox <= errored
    assert _starting(clean, "test_etd_enterprise") & errored == set(), "sections without $batch are judged"
    reason = _messages(run)[sorted(mailbox)[0]]
    assert "POST /$batch" in reason and "after 4 retries" in reason, reason


def test_reasons_say_what_came_back(run_suite, emulator_for, suite_project, tmp_path):
    faults = Faults(
        shapes={
            "html502": {"batch": 1.0},
            "empty503": {"servicePrincipals": 1.0},
            "wrongtype200": {"deletedItems": 1.0},
        }
    )
    run, _ = _run(run_suite, emulator_for, suite_project, tmp_path, faults)
    text = "\n".join(_messages(run).values())  # every reason, also when the terminal is compact
    assert "answered 200 with no 'value' list ('value' is dict) after 4 retries" in text
    assert "GET /directory/deletedItems/microsoft.graph.user?" in text
    assert "POST /$batch answered 502 with an HTML page (text/html, " in text and " bytes) after 4 retries" in text
    assert "answered 503 with an empty body after 4 retries" in text


@pytest.mark.parametrize("shape", [*GATEWAY_SHAPES, "batch_missing", "batch_duplicate", "batch_foreign", "slow"])
def test_shape_once_is_retried_and_changes_nothing(run_suite, emulator_for, suite_project, tmp_path, shape):
    clean = _clean(run_suite, emulator_for, suite_project, tmp_path)
    families = {"batch": 1.0} if shape.startswith("batch") else {"*": 1.0}
    faults = Faults(shapes={shape: families}, max_faults=1, slow_body_s=0.2)
    run, _ = _run(run_suite, emulator_for, suite_project, tmp_path, faults)
    assert run.outcomes() == clean, run.text()


@pytest.mark.parametrize("shape", ["batch_missing", "batch_duplicate", "batch_foreign", "wrongtype200"])
def test_batch_items_missing_duplicated_or_foreign_are_failures_not_absence(
    run_suite, emulator_for, suite_project, tmp_path, shape
):
    clean = _clean(run_suite, emulator_for, suite_project, tmp_path)
    run, _ = _run(run_suite, emulator_for, suite_project, tmp_path, Faults(shapes={shape: {"batch": 1.0}}))
    errored = _same_or_error(clean, run.outcomes())
    mailbox = _starting(errored, "test_etd_can_remediate_mailbox")
    assert mailbox, "every envelope lost an item: some mailbox tests error"
    assert len(mailbox) < len(_starting(clean, "test_etd_can_remediate_mailbox")), "only the lost items"
    reason = _messages(run)[sorted(mailbox)[0]]
    assert "POST /$batch: item " in reason and "after 4 retries" in reason, reason


def test_a_failed_batch_errors_only_the_users_it_carried(run_suite, emulator_for, suite_project, tmp_path):
    clean = _clean(run_suite, emulator_for, suite_project, tmp_path)
    run, emu = _run(
        run_suite, emulator_for, suite_project, tmp_path, Faults(shapes={"html502": {"batch": 0.5}}), max_retries=0
    )
    errored = _same_or_error(clean, run.outcomes())
    mailbox = _starting(clean, "test_etd_can_remediate_mailbox")
    lost = mailbox & errored
    envelopes = emu.stats.requests[("POST", "batch")]
    assert 0 < len(lost) < len(mailbox), run.text()
    assert len(lost) % 20 in (0, len(mailbox) % 20) and len(lost) <= 20 * (envelopes - 1)
    assert "POST /$batch answered 502 with an HTML page" in _messages(run)[sorted(lost)[0]]


def test_a_failed_users_page_says_the_list_is_incomplete(run_suite, emulator_for, suite_project, tmp_path):
    """1,100 users: page 1 comes, page 2 meets a reset on every try; every per-user subject errors."""
    faults = Faults(shapes={"reset": {"users": 1.0}}, shapes_after=1)
    run, emu = _run(run_suite, emulator_for, suite_project, tmp_path, faults, users=1100)
    outcomes = run.outcomes()
    users = _starting(outcomes, "test_etd_can_remediate_mailbox", "test_protected_user_holds")
    assert users and {outcomes[n] for n in users} == {"error"}, run.text()
    assert "users list incomplete: page 2 failed: GET /v1.0/users?" in run.text()
    assert "the connection" in run.text() and emu.stats.requests[("GET", "users")] == 6
    assert _starting(outcomes, "test_etd_enterprise") and {
        outcomes[n] for n in _starting(outcomes, "test_etd_enterprise")
    } == {"passed"}


def test_read_timeout_is_retried_then_errors(run_suite, emulator_for, suite_project, tmp_path, monkeypatch):
    monkeypatch.setattr(collect_run, "open_graph", functools.partial(graph_client.open_graph, timeout_s=0.3))
    clean = _clean(run_suite, emulator_for, suite_project, tmp_path)
    faults = Faults(shapes={"slow": {"servicePrincipals": 1.0}}, slow_body_s=1.0)
    run, _ = _run(run_suite, emulator_for, suite_project, tmp_path, faults)
    errored = _same_or_error(clean, run.outcomes())
    etd = _starting(clean, "test_etd_enterprise")
    assert etd <= errored and "read timeout" in _messages(run)[sorted(etd)[0]]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("where", ["refused", "dns"])
def test_a_graph_host_that_is_not_there_fails_fast_with_one_reason(
    run_suite, emulator_for, suite_project, tmp_path, where
):
    path, doc = _tenant(tmp_path)
    emu = emulator_for(files=[path])
    # "dns": the real Graph host, whose name the loopback guard (conftest) makes fail to resolve
    graph = f"http://127.0.0.1:{_closed_port()}/v1.0" if where == "refused" else "https://graph.microsoft.com/v1.0"
    # the default backoff (1 s): four retries would take 15 s or more; the quick retry takes 0.25 s
    config = write_config(suite_project / "etd.toml", [("net", doc["tenant"]["id"])])
    started = time.monotonic()
    run = run_suite(f"--etd-config={config}", f"--graph-endpoint={graph}", emulator=emu)
    elapsed = time.monotonic() - started
    text = run.text()
    assert "INTERNALERROR" not in text and (run.workdir / "report.html").is_file(), text
    outcomes = run.outcomes()
    evaluated = {n: o for n, o in outcomes.items() if o != "skipped"}
    assert evaluated and set(evaluated.values()) == {"error"}, text
    reasons = {m.splitlines()[0].rsplit(" was not fetched - ", 1)[-1] for m in _messages(run).values()}
    assert len(reasons) == 1, reasons
    (reason,) = reasons
    assert "cannot be reached" in reason and ("refused" in reason if where == "refused" else "DNS" in reason)
    assert "after 1 retry" in reason
    assert elapsed < 7.5, f"{elapsed:.1f} s: a host that is not there must not be retried for long"
