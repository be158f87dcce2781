"""Links of ETD's remediation path and their states, shared by the per-mailbox verdict and per-cause checks.

A Link is one question on ETD's path (does ETD reach the tenant? does it hold Mail.ReadWrite as
Application? ...) answered *ok*, *broken* (with a declared cause), *unknown* (the data was not
fetched or cannot decide: the reason) or *n/a* (an earlier link makes it meaningless).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..catalog import GRAPH_APP_ID, PERMISSIONS
from ..findings import Finding, NotEvaluated
from .base import Estate, Subject, TenantView, make_finding

OK, BROKEN, UNKNOWN, NA = "ok", "broken", "unknown", "n/a"
PENDING = "pending"  # --etd-phase before: ETD's app is expected absent; neither ok nor broken
PENDING_PREFIX = "pending onboarding"
ONBOARDING_STEPS = (
    "to onboard, a Global Administrator of {tenant} signs in to the ETD portal, adds the tenant (Microsoft 365 "
    "authentication), signs in to Microsoft and Accepts the consent prompt, which grants ETD's app its Microsoft "
    "Graph Application permissions ({manifest}); then run the suite again without --etd-phase before"
)


def before_onboarding(estate: Estate) -> bool:
    return estate.context.get("phase") == "before"


def pending_reason(estate: Estate, tenant: str) -> str:
    """What a check says for ETD's app before onboarding: pending, with the consent steps."""
    steps = ONBOARDING_STEPS.format(tenant=tenant, manifest=", ".join(estate.context.get("manifest") or ()))
    return f"{PENDING_PREFIX}: ETD's app is not yet in tenant {tenant} (expected before onboarding); {steps}"


@dataclass(frozen=True)
class Link:
    """One answered question on ETD's path."""

    name: str
    state: str
    cause_id: str = ""
    problem: str = ""
    evidence: tuple[tuple[str, str], ...] = ()
    fix_values: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    answered: str = ""  # Graph's code the diagnosis rests on (ETD shows that answer's text)

    @classmethod
    def unknown(cls, name: str, reason: str) -> Link:
        return cls(name, UNKNOWN, problem=reason)


def finding_of(
    link: Link,
    check_id: str,
    subject: Subject,
    *,
    problem: str | None = None,
    evidence: tuple[tuple[str, str], ...] | None = None,
    also: tuple[str, ...] = (),
) -> Finding:
    """The finding a broken link makes: its cause, problem, evidence and fix values, and the Graph answer
    the diagnosis rests on (which sets the case and ETD's error)."""
    return make_finding(
        check_id,
        subject,
        link.cause_id,
        link.problem if problem is None else problem,
        evidence=link.evidence if evidence is None else evidence,
        also=also,
        fix_values=link.fix_values,
        answered=link.answered,
    )


# the answered links every ready mailbox repeats: one value each, not one per mailbox (200,000 at scale)
REACH_OK, PERMISSION_OK, PERMISSION_NA = Link("reach", OK), Link("permission", OK), Link("permission", NA)
USER_OK, NOT_SOFT_DELETED_OK = Link("user", OK), Link("soft-deleted", OK)


def etd_service_principal(view: TenantView) -> dict | None:
    """ETD's service principal in this tenant (None = not there); NotEvaluated if the lookup failed."""
    return view.section("etdServicePrincipal").get("servicePrincipal")


def app_name(view: TenantView) -> str:
    try:
        sp = etd_service_principal(view)
    except NotEvaluated:
        sp = None
    return sp["displayName"] if sp else view.context.get("etd_display_name", "the ETD app")


def reached(estate: Estate, tenant: str) -> bool | None:
    """Is ETD consented and enabled in the tenant? None when the lookup failed."""
    try:
        sp = etd_service_principal(estate.tenant(tenant))
    except NotEvaluated:
        return None
    return sp is not None and sp.get("accountEnabled") is not False


def reach_link(estate: Estate, tenant: str) -> Link:
    """Link 1: ETD's app is in the tenant and enabled.

    The case mapping (README, 'Case mapping'): in a multi-tenant setup where ETD reaches another
    configured tenant, a tenant it does not reach is case 3b ("The requested user is invalid.");
    otherwise (one tenant, or reached nowhere) case 2 ("Remediation Failed. Unknown Reason.").
    """
    view = estate.tenant(tenant)
    try:
        found = view.section("etdServicePrincipal")
    except NotEvaluated as err:
        return Link.unknown("reach", str(err))
    sp = found.get("servicePrincipal")
    elsewhere = [t for t in estate.tenants if t != tenant and reached(estate, t)]
    here = "-here" if estate.multi_tenant and elsewhere else ""
    values = {"tenant": tenant, "app": app_name(view)}
    if sp is None and before_onboarding(estate):
        return Link("reach", PENDING, problem=pending_reason(estate, tenant), notes=(f"ETD {PENDING_PREFIX}",))
    if sp is None:
        candidates = "; ".join(f"{c['displayName']} (appId {c['appId']})" for c in found.get("candidates") or ())
        where = f"; it reaches {', '.join(elsewhere)}" if here else ""
        return Link(
            "reach",
            BROKEN,
            f"etd-not-consented{here}",
            f"ETD's enterprise application is not in tenant {tenant} (looked up by {found.get('lookup')}): ETD "
            f"was never consented here, so it cannot act on this tenant's mailboxes{where}",
            (("similarly named enterprise apps", candidates),) if candidates else (),
            values,
        )
    if sp.get("accountEnabled") is False:
        return Link(
            "reach",
            BROKEN,
            f"etd-disabled{here}",
            f"ETD's enterprise application '{sp['displayName']}' (appId {sp['appId']}) is disabled in tenant "
            f"{tenant}: it cannot sign in, so Graph refuses every remediation",
            (("servicePrincipal.accountEnabled", "false"),),
            values,
        )
    return REACH_OK


# a Graph permission is also held through a wider one: Mail.ReadWrite "create, read, update, and delete mail"
COVERED_BY: dict[str, tuple[str, ...]] = {"Mail.Read": ("Mail.ReadWrite",)}


def remediation_permissions(estate: Estate) -> tuple[str, ...]:
    """What remediation cannot do without (the seed names both): the mode's mail permission + Organization.Read.All."""
    mail = "Mail.ReadWrite" if estate.context.get("etd_mode", "read-write") == "read-write" else "Mail.Read"
    return (mail, "Organization.Read.All")


def permission_link(view: TenantView, name: str) -> Link:
    """Does ETD hold this Graph permission as an Application permission in the tenant?"""
    perm = PERMISSIONS[name]
    values = {"app": app_name(view), "tenant": view.name, "permission": name}
    try:
        graph_sp = view.section("graphServicePrincipal")
        assignments = view.section("etdAppRoleAssignments")
    except NotEvaluated as err:
        return Link.unknown("permission", str(err))
    held = {perm.app_role_id, *(PERMISSIONS[wider].app_role_id for wider in COVERED_BY.get(name, ()))}
    if any(a.get("appRoleId") in held and a.get("resourceId") == graph_sp["id"] for a in assignments):
        return PERMISSION_OK
    try:
        grants = view.section("etdPermissionGrants")
        apps = view.section("etdApplication")
    except NotEvaluated as err:
        return Link.unknown("permission", f"{name} is not granted as Application; why not is unknown: {err}")
    scopes = {
        scope
        for grant in grants
        if grant.get("resourceId") == graph_sp["id"]
        for scope in (grant.get("scope") or "").split()
    }
    if name in scopes:
        return Link(
            "permission",
            BROKEN,
            "permission-delegated-only",
            f"{name} is granted to ETD only as a Delegated permission in {view.name}; ETD remediates without a "
            "signed-in user and needs it as type Application",
            (("oauth2PermissionGrants.scope", " ".join(sorted(scopes))),),
            values,
        )
    if perm.app_role_id in _requested_roles(apps):
        return Link(
            "permission",
            BROKEN,
            "permission-not-consented",
            f"{name} is requested by ETD's app registration but admin consent was never granted in {view.name}",
            (("requiredResourceAccess", f"Role {perm.app_role_id}"),),
            values,
        )
    granted = sorted(_names(a.get("appRoleId") for a in assignments if a.get("resourceId") == graph_sp["id"]))
    evidence = [("granted Microsoft Graph Application permissions", ", ".join(granted) or "none")]
    other = sorted(
        {
            str(a.get("resourceDisplayName") or a.get("resourceId"))
            for a in assignments
            if a.get("resourceId") != graph_sp["id"]
        }
    )
    if other:  # an app role of another API (e.g. Office 365 Exchange Online) is not a Graph permission
        evidence.append(("Application permissions on other APIs", ", ".join(other)))
    return Link(
        "permission",
        BROKEN,
        "permission-missing",
        f"{name} (Application) is not granted to ETD in {view.name}",
        tuple(evidence),
        values,
    )


def _requested_roles(apps: list[dict]) -> set[str]:
    ids: set[str] = set()
    for app in apps:
        for rra in app.get("requiredResourceAccess") or ():
            if rra.get("resourceAppId") == GRAPH_APP_ID:
                ids |= {ra["id"] for ra in rra.get("resourceAccess") or () if ra.get("type") == "Role"}
    return ids


def _names(role_ids) -> set[str]:
    by_id = {p.app_role_id: p.name for p in PERMISSIONS.values() if p.app_role_id}
    return {by_id.get(r, r) for r in role_ids if r}
