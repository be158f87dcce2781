"""`pytest tenant_checks` live against the emulator's demo tenants, through the real credentials."""

from __future__ import annotations

from conftest import tenant_ids, write_config

LICENCE = "test_protected_user_holds_exchange_online_licence"
MAILBOX = "test_protected_mailbox_answers_in_exchange_online"
PERMISSION = "test_etd_holds_graph_application_permission"
SP = "test_etd_enterprise_app_exists_and_is_enabled"
DELETED = "test_no_protected_target_is_soft_deleted"
ADDRESS = "test_protected_address_resolves_to_a_user"
DOMAIN = "test_protected_domain_is_verified_where_etd_is_consented"
REACH = "test_etd_is_consented_in_every_configured_tenant"

C = "contoso-demo"
F = "fabrikam-demo"
UNLICENSED = ["bob", "carol", "erin", "heidi", "peggy"]
FINE = ["alice", "dave", "grace", "info", "boardroom", "projector"]

EXPECTED_FAILURES = {
    *(f"{LICENCE}[{C}:{u}@contoso.example]" for u in UNLICENSED),
    *(f"{MAILBOX}[{C}:{u}@contoso.example]" for u in [*UNLICENSED, "frank", "ivan", "judy", "mallory"]),
    f"{PERMISSION}[{C}:Mail.ReadWrite]",
    f"{DELETED}[{C}:soft-deleted-users]",
    f"{SP}[{F}:etd-service-principal]",
    f"{ADDRESS}[ghost@contoso.example]",
    f"{DOMAIN}[{F}:fabrikam.example]",
    f"{DOMAIN}[{F}:fabrikamdemo.onmicrosoft.com]",
    f"{REACH}[{F}:etd-reach]",
}


def _demo_config(path, **protection):
    return write_config(
        path / "demo.toml",
        tenant_ids(C, F),
        protection={"addresses": ["ghost@contoso.example", "alice@contoso.example"], **protection},
    )


def test_every_seeded_fault_is_found_and_nothing_else(run_suite, emulator_for, suite_project):
    emu = emulator_for(C, F)
    run = run_suite(f"--etd-config={_demo_config(suite_project)}", emulator=emu)
    assert run.with_outcome("failed") == EXPECTED_FAILURES, run.text()
    assert run.with_outcome("error") == set()
    passed = run.with_outcome("passed")
    for user in FINE:
        assert f"{LICENCE}[{C}:{user}@contoso.example]" in passed
        assert f"{MAILBOX}[{C}:{user}@contoso.example]" in passed
    assert not any("partner" in name for name in run.outcomes()), "guests are out of scope unless named"
    assert emu.stats.requests[("POST", "token")] == 2, "one sign-in per tenant: the pre-flight token is reused"
    assert emu.stats.requests[("GET", "users")] == 2 and emu.stats.requests[("POST", "batch")] == 2


def test_findings_read_as_the_document_not_a_traceback(run_suite, emulator_for, suite_project):
    emu = emulator_for(C, F)
    text = run_suite(f"--etd-config={_demo_config(suite_project)}", emulator=emu).text()
    assert "contoso-demo:frank@contoso.example: is synced from on-premises AD" in text
    assert 'ETD error (case 4b): "The mailbox is either inactive, soft-deleted, or is hosted on-premise."' in text
    assert "Mail.ReadWrite is granted only as a Delegated permission" in text
    assert "licence assignment failed (ENTERPRISEPACK: CountViolation)" in text
    assert "EXCHANGE_S_FOUNDATION" in text  # carol: licensed, but no plan that gives a mailbox
    assert "Traceback" not in text and "def test_" not in text and "Subject(" not in text


def test_markers_select_one_documented_case(run_suite, emulator_for, suite_project):
    emu = emulator_for(C, F)
    run = run_suite(f"--etd-config={_demo_config(suite_project)}", "-m", "case2", emulator=emu)
    names = set(run.outcomes())
    assert names and all(n.startswith((SP, PERMISSION, MAILBOX)) for n in names)
    assert f"{PERMISSION}[{C}:Mail.ReadWrite]" in run.with_outcome("failed")


def test_single_tenant_from_environment_variables(run_suite, emulator_for, monkeypatch):
    """AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET, the way azure-identity users work."""
    emu = emulator_for(C)
    monkeypatch.setenv("AZURE_TENANT_ID", tenant_ids(C)[0][1])
    monkeypatch.setenv("AZURE_CLIENT_ID", "2b998cf7-3ffa-4e58-9dd3-b3d23f2e584b")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "demo-auditor-secret")
    monkeypatch.setenv("ETD_TENANT_NAME", C)
    run = run_suite("-rs", emulator=emu)
    failed = run.with_outcome("failed")
    assert f"{MAILBOX}[{C}:frank@contoso.example]" in failed
    assert run.outcomes()[f"{REACH}[not-applicable]"] == "skipped", "one tenant: multi-tenant reach does not apply"
    assert "only one tenant is configured" in run.text()
    assert run.with_outcome("error") == set()
