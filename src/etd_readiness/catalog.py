"""Microsoft Graph constants the checks rely on. Plain data, no I/O.

Sources (checked on 2026-12-04; the emulator keeps its own cited copy in graph_emulator/facts/, and
tests/test_catalog_crosscheck.py fails on any difference between the two):
- permission ids: Microsoft's generated permission-id reference,
  microsoft-graph-docs-contrib concepts/includes/permissions-ids.md (learn.microsoft.com/graph/permissions-reference);
- service plans and SKUs: "Product names and service plan identifiers for licensing",
  learn.microsoft.com/entra/identity/users/licensing-service-plan-reference.
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
        Permission("Mail.ReadBasic.All", "693c5e45-0940-467d-9b8a-1022fb9d42ef", None),  # no Delegated form
        Permission("Mail.Send", "b633e1c5-b582-4048-a93e-9f11b44c7e96", "e383f46e-2787-4529-855e-0e479a3ffac0"),
        Permission(
            "Organization.Read.All",
            "498476ce-e0fe-48b0-b801-37ba7e2685c6",
            "4908d5b9-3fb2-4b1e-9336-1888b7937185",
        ),
        Permission("User.Read.All", "df021288-bdef-4463-88db-98f22de89214", "a154be20-db9c-4678-8ab7-66f6cc099a59"),
        Permission(
            "Directory.Read.All", "7ab1d382-f21e-4acd-a863-ba3e13f7da61", "06da0dbc-49e2-44d2-8312-53f166ab848a"
        ),
        Permission(
            "Application.Read.All",
            "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
            "c79f8feb-a9db-4090-85f9-90d820caa0eb",
        ),
        Permission("Domain.Read.All", "dbb9058a-0e50-45d7-ae91-66909b5d4664", "2f9ee017-59c1-4f1d-9472-bd5529a7b311"),
        Permission(
            "MailboxSettings.Read",
            "40f97065-369a-49f4-947c-6a255697ae91",
            "87f447af-9fa4-4c32-9dfa-4a57a73d18ce",
        ),
        Permission("User.Read", None, "e1fe6dd8-ba31-4d61-89e7-88639da4683d"),  # Delegated only
        Permission("Group.Read.All", "5b567255-7703-4780-807c-7be8301ae99b", "5f8c59db-677d-491f-a6b8-5f174b11ec1d"),
        Permission(
            "GroupMember.Read.All",
            "98830695-27a2-44f7-8c18-0c3ebc9698f6",
            "bc024368-1153-4739-b217-4326f2e966d0",
        ),
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


# Every Exchange Online service plan of the licensing reference. A plan gives a mailbox when the reference
# names it an Exchange Online mailbox plan (Plan 1/2, Kiosk, Essentials, POP, the Small Business and Midsize
# plans, their GCC "_GOV" versions); archive, Defender for Office 365 (ATP_ENTERPRISE, THREAT_INTELLIGENCE),
# EOP, MyAnalytics and Multi-Geo only add to a mailbox another plan gives, EXCHANGE_S_ARCHIVE archives an
# on-premises mailbox, and Foundation is plumbing. Education, GCC High (_USGOV_GCCHIGH), DoD (_USGOV_DOD) and
# EEA SKUs carry the commercial plan ids: only GCC has plans of its own.
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
        ServicePlan("EXCHANGE_S_STANDARD_MIDMARKET", "fc52cc4b-ed7d-472d-bbe7-b081c23ecc56", True),
        ServicePlan("EXCHANGE_L_STANDARD", "d42bdbd6-c335-4231-ab3d-c8f348d5aff5", True),
        ServicePlan("EXCHANGE_B_STANDARD", "90927877-dcff-4af6-b346-2332c0b15bb7", True),
        ServicePlan("EXCHANGE_S_FOUNDATION", "113feb6c-3fe4-4440-bddc-54d774bf0318", False),
        ServicePlan("EXCHANGE_S_FOUNDATION_GOV", "922ba911-5694-4e99-a794-73aed9bfeec8", False),
        ServicePlan("EXCHANGE_S_ARCHIVE_ADDON", "176a09a6-7ec5-4039-ac02-b2791c6ba793", False),
        ServicePlan("EXCHANGE_S_ARCHIVE", "da040e0a-b393-4bea-bb76-928b3fa1cf5a", False),
        ServicePlan("EOP_ENTERPRISE", "326e2b78-9d27-42c9-8509-46c827743a17", False),
        ServicePlan("EOP_ENTERPRISE_PREMIUM", "75badc48-628e-4446-8460-41344d73abd6", False),
        ServicePlan("ATP_ENTERPRISE", "f20fedf3-f3c3-43c3-8267-2bfdd51c0939", False),
        ServicePlan("ATP_ENTERPRISE_GOV", "493ff600-6a2b-4db6-ad37-a7d4eb214516", False),
        ServicePlan("THREAT_INTELLIGENCE", "8e0c0a52-6a6c-4d40-8370-dd62790dcd70", False),
        ServicePlan("THREAT_INTELLIGENCE_GOV", "900018f1-0cdb-4ecb-94d4-90281760fdc6", False),
        ServicePlan("EXCHANGE_ANALYTICS", "34c0d7a0-a70f-4668-9238-47f9fc208882", False),
        ServicePlan("EXCHANGE_ANALYTICS_GOV", "208120d1-9adb-4daf-8c22-816bd5d237e7", False),
        ServicePlan("EXCHANGEONLINE_MULTIGEO", "897d51f1-2cfa-4848-9b30-469149f5e68e", False),
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


# Common SKUs and every plan of SERVICE_PLANS each carries per the reference (mailbox plans first).
SKUS: dict[str, Sku] = {
    s.part_number: s
    for s in (
        Sku("ENTERPRISEPACK", "6fd2c87f-b296-42f0-b197-1e91e994b900", ("EXCHANGE_S_ENTERPRISE",)),
        Sku(
            "ENTERPRISEPREMIUM",
            "c7df2760-2c81-4ef7-b578-5b5392b571df",
            ("EXCHANGE_S_ENTERPRISE", "ATP_ENTERPRISE", "THREAT_INTELLIGENCE", "EXCHANGE_ANALYTICS"),
        ),
        Sku("STANDARDPACK", "18181a46-0d4e-45cd-891e-60aabd171b4e", ("EXCHANGE_S_STANDARD",)),
        Sku("SPE_E3", "05e9a617-0261-4cee-bb44-138d3ef5d965", ("EXCHANGE_S_ENTERPRISE",)),
        Sku(
            "SPE_E5",
            "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
            ("EXCHANGE_S_ENTERPRISE", "ATP_ENTERPRISE", "THREAT_INTELLIGENCE", "EXCHANGE_ANALYTICS"),
        ),
        Sku("SPE_F1", "66b55226-6b4f-492c-910c-a3b7a3c9d993", ("EXCHANGE_S_DESKLESS",)),
        Sku("O365_BUSINESS_ESSENTIALS", "3b555118-da6a-4418-894f-7df1e2096870", ("EXCHANGE_S_STANDARD",)),
        Sku("O365_BUSINESS_PREMIUM", "f245ecc8-75af-4f8e-b61f-27d8114de5f3", ("EXCHANGE_S_STANDARD",)),
        Sku(
            "SPB",
            "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46",
            ("EXCHANGE_S_STANDARD", "EXCHANGE_S_FOUNDATION", "EXCHANGE_S_ARCHIVE_ADDON", "ATP_ENTERPRISE"),
        ),
        Sku("EXCHANGESTANDARD", "4b9405b0-7788-4568-add1-99614e613b69", ("EXCHANGE_S_STANDARD",)),
        Sku("EXCHANGEENTERPRISE", "19ec0d23-8335-4cbd-94ac-6050e30712fa", ("EXCHANGE_S_ENTERPRISE",)),
        Sku("EXCHANGEDESKLESS", "80b2d799-d2ba-4d2a-8842-fb0d0f3a4b82", ("EXCHANGE_S_DESKLESS",)),
        Sku("M365_F1", "44575883-256e-4a79-9da4-ebe9acabe2b2", ("EXCHANGE_S_FOUNDATION",)),
        Sku("O365_BUSINESS", "cdd28e44-67e3-425e-be4c-737fab2899d3", ()),
        Sku("DESKLESSPACK", "4b585984-651b-448a-9e53-3b10f069cf7f", ("EXCHANGE_S_DESKLESS",)),
        Sku("EXCHANGE_S_ESSENTIALS", "e8f81a67-bd96-4074-b108-cf193eb9433b", ("EXCHANGE_S_ESSENTIALS",)),
        Sku("EXCHANGEESSENTIALS", "7fc0182e-d107-4556-8329-7caaa511197b", ("EXCHANGE_S_STANDARD",)),
        Sku("MIDSIZEPACK", "04a7fb0d-32e0-4241-b4f5-3f7618cd1162", ("EXCHANGE_S_STANDARD_MIDMARKET",)),
        Sku("LITEPACK", "bd09678e-b83c-4d3f-aaba-3dad4abd128b", ("EXCHANGE_L_STANDARD",)),
        Sku("LITEPACK_P2", "fc14ec4a-4169-49a4-a51e-2c852931814b", ("EXCHANGE_L_STANDARD",)),
        Sku("EXCHANGETELCO", "cb0a98a8-11bc-494c-83d9-c1b1ac65327e", ("EXCHANGE_B_STANDARD",)),
        Sku("EXCHANGESTANDARD_GOV", "f37d5ebf-4bf1-4aa2-8fa3-50c51059e983", ("EXCHANGE_S_STANDARD_GOV",)),
        Sku("STANDARDPACK_GOV", "3f4babde-90ec-47c6-995d-d223749065d1", ("EXCHANGE_S_STANDARD_GOV",)),
        Sku("ENTERPRISEPACK_GOV", "535a3a29-c5f0-42fe-8215-d3b9e1f38c4a", ("EXCHANGE_S_ENTERPRISE_GOV",)),
        Sku(
            "ENTERPRISEPREMIUM_GOV",
            "8900a2c0-edba-4079-bdf3-b276e293b6a8",
            ("EXCHANGE_S_ENTERPRISE_GOV", "ATP_ENTERPRISE_GOV", "THREAT_INTELLIGENCE_GOV", "EXCHANGE_ANALYTICS_GOV"),
        ),
        Sku("M365_F1_GOV", "2a914830-d700-444a-b73c-e3f31980d833", ("EXCHANGE_S_DESKLESS_GOV",)),
        Sku("MCOMEETADV_GOV", "2d3091c7-0712-488b-b3d8-6b97bde6a1f5", ("EXCHANGE_S_FOUNDATION_GOV",)),
        Sku("STANDARDPACK_USGOV_GCCHIGH", "f698ca06-024f-4562-b029-9cb1f1e02646", ("EXCHANGE_S_STANDARD",)),
        Sku("ENTERPRISEPACK_USGOV_GCCHIGH", "aea38a85-9bd5-4981-aa00-616b411205bf", ("EXCHANGE_S_ENTERPRISE",)),
        Sku("DESKLESSPACK_USGOV_GCCHIGH", "74039b88-bd62-4b5c-9d9c-7a92bbc0bfdf", ("EXCHANGE_S_DESKLESS",)),
        Sku("ENTERPRISEPACK_USGOV_DOD", "b107e5a3-3e60-4c0d-a184-a7e4395eb44c", ("EXCHANGE_S_ENTERPRISE",)),
        Sku("STANDARDWOFFPACK_STUDENT", "314c4481-f395-4525-be8b-2ec4bb1e9d91", ("EXCHANGE_S_STANDARD",)),
        Sku("STANDARDWOFFPACK_FACULTY", "94763226-9b3c-4e75-a931-5c89701abe66", ("EXCHANGE_S_STANDARD",)),
        Sku("EXCHANGESTANDARD_STUDENT", "ad2fe44a-915d-4e2b-ade1-6766d50a9d9c", ("EXCHANGE_S_STANDARD",)),
        Sku("ENTERPRISEPACKPLUS_FACULTY", "e578b273-6db4-4691-bba0-8d691f4da603", ("EXCHANGE_S_ENTERPRISE",)),
        Sku("M365EDU_A3_FACULTY", "4b590615-0888-425a-a965-b3bf7789848d", ("EXCHANGE_S_ENTERPRISE",)),
        Sku(
            "M365EDU_A5_STUDENT",
            "46c119d4-0379-4a9d-85e4-97c66d3f909e",
            ("EXCHANGE_S_ENTERPRISE", "ATP_ENTERPRISE", "THREAT_INTELLIGENCE", "EXCHANGE_ANALYTICS"),
        ),
        Sku(
            "Microsoft_365_Business_Basic_EEA_(no_Teams)",
            "b1f3042b-a390-4b56-ab61-b88e7e767a97",
            ("EXCHANGE_S_STANDARD",),
        ),
        Sku("Microsoft_365_F3_EEA_(no_Teams)", "f7ee79a7-7aec-4ca4-9fb9-34d6b930ad87", ("EXCHANGE_S_DESKLESS",)),
        Sku("EXCHANGEARCHIVE_ADDON", "ee02fd1b-340e-4a4b-b355-4a514e4c8943", ("EXCHANGE_S_ARCHIVE_ADDON",)),
        Sku("EXCHANGEARCHIVE", "90b5e015-709a-4b8b-b08e-3200f994494c", ("EXCHANGE_S_ARCHIVE",)),
        Sku("EOP_ENTERPRISE", "45a2423b-e884-448d-a831-d9e139c52d2f", ("EOP_ENTERPRISE",)),
        Sku("EOP_ENTERPRISE_PREMIUM", "e8ecdf70-47a8-4d39-9d15-093624b7f640", ("EOP_ENTERPRISE_PREMIUM",)),
        Sku("ATP_ENTERPRISE", "4ef96642-f096-40de-a3e9-d83fb2f90211", ("ATP_ENTERPRISE",)),
        Sku("THREAT_INTELLIGENCE", "3dd6cf57-d688-4eed-ba52-9e40b5468c3e", ("ATP_ENTERPRISE", "THREAT_INTELLIGENCE")),
        Sku("ATP_ENTERPRISE_GOV", "d0d1ca43-b81a-4f51-81e5-a5b1ad7bb005", ("ATP_ENTERPRISE_GOV",)),
        Sku(
            "THREAT_INTELLIGENCE_GOV",
            "56a59ffb-9df1-421b-9e61-8b568583474d",
            ("ATP_ENTERPRISE_GOV", "THREAT_INTELLIGENCE_GOV"),
        ),
        Sku("OFFICE365_MULTIGEO", "84951599-62b7-46f3-9c9d-30551b2ad607", ("EXCHANGEONLINE_MULTIGEO",)),
    )
}
SKU_BY_ID: dict[str, Sku] = {s.sku_id: s for s in SKUS.values()}
