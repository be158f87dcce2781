"""Cases 1b and 4a: the account exists but holds no Exchange Online licence, so it has no mailbox."""

from __future__ import annotations

from ..catalog import MAILBOX_PLAN_IDS, SERVICE_PLAN_BY_ID, SKU_BY_ID
from ..findings import Finding, SectionUnavailable
from .base import Check, Estate, Subject, TenantView, per_tenant, user_label

# Graph's answers that prove there is no mailbox to remediate (GRAPH_FACTS §1).
NO_MAILBOX_CODES = frozenset({"MailboxNotEnabledForRESTAPI", "ResourceNotFound", "ErrorInvalidUser"})
ETD_ERROR = '"Resource is not found" or "The mailbox is either inactive, soft-deleted, or is hosted on-premise."'
FIX = (
    "Microsoft 365 admin center > Users > Active users > {user} > Licenses and apps: assign a licence that "
    "includes Exchange Online (Plan 1/2, Kiosk or a suite containing it); the mailbox is then created automatically"
)


def protected_user_subjects(estate: Estate):
    """Every protected user of every tenant."""
    return per_tenant(
        estate, lambda view: [Subject(view.name, user_label(u), key=u["id"]) for u in view.protected_users]
    )


def mailbox_plans(user: dict) -> list[dict]:
    """The user's assigned Exchange plans that give a mailbox."""
    return [p for p in user.get("assignedPlans") or () if p.get("servicePlanId") in MAILBOX_PLAN_IDS]


def has_enabled_mailbox_plan(user: dict) -> bool:
    return any(p.get("capabilityStatus") == "Enabled" for p in mailbox_plans(user))


def _why_unlicensed(user: dict) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The most specific reason, with the evidence behind it."""
    errors = [
        f"{SKU_BY_ID[s['skuId']].part_number if s.get('skuId') in SKU_BY_ID else s.get('skuId')}: {s.get('error')}"
        for s in user.get("licenseAssignmentStates") or ()
    ]
    if errors:
        return (
            "has no Exchange Online licence because its licence assignment failed (" + "; ".join(errors) + ")",
            (("licenseAssignmentStates", "; ".join(errors)),),
        )
    skus = [SKU_BY_ID.get(lic.get("skuId")) for lic in user.get("assignedLicenses") or ()]
    names = [s.part_number if s else "unknown SKU" for s in skus]
    disabled = [
        SERVICE_PLAN_BY_ID[d].name
        for lic in user.get("assignedLicenses") or ()
        for d in lic.get("disabledPlans") or ()
        if d in SERVICE_PLAN_BY_ID and SERVICE_PLAN_BY_ID[d].gives_mailbox
    ]
    if disabled:
        return (
            f"has its Exchange Online plan switched off in its licence ({', '.join(disabled)} disabled)",
            (("assignedLicenses", ", ".join(names)), ("disabledPlans", ", ".join(disabled))),
        )
    plans = mailbox_plans(user)
    if plans:
        states = ", ".join(f"{SERVICE_PLAN_BY_ID[p['servicePlanId']].name} {p.get('capabilityStatus')}" for p in plans)
        return f"holds an Exchange Online plan that is not enabled ({states})", (("assignedPlans", states),)
    if names:
        return (
            f"is licensed ({', '.join(names)}) but no assigned plan gives a mailbox "
            "(EXCHANGE_S_FOUNDATION and archive add-ons do not)",
            (("assignedLicenses", ", ".join(names)),),
        )
    return "has no licence at all: the account was created but never licensed, so no mailbox exists", (
        ("assignedLicenses", "none"),
    )


def _evaluate(estate: Estate, subject: Subject) -> Finding | None:
    view: TenantView = estate.tenant(subject.tenant)
    user = view.users_by_id[subject.key]
    if has_enabled_mailbox_plan(user):
        return None
    probe = view.mailbox(user["id"])
    if probe.get("status") == 200:
        return None  # shared, room and equipment mailboxes need no licence
    if probe.get("code") not in NO_MAILBOX_CODES:
        raise SectionUnavailable(
            view.name,
            "mailboxes",
            f"cannot tell whether unlicensed {user_label(user)} has a shared/resource mailbox: the probe answered "
            f"{probe.get('status')} {probe.get('code')}: {probe.get('message')}",
        )
    problem, evidence = _why_unlicensed(user)
    return Finding(
        check_id="C4A-01",
        case="1b/4a",
        subject=subject.test_id,
        problem=problem,
        etd_error=ETD_ERROR,
        fix=FIX.format(user=user_label(user)),
        evidence=(*evidence, ("mailbox probe", f"{probe.get('status')} {probe.get('code') or ''}".strip())),
    )


EXCHANGE_ONLINE_LICENCE = Check(
    check_id="C4A-01",
    title="Every protected user holds an enabled Exchange Online plan",
    cases=("1b", "4a"),
    subjects=protected_user_subjects,
    evaluate=_evaluate,
)
