"""Endpoint families: how requests are grouped for accounting and fault injection."""

from __future__ import annotations

DIRECTORY_FAMILIES: frozenset[str] = frozenset(
    {
        "users",
        "deletedItems",
        "servicePrincipals",
        "appRoleAssignments",
        "oauth2PermissionGrants",
        "applications",
        "organization",
        "domains",
        "subscribedSkus",
        "groups",
    }
)
MAIL_FAMILIES: frozenset[str] = frozenset({"mailFolders", "messages", "move", "mailboxSettings"})
#: Every family: "batch" is the $batch envelope, "token" the authority's token endpoint, "other" an
#: unknown path.
FAMILIES: frozenset[str] = DIRECTORY_FAMILIES | MAIL_FAMILIES | {"batch", "token", "other"}
