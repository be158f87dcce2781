"""The evidence: HTML report (default location, run facts, per-case summary, fixes) and JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conftest import AUDITOR_APP_ID, tenant_ids, write_config


def _demo(suite_project):
    return write_config(
        suite_project / "demo.toml",
        tenant_ids("contoso-demo", "fabrikam-demo"),
        protection={"addresses": ["ghost@contoso.example"]},
    )


def test_html_report_holds_what_a_compliance_officer_needs(run_suite, emulator_for, suite_project):
    emu = emulator_for("contoso-demo", "fabrikam-demo")
    html = run_suite(f"--etd-config={_demo(suite_project)}", emulator=emu).html()
    for expected in (
        "ETD remediation readiness - contoso-demo, fabrikam-demo",
        "477e12be-e484-4305-a010-d60130983488",  # tenant ids
        "f732fa68-68dd-495d-81dc-fe49260fb409",
        f"auditor {AUDITOR_APP_ID} with Application.Read.All, Mail.ReadBasic.All",
        "least-privilege set granted",
        "Data collected (UTC)",
        "etd-readiness 0.1.0",
        "live (",
        "Findings per documented case",
        "Mailbox hosted on-premises (hybrid)",
        "frank@contoso.example",
        "Move the mailbox to Exchange Online",
        "Grant admin consent for contoso-demo",
    ):
        assert expected in html, expected
    assert "demo-auditor-secret" not in html


def test_report_goes_to_reports_by_default(run_suite, emulator_for, suite_project):
    emu = emulator_for("healthy")
    config = write_config(suite_project / "etd.toml", tenant_ids("healthy"))
    run = run_suite(f"--etd-config={config}", emulator=emu, html=False)
    reports = list((suite_project / "reports").glob("etd-readiness-*.html"))
    assert len(reports) == 1, run.text()
    assert "ETD remediation readiness - healthy" in reports[0].read_text(encoding="utf-8")


def test_junit_xml_carries_each_finding(run_suite, emulator_for, suite_project):
    emu = emulator_for("contoso-demo", "fabrikam-demo")
    run = run_suite(f"--etd-config={_demo(suite_project)}", emulator=emu)
    tree = ET.parse(suite_project / "junit.xml")
    props = {}
    for case in tree.iter("testcase"):
        props[case.get("name")] = {p.get("name"): p.get("value") for p in case.iter("property")}
    bob = props["test_protected_user_holds_exchange_online_licence[contoso-demo:bob@contoso.example]"]
    assert bob["etd_case"] == "1b/4a"
    assert bob["etd_subject"] == "contoso-demo:bob@contoso.example"
    assert "assign a licence that includes Exchange Online" in bob["etd_fix"]
    assert "never licensed" in bob["etd_problem"]
    assert run.with_outcome("failed")


def test_terminal_summary_counts_per_check_and_case(run_suite, emulator_for, suite_project):
    emu = emulator_for("contoso-demo", "fabrikam-demo")
    text = run_suite(f"--etd-config={_demo(suite_project)}", emulator=emu).text()
    assert "ETD remediation readiness" in text
    assert "case 4b: 1 affected" in text
    assert "case 1b/4a: 5 affected" in text  # licence and mailbox test count each user once


def test_saved_snapshot_evaluates_to_the_same_outcomes(run_suite, emulator_for, suite_project):
    emu = emulator_for("contoso-demo", "fabrikam-demo")
    snapshot = suite_project / "evidence.json"
    first = run_suite(f"--etd-config={_demo(suite_project)}", f"--etd-save-snapshot={snapshot}", emulator=emu)
    emu.stop()
    again = run_suite(f"--etd-snapshot={snapshot}")
    assert again.outcomes() == first.outcomes()
    assert "demo-auditor-secret" not in snapshot.read_text(encoding="utf-8")
