"""The entity types the emulator serves: properties, default `$select`, filterable properties."""

from __future__ import annotations

from .odata import Entity
from .odata_filter import FilterSchema


def _props(names: tuple[str, ...]) -> dict[str, str]:
    return {n.lower(): n for n in names}


USER_DEFAULT_SELECT = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)
USER_PROPS = (
    *USER_DEFAULT_SELECT,
    "accountEnabled",
    "userType",
    "onPremisesSyncEnabled",
    "proxyAddresses",
    "assignedLicenses",
    "assignedPlans",
    "licenseAssignmentStates",
    "serviceProvisioningErrors",
    "department",
    "usageLocation",
    "createdDateTime",
)
_USER_DEFAULTS = {
    "businessPhones": [],
    "proxyAddresses": [],
    "assignedLicenses": [],
    "assignedPlans": [],
    "licenseAssignmentStates": [],
    "serviceProvisioningErrors": [],
}
_USER_FILTER = FilterSchema(
    type_name="User",
    props=_props(
        (
            "id",
            "userPrincipalName",
            "mail",
            "displayName",
            "givenName",
            "surname",
            "userType",
            "accountEnabled",
            "jobTitle",
            "department",
            "usageLocation",
            "onPremisesSyncEnabled",
        )
    ),
    collections=frozenset({"proxyAddresses"}),
    advanced=frozenset({"onPremisesSyncEnabled"}),
)
USER = Entity("microsoft.graph.user", USER_PROPS, USER_DEFAULT_SELECT, _USER_DEFAULTS, _USER_FILTER)
DELETED_USER = Entity(
    "microsoft.graph.user",
    (*USER_PROPS, "deletedDateTime"),
    (*USER_DEFAULT_SELECT, "deletedDateTime"),
    _USER_DEFAULTS,
    _USER_FILTER,
)

_SP_PROPS = (
    "id",
    "appId",
    "displayName",
    "accountEnabled",
    "appOwnerOrganizationId",
    "servicePrincipalType",
    "signInAudience",
    "appRoles",
    "oauth2PermissionScopes",
    "tags",
)
SERVICE_PRINCIPAL = Entity(
    "microsoft.graph.servicePrincipal",
    _SP_PROPS,
    _SP_PROPS,
    {},
    FilterSchema("ServicePrincipal", _props(("id", "appId", "displayName", "servicePrincipalType"))),
)
_ASSIGNMENT_PROPS = (
    "id",
    "appRoleId",
    "createdDateTime",
    "principalDisplayName",
    "principalId",
    "principalType",
    "resourceDisplayName",
    "resourceId",
    "deletedDateTime",
)
APP_ROLE_ASSIGNMENT = Entity(
    "microsoft.graph.appRoleAssignment",
    _ASSIGNMENT_PROPS,
    _ASSIGNMENT_PROPS,
    {},
    FilterSchema("AppRoleAssignment", _props(("appRoleId", "principalId", "resourceId"))),
)
_GRANT_PROPS = ("id", "clientId", "consentType", "principalId", "resourceId", "scope")
OAUTH2_GRANT = Entity(
    "microsoft.graph.oAuth2PermissionGrant",
    _GRANT_PROPS,
    _GRANT_PROPS,
    {},
    FilterSchema("OAuth2PermissionGrant", _props(("clientId", "consentType", "principalId", "resourceId"))),
)
_APP_PROPS = ("id", "appId", "displayName", "signInAudience", "publisherDomain", "requiredResourceAccess")
APPLICATION = Entity(
    "microsoft.graph.application",
    _APP_PROPS,
    _APP_PROPS,
    {},
    FilterSchema("Application", _props(("id", "appId", "displayName", "signInAudience"))),
)
_ORG_PROPS = ("id", "displayName", "tenantType", "verifiedDomains")
ORGANIZATION = Entity("microsoft.graph.organization", _ORG_PROPS, _ORG_PROPS, {}, FilterSchema("Organization", {}))
_DOMAIN_PROPS = (
    "id",
    "authenticationType",
    "isAdminManaged",
    "isDefault",
    "isInitial",
    "isRoot",
    "isVerified",
    "supportedServices",
)
DOMAIN = Entity(
    "microsoft.graph.domain",
    _DOMAIN_PROPS,
    _DOMAIN_PROPS,
    {},
    FilterSchema("Domain", {}),
)
_SKU_PROPS = (
    "id",
    "accountId",
    "accountName",
    "appliesTo",
    "capabilityStatus",
    "consumedUnits",
    "prepaidUnits",
    "servicePlans",
    "skuId",
    "skuPartNumber",
)
SUBSCRIBED_SKU = Entity("microsoft.graph.subscribedSku", _SKU_PROPS, _SKU_PROPS, {}, FilterSchema("SubscribedSku", {}))
_GROUP_PROPS = ("id", "displayName", "mailEnabled", "securityEnabled", "groupTypes", "mail")
GROUP = Entity(
    "microsoft.graph.group",
    _GROUP_PROPS,
    _GROUP_PROPS,
    {},
    FilterSchema("Group", _props(("id", "displayName", "mailEnabled", "securityEnabled"))),
)
_MESSAGE_PROPS = (
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "receivedDateTime",
    "subject",
    "bodyPreview",
    "isRead",
    "internetMessageId",
    "parentFolderId",
)
MESSAGE = Entity(
    "microsoft.graph.message",
    _MESSAGE_PROPS,
    _MESSAGE_PROPS,
    {},
    FilterSchema(
        "Message",
        _props(("id", "internetMessageId", "subject", "isRead", "parentFolderId")),
        directory=False,
    ),
    max_top=1000,
    default_top=10,
)
_FOLDER_PROPS = (
    "id",
    "displayName",
    "parentFolderId",
    "childFolderCount",
    "unreadItemCount",
    "totalItemCount",
    "isHidden",
)
MAIL_FOLDER = Entity(
    "microsoft.graph.mailFolder",
    _FOLDER_PROPS,
    _FOLDER_PROPS,
    {},
    FilterSchema("MailFolder", _props(("displayName",)), directory=False),
    max_top=1000,
    default_top=10,
)
