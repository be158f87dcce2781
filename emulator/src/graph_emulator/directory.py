"""Graph JSON for a tenant's directory objects other than users: built once from the tenant model."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from . import catalog
from .tenant_fields import derived_id
from .tenant_model import Tenant

MICROSOFT_SERVICES_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
CREATED = "2025-01-06T08:00:00Z"


def graph_sp_id(tenant: Tenant) -> str:
    """The object id of Microsoft Graph's service principal in this tenant."""
    return derived_id(f"{tenant.id}/sp/{catalog.GRAPH_APP_ID}")


def _opaque_id(*parts: str) -> str:
    """An id shaped like Graph's base64 assignment/grant ids."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()[:32]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def graph_service_principal(tenant: Tenant) -> dict[str, Any]:
    """Microsoft Graph's own service principal, with an app role per catalogue permission."""
    roles = [
        {
            "allowedMemberTypes": ["Application"],
            "description": f"Allows the app to {p.name} without a signed-in user.",
            "displayName": p.name,
            "id": p.app_role_id,
            "isEnabled": True,
            "origin": "Application",
            "value": p.name,
        }
        for p in catalog.facts().permissions.values()
        if p.app_role_id
    ]
    scopes = [
        {
            "adminConsentDescription": f"Allows the app to {p.name} on behalf of the signed-in user.",
            "adminConsentDisplayName": p.name,
            "id": p.scope_id,
            "isEnabled": True,
            "type": "User" if p.name in ("User.Read", "Mail.Read", "Mail.ReadWrite") else "Admin",
            "userConsentDescription": None,
            "userConsentDisplayName": None,
            "value": p.name,
        }
        for p in catalog.facts().permissions.values()
        if p.scope_id
    ]
    return _sp(
        graph_sp_id(tenant),
        catalog.GRAPH_APP_ID,
        catalog.GRAPH_DISPLAY_NAME,
        True,
        MICROSOFT_SERVICES_TENANT,
        roles,
        scopes,
    )


def _sp(
    object_id: str,
    app_id: str,
    name: str,
    enabled: bool,
    owner: str,
    roles: list[Any] | None = None,
    scopes: list[Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": object_id,
        "appId": app_id,
        "displayName": name,
        "accountEnabled": enabled,
        "appOwnerOrganizationId": owner,
        "servicePrincipalType": "Application",
        "signInAudience": "AzureADMultipleOrgs",
        "appRoles": roles or [],
        "oauth2PermissionScopes": scopes or [],
        "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
    }


def service_principals(tenant: Tenant) -> list[dict[str, Any]]:
    """All service principals: Microsoft Graph's, the auditor's, and the file's."""
    out = [graph_service_principal(tenant)]
    listed = {sp.app_id for sp in tenant.service_principals}
    a = tenant.auditor
    if a.app_id not in listed:
        out.append(_sp(a.object_id, a.app_id, a.display_name, True, tenant.id))
    for sp in tenant.service_principals:
        out.append(_sp(sp.object_id, sp.app_id, sp.display_name, sp.account_enabled, sp.app_owner_organization_id))
    return out


def app_role_assignments(tenant: Tenant) -> dict[str, list[dict[str, Any]]]:
    """appRoleAssignments to Microsoft Graph, by the principal's (client SP's) object id."""
    resource = graph_sp_id(tenant)
    holders = [(tenant.auditor.object_id, tenant.auditor.display_name, tenant.auditor.roles)]
    for sp in tenant.service_principals:
        if sp.app_id == tenant.auditor.app_id:
            holders[0] = (
                sp.object_id,
                sp.display_name,
                tuple(dict.fromkeys((*tenant.auditor.roles, *sp.application_permissions))),
            )
        else:
            holders.append((sp.object_id, sp.display_name, sp.application_permissions))
    out: dict[str, list[dict[str, Any]]] = {}
    for object_id, name, roles in holders:
        out[object_id] = [
            {
                "id": _opaque_id(tenant.id, object_id, role),
                "deletedDateTime": None,
                "appRoleId": catalog.facts().permissions[role].app_role_id,
                "createdDateTime": CREATED,
                "principalDisplayName": name,
                "principalId": object_id,
                "principalType": "ServicePrincipal",
                "resourceDisplayName": catalog.GRAPH_DISPLAY_NAME,
                "resourceId": resource,
            }
            for role in roles
        ]
    return out


def oauth2_grants(tenant: Tenant, user_ids_by_upn: dict[str, str]) -> list[dict[str, Any]]:
    """oauth2PermissionGrants (delegated permissions) to Microsoft Graph."""
    resource = graph_sp_id(tenant)
    out = []
    for sp in tenant.service_principals:
        for i, g in enumerate(sp.delegated_grants):
            principal = user_ids_by_upn.get(g.principal.lower()) if g.principal else None
            if g.principal and principal is None:
                principal = derived_id(f"{tenant.id}/user/{g.principal.lower()}")
            out.append(
                {
                    "id": _opaque_id(tenant.id, sp.object_id, "grant", str(i)),
                    "clientId": sp.object_id,
                    "consentType": g.consent_type,
                    "principalId": principal,
                    "resourceId": resource,
                    "scope": " ".join(g.scopes),
                }
            )
    return out


def applications(tenant: Tenant) -> list[dict[str, Any]]:
    """App registrations whose home is this tenant."""
    initial = next((d.name for d in tenant.domains if d.initial), tenant.domains[0].name)
    out = []
    for app in tenant.applications:
        access = [{"id": catalog.facts().permissions[p].app_role_id, "type": "Role"} for p in app.required_application]
        access += [{"id": catalog.facts().permissions[p].scope_id, "type": "Scope"} for p in app.required_delegated]
        out.append(
            {
                "id": app.object_id,
                "appId": app.app_id,
                "displayName": app.display_name,
                "signInAudience": app.sign_in_audience,
                "publisherDomain": initial,
                "requiredResourceAccess": [{"resourceAppId": catalog.GRAPH_APP_ID, "resourceAccess": access}]
                if access
                else [],
            }
        )
    return out


def organization(tenant: Tenant) -> list[dict[str, Any]]:
    """The organization (one item), with its verified domains only."""
    verified = [
        {
            "capabilities": "Email, OfficeCommunicationsOnline",
            "isDefault": d.default,
            "isInitial": d.initial,
            "name": d.name,
            "type": "Managed",
        }
        for d in tenant.domains
        if d.verified
    ]
    return [{"id": tenant.id, "displayName": tenant.display_name, "tenantType": "AAD", "verifiedDomains": verified}]


def domains(tenant: Tenant) -> list[dict[str, Any]]:
    """GET /domains items."""
    return [
        {
            "id": d.name,
            "authenticationType": "Managed",
            "isAdminManaged": True,
            "isDefault": d.default,
            "isInitial": d.initial,
            "isRoot": True,
            "isVerified": d.verified,
            "supportedServices": ["Email"] if d.verified else [],
        }
        for d in tenant.domains
    ]


def subscribed_skus(tenant: Tenant) -> list[dict[str, Any]]:
    """GET /subscribedSkus items; consumedUnits counts the active users holding each SKU."""
    held: dict[str, int] = {}
    seen: dict[int, list[str]] = {}
    for u in tenant.users:
        lic = u["assignedLicenses"]
        ids = seen.get(id(lic))
        if ids is None:
            ids = seen[id(lic)] = [x["skuId"] for x in lic]
        for sku_id in ids:
            held[sku_id] = held.get(sku_id, 0) + 1
    return [
        {
            "id": f"{tenant.id}_{s.sku_id}",
            "accountId": tenant.id,
            "accountName": tenant.name,
            "appliesTo": "User",
            "capabilityStatus": s.capability_status,
            "consumedUnits": held.get(s.sku_id, 0),
            "prepaidUnits": {"enabled": s.prepaid, "suspended": s.suspended, "warning": s.warning, "lockedOut": 0},
            "servicePlans": [
                {"servicePlanId": pid, "servicePlanName": name, "provisioningStatus": "Success", "appliesTo": "User"}
                for pid, name in s.plans
            ],
            "skuId": s.sku_id,
            "skuPartNumber": s.part_number,
        }
        for s in tenant.skus
    ]
