"""Fail closed: data that was not fetched makes the affected tests error with the reason, never pass."""

from __future__ import annotations

import textwrap

from conftest import tenant_ids, write_config
from graph_emulator import Faults

USER_TESTS = ("test_protected_user_holds", "test_etd_can_remediate_mailbox")


def _config(suite_project, *names, **sections):
    """A config whose retries back off quickly (no Retry-After on 503/504 means exponential backoff)."""
    return write_config(suite_project / "etd.toml", tenant_ids(*names), graph={"backoff_seconds": 0.01}, **sections)


def _starting(outcomes: dict[str, str], prefixes: tuple[str, ...]) -> dict[str, str]:
    return {name: got for name, got in outcomes.items() if name.startswith(prefixes)}


def test_auditor_without_mail_permission_errors_every_mailbox_test(run_suite, emulator_for, suite_project):
    emu = emulator_for("auditor-no-mail")
    run = run_suite(f"--etd-config={_config(suite_project, 'auditor-no-mail')}", emulator=emu)
    mailbox = _starting(run.outcomes(), ("test_etd_can_remediate_mailbox",))
    assert mailbox and set(mailbox.values()) == {"error"}, run.text()
    text = run.text()
    # neither MailboxSettings.Read nor Mail.ReadBasic.All: the preferred probe's permission is what to grant
    assert "lacks the Microsoft Graph Application permission MailboxSettings.Read" in text
    assert "the auditor lacks MailboxSettings.Read" in text  # the pre-flight, in the header
    outcomes = run.outcomes()
    assert outcomes[
        "test_protected_user_holds_exchange_online_licence[auditor-no-mail:info@auditor-no-mail.example]"
    ] == ("error"), "an unlicensed shared mailbox cannot be excused without the mailbox probe"
    assert emu.stats.requests.get(("POST", "batch"), 0) == 0, "a permission the auditor lacks is not even tried"


def test_auditor_without_user_permission_errors_every_user_test(run_suite, emulator_for, suite_project):
    emu = emulator_for("auditor-no-users")
    run = run_suite(f"--etd-config={_config(suite_project, 'auditor-no-users')}", emulator=emu)
    users = _starting(run.outcomes(), (*USER_TESTS, "test_no_protected_address_is_soft_deleted"))
    assert users and set(users.values()) == {"error"}, run.text()
    assert "User.Read.All" in run.text()
    assert run.outcomes()["test_etd_enterprise_app_exists_and_is_enabled[auditor-no-users:etd-app]"] == ("passed"), (
        "sections the auditor can read are still checked"
    )


def test_throttled_beyond_the_retry_budget_errors_with_the_reason(run_suite, emulator_for, suite_project):
    faults = Faults(throttle={"users": 1.0}, retry_after="fractional", retry_after_seconds=0.01)
    emu = emulator_for("healthy", faults=faults)
    run = run_suite(f"--etd-config={_config(suite_project, 'healthy')}", emulator=emu)
    users = _starting(run.outcomes(), USER_TESTS)
    assert set(users.values()) == {"error"}, run.text()
    assert "429 TooManyRequests" in run.text() and "after 4 retries" in run.text()
    assert emu.stats.requests[("GET", "users")] == 5


def test_throttled_mailbox_probes_error_only_the_mailbox_tests(run_suite, emulator_for, suite_project):
    faults = Faults(throttle={"mailFolders": 1.0}, retry_after_seconds=0.01, retry_after="fractional")
    emu = emulator_for("healthy", faults=faults)
    run = run_suite(f"--etd-config={_config(suite_project, 'healthy')}", emulator=emu)
    outcomes = run.outcomes()
    assert set(_starting(outcomes, ("test_etd_can_remediate_mailbox",)).values()) == {"error"}
    assert "ApplicationThrottled" in run.text()
    # the licence tests wait for the mailbox's answer too (whether the licence question applies is its to say)
    assert outcomes["test_protected_user_holds_exchange_online_licence[healthy:alice@healthy.example]"] == "error"


def test_throttling_within_the_budget_is_retried_and_passes(run_suite, emulator_for, suite_project):
    faults = Faults(throttle={"*": 1.0}, max_faults=1, retry_after="fractional", retry_after_seconds=0.05)
    emu = emulator_for("healthy", faults=faults)
    run = run_suite(f"--etd-config={_config(suite_project, 'healthy')}", emulator=emu)
    assert run.with_outcome("failed") == set() and run.with_outcome("error") == set(), run.text()
    assert emu.stats.requests[("GET", "users")] == 2


def test_unavailable_service_principals_error_the_permission_tests(run_suite, emulator_for, suite_project):
    emu = emulator_for("healthy", faults=Faults(unavailable={"servicePrincipals": 1.0}))
    run = run_suite(f"--etd-config={_config(suite_project, 'healthy')}", emulator=emu)
    outcomes = run.outcomes()
    etd = _starting(outcomes, ("test_etd_enterprise", "test_etd_holds", "test_protected_domain"))
    assert etd and set(etd.values()) == {"error"}, run.text()
    assert outcomes["test_protected_user_holds_exchange_online_licence[healthy:alice@healthy.example]"] == "passed"


def test_truncated_user_page_errors(run_suite, emulator_for, suite_project):
    emu = emulator_for("healthy", faults=Faults(truncate={"users"}))
    run = run_suite(f"--etd-config={_config(suite_project, 'healthy')}", emulator=emu)
    assert set(_starting(run.outcomes(), USER_TESTS).values()) == {"error"}
    assert "malformed or truncated JSON" in run.text()


def test_malformed_json_errors(run_suite, emulator_for, suite_project):
    emu = emulator_for("healthy", faults=Faults(malformed={"organization"}))
    run = run_suite(f"--etd-config={_config(suite_project, 'healthy')}", emulator=emu)
    domain = _starting(run.outcomes(), ("test_protected_domain",))
    assert domain and set(domain.values()) == {"error"}, run.text()
    assert run.with_outcome("failed") == set(), "missing data never becomes a finding"


def test_ambiguous_etd_display_name_lists_the_candidates(run_suite, emulator_for, suite_project, tmp_path):
    tenant = tmp_path / "twins.yaml"
    tenant.write_text(
        textwrap.dedent(
            """
            tenant:
              {name: twins, id: 6a1d3c3e-7a53-4e9b-a0e4-1f9b2f0b7c11, domains: [{name: twins.example, default: true}]}
            auditor:
              appId: 2b998cf7-3ffa-4e58-9dd3-b3d23f2e584b
              secret: demo-auditor-secret
              roles: [User.Read.All, Organization.Read.All, Application.Read.All, Mail.ReadBasic.All]
            servicePrincipals:
              - {appId: 11111111-2222-3333-4444-555555555555, displayName: Cisco Secure Email Threat Defense}
              - {appId: 66666666-7777-8888-9999-000000000000, displayName: Cisco Secure Email Threat Defense}
            users:
              - {upn: alice@twins.example, licenses: [ENTERPRISEPACK]}
            skus: [{partNumber: ENTERPRISEPACK, prepaid: 5}]
            """
        ),
        encoding="utf-8",
    )
    emu = emulator_for(files=[tenant])
    config = write_config(suite_project / "etd.toml", [("twins", "6a1d3c3e-7a53-4e9b-a0e4-1f9b2f0b7c11")])
    run = run_suite(f"--etd-config={config}", emulator=emu)
    etd = _starting(run.outcomes(), ("test_etd_enterprise",))
    assert set(etd.values()) == {"error"}
    text = run.text()
    assert "2 service principals are named 'Cisco Secure Email Threat Defense'" in text
    assert "11111111-2222-3333-4444-555555555555" in text and "66666666-7777-8888-9999-000000000000" in text


def test_403_on_a_section_despite_the_roles_errors_its_tests(run_suite, emulator_for, suite_project):
    """The token's roles cover the call, Graph still says 403 (e.g. Conditional Access): error, never pass."""
    emu = emulator_for("healthy", faults=Faults(forbidden={"appRoleAssignments"}))
    run = run_suite(f"--etd-config={_config(suite_project, 'healthy')}", emulator=emu)
    permissions = _starting(run.outcomes(), ("test_etd_holds",))
    assert permissions and set(permissions.values()) == {"error"}, run.text()
    assert "403 Authorization_RequestDenied" in run.text()
    assert "the auditor app needs one of: Application.Read.All" in run.text()


def test_403_on_every_mailbox_probe_errors_not_fails(run_suite, emulator_for, suite_project):
    emu = emulator_for("healthy", faults=Faults(forbidden={"mailFolders"}))
    run = run_suite(f"--etd-config={_config(suite_project, 'healthy')}", emulator=emu)
    mailbox = _starting(run.outcomes(), ("test_etd_can_remediate_mailbox",))
    assert mailbox and set(mailbox.values()) == {"error"}, run.text()
    assert run.with_outcome("failed") == set()
