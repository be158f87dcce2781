"""Purpose-built tenants: healthy ones give no finding; each broken one gives exactly its finding."""

from __future__ import annotations

import pytest

from conftest import tenant_ids, write_config

SP = "test_etd_enterprise_app_exists_and_is_enabled"
PERMISSION = "test_etd_holds_graph_application_permission"
VERDICT = "test_etd_can_remediate_mailbox"
LICENCE = "test_protected_user_holds_exchange_online_licence"
DOMAIN = "test_protected_domain_is_verified_where_etd_is_consented"
MANIFEST = ["Mail.ReadWrite", "Organization.Read.All", "User.Read.All", "Domain.Read.All", "Group.Read.All"]
MANIFEST += ["GroupMember.Read.All"]


def _run(run_suite, emulator_for, suite_project, *names, **sections):
    emu = emulator_for(*names)
    config = write_config(suite_project / "etd.toml", tenant_ids(*names), **sections)
    return run_suite(f"--etd-config={config}", emulator=emu)


def _props(run, test_id: str) -> dict[str, str]:
    import xml.etree.ElementTree as ET

    case = next(c for c in ET.parse(run.workdir / "junit.xml").iter("testcase") if c.get("name") == test_id)
    return {p.get("name"): p.get("value") for p in case.iter("property")}


def _cause(run, test_id: str) -> tuple[str, str]:
    props = _props(run, test_id)
    return props["etd_root_cause"], props["etd_case"]


@pytest.mark.parametrize("names", [("healthy",), ("multi-a", "multi-b")], ids=["single", "multi"])
def test_healthy_tenants_give_no_finding(run_suite, emulator_for, suite_project, names):
    run = _run(run_suite, emulator_for, suite_project, *names)
    outcomes = run.outcomes()
    assert run.with_outcome("failed") == set() and run.with_outcome("error") == set(), run.text()
    passed = run.with_outcome("passed")
    verdicts = {n for n in outcomes if n.startswith(VERDICT)}
    if len(names) == 2:
        users = [f"{t}:{u}@{t[-1]}.example" for t in names for u in ("alice", "bob", "carol")]
        assert {f"{SP}[multi-a:etd-app]", f"{SP}[multi-b:etd-app]"} <= passed
        assert {f"{PERMISSION}[{t}:{p}]" for t in names for p in MANIFEST} <= passed
    else:
        users = [f"healthy:{u}@healthy.example" for u in ("alice", "boardroom", "dave", "grace", "info")]
        assert not any("partner" in n for n in outcomes), "the guest is out of scope"
    assert verdicts == {f"{VERDICT}[{u}]" for u in users} and verdicts <= passed, "one verdict per mailbox"


def test_tricky_users_pass_both_checks(run_suite, emulator_for, suite_project):
    run = _run(run_suite, emulator_for, suite_project, "healthy")
    passed = run.with_outcome("passed")
    for user in ("info", "boardroom", "grace", "dave"):
        assert f"{LICENCE}[healthy:{user}@healthy.example]" in passed
        assert f"{VERDICT}[healthy:{user}@healthy.example]" in passed
    # the auditor holds Mail.ReadBasic.All, not MailboxSettings.Read: the recipient type is unknown, and said so
    info = _props(run, f"{VERDICT}[healthy:info@healthy.example]")
    assert info["etd_recipient_type"] == "" and "the recipient type is unknown" in info["etd_notes"]
    assert info["etd_probe"] == "200"


def test_etd_missing_is_case_2_for_the_tenant_its_domains_and_each_mailbox(run_suite, emulator_for, suite_project):
    """A single tenant where ETD was never consented: case 2 ("Unknown Reason"), not the multi-tenant 3b."""
    run = _run(run_suite, emulator_for, suite_project, "no-etd")
    users = [f"no-etd:{u}@no-etd.example" for u in ("alice", "bob", "carol")]
    domains = [f"{DOMAIN}[no-etd:{d}]" for d in ("no-etd.example", "noetdtest.onmicrosoft.com")]
    assert run.with_outcome("failed") == {
        f"{SP}[no-etd:etd-app]",
        *domains,
        *(f"{VERDICT}[{u}]" for u in users),
    }, run.text()
    for test_id in (f"{SP}[no-etd:etd-app]", *domains, *(f"{VERDICT}[{u}]" for u in users)):
        assert _cause(run, test_id) == ("etd-not-consented", "2"), test_id
    assert "Onboard no-etd in the ETD portal" in _props(run, f"{VERDICT}[{users[0]}]")["etd_fix"]
    assert "ETD was never consented here" in run.text()
    no_address = "test_protected_address_resolves_to_a_user[not-applicable]"  # none configured
    no_log = "test_remediation_error_is_explained[not-applicable]"  # no error log given
    assert {f"{PERMISSION}[no-etd:{p}]" for p in MANIFEST} | {no_address, no_log} == run.with_outcome("skipped")
    assert {f"{LICENCE}[{u}]" for u in users} <= run.with_outcome("passed"), "the mailboxes themselves are fine"


def test_disabled_etd_app_is_named_with_its_fix(run_suite, emulator_for, suite_project):
    run = _run(run_suite, emulator_for, suite_project, "etd-disabled")
    assert _cause(run, f"{SP}[etd-disabled:etd-app]") == ("etd-disabled", "2")
    for user in ("alice", "bob", "carol"):
        assert _cause(run, f"{VERDICT}[etd-disabled:{user}@etd-disabled.example]") == ("etd-disabled", "2")
    assert "is disabled" in run.text() and "Enabled for users to sign-in?" in run.text()


def test_requested_but_never_consented_is_said_in_those_words(run_suite, emulator_for, suite_project):
    run = _run(run_suite, emulator_for, suite_project, "requested-not-consented")
    failed = run.with_outcome("failed")
    assert f"{PERMISSION}[requested-not-consented:Mail.ReadWrite]" in failed
    assert f"{PERMISSION}[requested-not-consented:Organization.Read.All]" in failed
    for user in ("alice", "bob", "carol"):
        assert _cause(run, f"{VERDICT}[requested-not-consented:{user}@rnc.example]") == (
            "permission-not-consented",
            "2",
        )
    assert _cause(run, f"{PERMISSION}[requested-not-consented:User.Read.All]") == ("permission-missing", "2")
    text = run.text()
    assert "Mail.ReadWrite is requested by ETD's app registration but admin consent was never granted" in text
    assert "Grant admin consent for requested-not-consented" in text
    assert "User.Read.All (Application) is not granted to ETD" in text


def test_read_mode_asks_for_mail_read_not_mail_readwrite(run_suite, emulator_for, suite_project):
    emu = emulator_for("healthy")
    config = write_config(suite_project / "etd.toml", tenant_ids("healthy"), etd={"mode": "read"})
    names = set(run_suite(f"--etd-config={config}", "-m", "case2", emulator=emu).outcomes())
    assert f"{PERMISSION}[healthy:Mail.Read]" in names
    assert f"{PERMISSION}[healthy:Mail.ReadWrite]" not in names
    assert f"{VERDICT}[healthy:alice@healthy.example]" in names, "the verdict can report case 2"


def test_etd_app_id_instead_of_display_name(run_suite, emulator_for, suite_project):
    emu = emulator_for("healthy")
    config = write_config(suite_project / "etd.toml", tenant_ids("healthy"))
    run = run_suite(f"--etd-config={config}", "--etd-app-id=00000000-1111-2222-3333-444444444444", emulator=emu)
    assert _cause(run, f"{SP}[healthy:etd-app]") == ("etd-not-consented", "2")
    assert "looked up by appId 00000000-1111-2222-3333-444444444444" in run.text()


def test_etd_not_found_lists_similarly_named_apps(run_suite, emulator_for, suite_project, tmp_path):
    import textwrap

    tenant = tmp_path / "renamed.yaml"
    tenant.write_text(
        textwrap.dedent(
            """
            tenant:
              {name: renamed, id: 7b2e5f60-3c4d-4e8f-9a0b-1c2d3e4f5a6b,
               domains: [{name: renamed.example, default: true}]}
            auditor:
              appId: 2b998cf7-3ffa-4e58-9dd3-b3d23f2e584b
              secret: demo-auditor-secret
              roles: [User.Read.All, Organization.Read.All, Application.Read.All, Mail.ReadBasic.All]
            servicePrincipals:
              - {appId: 11111111-2222-3333-4444-555555555555, displayName: Cisco Secure Email Threat Defense EU}
            users: []
            """
        ),
        encoding="utf-8",
    )
    emu = emulator_for(files=[tenant])
    config = write_config(suite_project / "etd.toml", [("renamed", "7b2e5f60-3c4d-4e8f-9a0b-1c2d3e4f5a6b")])
    run = run_suite(f"--etd-config={config}", emulator=emu)
    assert _cause(run, f"{SP}[renamed:etd-app]") == ("etd-not-consented", "2")
    assert "Cisco Secure Email Threat Defense EU (appId 11111111-2222-3333-4444-555555555555)" in run.text()
