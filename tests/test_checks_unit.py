"""The checks are pure functions of snapshot data: exercised here without any HTTP."""

from __future__ import annotations

import pytest

from etd_readiness.catalog import PERMISSIONS, SERVICE_PLANS, SKUS
from etd_readiness.checks.base import Estate
from etd_readiness.checks.licensing import EXCHANGE_ONLINE_LICENCE
from etd_readiness.checks.mailboxes import MAILBOX_ANSWERS
from etd_readiness.checks.permissions import APPLICATION_PERMISSION
from etd_readiness.findings import SectionUnavailable
from etd_readiness.protection import is_protected, user_addresses
from etd_readiness.snapshot import Section, Snapshot, TenantSnapshot

E3 = SKUS["ENTERPRISEPACK"].sku_id
EXO2 = SERVICE_PLANS["EXCHANGE_S_ENTERPRISE"].plan_id
GRAPH_SP = "graph-sp"


def _user(upn: str, *, plans=(), licenses=(), errors=(), sync=None, kind="Member") -> dict:
    return {
        "id": f"id-{upn}",
        "userPrincipalName": upn,
        "mail": upn,
        "userType": kind,
        "onPremisesSyncEnabled": sync,
        "assignedPlans": [{"servicePlanId": p, "capabilityStatus": s, "service": "exchange"} for p, s in plans],
        "assignedLicenses": list(licenses),
        "licenseAssignmentStates": [{"skuId": E3, "error": e} for e in errors],
    }


def _estate(users, probes, *, assignments=(), grants=(), ok=True) -> Estate:
    sections = {
        "organization": Section(True, {"verifiedDomains": [{"name": "x.example"}]}),
        "users": Section(True, users) if ok else Section.failed("403 Authorization_RequestDenied"),
        "mailboxes": Section(True, probes),
        "etdServicePrincipal": Section(
            True, {"found": True, "servicePrincipal": {"id": "etd", "appId": "a", "displayName": "ETD"}}
        ),
        "graphServicePrincipal": Section(True, {"id": GRAPH_SP}),
        "etdAppRoleAssignments": Section(True, list(assignments)),
        "etdPermissionGrants": Section(True, list(grants)),
        "etdApplication": Section(True, []),
    }
    snap = Snapshot([TenantSnapshot("t", "tid", sections=sections)], context={"manifest": ["Mail.ReadWrite"]})
    return Estate(snap)


def _run(check, estate):
    return {s.test_id: check.run(estate, s) for s in check.subjects(estate)}


def test_enabled_mailbox_plan_passes_and_foundation_does_not():
    users = [
        _user("ok@x.example", plans=[(EXO2, "Enabled")]),
        _user(
            "teams@x.example",
            plans=[(SERVICE_PLANS["EXCHANGE_S_FOUNDATION"].plan_id, "Enabled")],
            licenses=[{"skuId": SKUS["M365_F1"].sku_id, "disabledPlans": []}],
        ),
        _user("suspended@x.example", plans=[(EXO2, "Suspended")]),
        _user("err@x.example", errors=["MutuallyExclusiveViolation"]),
    ]
    probes = {u["id"]: {"status": 404, "code": "MailboxNotEnabledForRESTAPI"} for u in users}
    found = _run(EXCHANGE_ONLINE_LICENCE, _estate(users, probes))
    assert found["t:ok@x.example"] is None
    assert "EXCHANGE_S_FOUNDATION" in found["t:teams@x.example"].problem
    assert "Suspended" in found["t:suspended@x.example"].problem
    assert "MutuallyExclusiveViolation" in found["t:err@x.example"].problem


def test_unlicensed_mailbox_that_answers_is_a_resource_mailbox_and_passes():
    shared = _user("shared@x.example")
    assert (
        _run(EXCHANGE_ONLINE_LICENCE, _estate([shared], {shared["id"]: {"status": 200}}))["t:shared@x.example"] is None
    )


def test_unexplained_probe_answer_is_not_a_finding_but_unavailable():
    user = _user("a@x.example", plans=[(EXO2, "Enabled")])
    estate = _estate([user], {user["id"]: {"status": 403, "code": "ErrorAccessDenied", "message": "Access is denied."}})
    with pytest.raises(SectionUnavailable):
        _run(MAILBOX_ANSWERS, estate)


def test_probe_failure_per_item_is_unavailable():
    user = _user("a@x.example", plans=[(EXO2, "Enabled")])
    estate = _estate([user], {user["id"]: {"error": "429 after 4 retries"}})
    with pytest.raises(SectionUnavailable, match="429 after 4 retries"):
        _run(MAILBOX_ANSWERS, estate)


def test_hybrid_user_is_case_4b_and_unlicensed_is_1b_4a():
    hybrid = _user("h@x.example", plans=[(EXO2, "Enabled")], sync=True)
    bare = _user("b@x.example")
    probes = {u["id"]: {"status": 404, "code": "MailboxNotEnabledForRESTAPI"} for u in (hybrid, bare)}
    found = _run(MAILBOX_ANSWERS, _estate([hybrid, bare], probes))
    assert found["t:h@x.example"].case == "4b"
    assert found["t:b@x.example"].case == "1b/4a"


def test_users_not_fetched_make_one_erroring_subject_per_tenant():
    subjects = list(EXCHANGE_ONLINE_LICENCE.subjects(_estate([], {}, ok=False)))
    assert len(subjects) == 1 and subjects[0].unavailable
    with pytest.raises(SectionUnavailable, match="403"):
        EXCHANGE_ONLINE_LICENCE.run(_estate([], {}, ok=False), subjects[0])


@pytest.mark.parametrize(
    ("assignments", "grants", "expected"),
    [
        ([{"appRoleId": PERMISSIONS["Mail.ReadWrite"].app_role_id, "resourceId": GRAPH_SP}], [], None),
        ([{"appRoleId": PERMISSIONS["Mail.ReadWrite"].app_role_id, "resourceId": "other"}], [], "is not granted"),
        ([], [{"resourceId": GRAPH_SP, "scope": "User.Read Mail.ReadWrite"}], "only as a Delegated"),
        ([], [], "is not granted"),
    ],
)
def test_application_permission_versus_delegated(assignments, grants, expected):
    found = _run(APPLICATION_PERMISSION, _estate([], {}, assignments=assignments, grants=grants))["t:Mail.ReadWrite"]
    assert (found is None) if expected is None else (expected in found.problem)


def test_protection_rules():
    member = _user("a@x.example") | {"proxyAddresses": ["SMTP:a@x.example", "smtp:alias@y.example"]}
    guest = _user("g_ext#EXT#@x.onmicrosoft.com", kind="Guest") | {"mail": "g@z.example"}
    assert user_addresses(member) == {"a@x.example", "alias@y.example"}
    assert is_protected(member, ["y.example"])
    assert not is_protected(member, ["x.example"], exclude=["a@x.example"])
    assert not is_protected(guest, ["z.example"])
    assert is_protected(guest, ["z.example"], include_guests=["g@z.example"])
    assert not is_protected(member, ["x.example"], group_member_ids={"someone-else"})
