"""Microsoft Graph constants shared by the emulator and the checks.

Permission ids, Exchange Online service plans and common SKUs, taken from
`shared/GRAPH_FACTS.md` (sections 2 and 3). Plain data, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
GRAPH_DISPLAY_NAME = "Microsoft Graph"


@dataclass(frozen=True)
class Permission:
    """One Microsoft Graph permission: its name and its application / delegated ids."""

    name: str
    app_role_id: str | None
    scope_id: str | None


PERMISSIONS: dict[str, Permission] = {
    p.name: p
    for p in (
        Permission("Mail.ReadWrite", "e2a3a72e-5f79-4c64-b1b1-878b674786c9", "024d486e-b451-40bb-833d-3e66d98c5c73"),
        Permission("Mail.Read", "810c84a8-4a9e-49e6-bf7d-12d183f40d01", "570282fd-fa5c-430d-a7fd-fc8dc98a9dca"),
        Permission("Mail.ReadBasic.All", "693c5e45-0940-467d-9b8a-1022fb9d42ef", None),
        Permission("Mail.Send", "b633e1c5-b582-4048-a93e-9f11b44c7e96", None),
        Permission(
            "Organization.Read.All",
            "498476ce-e0fe-48b0-b801-37ba7e2685c6",
            "4908d5b9-3fb2-4b1e-9336-1888b7937185",
        ),
        Permission("User.Read.All", "df021288-bdef-4463-88db-98f22de89214", None),
        Permission("Directory.Read.All", "7ab1d382-f21e-4acd-a863-ba3e13f7da61", None),
        Permission("Application.Read.All", "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", None),
        Permission("Domain.Read.All", "dbb9058a-0e50-45d7-ae91-66909b5d4664", None),
        Permission(
            "MailboxSettings.Read",
            "40f97065-369a-49f4-947c-6a255697ae91",
            "87f447af-9fa4-4c32-9dfa-4a57a73d18ce",
        ),
        Permission("User.Read", None, "e1fe6dd8-ba31-4d61-89e7-88639da4683d"),
        # Group.Read.All's app role id is confirmed in public manifests; GroupMember.Read.All's
        # is from the Graph permissions reference as remembered (GRAPH_FACTS does not list it).
        Permission("Group.Read.All", "5b567255-7703-4780-807c-7be8301ae99b", None),
        Permission("GroupMember.Read.All", "98830695-27a2-44f7-8c18-0c3ebc9698f6", None),
    )
}

PERMISSION_BY_ROLE_ID: dict[str, Permission] = {p.app_role_id: p for p in PERMISSIONS.values() if p.app_role_id}
PERMISSION_BY_SCOPE_NAME: dict[str, Permission] = {p.name: p for p in PERMISSIONS.values() if p.scope_id}

# ETD's documented manifest (GRAPH_FACTS §2). The seed document names the two that remediation
# cannot do without; the rest are what ETD's onboarding asks for.
ETD_MANIFEST_READ: tuple[str, ...] = (
    "Mail.Read",
    "Organization.Read.All",
    "User.Read.All",
    "Domain.Read.All",
    "Group.Read.All",
    "GroupMember.Read.All",
)
ETD_MANIFEST_READ_WRITE: tuple[str, ...] = ("Mail.ReadWrite", *ETD_MANIFEST_READ[1:])

# What the auditor identity (the app this suite signs in as) needs, least privilege.
AUDITOR_ROLES: dict[str, str] = {
    "User.Read.All": "list users, their licences and soft-deleted users",
    "Organization.Read.All": "read the organization, its verified domains and subscribed SKUs",
    "Application.Read.All": "read ETD's service principal, its app role assignments and consent grants",
    "MailboxSettings.Read": "probe each protected mailbox (GET /users/{id}/mailboxSettings): it exists, answers and "
    "what Exchange says it is (user, shared, room, equipment); reads no message",
}
AUDITOR_OPTIONAL_ROLES: dict[str, str] = {
    "GroupMember.Read.All": "only when protected users are chosen by group",
}


@dataclass(frozen=True)
class ServicePlan:
    """An Exchange-related service plan and whether it gives the user a mailbox."""

    name: str
    plan_id: str
    gives_mailbox: bool


SERVICE_PLANS: dict[str, ServicePlan] = {
    p.name: p
    for p in (
        ServicePlan("EXCHANGE_S_STANDARD", "9aaf7827-d63c-4b61-89c3-182f06f82e5c", True),
        ServicePlan("EXCHANGE_S_ENTERPRISE", "efb87545-963c-4e0d-99df-69c6916d9eb0", True),
        ServicePlan("EXCHANGE_S_DESKLESS", "4a82b400-a79f-41a4-b4e2-e94f5787b113", True),
        ServicePlan("EXCHANGE_S_ESSENTIALS", "1126bef5-da20-4f07-b45e-ad25d2581aa8", True),
        ServicePlan("EXCHANGE_S_STANDARD_GOV", "e9b4930a-925f-45e2-ac2a-3f7788ca6fdd", True),
        ServicePlan("EXCHANGE_S_ENTERPRISE_GOV", "8c3069c0-ccdb-44be-ab77-986203a67df2", True),
        ServicePlan("EXCHANGE_S_DESKLESS_GOV", "88f4d7ef-a73b-4246-8047-516022144c9f", True),
        ServicePlan("EXCHANGE_L_STANDARD", "d42bdbd6-c335-4231-ab3d-c8f348d5aff5", True),
        ServicePlan("EXCHANGE_B_STANDARD", "90927877-dcff-4af6-b346-2332c0b15bb7", True),
        ServicePlan("EXCHANGE_S_STANDARD_MIDMARKET", "fc52cc4b-ed7d-472d-bbe7-b081c23ecc56", True),
        ServicePlan("EXCHANGE_S_FOUNDATION", "113feb6c-3fe4-4440-bddc-54d774bf0318", False),
        ServicePlan("EXCHANGE_S_ARCHIVE_ADDON", "176a09a6-7ec5-4039-ac02-b2791c6ba793", False),
    )
}
SERVICE_PLAN_BY_ID: dict[str, ServicePlan] = {p.plan_id: p for p in SERVICE_PLANS.values()}
MAILBOX_PLAN_IDS: frozenset[str] = frozenset(p.plan_id for p in SERVICE_PLANS.values() if p.gives_mailbox)


@dataclass(frozen=True)
class Sku:
    """A licence SKU and the Exchange service plans it carries."""

    part_number: str
    sku_id: str
    exchange_plans: tuple[str, ...]


SKUS: dict[str, Sku] = {
    s.part_number: s
    for s in (
        Sku("ENTERPRISEPACK", "6fd2c87f-b296-42f0-b197-1e91e994b900", ("EXCHANGE_S_ENTERPRISE",)),
        Sku("ENTERPRISEPREMIUM", "c7df2760-2c81-4ef7-b578-5b5392b571df", ("EXCHANGE_S_ENTERPRISE",)),
        Sku("STANDARDPACK", "18181a46-0d4e-45cd-891e-60aabd171b4e", ("EXCHANGE_S_STANDARD",)),
        Sku("SPE_E3", "05e9a617-0261-4cee-bb44-138d3ef5d965", ("EXCHANGE_S_ENTERPRISE",)),
        Sku("SPE_E5", "06ebc4ee-1bb5-47dd-8120-11324bc54e06", ("EXCHANGE_S_ENTERPRISE",)),
        Sku("SPE_F1", "66b55226-6b4f-492c-910c-a3b7a3c9d993", ("EXCHANGE_S_DESKLESS",)),
        Sku("O365_BUSINESS_ESSENTIALS", "3b555118-da6a-4418-894f-7df1e2096870", ("EXCHANGE_S_STANDARD",)),
        Sku("O365_BUSINESS_PREMIUM", "f245ecc8-75af-4f8e-b61f-27d8114de5f3", ("EXCHANGE_S_STANDARD",)),
        Sku("SPB", "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", ("EXCHANGE_S_STANDARD",)),
        Sku("EXCHANGESTANDARD", "4b9405b0-7788-4568-add1-99614e613b69", ("EXCHANGE_S_STANDARD",)),
        Sku("EXCHANGEENTERPRISE", "19ec0d23-8335-4cbd-94ac-6050e30712fa", ("EXCHANGE_S_ENTERPRISE",)),
        Sku("EXCHANGEDESKLESS", "80b2d799-d2ba-4d2a-8842-fb0d0f3a4b82", ("EXCHANGE_S_DESKLESS",)),
        Sku("M365_F1", "44575883-256e-4a79-9da4-ebe9acabe2b2", ("EXCHANGE_S_FOUNDATION",)),
        Sku("O365_BUSINESS", "cdd28e44-67e3-425e-be4c-737fab2899d3", ()),
    )
}
SKU_BY_ID: dict[str, Sku] = {s.sku_id: s for s in SKUS.values()}
