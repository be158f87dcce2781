"""`pytest tenant_checks` live against the emulator's three demo tenants, through the real credentials.

Expected outcomes are derived from the tenant files (emulator/src/graph_emulator/tenants/*.yaml) and
tests/tenants/EXPECTED.md, not from the suite's output.
"""

from __future__ import annotations

from conftest import tenant_ids, write_config

VERDICT = "test_etd_can_remediate_mailbox"
LICENCE = "test_protected_user_holds_exchange_online_licence"
PERMISSION = "test_etd_holds_graph_application_permission"
SP = "test_etd_enterprise_app_exists_and_is_enabled"
DELETED = "test_no_protected_address_is_soft_deleted"
ADDRESS = "test_protected_address_resolves_to_a_user"
DOMAIN = "test_protected_domain_is_verified_where_etd_is_consented"
ERROR_LOG = "test_remediation_error_is_explained"

C, F, N = "contoso-demo", "fabrikam-demo", "northwind-demo"
MANIFEST = ["Mail.ReadWrite", "Organization.Read.All", "User.Read.All", "Domain.Read.All", "Group.Read.All"]
MANIFEST += ["GroupMember.Read.All"]

# contoso-demo: ETD fully consented; every fault is the mailbox's own. address -> (root cause, case)
CONTOSO_NOT_READY = {
    "bob": ("never-licensed", "4a"),  # never licensed, probe 404 MailboxNotEnabledForRESTAPI
    "carol": ("no-mailbox-plan", "4a"),  # M365_F1: EXCHANGE_S_FOUNDATION gives no mailbox
    "erin": ("licence-assignment-failed", "4a"),  # ENTERPRISEPACK CountViolation
    "peggy": ("exchange-plan-disabled", "4a"),  # EXCHANGE_S_ENTERPRISE in disabledPlans
    "heidi": ("licence-lapsed", "4a"),  # capabilityStatus Suspended
    "frank": ("on-premises", "4b"),  # synced, licensed, mailbox on-premises
    "ivan": ("not-provisioned-yet", "1b"),  # licensed, 404 ResourceNotFound
    "judy": ("intermittent", "1b"),  # flaps ResourceNotFound / MailboxNotEnabledForRESTAPI
    "nina": ("on-premises-or-unlicensed", "4b"),  # synced, routing address, no licence
    "victor": ("provisioning-error", "4"),  # serviceProvisioningErrors exchange/...
    "oscar": ("soft-deleted", "4"),  # in the recycle bin
    "ghost": ("address-not-a-user", "3a"),  # configured address matching no user
}
CONTOSO_READY = ["alice", "dave", "grace", "info", "boardroom", "projector", "walter"]
LICENCE_FAULTS = ["bob", "carol", "erin", "heidi", "peggy"]
NOT_A_LICENCE_QUESTION = ["frank", "ivan", "judy", "nina", "victor"]
FABRIKAM = ["ursula", "victor", "wendy"]
NORTHWIND = ["xavier", "yolanda"]


def _c(user: str) -> str:
    return f"{C}:{user}@contoso.example"


EXPECTED_FAILURES = {
    *(f"{VERDICT}[{_c(u)}]" for u in CONTOSO_NOT_READY),
    *(f"{VERDICT}[{F}:{u}@fabrikam.example]" for u in FABRIKAM),
    *(f"{VERDICT}[{N}:{u}@northwind.example]" for u in NORTHWIND),
    *(f"{LICENCE}[{_c(u)}]" for u in LICENCE_FAULTS),
    f"{PERMISSION}[{N}:Mail.ReadWrite]",
    f"{SP}[{F}:etd-app]",
    f"{DELETED}[{_c('oscar')}]",
    f"{ADDRESS}[ghost@contoso.example]",
    f"{DOMAIN}[{F}:fabrikam.example]",
    f"{DOMAIN}[{F}:fabrikamdemo.onmicrosoft.com]",
}
# the auditor app is scoped out of mallory's mailbox by an access policy: not evaluated, never a finding
# (her licence test too: whether the licence question applies at all is her mailbox's answer)
EXPECTED_ERRORS = {f"{VERDICT}[{_c('mallory')}]", f"{LICENCE}[{_c('mallory')}]"}
EXPECTED_SKIPS = {
    *(f"{PERMISSION}[{F}:{p}]" for p in MANIFEST),  # ETD's app is absent: reported once, by C2-01
    *(f"{LICENCE}[{_c(u)}]" for u in NOT_A_LICENCE_QUESTION),
    f"{ERROR_LOG}[not-applicable]",  # this config names no error log (tests/test_error_log_suite.py has one)
}


def _demo_config(path, **protection):
    return write_config(
        path / "demo.toml",
        tenant_ids(C, F, N),
        protection={"addresses": ["ghost@contoso.example", "alice@contoso.example"], **protection},
    )


def _junit_properties(run, test_id: str) -> dict[str, str]:
    import xml.etree.ElementTree as ET

    case = next(c for c in ET.parse(run.workdir / "junit.xml").iter("testcase") if c.get("name") == test_id)
    return {p.get("name"): p.get("value") for p in case.iter("property")}


def test_every_seeded_fault_is_found_and_nothing_else(run_suite, emulator_for, suite_project):
    emu = emulator_for(C, F, N)
    run = run_suite(f"--etd-config={_demo_config(suite_project)}", emulator=emu)
    assert run.with_outcome("failed") == EXPECTED_FAILURES, run.text()
    assert run.with_outcome("error") == EXPECTED_ERRORS
    assert run.with_outcome("skipped") == EXPECTED_SKIPS
    passed = run.with_outcome("passed")
    for user in CONTOSO_READY:
        assert f"{VERDICT}[{_c(user)}]" in passed
        assert f"{LICENCE}[{_c(user)}]" in passed
    for user in FABRIKAM:  # the mailbox answers: the licence is fine, ETD's reach is not
        assert f"{LICENCE}[{F}:{user}@fabrikam.example]" in passed
    assert {f"{SP}[{C}:etd-app]", f"{SP}[{N}:etd-app]", f"{ADDRESS}[alice@contoso.example]"} <= passed
    assert {f"{PERMISSION}[{C}:{p}]" for p in MANIFEST} <= passed
    assert {f"{PERMISSION}[{N}:{p}]" for p in MANIFEST[1:]} <= passed
    assert {
        f"{DELETED}[{F}:no-soft-deleted-protected-user]",
        f"{DELETED}[{N}:no-soft-deleted-protected-user]",
    } <= passed
    assert not any("partner" in name for name in run.outcomes()), "guests are out of scope unless named"
    assert emu.stats.requests[("POST", "token")] == 3, "one sign-in per tenant: the pre-flight token is reused"
    assert emu.stats.requests[("GET", "users")] == 3
    # one probe batch per tenant (18, 3 and 2 protected users: at most 20 a batch), and one more in contoso-demo
    # re-probing the 11 mailboxes that did not answer 200 (bob ... victor, mallory), less the 3 users without
    # any Exchange plan whose "MailboxNotEnabledForRESTAPI" the directory already explains (bob, erin, nina)
    assert emu.stats.requests[("POST", "batch")] == 4
    assert sum(emu.stats.batch_items.values()) == 18 + 3 + 2 + 8


def test_each_mailbox_verdict_names_its_root_cause_case_and_fix(run_suite, emulator_for, suite_project):
    emu = emulator_for(C, F, N)
    run = run_suite(f"--etd-config={_demo_config(suite_project)}", emulator=emu)
    expected = {_c(u): cause for u, cause in CONTOSO_NOT_READY.items()}
    expected |= {f"{F}:{u}@fabrikam.example": ("etd-not-consented-here", "3b") for u in FABRIKAM}
    expected |= {f"{N}:{u}@northwind.example": ("permission-delegated-only", "2") for u in NORTHWIND}
    got = {}
    for subject in expected:
        props = _junit_properties(run, f"{VERDICT}[{subject}]")
        assert props["etd_check"] == "RDY-01" and props["etd_subject"] == subject
        got[subject] = (props["etd_root_cause"], props["etd_case"])
    assert got == expected
    fixes = {
        _c("bob"): "the mailbox is then created automatically",
        _c("frank"): "Move the mailbox to Exchange Online",
        _c("nina"): "Get-RemoteMailbox nina@contoso.example",
        _c("heidi"): "Billing > Your products: reactivate or renew the subscription",
        _c("erin"): "resolve the assignment error (ENTERPRISEPACK: CountViolation)",
        _c("victor"): "Resolve the Exchange provisioning error (exchange/EURPRD05-001-01)",
        _c("oscar"): "Deleted users > Restore",
        _c("ghost"): "fix the address in ETD's protected list",
        f"{F}:ursula@fabrikam.example": "Onboard fabrikam-demo in the ETD portal",
        f"{N}:xavier@northwind.example": "Application permissions > Mail.ReadWrite",
    }
    for subject, fragment in fixes.items():
        assert fragment in _junit_properties(run, f"{VERDICT}[{subject}]")["etd_fix"], subject
    assert "licence" not in _junit_properties(run, f"{VERDICT}[{_c('frank')}]")["etd_fix"].split(".")[0]
    judy = _junit_properties(run, f"{VERDICT}[{_c('judy')}]")
    assert {"404 ResourceNotFound", "404 MailboxNotEnabledForRESTAPI"} <= set(judy["etd_probe"].split(", then "))
    walter = _junit_properties(run, f"{VERDICT}[{_c('walter')}]")
    assert "grace period" in walter["etd_notes"] and walter["etd_exchange_plan"] == "EXCHANGE_S_ENTERPRISE Warning"
    info = _junit_properties(run, f"{VERDICT}[{_c('info')}]")
    assert (info["etd_recipient_type"], info["etd_probe"]) == ("shared", "200")


def test_findings_read_as_the_document_not_a_traceback(run_suite, emulator_for, suite_project):
    emu = emulator_for(C, F, N)
    text = run_suite(f"--etd-config={_demo_config(suite_project)}", emulator=emu).text()
    assert "contoso-demo:frank@contoso.example: is synced from on-premises AD and licensed" in text
    assert 'ETD error (case 4b): "The mailbox is either inactive, soft-deleted, or is hosted on-premise."' in text
    assert "Mail.ReadWrite is granted to ETD only as a Delegated permission in northwind-demo" in text
    assert "licence assignment failed (ENTERPRISEPACK: CountViolation)" in text
    assert "EXCHANGE_S_FOUNDATION" in text  # carol: licensed, but no plan that gives a mailbox
    assert 'ETD error (case 3b): "The requested user is invalid."' in text  # fabrikam's mailboxes
    assert "NOT EVALUATED - contoso-demo:mallory@contoso.example" in text
    assert "the auditor app is scoped out of this mailbox by an Exchange application access policy" in text
    assert "Traceback" not in text and "def test_" not in text and "Subject(" not in text


def test_markers_select_every_item_that_can_report_the_case(run_suite, emulator_for, suite_project):
    emu = emulator_for(C, F, N)
    run = run_suite(f"--etd-config={_demo_config(suite_project)}", "-m", "case2", emulator=emu)
    names = set(run.outcomes())
    assert names and all(n.startswith((SP, PERMISSION, DOMAIN, VERDICT, ERROR_LOG)) for n in names)
    assert f"{PERMISSION}[{N}:Mail.ReadWrite]" in run.with_outcome("failed")
    assert f"{VERDICT}[{N}:xavier@northwind.example]" in run.with_outcome("failed"), "the case-2 mailbox verdict"
    assert "PARTIAL - only the selected tests ran (-m 'case2')" in run.text()


def test_case4_marker_selects_the_soft_deleted_licence_and_verdict_items(run_suite, emulator_for, suite_project):
    emu = emulator_for(C, F, N)
    run = run_suite(f"--etd-config={_demo_config(suite_project)}", "-m", "case4", emulator=emu)
    prefixes = {name.split("[")[0] for name in run.outcomes()}
    assert prefixes == {DELETED, LICENCE, VERDICT, ERROR_LOG}  # no error log here: its item is not applicable
    failed = run.with_outcome("failed")
    assert {f"{VERDICT}[{_c('frank')}]", f"{VERDICT}[{_c('oscar')}]", f"{DELETED}[{_c('oscar')}]"} <= failed


def _env_single_tenant(monkeypatch, name: str) -> None:
    monkeypatch.setenv("AZURE_TENANT_ID", tenant_ids(name)[0][1])
    monkeypatch.setenv("AZURE_CLIENT_ID", "2b998cf7-3ffa-4e58-9dd3-b3d23f2e584b")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "demo-auditor-secret")
    monkeypatch.setenv("ETD_TENANT_NAME", name)


def test_single_tenant_from_environment_variables(run_suite, emulator_for, monkeypatch):
    """AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET, the way azure-identity users work."""
    emu = emulator_for(C)
    _env_single_tenant(monkeypatch, C)
    run = run_suite("-rs", emulator=emu)
    outcomes = run.outcomes()
    assert outcomes[f"{VERDICT}[{_c('frank')}]"] == "failed"
    assert outcomes[f"{VERDICT}[{_c('alice')}]"] == "passed"
    assert outcomes[f"{SP}[{C}:etd-app]"] == "passed"
    assert run.with_outcome("error") == EXPECTED_ERRORS
    assert not any(name.startswith(VERDICT) and "ghost" in name for name in outcomes), "no address configured"


def test_single_tenant_without_etd_is_case_2_for_the_tenant_and_each_mailbox(run_suite, emulator_for, monkeypatch):
    """One tenant, ETD never consented: case 2 ("Unknown Reason"), not the multi-tenant 3b."""
    emu = emulator_for(F)
    _env_single_tenant(monkeypatch, F)
    run = run_suite(emulator=emu)
    sp = _junit_properties(run, f"{SP}[{F}:etd-app]")
    assert (sp["etd_root_cause"], sp["etd_case"]) == ("etd-not-consented", "2")
    for user in FABRIKAM:
        props = _junit_properties(run, f"{VERDICT}[{F}:{user}@fabrikam.example]")
        assert (props["etd_root_cause"], props["etd_case"]) == ("etd-not-consented", "2")
        assert props["etd_remediation_error"] == '"Remediation Failed. Unknown Reason."'
    assert run.with_outcome("error") == set()
