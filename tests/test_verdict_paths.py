"""The per-mailbox verdict on purpose-built tenants, through the real SDK against the emulator (issue 8).

Expectations come from the tenant files (tests/tenants/verdict-*.yaml) and Cisco's seed document as
GRAPH_FACTS maps it, not from the code: every protected mailbox's exact verdict, case, root cause and
a fragment of its fix.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import pytest

from conftest import tenant_ids, write_config

VERDICT = "test_etd_can_remediate_mailbox"
LICENCE = "test_protected_user_holds_exchange_online_licence"

# mailbox -> (outcome, case, root cause, fix fragment); outcome error = NOT EVALUATED
PATHS = {
    "ok": ("passed", "", "", ""),
    "shared": ("passed", "", "", ""),
    "room": ("passed", "", "", ""),
    "grace": ("passed", "", "", ""),
    "suspended": ("failed", "4a", "licence-lapsed", "reactivate or renew the subscription"),
    "locked": ("failed", "4a", "licence-lapsed", "reactivate or renew the subscription"),
    "planoff": ("failed", "4a", "licence-lapsed", "reactivate or renew the subscription"),  # Deleted, not disabled
    "never": ("failed", "4a", "never-licensed", "assign a licence that includes Exchange Online"),
    "notyet": ("failed", "1b", "not-provisioned-yet", "Allow up to 24 hours"),
    "flaps": ("failed", "1b", "intermittent", "Wait for provisioning to settle"),
    "clash": ("failed", "4", "provisioning-error", "exchange/EURPRD05-001-01"),
    "onprem": ("failed", "4b", "on-premises", "Move the mailbox to Exchange Online"),
    "routed": ("failed", "4b", "on-premises-or-unlicensed", "Get-RemoteMailbox routed@vpaths.example"),
    "synced": ("failed", "4a", "unlicensed-or-on-premises", "Get-RemoteMailbox synced@vpaths.example"),
    "scoped": ("error", "", "", ""),
}


def _cases(run) -> dict[str, tuple[str, dict[str, str]]]:
    """test name -> (outcome, properties) from the JUnit XML."""
    out = {}
    for case in ET.parse(run.workdir / "junit.xml").iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        if case.find("error") is not None:
            outcome = "error"
        elif case.find("failure") is not None:
            outcome = "failed"
        elif case.find("skipped") is not None:
            outcome = "skipped"
        else:
            outcome = "passed"
        out[case.get("name")] = (outcome, props)
    return out


@pytest.fixture
def paths_run(run_suite, emulator_for, suite_project):
    emu = emulator_for("verdict-paths")
    config = write_config(suite_project / "paths.toml", tenant_ids("verdict-paths"))
    return run_suite(f"--etd-config={config}", emulator=emu)


def test_every_mailbox_gets_its_root_cause_case_and_fix(paths_run):
    cases = _cases(paths_run)
    verdicts = {n: v for n, v in cases.items() if n.startswith(VERDICT)}
    assert len(verdicts) == len(PATHS), sorted(verdicts)
    for user, (outcome, case, cause, fix) in PATHS.items():
        got, props = verdicts[f"{VERDICT}[verdict-paths:{user}@vpaths.example]"]
        assert got == outcome, (user, got, props)
        assert props.get("etd_case", "") == case, (user, props)
        assert props.get("etd_root_cause", "") == cause, (user, props)
        assert fix in props.get("etd_fix", ""), (user, props.get("etd_fix"))


def test_hybrid_fixes_never_say_a_licence_creates_the_mailbox(paths_run):
    props = {n: p for n, (_, p) in _cases(paths_run).items()}
    onprem = props[f"{VERDICT}[verdict-paths:onprem@vpaths.example]"]
    assert "the mailbox is then created automatically" not in onprem["etd_fix"]
    assert "Do not assign an Exchange Online licence" in onprem["etd_fix"]
    for user in ("routed", "synced"):  # the data cannot decide: both, and what decides
        fix = props[f"{VERDICT}[verdict-paths:{user}@vpaths.example]"]["etd_fix"]
        assert "Get-Mailbox" in fix and "Get-RemoteMailbox" in fix and "move" in fix.lower(), fix
    # the licence test is no licence question for an on-premises mailbox, but is one where unlicensed is likely
    outcomes = {n: o for n, (o, _) in _cases(paths_run).items()}
    assert outcomes[f"{LICENCE}[verdict-paths:onprem@vpaths.example]"] == "skipped"
    assert outcomes[f"{LICENCE}[verdict-paths:routed@vpaths.example]"] == "skipped"
    assert outcomes[f"{LICENCE}[verdict-paths:synced@vpaths.example]"] == "failed"


def test_recipient_type_comes_from_exchange_and_flaps_show_both_answers(paths_run):
    props = {n: p for n, (_, p) in _cases(paths_run).items()}
    assert props[f"{VERDICT}[verdict-paths:shared@vpaths.example]"]["etd_recipient_type"] == "shared"
    assert props[f"{VERDICT}[verdict-paths:room@vpaths.example]"]["etd_recipient_type"] == "room"
    assert props[f"{VERDICT}[verdict-paths:ok@vpaths.example]"]["etd_recipient_type"] == "user"
    assert "grace period" in props[f"{VERDICT}[verdict-paths:grace@vpaths.example]"]["etd_notes"]
    flaps = props[f"{VERDICT}[verdict-paths:flaps@vpaths.example]"]["etd_probe"]
    assert "ResourceNotFound" in flaps and "MailboxNotEnabledForRESTAPI" in flaps, flaps


def test_the_auditor_scoped_out_is_not_evaluated_and_says_why(paths_run):
    props = {n: p for n, (_, p) in _cases(paths_run).items()}
    reason = props[f"{VERDICT}[verdict-paths:scoped@vpaths.example]"]["etd_not_evaluated"]
    assert "auditor app is scoped out" in reason and "Test-ApplicationAccessPolicy" in reason
    assert "etd_case" not in props[f"{VERDICT}[verdict-paths:scoped@vpaths.example]"]


def test_per_cause_tests_agree_with_the_verdicts(paths_run):
    """Every per-cause finding about a mailbox names a cause that is on that mailbox's path."""
    cases = _cases(paths_run)
    verdicts = {p["etd_subject"]: p for n, (o, p) in cases.items() if n.startswith(VERDICT)}
    for name, (outcome, props) in cases.items():
        if name.startswith(VERDICT) or outcome != "failed" or props["etd_subject"] not in verdicts:
            continue
        verdict = verdicts[props["etd_subject"]]
        on_path = verdict.get("etd_root_cause", "") + " " + verdict.get("etd_also", "")
        assert verdict.get("etd_root_cause"), (name, "a per-cause finding on a mailbox the verdict calls ready")
        assert props["etd_root_cause"] == verdict["etd_root_cause"] or props["etd_problem"] in on_path, name


def test_csv_lists_every_mailbox_with_the_evidence_behind_a_pass(paths_run):
    csvs = list((paths_run.workdir).glob("report.csv"))
    assert csvs, "the CSV is written next to the HTML"
    rows = {r["mailbox"]: r for r in csv.DictReader(csvs[0].open(encoding="utf-8"))}
    assert set(rows) == {f"{u}@vpaths.example" for u in PATHS}
    assert rows["ok@vpaths.example"]["verdict"] == "ready"
    assert rows["ok@vpaths.example"]["exchange_plan"] == "EXCHANGE_S_ENTERPRISE Enabled"
    assert rows["ok@vpaths.example"]["mailbox_probe"] == "200"
    assert rows["never@vpaths.example"]["verdict"] == "not ready"
    assert rows["never@vpaths.example"]["case"] == "4a"
    assert rows["scoped@vpaths.example"]["verdict"] == "not evaluated"
    assert "scoped out" in rows["scoped@vpaths.example"]["not_evaluated_reason"]


def test_multi_tenant_reach_is_judged_per_mailbox(run_suite, emulator_for, suite_project):
    names = ("verdict-reach-a", "verdict-reach-b", "verdict-reach-c")
    emu = emulator_for(*names)
    run = run_suite(f"--etd-config={write_config(suite_project / 'r.toml', tenant_ids(*names))}", emulator=emu)
    cases = _cases(run)
    assert cases[f"{VERDICT}[verdict-reach-a:anna@reach-a.example]"][0] == "passed"
    for user in ("bert", "bea"):  # ETD not consented in B: 3b for every mailbox there
        outcome, props = cases[f"{VERDICT}[verdict-reach-b:{user}@reach-b.example]"]
        assert (outcome, props["etd_case"], props["etd_root_cause"]) == ("failed", "3b", "etd-not-consented-here")
        assert "Onboard verdict-reach-b in the ETD portal" in props["etd_fix"]
    outcome, props = cases[f"{SP}[verdict-reach-b:etd-app]"]
    assert (outcome, props["etd_case"]) == ("failed", "3b")  # one fact, one case: the tenant row says 3b too
    for user in ("cleo", "cyril"):  # consented in C, Mail.ReadWrite delegated only: case 2
        outcome, props = cases[f"{VERDICT}[verdict-reach-c:{user}@reach-c.example]"]
        assert (outcome, props["etd_case"], props["etd_root_cause"]) == ("failed", "2", "permission-delegated-only")
    also = cases[f"{VERDICT}[verdict-reach-c:cyril@reach-c.example]"][1]["etd_also"]
    assert "never licensed" in also, also
    # the permission tests exist in every tenant; where ETD is absent they do not repeat the fact
    assert cases[f"{PERMISSION}[verdict-reach-b:Mail.ReadWrite]"][0] == "skipped"
    assert cases[f"{PERMISSION}[verdict-reach-c:Mail.ReadWrite]"][0] == "failed"


SP = "test_etd_enterprise_app_exists_and_is_enabled"
PERMISSION = "test_etd_holds_graph_application_permission"


def test_group_mode_protects_only_named_soft_deleted_users(run_suite, emulator_for, suite_project):
    emu = emulator_for("verdict-group")
    config = write_config(
        suite_project / "g.toml",
        tenant_ids("verdict-group"),
        protection={"group": "6d1c9f0e-1111-4a2b-8c3d-4e5f60718293", "addresses": ["dora@vgroup.example"]},
    )
    run = run_suite(f"--etd-config={config}", emulator=emu)
    cases = _cases(run)
    verdicts = {n for n in cases if n.startswith(VERDICT)}
    assert verdicts == {
        f"{VERDICT}[verdict-group:gina@vgroup.example]",
        f"{VERDICT}[verdict-group:gus@vgroup.example]",
        f"{VERDICT}[verdict-group:dora@vgroup.example]",
    }
    outcome, props = cases[f"{VERDICT}[verdict-group:dora@vgroup.example]"]
    assert (outcome, props["etd_case"], props["etd_root_cause"]) == ("failed", "4", "soft-deleted")
    deleted = {n for n in cases if n.startswith("test_no_protected_address_is_soft_deleted")}
    assert deleted == {"test_no_protected_address_is_soft_deleted[verdict-group:dora@vgroup.example]"}


def test_a_graph_that_refuses_mailboxsettings_is_probed_through_the_inbox(run_suite, emulator_for, suite_project):
    """An endpoint that denies mailboxSettings although the roles cover it: the Inbox probe decides instead."""
    from graph_emulator import Faults

    emu = emulator_for("contoso-demo", faults=Faults(forbidden={"mailboxSettings"}))  # its auditor also holds Mail.*
    config = write_config(suite_project / "c.toml", tenant_ids("contoso-demo"))
    cases = _cases(run_suite(f"--etd-config={config}", emulator=emu))
    outcome, props = cases[f"{VERDICT}[contoso-demo:alice@contoso.example]"]
    assert outcome == "passed" and props["etd_recipient_type"] == "", props  # answered, type unknown
    outcome, props = cases[f"{VERDICT}[contoso-demo:bob@contoso.example]"]
    assert (outcome, props["etd_root_cause"]) == ("failed", "never-licensed")
    items = emu.stats.batch_items
    assert items[("GET", "mailboxSettings")] == 18 and items[("GET", "mailFolders")] >= 18, items  # tried, then Inbox
