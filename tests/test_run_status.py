"""A narrowed or stopped run never says READY and never looks complete: terminal, HTML and JUnit (issue 8)."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, tenant_ids, write_config


@pytest.fixture
def demo_project(suite_project):
    """The suite project with the committed demo cassettes (replayed: no network, no emulator)."""
    shutil.rmtree(suite_project / "cassettes")
    shutil.copytree(ROOT / "cassettes", suite_project / "cassettes")
    return suite_project


def _verdict(run) -> str:
    """The etd_verdict testsuite property of the JUnit XML."""
    root = ET.parse(run.workdir / "junit.xml").getroot()
    found = [p.get("value") for p in root.iter("property") if p.get("name") == "etd_verdict"]
    assert len(found) == 1, found
    return found[0]


def _last_etd_line(run) -> str:
    """The verdict line is the last thing the suite prints before pytest's closing stats line."""
    lines = [line for line in run.result.stdout.lines if line.strip()]
    return lines[-2]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["-k", "alice"], "-k 'alice'"),
        (["-m", "case2"], "-m 'case2'"),
        (["--deselect", "tenant_checks/test_licensing.py"], "--deselect tenant_checks/test_licensing.py"),
        (["tenant_checks/test_mailbox_verdict.py"], "tenant_checks/test_mailbox_verdict.py"),
    ],
)
def test_narrowed_runs_say_partial_and_name_the_selection(run_suite, demo_project, args, named):
    run = run_suite(*args)
    verdict = _verdict(run)
    assert verdict.startswith("DEMO (synthetic tenants) - PARTIAL"), verdict
    assert named in verdict and "READY -" not in verdict
    assert "PARTIAL" in _last_etd_line(run)
    html = run.html()
    assert "PARTIAL - only the selected tests ran" in html and "READY - ETD can remediate" not in html


def test_a_selection_of_nothing_never_says_every_subject_is_ready(run_suite, demo_project):
    run = run_suite("-k", "no_such_subject")
    verdict = _verdict(run)
    assert "PARTIAL" in verdict and ": 0 evaluated, 0 finding(s), 0 not evaluated" in verdict, verdict
    assert "every evaluated subject is ready" not in run.html()


def test_the_whole_demo_is_not_ready_and_says_demo(run_suite, demo_project):
    run = run_suite()
    verdict = _verdict(run)
    assert verdict.startswith("DEMO (synthetic tenants) - INCOMPLETE"), verdict  # mallory: auditor scoped out
    assert "finding(s) already block remediation" in verdict
    assert run.html().count("DEMO") >= 2  # title and verdict line
    assert _last_etd_line(run) == verdict


def test_maxfail_says_interrupted_with_how_far_it_got(run_suite, demo_project):
    run = run_suite("-x")
    verdict = _verdict(run)
    assert "INTERRUPTED - stopped early" in verdict and "no readiness verdict" in verdict, verdict
    assert " of " in verdict and "test(s) ran" in verdict
    assert "INTERRUPTED" in run.html()


def test_ctrl_c_during_the_test_loop_says_interrupted(run_suite, demo_project):
    (demo_project / "conftest.py").write_text(
        (ROOT / "conftest.py").read_text(encoding="utf-8")
        + "\n\ndef pytest_runtest_setup(item):\n    if 'frank' in item.name:\n        raise KeyboardInterrupt\n",
        encoding="utf-8",
    )
    run = run_suite(subprocess=True)  # in-process, the interrupt would stop this test run too
    verdict = _verdict(run)
    assert "INTERRUPTED - interrupted (Ctrl-C / SIGTERM)" in verdict, verdict
    assert "INTERRUPTED" in run.html()


def test_a_healthy_tenant_fully_run_says_ready(run_suite, emulator_for, suite_project):
    emu = emulator_for("verdict-reach-a")
    config = write_config(suite_project / "a.toml", tenant_ids("verdict-reach-a"))
    run = run_suite(f"--etd-config={config}", emulator=emu)
    verdict = _verdict(run)
    assert verdict.startswith("READY - ETD can remediate all 1 protected mailbox(es) in 1 tenant(s)"), verdict
    outcomes = run.result.parseoutcomes()
    assert "failed" not in outcomes and "error" not in outcomes and outcomes["passed"] == 12


def test_many_findings_print_compactly_grouped_by_root_cause(run_suite, emulator_for, suite_project, tmp_path):
    from graph_emulator.generate import generate_tenant, write_tenant

    doc = generate_tenant(150, seed=2, mix={"none": 0.6}, name="many")
    path = tmp_path / "many.json"
    write_tenant(doc, path)
    emu = emulator_for(files=[path])
    config = write_config(suite_project / "m.toml", [("many", doc["tenant"]["id"])])
    text = run_suite(f"--etd-config={config}", emulator=emu).text()
    assert "= FAILURES =" not in text and "short test summary info" not in text
    assert "90 mailbox(es)  case 4a  never-licensed" in text  # 60 % of 150, one line for all of them
    assert "--tb=short -rfE to print them all here" in text
    full = run_suite(f"--etd-config={config}", "--tb=line", emulator=emu).text()
    assert "never licensed" in full and full.count("FAILED") >= 180, "asked for: every finding printed"


def test_the_closing_time_includes_the_fetch(run_suite, emulator_for, suite_project):
    from graph_emulator import Faults

    emu = emulator_for("verdict-reach-a", faults=Faults(latency_ms=250))
    config = write_config(suite_project / "a.toml", tenant_ids("verdict-reach-a"))
    run = run_suite(f"--etd-config={config}", emulator=emu)
    # at least organization, the users page and one probe batch, one after the other (250 ms each)
    seconds = float(re.search(r" in ([0-9.]+)s", run.result.stdout.lines[-1]).group(1))
    assert seconds >= 3 * 0.25, run.result.stdout.lines[-1]


def test_a_long_live_fetch_says_how_far_it_got_and_q_silences_it(run_suite, emulator_for, suite_project, monkeypatch):
    from graph_emulator import Faults

    monkeypatch.setenv("ETD_PROGRESS_SECONDS", "0.2")  # the interval off a terminal (10 s by default)
    emu = emulator_for("verdict-paths", faults=Faults(latency_ms=150))
    config = write_config(suite_project / "p.toml", tenant_ids("verdict-paths"))
    run = run_suite(f"--etd-config={config}", emulator=emu, subprocess=True)
    lines = [line for line in run.result.stderr.lines if line.startswith("etd-readiness: ")]
    assert lines, run.result.stderr.str()
    last = lines[-1]
    assert "users listed" in last and "mailboxes probed 15 of 15" in last and "Graph requests" in last, last
    quiet = run_suite(f"--etd-config={config}", "-q", emulator=emu, subprocess=True)
    assert not [line for line in quiet.result.stderr.lines if line.startswith("etd-readiness: ")]
