"""--etd-phase before (issue 12): ETD's app expected absent, its checks pending onboarding, the rest judged."""

from __future__ import annotations

import json

from conftest import tenant_ids, write_config

REACH = "test_etd_enterprise_app_exists_and_is_enabled"
VERDICT = "test_etd_can_remediate_mailbox"


def _run(run_suite, emulator_for, suite_project, name, *args, **sections):
    emu = emulator_for(name)
    config = write_config(suite_project / "etd.toml", tenant_ids(name), **sections)
    return run_suite(f"--etd-config={config}", *args, emulator=emu)


def _verdict_line(run) -> str:
    return json.loads((run.workdir / "report.json").read_text(encoding="utf-8"))["verdict"]["line"]


def test_without_etd_after_onboarding_is_not_ready(run_suite, emulator_for, suite_project):
    run = _run(run_suite, emulator_for, suite_project, "no-etd")
    assert run.result.ret == 1 and f"{REACH}[no-etd:etd-app]" in run.with_outcome("failed")


def test_before_onboarding_a_tenant_without_etd_is_ready_to_onboard(run_suite, emulator_for, suite_project):
    run = _run(run_suite, emulator_for, suite_project, "no-etd", "--etd-phase=before")
    assert run.result.ret == 0, run.text()
    assert run.with_outcome("failed") == set() and run.with_outcome("error") == set()
    assert run.outcomes()[f"{REACH}[no-etd:etd-app]"] == "skipped"
    mailboxes = {n for n in run.with_outcome("passed") if n.startswith(VERDICT)}
    assert f"{VERDICT}[no-etd:alice@no-etd.example]" in mailboxes  # the path goes on past the reach link
    line = _verdict_line(run)
    assert line.startswith("READY TO ONBOARD - once onboarded"), line
    text = run.text()
    assert "Pending onboarding:" in text and "Global Administrator of no-etd" in text and "Accepts the consent" in text
    assert "Pending onboarding (neither pass nor fail)" in run.html()
    doc = json.loads((run.workdir / "report.json").read_text(encoding="utf-8"))
    assert doc["run"]["phase"] == "before" and doc["counts"]["pending_onboarding"] >= 1
    pending = {(s["check"], s["subject"]) for s in doc["subjects"] if s["outcome"] == "pending onboarding"}
    assert ("C2-01", "no-etd:etd-app") in pending


def test_before_onboarding_the_rest_is_still_judged(run_suite, emulator_for, suite_project):
    emu = emulator_for("no-etd")
    config = write_config(
        suite_project / "etd.toml",
        tenant_ids("no-etd"),
        etd={"phase": "before"},
        protection={"addresses": ["ghost@no-etd.example"]},
    )
    run = run_suite(f"--etd-config={config}", emulator=emu)
    assert run.result.ret == 1
    assert f"{VERDICT}[no-etd:ghost@no-etd.example]" in run.with_outcome("failed")
    assert _verdict_line(run).startswith("NOT READY TO ONBOARD - once onboarded, ETD could not remediate")


def test_before_onboarding_with_etd_already_there_judges_it_and_says_so(run_suite, emulator_for, suite_project):
    run = _run(run_suite, emulator_for, suite_project, "etd-disabled", "--etd-phase=before")
    assert f"{REACH}[etd-disabled:etd-app]" in run.with_outcome("failed")  # present: judged as usual
    assert run.result.ret == 1
    assert "ETD's app is already in etd-disabled: judged as onboarded there" in _verdict_line(run)


def test_a_healthy_onboarded_tenant_before_onboarding_is_ready_to_onboard_and_says_etd_is_there(
    run_suite, emulator_for, suite_project
):
    run = _run(run_suite, emulator_for, suite_project, "healthy", "--etd-phase=before")
    assert run.result.ret == 0
    line = _verdict_line(run)
    assert line.startswith("READY TO ONBOARD") and "already in healthy" in line


def test_before_onboarding_under_xdist(run_suite, emulator_for, suite_project):
    emu = emulator_for("no-etd")
    config = write_config(suite_project / "etd.toml", tenant_ids("no-etd"), etd={"phase": "before"})
    run = run_suite(f"--etd-config={config}", "-n", "2", emulator=emu, subprocess=True)
    assert run.result.ret == 0, run.text()
    assert run.outcomes()[f"{REACH}[no-etd:etd-app]"] == "skipped"
    assert _verdict_line(run).startswith("READY TO ONBOARD")
