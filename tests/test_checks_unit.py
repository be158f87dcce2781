"""The checks are pure functions of snapshot data: exercised here without any HTTP."""

from __future__ import annotations

import pytest

from etd_readiness.catalog import PERMISSIONS, SERVICE_PLANS, SKUS
from etd_readiness.checks.base import Estate
from etd_readiness.checks.licensing import EXCHANGE_ONLINE_LICENCE
from etd_readiness.checks.permissions import APPLICATION_PERMISSION
from etd_readiness.checks.verdict import MAILBOX_VERDICT
from etd_readiness.findings import NotApplicable, NotEvaluated, SectionUnavailable
from etd_readiness.protection import is_protected, user_addresses
from etd_readiness.snapshot import Section, Snapshot, TenantSnapshot

E3 = SKUS["ENTERPRISEPACK"].sku_id
EXO2 = SERVICE_PLANS["EXCHANGE_S_ENTERPRISE"].plan_id
GRAPH_SP = "graph-sp"
ALL_ROLES = [
    {"appRoleId": PERMISSIONS[name].app_role_id, "resourceId": GRAPH_SP}
    for name in ("Mail.ReadWrite", "Organization.Read.All")
]
NOT_ENABLED = {"status": 404, "code": "MailboxNotEnabledForRESTAPI"}
NOT_FOUND = {"status": 404, "code": "ResourceNotFound"}


def _user(upn: str, *, plans=(), licenses=(), errors=(), sync=None, kind="Member", proxies=()) -> dict:
    return {
        "id": f"id-{upn}",
        "userPrincipalName": upn,
        "mail": upn,
        "userType": kind,
        "onPremisesSyncEnabled": sync,
        "proxyAddresses": list(proxies),
        "assignedPlans": [{"servicePlanId": p, "capabilityStatus": s, "service": "exchange"} for p, s in plans],
        "assignedLicenses": list(licenses),
        "licenseAssignmentStates": [{"skuId": E3, "error": e} for e in errors],
    }


def _estate(users, probes, *, assignments=ALL_ROLES, grants=(), ok=True, deleted=(), **context) -> Estate:
    sections = {
        "organization": Section(True, {"verifiedDomains": [{"name": "x.example"}]}),
        "users": Section(True, users) if ok else Section.failed("403 Authorization_RequestDenied"),
        "deletedUsers": Section(True, list(deleted)),
        "mailboxes": Section(True, probes),
        "etdServicePrincipal": Section(
            True, {"found": True, "servicePrincipal": {"id": "etd", "appId": "a", "displayName": "ETD"}}
        ),
        "graphServicePrincipal": Section(True, {"id": GRAPH_SP}),
        "etdAppRoleAssignments": Section(True, list(assignments)),
        "etdPermissionGrants": Section(True, list(grants)),
        "etdApplication": Section(True, []),
    }
    snap = Snapshot(
        [TenantSnapshot("t", "tid", sections=sections)], context={"manifest": ["Mail.ReadWrite"], **context}
    )
    return Estate(snap)


def _run(check, estate):
    return {s.test_id: check.run(estate, s) for s in check.subjects(estate)}


def _verdict(user: dict, probe: dict):
    """The RDY-01 finding (or None) for one user with one probe answer."""
    estate = _estate([user], {user["id"]: probe}, include_guests=[user["mail"]])
    return _run(MAILBOX_VERDICT, estate)[f"t:{user['userPrincipalName']}"]


def test_enabled_or_grace_mailbox_plan_passes_and_foundation_or_lapsed_does_not():
    users = [
        _user("ok@x.example", plans=[(EXO2, "Enabled")]),
        _user("grace@x.example", plans=[(EXO2, "Warning")]),
        _user(
            "teams@x.example",
            plans=[(SERVICE_PLANS["EXCHANGE_S_FOUNDATION"].plan_id, "Enabled")],
            licenses=[{"skuId": SKUS["M365_F1"].sku_id, "disabledPlans": []}],
        ),
        _user("suspended@x.example", plans=[(EXO2, "Suspended")]),
        _user("locked@x.example", plans=[(EXO2, "LockedOut")]),
        _user("deleted@x.example", plans=[(EXO2, "Deleted")]),
        _user("err@x.example", errors=["MutuallyExclusiveViolation"]),
    ]
    answers = {"ok@x.example": {"status": 200}, "grace@x.example": {"status": 200}}
    probes = {u["id"]: answers.get(u["userPrincipalName"], NOT_ENABLED) for u in users}
    found = _run(EXCHANGE_ONLINE_LICENCE, _estate(users, probes))
    assert found["t:ok@x.example"] is None
    assert found["t:grace@x.example"] is None
    causes = {sid: (f.root_cause, f.case) for sid, f in found.items() if f is not None}
    assert causes == {
        "t:teams@x.example": ("no-mailbox-plan", "4a"),
        "t:suspended@x.example": ("licence-lapsed", "4a"),
        "t:locked@x.example": ("licence-lapsed", "4a"),
        "t:deleted@x.example": ("licence-lapsed", "4a"),  # Deleted is the last state of a lapsing licence
        "t:err@x.example": ("licence-assignment-failed", "4a"),
    }
    assert "EXCHANGE_S_FOUNDATION" in found["t:teams@x.example"].problem
    assert "Suspended" in found["t:suspended@x.example"].problem
    assert "MutuallyExclusiveViolation" in found["t:err@x.example"].problem
    assert "CountViolation: buy or free seats" in found["t:err@x.example"].fix
    assert "Billing > Your products" in found["t:suspended@x.example"].fix


@pytest.mark.parametrize(
    ("licenses", "says"),
    [
        ([], "no assigned licence gives a mailbox any more"),
        ([{"skuId": E3, "disabledPlans": []}], "ENTERPRISEPACK is still assigned and lists no disabled Exchange plan"),
    ],
)
def test_a_deleted_plan_not_listed_as_disabled_is_a_lapsed_licence_not_a_plan_to_switch_back_on(licenses, says):
    user = _user("d@x.example", plans=[(EXO2, "Deleted")], licenses=licenses)
    found = _verdict(user, NOT_ENABLED)
    assert (found.root_cause, found.case) == ("licence-lapsed", "4a")
    assert says in found.problem and "switch Exchange Online back on" not in found.fix


def test_a_plan_every_holding_licence_disables_is_off_whatever_assigned_plans_says():
    off = _user("o@x.example", plans=[(EXO2, "Enabled")], licenses=[{"skuId": E3, "disabledPlans": [EXO2]}])
    found = _verdict(off, NOT_ENABLED)
    assert found.root_cause == "exchange-plan-disabled"  # not "mailbox-inactive: restore a soft-deleted mailbox"
    assert _run(EXCHANGE_ONLINE_LICENCE, _estate([off], {off["id"]: NOT_ENABLED}))["t:o@x.example"] is not None
    other = {"skuId": SKUS["EXCHANGEENTERPRISE"].sku_id, "disabledPlans": []}  # another licence still holds it
    both = _user("b@x.example", plans=[(EXO2, "Enabled")], licenses=[{"skuId": E3, "disabledPlans": [EXO2]}, other])
    assert _verdict(both, {"status": 200}) is None


def test_grace_period_plan_is_ready_with_a_note():
    user = _user("grace@x.example", plans=[(EXO2, "Warning")])
    estate = _estate([user], {user["id"]: {"status": 200, "userPurpose": "user"}})
    subject = next(iter(MAILBOX_VERDICT.subjects(estate)))
    assert MAILBOX_VERDICT.run(estate, subject) is None
    notes = MAILBOX_VERDICT.describe(estate, subject)["etd_notes"]
    assert "grace period" in notes and "EXCHANGE_S_ENTERPRISE Warning" in notes


def test_unlicensed_mailbox_that_answers_needs_no_licence_and_passes():
    shared = _user("shared@x.example")
    probe = {"status": 200, "userPurpose": "shared"}
    assert _run(EXCHANGE_ONLINE_LICENCE, _estate([shared], {shared["id"]: probe}))["t:shared@x.example"] is None
    assert _verdict(shared, probe) is None


def test_unexplained_probe_answer_is_not_a_finding_but_not_evaluated():
    user = _user("a@x.example", plans=[(EXO2, "Enabled")])
    with pytest.raises(NotEvaluated, match="unexplained"):
        _verdict(user, {"status": 403, "code": "ErrorAccessDenied", "message": "Access is denied."})


def test_auditor_scoped_out_by_access_policy_is_not_evaluated_never_a_finding_against_etd():
    user = _user("a@x.example", plans=[(EXO2, "Enabled")])
    probe = {"status": 403, "code": "ErrorAccessDenied", "message": "Access to OData is disabled."}
    with pytest.raises(NotEvaluated, match="the auditor app is scoped out") as err:
        _verdict(user, probe)
    assert "Test-ApplicationAccessPolicy -Identity a@x.example" in str(err.value)


def test_probe_failure_per_item_is_not_evaluated():
    user = _user("a@x.example", plans=[(EXO2, "Enabled")])
    with pytest.raises(NotEvaluated, match="429 after 4 retries"):
        _verdict(user, {"error": "429 after 4 retries"})


@pytest.mark.parametrize(
    ("user", "probe", "cause", "case", "fix"),
    [
        (_user("b@x.example"), NOT_ENABLED, "never-licensed", "4a", "the mailbox is then created automatically"),
        (_user("b@x.example"), NOT_FOUND, "never-licensed-not-found", "1b", "Licenses and apps: assign a licence"),
        (_user("l@x.example", plans=[(EXO2, "Enabled")]), NOT_FOUND, "not-provisioned-yet", "1b", "24 hours"),
        (_user("i@x.example", plans=[(EXO2, "Enabled")]), NOT_ENABLED, "mailbox-inactive", "4", "-SoftDeletedMailbox"),
        (
            _user("h@x.example", plans=[(EXO2, "Enabled")], sync=True),
            NOT_ENABLED,
            "on-premises",
            "4b",
            "New-MoveRequest",
        ),
        (_user("s@x.example", sync=True), NOT_ENABLED, "unlicensed-or-on-premises", "4a", "Get-RemoteMailbox s@"),
        (
            _user("r@x.example", sync=True, proxies=["SMTP:r@x.example", "smtp:r@x.mail.onmicrosoft.com"]),
            NOT_ENABLED,
            "on-premises-or-unlicensed",
            "4b",
            "Get-RemoteMailbox r@",
        ),
        (_user("g@x.example", kind="Guest"), NOT_ENABLED, "guest-account", "3a", "a guest's mailbox lives"),
        (
            _user("v@x.example", plans=[(EXO2, "Enabled")]),
            {"status": 404, "code": "ErrorInvalidUser"},
            "not-a-mailbox-user",
            "3a",
            "has a mailbox",
        ),
    ],
    ids=[
        "never-licensed",
        "never-licensed-not-found",
        "not-provisioned-yet",
        "mailbox-inactive",
        "on-premises",
        "unlicensed-or-on-premises",
        "on-premises-or-unlicensed",
        "guest-account",
        "not-a-mailbox-user",
    ],
)
def test_no_mailbox_is_diagnosed_from_the_probe_licence_and_hybrid_signs(user, probe, cause, case, fix):
    found = _verdict(user, probe)
    assert (found.root_cause, found.case, found.check_id) == (cause, case, "RDY-01")
    assert fix in found.fix


def test_on_premises_mailbox_is_never_told_to_assign_a_licence_first():
    hybrid = _user("h@x.example", plans=[(EXO2, "Enabled")], sync=True)
    found = _verdict(hybrid, NOT_ENABLED)
    assert "the mailbox is then created automatically" not in found.fix
    assert "Do not assign an Exchange Online licence" in found.fix
    assert ("onPremisesSyncEnabled", "true") in found.evidence
    # the licence check does not report it: licensing it would create a second, empty mailbox
    estate = _estate([hybrid], {hybrid["id"]: NOT_ENABLED})
    with pytest.raises(NotApplicable, match="not a licence question"):
        _run(EXCHANGE_ONLINE_LICENCE, estate)


def test_flapping_mailbox_is_intermittent_with_both_answers():
    user = _user("j@x.example", plans=[(EXO2, "Enabled")])
    found = _verdict(user, {**NOT_FOUND, "again": NOT_ENABLED})
    assert (found.root_cause, found.case) == ("intermittent", "1b")
    assert "404 ResourceNotFound and then 404 MailboxNotEnabledForRESTAPI" in found.problem
    assert ("mailbox probe", "404 ResourceNotFound, then 404 MailboxNotEnabledForRESTAPI") in found.evidence


@pytest.mark.parametrize(
    ("user", "first", "again", "cause", "case"),
    [  # GRAPH_FACTS §1: the same user without a mailbox can answer either 404; the directory decides the
        # cause, the first answer ETD's error and so the case
        (_user("n@x.example"), NOT_FOUND, NOT_ENABLED, "never-licensed-not-found", "1b"),
        (_user("n@x.example"), NOT_ENABLED, NOT_FOUND, "never-licensed", "4a"),
        (_user("s@x.example", sync=True), NOT_FOUND, NOT_ENABLED, "unlicensed-or-on-premises", "1b"),
        (_user("h@x.example", plans=[(EXO2, "Enabled")], sync=True), NOT_ENABLED, NOT_FOUND, "on-premises", "4b"),
        (_user("g@x.example", kind="Guest"), NOT_FOUND, NOT_ENABLED, "guest-account", "3a"),
        (_user("p@x.example", plans=[(EXO2, "Suspended")]), NOT_FOUND, NOT_ENABLED, "licence-lapsed", "1b"),
        (_user("p@x.example", plans=[(EXO2, "Suspended")]), NOT_ENABLED, NOT_FOUND, "licence-lapsed", "4a"),
    ],
)
def test_a_flip_between_the_two_no_mailbox_answers_is_diagnosed_from_the_directory(user, first, again, cause, case):
    found = _verdict(user, {**first, "again": again})
    assert (found.root_cause, found.case) == (cause, case)
    assert (
        "Graph gives either for a user without a mailbox"
        in MAILBOX_VERDICT.describe(
            _estate([user], {user["id"]: {**first, "again": again}}, include_guests=[user["mail"]]),
            next(iter(MAILBOX_VERDICT.subjects(_estate([user], {}, include_guests=[user["mail"]])))),
        )["etd_notes"]
    )


def test_a_never_licensed_user_that_flips_is_a_licence_finding_not_a_provisioning_wait():
    user = _user("n@x.example")
    found = _run(EXCHANGE_ONLINE_LICENCE, _estate([user], {user["id"]: {**NOT_FOUND, "again": NOT_ENABLED}}))
    assert found["t:n@x.example"].root_cause == "never-licensed-not-found"
    assert "24 hours" not in found["t:n@x.example"].fix


@pytest.mark.parametrize(
    ("probe", "case", "etd_error"),
    [
        (NOT_ENABLED, "4a", "The mailbox is either inactive, soft-deleted, or is hosted on-premise."),
        (NOT_FOUND, "1b", "Resource is not found"),  # ETD shows Graph's message: the seed's case 1b
    ],
)
def test_etd_error_and_case_follow_graphs_answer_for_every_no_mailbox_cause(probe, case, etd_error):
    for user, cause in [
        (_user("p@x.example", plans=[(EXO2, "Suspended")]), "licence-lapsed"),
        (_user("e@x.example", errors=["CountViolation"]), "licence-assignment-failed"),
        (_user("s@x.example", sync=True), "unlicensed-or-on-premises"),
    ]:
        verdict = _verdict(user, probe)
        assert (verdict.root_cause, verdict.case, verdict.etd_error.strip('"')) == (cause, case, etd_error)
        if cause != "unlicensed-or-on-premises":  # a licence question: C4A-01 says the same
            licence = _run(EXCHANGE_ONLINE_LICENCE, _estate([user], {user["id"]: probe}))[f"t:{user['mail']}"]
            assert (licence.case, licence.etd_error) == (verdict.case, verdict.etd_error)


def test_same_answer_twice_is_not_intermittent():
    found = _verdict(_user("b@x.example"), {**NOT_ENABLED, "again": NOT_ENABLED})
    assert found.root_cause == "never-licensed"


def test_exchange_provisioning_error_is_case_4_with_the_service_instance():
    user = _user("p@x.example", plans=[(EXO2, "Enabled")]) | {
        "serviceProvisioningErrors": [{"serviceInstance": "exchange/EUR-01", "isResolved": False}]
    }
    found = _verdict(user, NOT_ENABLED)
    assert (found.root_cause, found.case) == ("provisioning-error", "4")
    assert "exchange/EUR-01" in found.fix


def test_first_broken_link_is_the_root_and_the_rest_are_also():
    bare = _user("b@x.example")
    estate = _estate([bare], {bare["id"]: NOT_ENABLED}, assignments=[ALL_ROLES[1]])
    found = _run(MAILBOX_VERDICT, estate)["t:b@x.example"]
    assert (found.root_cause, found.case) == ("permission-missing", "2")
    assert len(found.also) == 1 and found.also[0].startswith("mailbox: has no licence at all")


def test_users_not_fetched_make_one_erroring_subject_per_tenant():
    subjects = list(EXCHANGE_ONLINE_LICENCE.subjects(_estate([], {}, ok=False)))
    assert len(subjects) == 1 and subjects[0].unavailable
    with pytest.raises(SectionUnavailable, match="403"):
        EXCHANGE_ONLINE_LICENCE.run(_estate([], {}, ok=False), subjects[0])


@pytest.mark.parametrize(
    ("assignments", "grants", "expected"),
    [
        ([{"appRoleId": PERMISSIONS["Mail.ReadWrite"].app_role_id, "resourceId": GRAPH_SP}], [], None),
        ([{"appRoleId": PERMISSIONS["Mail.ReadWrite"].app_role_id, "resourceId": "other"}], [], "permission-missing"),
        ([], [{"resourceId": GRAPH_SP, "scope": "User.Read Mail.ReadWrite"}], "permission-delegated-only"),
        ([], [], "permission-missing"),
    ],
)
def test_application_permission_versus_delegated(assignments, grants, expected):
    found = _run(APPLICATION_PERMISSION, _estate([], {}, assignments=assignments, grants=grants))["t:Mail.ReadWrite"]
    assert (found is None) if expected is None else ((found.root_cause, found.case) == (expected, "2"))


def test_protection_rules():
    member = _user("a@x.example") | {"proxyAddresses": ["SMTP:a@x.example", "smtp:alias@y.example"]}
    guest = _user("g_ext#EXT#@x.onmicrosoft.com", kind="Guest") | {"mail": "g@z.example"}
    assert user_addresses(member) == {"a@x.example", "alias@y.example"}
    assert is_protected(member, ["y.example"])
    assert not is_protected(member, ["x.example"], exclude=["a@x.example"])
    assert not is_protected(guest, ["z.example"])
    assert is_protected(guest, ["z.example"], include_guests=["g@z.example"])
    assert not is_protected(member, ["x.example"], group_member_ids={"someone-else"})


@pytest.mark.parametrize(
    ("answer", "is_mailbox_answer"),
    [
        ({"status": 200}, True),
        ({"status": 404, "code": "MailboxNotEnabledForRESTAPI"}, True),
        ({"status": 404, "code": "ResourceNotFound"}, True),
        ({"status": 404, "code": "ErrorInvalidUser"}, True),
        ({"status": 403, "code": "ErrorAccessDenied", "message": "Access to OData is disabled."}, True),
        (
            {
                "status": 403,
                "code": "ErrorAccessDenied",
                "message": "Access is denied. Check credentials and try again.",
            },
            False,
        ),
        (
            {"status": 400, "code": "BadRequest", "message": "Resource not found for the segment 'mailboxSettings'."},
            False,
        ),
        ({"status": 404, "code": "UnknownError"}, False),
    ],
)
def test_which_mailboxsettings_answers_send_the_probe_to_the_inbox_instead(answer, is_mailbox_answer):
    from etd_readiness.collect.probe import is_mailbox_answer as about_the_mailbox

    assert about_the_mailbox(answer) is is_mailbox_answer


def _two_tenants(a_users, b_users, **context) -> Estate:
    """Tenants a (a.example) and b (b.example), ETD fully consented in both; every probe answers 200."""

    def tenant(name, users):
        sections = {
            "organization": Section(
                True, {"verifiedDomains": [{"name": f"{name}.example"}, {"name": f"{name}.onmicrosoft.com"}]}
            ),
            "users": Section(True, users),
            "deletedUsers": Section(True, []),
            "mailboxes": Section(True, {u["id"]: {"status": 200} for u in users}),
            "etdServicePrincipal": Section(
                True, {"found": True, "servicePrincipal": {"id": "etd", "appId": "a", "displayName": "ETD"}}
            ),
            "graphServicePrincipal": Section(True, {"id": GRAPH_SP}),
            "etdAppRoleAssignments": Section(True, list(ALL_ROLES)),
            "etdPermissionGrants": Section(True, []),
            "etdApplication": Section(True, []),
        }
        return TenantSnapshot(name, f"id-{name}", sections=sections)

    snap = Snapshot([tenant("a", a_users), tenant("b", b_users)], context={"manifest": ["Mail.ReadWrite"], **context})
    return Estate(snap)


def test_a_person_is_judged_once_in_their_home_tenant_not_as_a_guest_or_synced_copy_elsewhere():
    alice = _user("alice@a.example", plans=[(EXO2, "Enabled")])
    synced_copy = {**_user("alice_a.example#EXT#@b.onmicrosoft.com"), "mail": "alice@a.example"}  # Member, #EXT#
    guest_copy = {**_user("alice_a.example#EXT#@b.onmicrosoft.com", kind="Guest"), "id": "g", "mail": "alice@a.example"}
    for copy in (synced_copy, guest_copy):
        ids = {s.test_id for s in MAILBOX_VERDICT.subjects(_two_tenants([alice], [copy]))}
        assert ids == {"a:alice@a.example", "b:no-protected-mailbox"}, ids  # b's empty scope is said, never READY
        named = _two_tenants([alice], [copy], protected_addresses=["alice@a.example"])
        assert {s.test_id for s in MAILBOX_VERDICT.subjects(named)} == {"a:alice@a.example", "b:no-protected-mailbox"}
    # a named guest with no member anywhere is still judged (ETD's list names it: it has no mailbox here)
    lone = _two_tenants([], [guest_copy], protected_addresses=["alice@a.example"])
    assert {s.test_id for s in MAILBOX_VERDICT.subjects(lone)} == {
        "a:no-protected-mailbox",
        "b:alice_a.example#ext#@b.onmicrosoft.com",
    }


def test_accounts_without_a_mail_address_are_not_mailboxes_unless_named():
    service = {**_user("svc-backup@x.example", sync=True), "mail": None, "proxyAddresses": []}
    estate = _estate([service], {service["id"]: NOT_ENABLED})
    assert [s.test_id for s in MAILBOX_VERDICT.subjects(estate) if not s.unavailable] == []
    named = _estate([service], {service["id"]: NOT_ENABLED}, protected_addresses=["svc-backup@x.example"])
    assert [s.test_id for s in MAILBOX_VERDICT.subjects(named)] == ["t:svc-backup@x.example"]


@pytest.mark.parametrize(
    ("first", "again", "cause"),
    [
        ({"status": 500, "code": "UnknownError"}, {"status": 200}, None),  # transient, then the mailbox answers
        (NOT_FOUND, NOT_ENABLED, "intermittent"),  # two different mailbox answers: it flaps
        (NOT_ENABLED, {"status": 502, "code": None}, "mailbox-inactive"),  # the repeat failed: the first stands
    ],
)
def test_only_two_different_mailbox_answers_are_intermittent(first, again, cause):
    user = _user("a@x.example", plans=[(EXO2, "Enabled")])
    found = _verdict(user, {**first, "again": again})
    assert (found.root_cause if found else None) == cause


def test_read_mode_holds_mail_read_through_an_application_mail_readwrite():
    from etd_readiness.checks.links import OK, permission_link

    view = _estate([], {}, etd_mode="read").tenant("t")  # ALL_ROLES: Mail.ReadWrite + Organization.Read.All
    assert permission_link(view, "Mail.Read").state == OK  # ReadWrite: "create, read, update, and delete mail"
    only_org = [a for a in ALL_ROLES if a["appRoleId"] == PERMISSIONS["Organization.Read.All"].app_role_id]
    assert permission_link(_estate([], {}, assignments=only_org).tenant("t"), "Mail.Read").cause_id == (
        "permission-missing"
    )


def test_missing_permission_evidence_lists_graph_roles_and_other_apis_apart():
    from etd_readiness.checks.links import permission_link

    exo = {
        "appRoleId": PERMISSIONS["Mail.ReadWrite"].app_role_id,
        "resourceId": "exo-sp",
        "resourceDisplayName": "Office 365 Exchange Online",
    }
    org = {"appRoleId": PERMISSIONS["Organization.Read.All"].app_role_id, "resourceId": GRAPH_SP}
    link = permission_link(_estate([], {}, assignments=[exo, org]).tenant("t"), "Mail.ReadWrite")
    assert link.cause_id == "permission-missing"
    assert dict(link.evidence) == {
        "granted Microsoft Graph Application permissions": "Organization.Read.All",
        "Application permissions on other APIs": "Office 365 Exchange Online",
    }


DELETED_ID = "c4252ef9-fed0-4e80-8ddd-f323e2ba74e3"


@pytest.mark.parametrize(
    ("deleted", "named"),
    [  # a deleted user keeps its mail and proxies; Graph puts its id (no hyphens) before its UPN
        (
            {
                "mail": "alice.smith@x.example",
                "userPrincipalName": "alice.smith@x.example",
                "proxyAddresses": ["SMTP:alice.smith@x.example", "smtp:alice@x.example"],
            },
            "alice@x.example",
        ),
        ({"mail": None, "userPrincipalName": f"{DELETED_ID.replace('-', '')}bob@x.example"}, "bob@x.example"),
    ],
)
def test_a_named_address_of_a_soft_deleted_user_is_soft_deleted_not_unknown(deleted, named):
    from etd_readiness.checks.reach import PROTECTED_ADDRESS_RESOLVES

    user = {"id": DELETED_ID, "userType": "Member", "deletedDateTime": "2026-11-20T08:00:00Z", **deleted}
    estate = _estate([], {}, deleted=[user], protected_addresses=[named], protection_domains=["elsewhere.example"])
    verdicts = _run(MAILBOX_VERDICT, estate)
    assert [f.root_cause for f in verdicts.values() if f is not None] == ["soft-deleted"], verdicts
    with pytest.raises(NotApplicable, match="soft-deleted user"):
        _run(PROTECTED_ADDRESS_RESOLVES, estate)


def test_a_named_guest_whose_possible_home_tenant_was_not_fetched_is_not_evaluated_never_a_finding():
    guest = {**_user("alice_a.example#EXT#@b.onmicrosoft.com", kind="Guest"), "id": "g", "mail": "alice@a.example"}
    estate = _two_tenants([], [guest], protected_addresses=["alice@a.example"])
    estate.snapshot.tenants[0].sections["users"] = Section.failed("403 Authorization_RequestDenied")
    subjects = {s.test_id: s for s in MAILBOX_VERDICT.subjects(estate)}
    guest_id = "b:alice_a.example#ext#@b.onmicrosoft.com"
    assert "users-not-fetched" in subjects["a:users-not-fetched"].test_id
    assert "the users of a were not fetched" in subjects[guest_id].unavailable
    with pytest.raises(NotEvaluated):
        MAILBOX_VERDICT.run(estate, subjects[guest_id])


def test_a_soft_deleted_copy_of_a_person_who_lives_in_another_configured_tenant_is_not_judged_deleted():
    alice = _user("alice@b.example", plans=[(EXO2, "Enabled")])
    moved = {
        "id": DELETED_ID,
        "userType": "Member",
        "mail": "alice@b.example",
        "deletedDateTime": "2026-11-01T00:00:00Z",
    }
    moved["userPrincipalName"] = f"{DELETED_ID.replace('-', '')}alice@a.example"
    estate = _two_tenants([], [alice], protected_addresses=["alice@b.example"])
    estate.snapshot.tenants[0].sections["deletedUsers"] = Section(True, [moved])
    subjects = {s.test_id: s for s in MAILBOX_VERDICT.subjects(estate)}
    assert set(subjects) == {"a:no-protected-mailbox", "b:alice@b.example"}  # no a:alice... soft-deleted item
    assert MAILBOX_VERDICT.run(estate, subjects["b:alice@b.example"]) is None


def test_a_guest_is_removed_from_etds_list_by_its_address_not_its_ext_upn():
    guest = {**_user("alice_a.example#EXT#@x.example", kind="Guest"), "mail": "alice@a.example"}
    estate = _estate([guest], {guest["id"]: NOT_ENABLED}, include_guests=["alice@a.example"])
    found = _run(MAILBOX_VERDICT, estate)["t:alice_a.example#ext#@x.example"]
    assert found.root_cause == "guest-account"
    assert "Remove alice@a.example from ETD's protected list" in found.fix and "#ext#" not in found.fix.lower()
