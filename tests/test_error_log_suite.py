"""ETD's error log explained row by row through the real SDK against the emulator, and in the demo (issue 11).

Expectations come from the tenant files (where each message is, which mailbox is broken how) and the
seed's case 1a, not from the code.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, tenant_ids, write_config

ITEM = "test_remediation_error_is_explained"


def _rows(run) -> dict[str, tuple[str, dict[str, str]]]:
    """error-log row label -> (outcome, properties)."""
    out = {}
    for case in ET.parse(run.workdir / "junit.xml").iter("testcase"):
        name = case.get("name", "")
        if not name.startswith(ITEM):
            continue
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        outcome = (
            "error"
            if case.find("error") is not None
            else "failed"
            if case.find("failure") is not None
            else "skipped"
            if case.find("skipped") is not None
            else "passed"
        )
        out[name[len(ITEM) + 1 : -1]] = (outcome, props)
    return out


@pytest.fixture
def demo_run(run_suite, suite_project):
    shutil.rmtree(suite_project / "cassettes")
    shutil.copytree(ROOT / "cassettes", suite_project / "cassettes")
    return run_suite()


# row -> (outcome, diagnosis, case): cassettes/demo-error-log.csv against the demo tenants
DEMO = {
    "demo-error-log.csv:2:alice@contoso.example": ("passed", "transient", ""),  # still in the Inbox
    "demo-error-log.csv:3:alice@contoso.example": ("passed", "message-moved", "1a"),  # in her own folder
    "demo-error-log.csv:4:alice@contoso.example": ("passed", "message-deleted", "1a"),  # in Deleted Items
    "demo-error-log.csv:5:alice@contoso.example": ("passed", "message-deleted", "1a"),  # in no folder
    "demo-error-log.csv:6:bob@contoso.example": ("failed", "never-licensed", "4a"),
    "demo-error-log.csv:7:oscar@contoso.example": ("failed", "soft-deleted", "4"),
    "demo-error-log.csv:8:ursula@fabrikam.example": ("failed", "etd-not-consented-here", "3b"),  # another tenant
    "demo-error-log.csv:9:xavier@northwind.example": ("failed", "permission-delegated-only", "2"),
    "demo-error-log.csv:10:former.employee@contoso.example": ("failed", "address-not-a-user", "3a"),
    "demo-error-log.csv:11:walter@contoso.example": ("passed", "mailbox-ready", ""),  # no message id
    "demo-error-log.csv:12:not an address": ("error", None, None),
    "demo-error-log.csv:13:alice@contoso.example": ("passed", "message-moved", "1a"),  # in Junk Email: ambiguous
}


def test_every_demo_row_gets_its_diagnosis(demo_run):
    rows = _rows(demo_run)
    assert set(rows) == set(DEMO)
    for label, (outcome, diagnosis, case) in DEMO.items():
        got, props = rows[label]
        assert got == outcome, (label, props)
        assert props.get("etd_diagnosis") == diagnosis, (label, props)
        if case is not None:
            assert props.get("etd_diagnosis_case", "") == case, (label, props)
    moved = rows["demo-error-log.csv:3:alice@contoso.example"][1]
    assert "moved by the owner to Payroll 2026" in moved["etd_diagnosis_text"]  # a custom folder, by name
    assert "line 12" in rows["demo-error-log.csv:12:not an address"][1]["etd_not_evaluated"]
    junk = rows["demo-error-log.csv:13:alice@contoso.example"][1]["etd_diagnosis_text"]
    assert "Junk Email" in junk and "ETD's move to junk" in junk, junk  # told by folder id, said as ambiguous


def test_failing_rows_carry_the_mailbox_fix_and_the_logged_error_is_compared(demo_run):
    rows = _rows(demo_run)
    bob = rows["demo-error-log.csv:6:bob@contoso.example"][1]
    assert "assign a licence that includes Exchange Online" in bob["etd_fix"]
    walter = rows["demo-error-log.csv:11:walter@contoso.example"][1]
    assert "ETD logged 'Resource is not found'" in walter["etd_note"]
    html = demo_run.html()
    assert "ETD's error log, row by row" in html and "Safe Sender" in html  # by-design guidance named


def test_case1a_selects_the_error_log_rows(run_suite, suite_project):
    shutil.rmtree(suite_project / "cassettes")
    shutil.copytree(ROOT / "cassettes", suite_project / "cassettes")
    run = run_suite("-m", "case1a")
    assert set(_rows(run)) == set(DEMO)


def _log(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_mail_permission_leaves_message_rows_not_evaluated_naming_it(run_suite, emulator_for, suite_project):
    emu = emulator_for("verdict-paths")  # its auditor holds MailboxSettings.Read, not Mail.ReadBasic.All
    log = _log(
        suite_project / "log.csv",
        "Recipient;Message-ID\nok@vpaths.example;<m1@x.example>\nok@vpaths.example;\nnever@vpaths.example;<m2@x>\n",
    )
    config = write_config(suite_project / "p.toml", tenant_ids("verdict-paths"))
    run = run_suite(f"--etd-config={config}", f"--etd-error-log={log}", emulator=emu)
    rows = _rows(run)
    outcome, props = rows["log.csv:2:ok@vpaths.example"]
    assert outcome == "error" and "Mail.ReadBasic.All" in props["etd_not_evaluated"]
    assert rows["log.csv:3:ok@vpaths.example"][0] == "passed"  # no message id: no lookup needed
    assert rows["log.csv:4:never@vpaths.example"][1]["etd_diagnosis"] == "never-licensed"  # mailbox first
    assert "Mail.ReadBasic.All" in run.text()  # said in the run header


def test_a_log_without_a_mailbox_column_is_a_usage_error(run_suite, emulator_for, suite_project):
    emu = emulator_for("verdict-paths")
    log = _log(suite_project / "log.csv", "Sender,Subject\ns@x.example,hi\n")
    config = write_config(suite_project / "p.toml", tenant_ids("verdict-paths"))
    run = run_suite(f"--etd-config={config}", f"--etd-error-log={log}", emulator=emu)
    assert run.result.ret == 4
    assert "no mailbox column (headers found: 'Sender', 'Subject')" in run.text()


def test_failed_folder_lookups_leave_message_rows_not_evaluated_never_a_wrong_place(
    run_suite, emulator_for, suite_project, monkeypatch
):
    """Every mailFolders read answers 503 (after retries): where each message is cannot be told."""
    from graph_emulator import Faults

    emu = emulator_for(
        "contoso-demo", "fabrikam-demo", "northwind-demo", faults=Faults(unavailable={"mailFolders": 1.0})
    )
    shutil.copy(ROOT / "cassettes" / "demo.toml", suite_project / "demo.toml")
    shutil.copy(ROOT / "cassettes" / "demo-error-log.csv", suite_project / "demo-error-log.csv")
    monkeypatch.setenv("ETD_DEMO_AUDITOR_SECRET", "demo-auditor-secret")
    rows = _rows(run_suite(f"--etd-config={suite_project / 'demo.toml'}", emulator=emu))
    found = [row for row, (_, diagnosis, _) in DEMO.items() if diagnosis in ("transient", "message-moved")]
    found += ["demo-error-log.csv:4:alice@contoso.example"]  # in Deleted Items
    for row in found:
        outcome, props = rows[row]
        assert outcome == "error" and "folder" in props["etd_not_evaluated"], (row, outcome, props)
    assert rows["demo-error-log.csv:5:alice@contoso.example"][1]["etd_diagnosis"] == "message-deleted"  # no folder
    assert rows["demo-error-log.csv:6:bob@contoso.example"][1]["etd_diagnosis"] == "never-licensed"
