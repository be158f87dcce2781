"""The evidence: HTML report (verdict first, run facts, per-mailbox table, fixes), per-mailbox CSV and JUnit XML."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

from conftest import AUDITOR_APP_ID, tenant_ids, write_config

TENANTS = ("contoso-demo", "fabrikam-demo", "northwind-demo")
# the demo's verdict: 28 findings (tests/test_suite_demo.py derives each) and mallory not evaluated
VERDICT = "INCOMPLETE - 2 test(s) could not be evaluated (listed under Not evaluated); 28 finding(s) already block"


def _demo(suite_project):
    return write_config(
        suite_project / "demo.toml",
        tenant_ids(*TENANTS),
        protection={"addresses": ["ghost@contoso.example"]},
    )


def _props(suite_project) -> dict[str, dict[str, str]]:
    tree = ET.parse(suite_project / "junit.xml")
    return {
        case.get("name"): {p.get("name"): p.get("value") for p in case.iter("property")}
        for case in tree.iter("testcase")
    }


def test_html_report_holds_what_a_compliance_officer_needs(run_suite, emulator_for, suite_project):
    emu = emulator_for(*TENANTS)
    html = run_suite(f"--etd-config={_demo(suite_project)}", emulator=emu).html()
    for expected in (
        "ETD remediation readiness - contoso-demo, fabrikam-demo, northwind-demo",
        "477e12be-e484-4305-a010-d60130983488",  # tenant ids
        "f732fa68-68dd-495d-81dc-fe49260fb409",
        "6c0e5a4b-6d0f-4f5e-9a57-1b2b2c3d4e5f",
        f"auditor {AUDITOR_APP_ID} with Application.Read.All, MailboxSettings.Read",
        "least-privilege set granted",
        "Data collected (UTC)",
        "etd-readiness 0.1.0",
        "live (",
        "Mailboxes ETD cannot remediate",
        "Tenant-level findings",
        "Mailbox hosted on-premises (hybrid)",
        "frank@contoso.example",
        "Move the mailbox to Exchange Online",
        "Grant admin consent for northwind-demo",
        "Onboard fabrikam-demo in the ETD portal",
        "Test-ApplicationAccessPolicy -Identity mallory@contoso.example",
        "Per-mailbox CSV",
    ):
        assert expected in html, expected
    assert "demo-auditor-secret" not in html
    assert "DEMO" not in html.split("<body", 1)[1].split("Environment", 1)[0], "a live run is not the demo"
    # the verdict, then tenants and per-cause counts, come first; per-cause checks and run facts below
    order = [html.index(s) for s in (VERDICT, ">Tenants<", ">Root causes<", "Mailboxes ETD cannot remediate")]
    assert order == sorted(order)
    assert html.index("Per-cause checks") > order[-1]


def test_report_goes_to_reports_by_default_with_the_csv_beside_it(run_suite, emulator_for, suite_project):
    emu = emulator_for("healthy")
    config = write_config(suite_project / "etd.toml", tenant_ids("healthy"))
    run = run_suite(f"--etd-config={config}", emulator=emu, html=False)
    reports = list((suite_project / "reports").glob("etd-readiness-*.html"))
    assert len(reports) == 1, run.text()
    html = reports[0].read_text(encoding="utf-8")
    assert "ETD remediation readiness - healthy" in html
    # no protected address is configured, so C3A-01's one item is skipped "not-applicable" at collection;
    # that is a complete run, not an interrupted one
    assert "READY - ETD can remediate all 5 protected mailbox(es) in 1 tenant(s)" in html, run.text()[-400:]
    assert list((suite_project / "reports").glob("etd-readiness-*.csv")) == [reports[0].with_suffix(".csv")]


def test_csv_lists_every_protected_mailbox_with_verdict_cause_and_evidence(run_suite, emulator_for, suite_project):
    emu = emulator_for(*TENANTS)
    run_suite(f"--etd-config={_demo(suite_project)}", emulator=emu)
    rows = {(r["tenant"], r["mailbox"]): r for r in csv.DictReader((suite_project / "report.csv").open())}
    contoso = {m for t, m in rows if t == "contoso-demo"}
    # 18 protected users (the guest is out of scope), soft-deleted oscar, unresolved ghost
    assert len(contoso) == 20 and {"oscar@contoso.example", "ghost@contoso.example"} <= contoso
    assert {m for t, m in rows if t != "contoso-demo"} == {
        *(f"{u}@fabrikam.example" for u in ("ursula", "victor", "wendy")),
        *(f"{u}@northwind.example" for u in ("xavier", "yolanda")),
    }
    verdicts = [r["verdict"] for r in rows.values()]
    assert (verdicts.count("ready"), verdicts.count("not ready"), verdicts.count("not evaluated")) == (7, 17, 1)
    alice = rows[("contoso-demo", "alice@contoso.example")]
    assert (alice["verdict"], alice["exchange_plan"], alice["mailbox_probe"]) == (
        "ready",
        "EXCHANGE_S_ENTERPRISE Enabled",
        "200",
    )
    room = rows[("contoso-demo", "boardroom@contoso.example")]
    assert (room["verdict"], room["recipient_type"], room["exchange_plan"]) == ("ready", "room", "no licence")
    bob = rows[("contoso-demo", "bob@contoso.example")]
    assert (bob["root_cause"], bob["case"]) == ("never-licensed", "4a")
    assert "Licenses and apps: assign a licence" in bob["fix"]
    judy = rows[("contoso-demo", "judy@contoso.example")]
    assert (judy["root_cause"], judy["mailbox_probe"]) == (
        "intermittent",
        "404 ResourceNotFound, then 404 MailboxNotEnabledForRESTAPI",
    )
    ursula = rows[("fabrikam-demo", "ursula@fabrikam.example")]
    assert (ursula["root_cause"], ursula["case"], ursula["mailbox_probe"]) == ("etd-not-consented-here", "3b", "200")
    mallory = rows[("contoso-demo", "mallory@contoso.example")]
    assert mallory["verdict"] == "not evaluated" and "application access policy" in mallory["not_evaluated_reason"]
    assert "demo-auditor-secret" not in (suite_project / "report.csv").read_text(encoding="utf-8")


def test_junit_xml_carries_each_finding(run_suite, emulator_for, suite_project):
    emu = emulator_for(*TENANTS)
    run = run_suite(f"--etd-config={_demo(suite_project)}", emulator=emu)
    props = _props(suite_project)
    for name in (
        "test_etd_can_remediate_mailbox[contoso-demo:bob@contoso.example]",
        "test_protected_user_holds_exchange_online_licence[contoso-demo:bob@contoso.example]",
    ):
        bob = props[name]
        assert (bob["etd_case"], bob["etd_root_cause"]) == ("4a", "never-licensed")
        assert bob["etd_subject"] == "contoso-demo:bob@contoso.example"
        assert "assign a licence that includes Exchange Online" in bob["etd_fix"]
        assert "never licensed" in bob["etd_problem"]
        assert (
            bob["etd_remediation_error"] == '"The mailbox is either inactive, soft-deleted, or is hosted on-premise."'
        )
        assert "etd_etd_error" not in bob
    verdict = props["test_etd_can_remediate_mailbox[contoso-demo:bob@contoso.example]"]
    assert verdict["etd_check"] == "RDY-01"
    assert (verdict["etd_tenant"], verdict["etd_mailbox"]) == ("contoso-demo", "bob@contoso.example")
    assert verdict["etd_exchange_plan"] == "no licence"
    alice = props["test_etd_can_remediate_mailbox[contoso-demo:alice@contoso.example]"]
    assert (alice["etd_exchange_plan"], alice["etd_probe"], alice["etd_recipient_type"]) == (
        "EXCHANGE_S_ENTERPRISE Enabled",
        "200",
        "user",
    ), "the evidence behind a pass"
    assert "etd_root_cause" not in alice
    mallory = props["test_etd_can_remediate_mailbox[contoso-demo:mallory@contoso.example]"]
    assert "the auditor app is scoped out" in mallory["etd_not_evaluated"] and "etd_case" not in mallory
    suite = next(ET.parse(suite_project / "junit.xml").iter("testsuite"))
    global_props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert VERDICT in global_props["etd_verdict"]
    assert run.with_outcome("failed")


def test_terminal_summary_counts_per_root_cause_and_prints_the_verdict_last(run_suite, emulator_for, suite_project):
    emu = emulator_for(*TENANTS)
    text = run_suite(f"--etd-config={_demo(suite_project)}", emulator=emu).text()
    assert "ETD remediation readiness" in text
    assert "RDY-01       7 ok     17 findings      1 not evaluated" in text
    for count, case, cause in (
        (3, "3b", "etd-not-consented-here"),
        (2, "2", "permission-delegated-only"),
        (1, "4b", "on-premises"),
        (1, "4b", "on-premises-or-unlicensed"),
        (1, "1b", "intermittent"),
    ):
        assert f"{count:6} mailbox(es)  case {case:3} {cause}:" in text, cause
    lines = [line for line in text.splitlines() if line.strip()]
    assert VERDICT in lines[-2], lines[-3:]  # the last line before pytest's own count line


def test_saved_snapshot_evaluates_to_the_same_outcomes(run_suite, emulator_for, suite_project):
    emu = emulator_for(*TENANTS)
    snapshot = suite_project / "evidence.json"
    first = run_suite(f"--etd-config={_demo(suite_project)}", f"--etd-save-snapshot={snapshot}", emulator=emu)
    emu.stop()
    again = run_suite(f"--etd-snapshot={snapshot}")
    assert again.outcomes() == first.outcomes()
    assert "demo-auditor-secret" not in snapshot.read_text(encoding="utf-8")
