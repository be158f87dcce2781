"""Purpose-built tenants: healthy ones give no finding; each broken one gives exactly its finding."""

from __future__ import annotations

import pytest

from conftest import tenant_ids, write_config

SP = "test_etd_enterprise_app_exists_and_is_enabled"
PERMISSION = "test_etd_holds_graph_application_permission"
REACH = "test_etd_is_consented_in_every_configured_tenant"


def _run(run_suite, emulator_for, suite_project, *names, **sections):
    emu = emulator_for(*names)
    config = write_config(suite_project / "etd.toml", tenant_ids(*names), **sections)
    return run_suite(f"--etd-config={config}", emulator=emu)


@pytest.mark.parametrize("names", [("healthy",), ("multi-a", "multi-b")], ids=["single", "multi"])
def test_healthy_tenants_give_no_finding(run_suite, emulator_for, suite_project, names):
    run = _run(run_suite, emulator_for, suite_project, *names)
    outcomes = run.outcomes()
    assert run.with_outcome("failed") == set() and run.with_outcome("error") == set(), run.text()
    passed = run.with_outcome("passed")
    assert any(n.startswith("test_protected_mailbox_answers") for n in passed)
    if len(names) == 2:
        assert {f"{REACH}[multi-a:etd-reach]", f"{REACH}[multi-b:etd-reach]"} <= passed
    else:
        assert "info@healthy.example" in " ".join(passed), "the shared mailbox is checked and passes"
        assert not any("partner" in n for n in outcomes), "the guest is out of scope"


def test_tricky_users_pass_both_checks(run_suite, emulator_for, suite_project):
    run = _run(run_suite, emulator_for, suite_project, "healthy")
    passed = run.with_outcome("passed")
    for user in ("info", "boardroom", "grace", "dave"):
        assert f"test_protected_user_holds_exchange_online_licence[healthy:{user}@healthy.example]" in passed
        assert f"test_protected_mailbox_answers_in_exchange_online[healthy:{user}@healthy.example]" in passed


def test_etd_missing_is_one_tenant_level_finding(run_suite, emulator_for, suite_project):
    run = _run(run_suite, emulator_for, suite_project, "no-etd")
    assert run.with_outcome("failed") == {
        f"{SP}[no-etd:etd-service-principal]",
        *(
            f"test_protected_domain_is_verified_where_etd_is_consented[no-etd:{d}]"
            for d in ("no-etd.example", "noetdtest.onmicrosoft.com")
        ),
    }, run.text()
    assert "ETD was never consented here" in run.text()
    assert run.outcomes()[f"{PERMISSION}[not-applicable]"] == "skipped"


def test_disabled_etd_app_is_named_with_its_fix(run_suite, emulator_for, suite_project):
    run = _run(run_suite, emulator_for, suite_project, "etd-disabled")
    assert f"{SP}[etd-disabled:etd-service-principal]" in run.with_outcome("failed")
    assert "is disabled" in run.text() and "Enabled for users to sign-in?" in run.text()


def test_requested_but_never_consented_is_said_in_those_words(run_suite, emulator_for, suite_project):
    run = _run(run_suite, emulator_for, suite_project, "requested-not-consented")
    failed = run.with_outcome("failed")
    assert f"{PERMISSION}[requested-not-consented:Mail.ReadWrite]" in failed
    assert f"{PERMISSION}[requested-not-consented:Organization.Read.All]" in failed
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


def test_etd_app_id_instead_of_display_name(run_suite, emulator_for, suite_project):
    emu = emulator_for("healthy")
    config = write_config(suite_project / "etd.toml", tenant_ids("healthy"))
    run = run_suite(f"--etd-config={config}", "--etd-app-id=00000000-1111-2222-3333-444444444444", emulator=emu)
    assert f"{SP}[healthy:etd-service-principal]" in run.with_outcome("failed")
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
    assert f"{SP}[renamed:etd-service-principal]" in run.with_outcome("failed")
    assert "Cisco Secure Email Threat Defense EU (appId 11111111-2222-3333-4444-555555555555)" in run.text()
