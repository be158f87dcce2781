"""Case 2, "Remediation Failed. Unknown Reason.": the ETD app lacks Microsoft Graph Application permissions."""

from __future__ import annotations

from ..catalog import GRAPH_APP_ID, PERMISSIONS
from ..findings import Finding
from .base import Check, Estate, Subject, TenantView, per_tenant

ETD_ERROR = '"Remediation Failed. Unknown Reason."'
CONSENT_FIX = (
    "Entra admin center > Identity > Applications > Enterprise applications > {app} > Permissions: "
    "'Grant admin consent for {tenant}', sign in as a Cloud Application Administrator (or higher) and Accept"
)


def _etd(view: TenantView) -> dict | None:
    return view.section("etdServicePrincipal").get("servicePrincipal")


def _app_name(view: TenantView) -> str:
    sp = _etd(view)
    return sp["displayName"] if sp else view.context.get("etd_display_name", "the ETD app")


def _sp_subjects(estate: Estate):
    return per_tenant(estate, lambda view: [Subject(view.name, "etd-service-principal")])


def _sp_evaluate(estate: Estate, subject: Subject) -> Finding | None:
    view = estate.tenant(subject.tenant)
    found = view.section("etdServicePrincipal")
    sp = found.get("servicePrincipal")
    if sp is None:
        candidates = "; ".join(f"{c['displayName']} (appId {c['appId']})" for c in found.get("candidates") or ())
        return Finding(
            check_id="C2-01",
            case="2",
            subject=subject.test_id,
            problem=f"ETD's enterprise application is not in this tenant (looked up by {found.get('lookup')}): "
            "ETD was never consented here, so it holds no permission at all",
            etd_error=ETD_ERROR,
            fix="Onboard the tenant from the ETD portal (Microsoft 365 authentication) and Accept the consent "
            "prompt as a Global Administrator; if ETD's app has another name here, set etd.app_id",
            evidence=(("similarly named enterprise apps", candidates),) if candidates else (),
        )
    if sp.get("accountEnabled") is False:
        return Finding(
            check_id="C2-01",
            case="2",
            subject=subject.test_id,
            problem=f"ETD's enterprise application '{sp['displayName']}' (appId {sp['appId']}) is disabled: "
            "it cannot sign in, so Graph refuses every remediation",
            etd_error=ETD_ERROR,
            fix="Entra admin center > Enterprise applications > the ETD app > Properties: "
            "set 'Enabled for users to sign-in?' to Yes",
            evidence=(("servicePrincipal.accountEnabled", "false"),),
        )
    return None


ETD_SERVICE_PRINCIPAL = Check(
    check_id="C2-01",
    title="ETD's enterprise application exists and is enabled",
    cases=("2",),
    subjects=_sp_subjects,
    evaluate=_sp_evaluate,
)


def _perm_subjects(estate: Estate):
    """Tenant x permission, for tenants where ETD's app exists (C2-01 reports the others)."""
    manifest = estate.context.get("manifest", ())
    return per_tenant(
        estate, lambda view: [Subject(view.name, name, key=name) for name in manifest] if _etd(view) else []
    )


def _perm_evaluate(estate: Estate, subject: Subject) -> Finding | None:
    view = estate.tenant(subject.tenant)
    perm = PERMISSIONS[subject.key]
    fix = CONSENT_FIX.format(app=_app_name(view), tenant=view.name)
    if _etd(view) is None:
        return _finding(subject, f"{perm.name} is not granted: ETD's enterprise application is not in this tenant", fix)
    graph_sp = view.section("graphServicePrincipal")
    assignments = view.section("etdAppRoleAssignments")
    if any(a.get("appRoleId") == perm.app_role_id and a.get("resourceId") == graph_sp["id"] for a in assignments):
        return None
    scopes = {
        scope
        for grant in view.section("etdPermissionGrants")
        if grant.get("resourceId") == graph_sp["id"]
        for scope in (grant.get("scope") or "").split()
    }
    if perm.name in scopes:
        return _finding(
            subject,
            f"{perm.name} is granted only as a Delegated permission; ETD remediates without a signed-in user "
            "and needs it as type Application",
            f"{fix}; in the app registration's API permissions add Microsoft Graph > Application permissions "
            f"> {perm.name}",
            (("oauth2PermissionGrants.scope", " ".join(sorted(scopes))),),
        )
    requested = _requested_roles(view)
    if perm.app_role_id in requested:
        return _finding(
            subject,
            f"{perm.name} is requested by ETD's app registration but admin consent was never granted",
            fix,
            (("requiredResourceAccess", f"Role {perm.app_role_id}"),),
        )
    granted = sorted(_names(a.get("appRoleId") for a in assignments))
    return _finding(
        subject,
        f"{perm.name} (Application) is not granted to ETD",
        fix,
        (("granted Application permissions", ", ".join(granted) or "none"),),
    )


def _requested_roles(view: TenantView) -> set[str]:
    ids: set[str] = set()
    for app in view.section("etdApplication"):
        for rra in app.get("requiredResourceAccess") or ():
            if rra.get("resourceAppId") == GRAPH_APP_ID:
                ids |= {ra["id"] for ra in rra.get("resourceAccess") or () if ra.get("type") == "Role"}
    return ids


def _names(role_ids) -> set[str]:
    by_id = {p.app_role_id: p.name for p in PERMISSIONS.values() if p.app_role_id}
    return {by_id.get(r, r) for r in role_ids if r}


def _finding(subject: Subject, problem: str, fix: str, evidence: tuple = ()) -> Finding:
    return Finding(
        check_id="C2-02",
        case="2",
        subject=subject.test_id,
        problem=problem,
        etd_error=ETD_ERROR,
        fix=fix,
        evidence=evidence,
    )


APPLICATION_PERMISSION = Check(
    check_id="C2-02",
    title="ETD holds each permission of its manifest as a Microsoft Graph Application permission",
    cases=("2",),
    subjects=_perm_subjects,
    evaluate=_perm_evaluate,
    when_empty="ETD's enterprise application is in no configured tenant (see the C2-01 test)",
)
