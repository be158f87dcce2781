"""The loaded form of a tenant file (docs/tenant-file.md): plain, read-only data.

Users are kept as compact Graph-shaped dicts (only the properties that have a value; shared,
never-mutated lists for licences and plans) so that a 100,000-user tenant stays small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAILBOX_STATES: frozenset[str] = frozenset(
    {
        "exchangeOnline",
        "none",
        "onPremises",
        "inactive",
        "shared",
        "room",
        "equipment",
        "notDiscoverable",
        "flapping",
        "accessPolicyDenied",
    }
)
#: Mailbox states whose mailbox answers the mail endpoints with 200.
ANSWERING_MAILBOXES: frozenset[str] = frozenset({"exchangeOnline", "shared", "room", "equipment"})


@dataclass(frozen=True)
class Domain:
    """A domain of the tenant."""

    name: str
    verified: bool = True
    default: bool = False
    initial: bool = False


@dataclass(frozen=True)
class SubscribedSku:
    """A subscribed SKU: the catalogue's SKU plus the tenant's seat counts."""

    part_number: str
    sku_id: str
    plans: tuple[tuple[str, str], ...]  # (servicePlanId, servicePlanName)
    prepaid: int = 0
    suspended: int = 0
    warning: int = 0
    capability_status: str = "Enabled"


@dataclass(frozen=True)
class Auditor:
    """The app the suite signs in as, registered in this tenant."""

    app_id: str
    display_name: str
    object_id: str
    secret: str | None
    certificate_pem: bytes | None
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DelegatedGrant:
    """An oauth2PermissionGrant of delegated Graph permissions."""

    scopes: tuple[str, ...]
    consent_type: str = "AllPrincipals"
    principal: str | None = None  # user UPN for consentType Principal


@dataclass(frozen=True)
class ServicePrincipal:
    """An enterprise application other than Microsoft Graph."""

    app_id: str
    display_name: str
    object_id: str
    account_enabled: bool
    app_owner_organization_id: str
    application_permissions: tuple[str, ...]
    delegated_grants: tuple[DelegatedGrant, ...]


@dataclass(frozen=True)
class Application:
    """An app registration whose home is this tenant."""

    app_id: str
    display_name: str
    object_id: str
    sign_in_audience: str
    required_application: tuple[str, ...]
    required_delegated: tuple[str, ...]


@dataclass(frozen=True)
class Message:
    """A message in a mailbox, as the tenant file describes it."""

    id: str
    internet_message_id: str
    folder: str
    subject: str = ""
    is_read: bool = False
    received: str = "2026-01-05T09:00:00Z"


@dataclass(frozen=True)
class Group:
    """A group: members are user UPNs or ids of other groups (nested)."""

    id: str
    display_name: str
    members: tuple[str, ...]
    mail_enabled: bool = False
    security_enabled: bool = True


@dataclass
class Tenant:
    """One tenant, as loaded from its file."""

    path: Path
    name: str
    id: str
    display_name: str
    domains: tuple[Domain, ...]
    skus: tuple[SubscribedSku, ...]
    auditor: Auditor
    service_principals: tuple[ServicePrincipal, ...] = ()
    applications: tuple[Application, ...] = ()
    users: list[dict[str, Any]] = field(default_factory=list)
    deleted_users: list[dict[str, Any]] = field(default_factory=list)
    groups: tuple[Group, ...] = ()
    #: mailbox state by user id (active users; soft-deleted users are `inactive`)
    mailboxes: dict[str, str] = field(default_factory=dict)
    #: messages by user id (only users that have some)
    messages: dict[str, tuple[Message, ...]] = field(default_factory=dict)

    def user(self, upn_or_id: str) -> dict[str, Any] | None:
        """An active user by id or UPN (case-insensitive); a linear scan, for tests and tools."""
        key = upn_or_id.lower()
        for u in self.users:
            if u["id"] == key or u["userPrincipalName"].lower() == key:
                return u
        return None
