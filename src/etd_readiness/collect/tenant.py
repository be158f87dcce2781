"""Collect one tenant into a TenantSnapshot: directory data paged, mailbox probes batched.

Each section is fetched independently and recorded as ok or failed-with-reason. A section whose
Graph permission the auditor lacks is not requested at all; its reason names the permission.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from ..catalog import AUDITOR_ROLES
from ..protection import Scope, protected_domains
from ..settings import Settings, TenantConfig
from ..snapshot import Section
from .etd import find_etd, graph_service_principal
from .messages import lookup_messages
from .probe import MailboxProber
from .progress import Progress
from .reader import FetchError, GraphReader

USER_FIELDS = (
    "id,userPrincipalName,displayName,mail,proxyAddresses,accountEnabled,userType,onPremisesSyncEnabled,"
    "assignedLicenses,assignedPlans,licenseAssignmentStates,serviceProvisioningErrors"
)
DELETED_FIELDS = "id,userPrincipalName,displayName,mail,proxyAddresses,userType,deletedDateTime"
# Which auditor roles let us read each section (any one of them is enough).
SECTION_ROLES: dict[str, tuple[str, ...]] = {
    "organization": ("Organization.Read.All", "Directory.Read.All"),
    "subscribedSkus": ("Organization.Read.All", "Directory.Read.All"),
    "users": ("User.Read.All", "Directory.Read.All"),
    "deletedUsers": ("User.Read.All", "Directory.Read.All"),
    "etd": ("Application.Read.All", "Directory.Read.All"),
    "groupMembers": ("GroupMember.Read.All", "Group.Read.All", "Directory.Read.All"),
    "mailboxes": (
        "MailboxSettings.Read",
        "MailboxSettings.ReadWrite",
        "Mail.ReadBasic.All",
        "Mail.Read",
        "Mail.ReadWrite",
    ),
}
ETD_SECTIONS = (
    "etdServicePrincipal",
    "etdAppRoleAssignments",
    "etdPermissionGrants",
    "etdApplication",
    "graphServicePrincipal",
)


def missing_role_reason(section: str, roles: set[str]) -> str | None:
    """Why the auditor cannot read a section, or None when one of its roles is granted."""
    wanted = SECTION_ROLES[section]
    if roles & set(wanted):
        return None
    role = wanted[0]
    why = AUDITOR_ROLES.get(role, "read this data")
    return (
        f"the auditor app lacks the Microsoft Graph Application permission {role} (needed to {why}); "
        f"grant it in Entra admin center > App registrations > the auditor app > API permissions, then "
        f"'Grant admin consent'"
    )


class TenantCollector:
    """Collects one tenant with one GraphReader."""

    def __init__(
        self,
        reader: GraphReader,
        tenant: TenantConfig,
        settings: Settings,
        roles: set[str] | None,
        progress: Progress | None = None,
    ) -> None:
        self.reader = reader
        self.tenant = tenant
        self.settings = settings
        self.roles = roles
        self.progress = progress
        self.prober = MailboxProber(reader, roles, progress)
        self.sections: dict[str, Section] = {}

    def _blocked(self, section: str) -> str | None:
        return None if self.roles is None else missing_role_reason(section, self.roles)

    async def _fetch(self, name: str, role_section: str, fetch: Callable[[], Awaitable[Any]]) -> Any:
        """Run one fetch into section `name`; returns its data or None when it failed."""
        reason = self._blocked(role_section)
        if reason:
            self.sections[name] = Section.failed(reason)
            return None
        try:
            data = await fetch()
        except FetchError as err:
            hint = ""
            if err.status == 403:
                hint = f" (the auditor app needs one of: {', '.join(SECTION_ROLES[role_section])})"
            self.sections[name] = Section.failed(f"{err}{hint}")
            return None
        except (KeyError, TypeError, AttributeError, IndexError) as err:
            self.sections[name] = Section.failed(_shape_reason(name, err))
            return None
        self.sections[name] = Section(ok=True, data=data)
        return data

    async def collect(self) -> dict[str, Section]:
        """Every section of this tenant."""
        org_task = asyncio.create_task(self._fetch("organization", "organization", self._organization))
        others = [
            self._fetch("subscribedSkus", "subscribedSkus", lambda: self.reader.get_all("/subscribedSkus")),
            self._fetch("deletedUsers", "deletedUsers", self._deleted_users),
            self._etd(),
        ]
        group_ids = None
        if self.settings.protected_group:
            group_ids = await self._fetch("groupMembers", "groupMembers", self._group_members)
        organization = await org_task
        await asyncio.gather(self._users_and_mailboxes(organization, group_ids), *others)
        if self.reader.unreachable:  # one reason, said the same way by every section it stopped
            for name, section in self.sections.items():
                if not section.ok:
                    self.sections[name] = Section(ok=False, data=section.data, error=self.reader.unreachable)
        return self.sections

    async def _organization(self) -> dict:
        orgs = await self.reader.get_all("/organization?$select=id,displayName,verifiedDomains")
        if not orgs:
            raise FetchError("GET /organization returned no organization")
        return orgs[0]

    async def _deleted_users(self) -> list[dict]:
        return await self.reader.get_all(
            f"/directory/deletedItems/microsoft.graph.user?$select={DELETED_FIELDS}&$top=999"
        )

    async def _group_members(self) -> list[str]:
        group = quote(self.settings.protected_group or "", safe="")
        members = await self.reader.get_all(
            f"/groups/{group}/transitiveMembers/microsoft.graph.user?$select=id&$top=999"
        )
        return [m["id"] for m in members]

    async def _users_and_mailboxes(self, organization: dict | None, group_ids: list[str] | None) -> None:
        """Page through users; probe each protected user's mailbox while the next page loads."""
        probe_blocked = self._blocked("mailboxes")
        users_blocked = self._blocked("users")
        if users_blocked:
            self.sections["users"] = Section.failed(users_blocked)
            self.sections["mailboxes"] = Section.failed(users_blocked)
            return
        domains = protected_domains(self.tenant.domains, organization)
        can_select = bool(domains) or group_ids is not None or bool(self.settings.protected_addresses)
        members = set(group_ids) if group_ids is not None else None
        users: list[dict] = []
        probes: list[asyncio.Task] = []
        pages = 0
        try:
            async for page in self.reader.get_pages(f"/users?$select={USER_FIELDS}&$top=999"):
                page = [_compact_user(u) for u in page]
                users.extend(page)
                pages += 1
                if self.progress is not None:
                    self.progress.users += len(page)
                if probe_blocked or not can_select:
                    continue
                targets = [u["id"] for u in page if self._protected(u, domains, members)]
                if targets:
                    if self.progress is not None:
                        self.progress.targets += len(targets)
                    unlicensed = frozenset(u["id"] for u in page if not u["assignedPlans"])
                    probes.append(asyncio.create_task(self.prober.probe(targets, unlicensed)))
        except (FetchError, KeyError, TypeError, AttributeError) as err:
            for task in probes:
                task.cancel()
            why = str(err) if isinstance(err, FetchError) else _shape_reason("users", err)
            # the pages that came are kept, but the list is not complete: every per-user subject errors
            reason = f"users list incomplete: page {pages + 1} failed: {why}"
            self.sections["users"] = Section(ok=False, data=users, error=reason)
            self.sections["mailboxes"] = Section.failed(reason)
            return
        self.sections["users"] = Section(ok=True, data=users)
        if probe_blocked:
            self.sections["mailboxes"] = Section.failed(probe_blocked)
            return
        if not can_select:
            self.sections["mailboxes"] = Section.failed(
                f"protected users unknown: {self.sections['organization'].error} and no domains configured"
            )
            return
        results: dict[str, dict] = {}
        try:
            for part in await asyncio.gather(*probes):
                results.update(part)
        except FetchError as err:
            self.sections["mailboxes"] = Section.failed(str(err))
            return
        self.sections["mailboxes"] = Section(ok=True, data=results)
        if self.settings.error_log:
            self.sections["messages"] = await lookup_messages(
                self.reader, users, results, self.settings.error_log, self.roles
            )

    def _protected(self, user: dict, domains: tuple[str, ...], members: set[str] | None) -> bool:
        s = self.settings
        scope = Scope(
            domains,
            addresses=s.protected_addresses,
            exclude=s.exclude,
            include_guests=s.include_guests,
            group_member_ids=members,
        )
        return scope.covers(user)

    async def _etd(self) -> None:
        """ETD's service principal, its application/delegated grants, its registration, Graph's SP."""
        blocked = self._blocked("etd")
        if blocked:
            for name in ETD_SECTIONS:
                self.sections[name] = Section.failed(blocked)
            return
        sp = await self._fetch("etdServicePrincipal", "etd", lambda: find_etd(self.reader, self.settings))
        graph = self._fetch("graphServicePrincipal", "etd", lambda: graph_service_principal(self.reader))
        if sp is None or not sp.get("found"):
            await graph
            reason = "ETD's service principal was not found" if sp is not None else "ETD lookup failed"
            for name in ETD_SECTIONS[1:4]:
                self.sections[name] = (
                    Section(ok=True, data=[])
                    if sp is not None
                    else Section.failed(self.sections["etdServicePrincipal"].error or reason)
                )
            return
        sp_id, app_id = sp["servicePrincipal"]["id"], sp["servicePrincipal"]["appId"]
        await asyncio.gather(
            graph,
            self._fetch(
                "etdAppRoleAssignments",
                "etd",
                lambda: self.reader.get_all(f"/servicePrincipals/{sp_id}/appRoleAssignments"),
            ),
            self._fetch(
                "etdPermissionGrants",
                "etd",
                lambda: self.reader.get_all(f"/oauth2PermissionGrants?$filter=clientId eq '{sp_id}'"),
            ),
            self._fetch(
                "etdApplication",
                "etd",
                lambda: self.reader.get_all(f"/applications?$filter=appId eq '{app_id}'"),
            ),
        )


def _shape_reason(section: str, err: BaseException) -> str:
    """A 200 whose JSON is not shaped as Graph documents it: the section is lost, said in one line."""
    return f"Graph's answer for {section} is not shaped as documented ({type(err).__name__}: {err})"


def _compact_user(user: dict) -> dict:
    """Keep what the checks read: Exchange plans only, licence errors only."""
    user = dict(user)
    user["assignedPlans"] = [p for p in user.get("assignedPlans") or () if p.get("service") == "exchange"]
    user["licenseAssignmentStates"] = [
        s for s in user.get("licenseAssignmentStates") or () if s.get("error") not in (None, "None")
    ]
    user["serviceProvisioningErrors"] = [
        e
        for e in user.get("serviceProvisioningErrors") or ()
        if str(e.get("serviceInstance", "")).lower().startswith("exchange")
    ]
    user.pop("@odata.type", None)
    return user
