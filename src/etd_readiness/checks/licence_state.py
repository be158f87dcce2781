"""A user's Exchange Online licence as Microsoft documents it: pure functions of the user's directory data.

capabilityStatus Enabled and Warning (grace period) work; Suspended, LockedOut and then Deleted are a
lapsing subscription (GRAPH_FACTS §11). A plan is switched off when every assigned licence that may hold
it lists it in disabledPlans (how that shows in assignedPlans is not documented: a plan listed there is
off whatever its capabilityStatus). A plan id the catalog does not know is not a finding by itself: the
mailbox probe decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import MAILBOX_PLAN_IDS, SERVICE_PLAN_BY_ID, SERVICE_PLANS, SKU_BY_ID

MAILBOX_PLAN_NAMES = frozenset(p.name for p in SERVICE_PLANS.values() if p.gives_mailbox)

WORKING = frozenset({"Enabled", "Warning"})
LAPSING = frozenset({"Suspended", "LockedOut"})


@dataclass(frozen=True)
class LicenceView:
    """What the licence says about a mailbox: a working plan, or the most specific reason there is none."""

    working: bool
    summary: str  # e.g. "EXCHANGE_S_ENTERPRISE Enabled" - the evidence behind a pass too
    cause_id: str = ""
    problem: str = ""
    detail: str = ""
    grace: bool = False  # a working plan in Warning: the subscription is in its grace period
    unknown_plans: tuple[str, ...] = ()


def _plan_name(plan_id: str) -> str:
    plan = SERVICE_PLAN_BY_ID.get(plan_id)
    return plan.name if plan else plan_id


def _sku_name(sku_id: str | None) -> str:
    sku = SKU_BY_ID.get(sku_id or "")
    return sku.part_number if sku else f"SKU {sku_id}"


def _may_give_mailbox(sku_id: str | None) -> bool:
    sku = SKU_BY_ID.get(sku_id or "")
    if sku is None:
        return True
    return any(p in MAILBOX_PLAN_NAMES for p in sku.exchange_plans)


def mailbox_plans(user: dict) -> list[dict]:
    """The user's assigned Exchange plans that give a mailbox."""
    return [p for p in user.get("assignedPlans") or () if p.get("servicePlanId") in MAILBOX_PLAN_IDS]


def exchange_provisioning_errors(user: dict) -> list[str]:
    """Unresolved Exchange provisioning errors (serviceProvisioningErrors for an exchange/... instance)."""
    return [
        str(e.get("serviceInstance"))
        for e in user.get("serviceProvisioningErrors") or ()
        if str(e.get("serviceInstance", "")).lower().startswith("exchange") and not e.get("isResolved")
    ]


def _carries(sku_id: str | None, plan_id: str) -> bool:
    """Might this SKU hold this plan? (an unknown SKU might)"""
    sku = SKU_BY_ID.get(sku_id or "")
    return sku is None or _plan_name(plan_id) in sku.exchange_plans


def switched_off(user: dict) -> frozenset[str]:
    """Mailbox plan ids every assigned licence that may hold them lists in its disabledPlans: off, whatever
    assignedPlans says (how a disabled plan shows there is not documented, GRAPH_FACTS §11)."""
    licences = user.get("assignedLicenses") or ()
    off = set()
    for plan_id in {d for lic in licences for d in lic.get("disabledPlans") or () if d in MAILBOX_PLAN_IDS}:
        holders = [lic for lic in licences if _carries(lic.get("skuId"), plan_id)]
        if all(plan_id in (lic.get("disabledPlans") or ()) for lic in holders):
            off.add(plan_id)
    return frozenset(off)


def licence_view(user: dict) -> LicenceView:
    """The licence as it bears on the mailbox (most specific reason first)."""
    plans = mailbox_plans(user)
    states = ", ".join(f"{_plan_name(p['servicePlanId'])} {p.get('capabilityStatus')}" for p in plans)
    off = switched_off(user)
    working = [p for p in plans if p.get("capabilityStatus") in WORKING and p.get("servicePlanId") not in off]
    if working:
        grace = all(p.get("capabilityStatus") == "Warning" for p in working)
        return LicenceView(True, states, grace=grace)
    errors = [  # only assignments that would have given a mailbox (an unknown SKU: it might have)
        f"{_sku_name(s.get('skuId'))}: {s.get('error')}"
        for s in user.get("licenseAssignmentStates") or ()
        if s.get("error") not in (None, "None") and _may_give_mailbox(s.get("skuId"))
    ]
    if errors:
        detail = "; ".join(errors)
        return LicenceView(
            False,
            f"assignment failed ({detail})",
            "licence-assignment-failed",
            f"has no Exchange Online licence because its licence assignment failed ({detail})",
            detail,
        )
    licences = user.get("assignedLicenses") or ()
    names = [_sku_name(lic.get("skuId")) for lic in licences]
    disabled = [_plan_name(d) for lic in licences for d in lic.get("disabledPlans") or () if d in MAILBOX_PLAN_IDS]
    if disabled:
        return LicenceView(
            False,
            f"{', '.join(disabled)} disabled in {', '.join(names)}",
            "exchange-plan-disabled",
            f"has its Exchange Online plan switched off in its licence ({', '.join(disabled)} disabled)",
            ", ".join(disabled),
        )
    lapsing = [p for p in plans if p.get("capabilityStatus") in LAPSING]
    if lapsing:
        return LicenceView(
            False,
            states,
            "licence-lapsed",
            f"holds an Exchange Online plan whose subscription has lapsed ({states})",
            states,
        )
    if plans:  # every mailbox plan Deleted, none listed in disabledPlans: nothing to switch back on
        held = [n for lic, n in zip(licences, names, strict=True) if _may_give_mailbox(lic.get("skuId"))]
        why = (
            f"while {', '.join(held)} is still assigned and lists no disabled Exchange plan: its subscription has "
            "most likely ended (Billing > Your products says; GET /users/<id>/licenseDetails shows the plan state)"
            if held
            else "and no assigned licence gives a mailbox any more: the licence was removed or its subscription ended"
        )
        return LicenceView(
            False, states, "licence-lapsed", f"holds an Exchange Online plan that is Deleted ({states}) {why}", states
        )
    unknown = tuple(
        p.get("servicePlanId", "")
        for p in user.get("assignedPlans") or ()
        if p.get("servicePlanId") not in SERVICE_PLAN_BY_ID and p.get("capabilityStatus") in WORKING
    )
    if names:
        extra = f"; it also holds Exchange plans this suite does not know ({', '.join(unknown)})" if unknown else ""
        return LicenceView(
            False,
            f"{', '.join(names)}: no mailbox plan",
            "no-mailbox-plan",
            f"is licensed ({', '.join(names)}) but no assigned plan gives a mailbox (EXCHANGE_S_FOUNDATION and "
            f"archive add-ons do not){extra}",
            unknown_plans=unknown,
        )
    return LicenceView(
        False,
        "no licence",
        "never-licensed",
        "has no licence at all: the account was created but never licensed, so no mailbox exists",
    )


def routing_addresses(user: dict) -> list[str]:
    """Hybrid routing addresses (smtp:...@<tenant>.mail.onmicrosoft.com): the hybrid sign."""
    return [
        p.split(":", 1)[1]
        for p in user.get("proxyAddresses") or ()
        if p.lower().startswith("smtp:") and p.lower().endswith(".mail.onmicrosoft.com")
    ]
