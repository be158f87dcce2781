"""Who is protected: domains (default), a group, a file of addresses, named guests, exclusions."""

from __future__ import annotations

import textwrap

from conftest import write_config

LICENCE = "test_protected_user_holds_exchange_online_licence"
VERDICT = "test_etd_can_remediate_mailbox"
TENANT_ID = "0c9d4e5f-1a2b-4c3d-8e9f-a0b1c2d3e4f5"
GROUP_ID = "5d0e4c1a-9b8f-4e7d-a6c5-b4a3f2e1d0c9"


def _tenant(tmp_path, roles: str) -> object:
    path = tmp_path / "groupy.yaml"
    path.write_text(
        textwrap.dedent(
            f"""
            tenant:
              {{name: groupy, id: {TENANT_ID}, domains: [{{name: groupy.example, default: true}}]}}
            skus: [{{partNumber: ENTERPRISEPACK, prepaid: 10}}]
            auditor:
              appId: 2b998cf7-3ffa-4e58-9dd3-b3d23f2e584b
              secret: demo-auditor-secret
              roles: [{roles}]
            users:
              - {{upn: alice@groupy.example, licenses: [ENTERPRISEPACK]}}
              - {{upn: bob@groupy.example}}
              - {{upn: carol@groupy.example, licenses: [ENTERPRISEPACK]}}
              - {{upn: guest_x.example#EXT#@groupy.example, mail: guest@x.example, userType: Guest, mailbox: none}}
            groups:
              - {{id: {GROUP_ID}, displayName: ETD protected, members: [alice@groupy.example, carol@groupy.example]}}
            """
        ),
        encoding="utf-8",
    )
    return path


BASE_ROLES = "User.Read.All, Organization.Read.All, Application.Read.All, Mail.ReadBasic.All"


def _licence_subjects(run, prefix: str = LICENCE) -> dict[str, str]:
    return {n: o for n, o in run.outcomes().items() if n.startswith(prefix)}


def _props(run, test_id: str) -> dict[str, str]:
    import xml.etree.ElementTree as ET

    case = next(c for c in ET.parse(run.workdir / "junit.xml").iter("testcase") if c.get("name") == test_id)
    return {p.get("name"): p.get("value") for p in case.iter("property")}


def test_group_mode_tests_only_the_members(run_suite, emulator_for, suite_project, tmp_path):
    emu = emulator_for(files=[_tenant(tmp_path, BASE_ROLES + ", GroupMember.Read.All")])
    config = write_config(suite_project / "etd.toml", [("groupy", TENANT_ID)], protection={"group": GROUP_ID})
    run = run_suite(f"--etd-config={config}", emulator=emu)
    assert _licence_subjects(run) == {
        f"{LICENCE}[groupy:alice@groupy.example]": "passed",
        f"{LICENCE}[groupy:carol@groupy.example]": "passed",
    }, run.text()
    # one verdict per member; the tenant file has no ETD app, so each fails on the first link (case 2)
    assert set(_licence_subjects(run, VERDICT)) == {
        f"{VERDICT}[groupy:alice@groupy.example]",
        f"{VERDICT}[groupy:carol@groupy.example]",
    }


def test_group_mode_without_the_group_permission_errors(run_suite, emulator_for, suite_project, tmp_path):
    emu = emulator_for(files=[_tenant(tmp_path, BASE_ROLES)])
    config = write_config(suite_project / "etd.toml", [("groupy", TENANT_ID)], protection={"group": GROUP_ID})
    run = run_suite(f"--etd-config={config}", emulator=emu)
    subjects = _licence_subjects(run)
    assert subjects and set(subjects.values()) == {"error"}, run.text()
    assert "GroupMember.Read.All" in run.text()


def test_addresses_file_names_guests_and_unknown_addresses(run_suite, emulator_for, suite_project, tmp_path):
    emu = emulator_for(files=[_tenant(tmp_path, BASE_ROLES)])
    (suite_project / "protected.txt").write_text(
        "# ETD policy export\nguest@x.example\nnobody@groupy.example\n", encoding="utf-8"
    )
    config = write_config(
        suite_project / "etd.toml", [("groupy", TENANT_ID)], protection={"exclude": ["bob@groupy.example"]}
    )
    run = run_suite(f"--etd-config={config}", "--protected-addresses=protected.txt", emulator=emu)
    outcomes = run.outcomes()
    assert outcomes["test_protected_address_resolves_to_a_user[nobody@groupy.example]"] == "failed"
    assert outcomes["test_protected_address_resolves_to_a_user[guest@x.example]"] == "passed"
    assert f"{LICENCE}[groupy:guest_x.example#ext#@groupy.example]" in outcomes, "a named guest is in scope"
    assert f"{VERDICT}[groupy:guest_x.example#ext#@groupy.example]" in outcomes
    assert f"{LICENCE}[groupy:bob@groupy.example]" not in outcomes, "excluded"
    assert (
        "matches no user, active or soft-deleted (UPN, mail or proxy address), in any configured tenant" in run.text()
    )
    nobody = _props(run, "test_protected_address_resolves_to_a_user[nobody@groupy.example]")
    assert (nobody["etd_root_cause"], nobody["etd_case"]) == ("address-not-a-user", "3a")
    # the verdict for the unresolved address: ETD's app is absent here (the first link), the address is "also"
    verdict = _props(run, f"{VERDICT}[groupy:nobody@groupy.example]")
    assert (verdict["etd_root_cause"], verdict["etd_case"]) == ("etd-not-consented", "2")
    assert "user: matches no user, active or soft-deleted" in verdict["etd_also"]
    assert f"{VERDICT}[groupy:bob@groupy.example]" not in outcomes, "excluded"
