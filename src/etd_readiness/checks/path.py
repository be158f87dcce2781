"""ETD's remediation path, walked per protected mailbox: the first broken link is the root cause.

Order (README, 'The path'): ETD's app reaches the mailbox's tenant (consented, enabled) -> it holds the
mode's mail permission and Organization.Read.All as Application permissions there -> the address is a
user of a reached tenant -> the user is not soft-deleted -> an Exchange Online mailbox exists and
answers -> it is not hosted on-premises. (Whether an Exchange application access policy scopes ETD's
own app out cannot be read through Graph: the report says so once.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..findings import NotEvaluated
from ..protection import deleted_addresses, domain_of, index_by_address
from .base import Estate, Subject, TenantView, deleted_label, user_label
from .links import (
    BROKEN,
    NA,
    NOT_SOFT_DELETED_OK,
    OK,
    PERMISSION_NA,
    PERMISSION_OK,
    UNKNOWN,
    USER_OK,
    Link,
    permission_link,
    reach_link,
    remediation_permissions,
)
from .mailbox_state import mailbox_link


@dataclass(frozen=True, slots=True)  # one per mailbox test item: no per-instance dict
class MailboxRef:
    """A protected mailbox: an active user, a soft-deleted one, or a configured address matching no user."""

    tenant: str
    address: str
    user_id: str | None = None
    deleted_id: str | None = None


@dataclass(frozen=True)
class Assessment:
    """Every link of one mailbox's path, in order."""

    ref: MailboxRef
    links: tuple[Link, ...]

    @property
    def root(self) -> Link | None:
        """The first broken link: the root cause."""
        return next((link for link in self.links if link.state == BROKEN), None)

    @property
    def unknown(self) -> Link | None:
        return next((link for link in self.links if link.state == UNKNOWN), None)

    @property
    def broken(self) -> tuple[Link, ...]:
        return tuple(link for link in self.links if link.state == BROKEN)

    @property
    def also(self) -> tuple[str, ...]:
        """The other broken links, and what could not be evaluated, as text."""
        root = self.root
        out = [f"{link.name}: {link.problem}" for link in self.broken if link is not root]
        out += [f"not evaluated - {link.name}: {link.problem}" for link in self.links if link.state == UNKNOWN]
        return tuple(out)

    @property
    def evidence(self) -> tuple[tuple[str, str], ...]:
        return tuple(item for link in self.links for item in link.evidence)

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(note for link in self.links for note in link.notes)


def mailbox_subjects(estate: Estate) -> Iterator[Subject]:
    """Every protected mailbox of every tenant, plus configured addresses that match no user."""
    for view in estate.tenants.values():
        users: list[dict] | None = None
        try:
            users = view.protected_users
        except NotEvaluated as err:
            yield Subject(view.name, "users-not-fetched", unavailable=str(err))
        else:
            for user in users:
                label = user_label(user)
                yield Subject(view.name, label, key=MailboxRef(view.name, label, user_id=user["id"]))
            for user in view.undecided_external_users:
                yield Subject(view.name, user_label(user), unavailable=_undecided_home(view, user))
        deleted: list[dict] | None = None
        try:
            deleted = view.deleted_protected_users
        except NotEvaluated as err:
            yield Subject(view.name, "soft-deleted-users-not-fetched", unavailable=str(err))
        for user in deleted or ():
            label = deleted_label(user)
            yield Subject(view.name, label, key=MailboxRef(view.name, label, deleted_id=user["id"]))
        if users == [] and deleted == []:
            # a verdict over no mailbox is no verdict: READY must never rest on an empty scope
            yield Subject(view.name, "no-protected-mailbox", unavailable=_empty_scope(view))
    yield from unresolved_address_subjects(estate)


def _undecided_home(view: TenantView, user: dict) -> str:
    missing = ", ".join(view.unfetched_elsewhere())
    return (
        f"{user_label(user)} is an external account in {view.name}; whether the person is a member of {missing} "
        f"(and judged there) cannot be told: the users of {missing} were not fetched"
    )


def _empty_scope(view: TenantView) -> str:
    try:
        where = f"domains {', '.join(view.domains)}" if view.scope.group_member_ids is None else "the protected group"
    except NotEvaluated as err:
        where = f"the protected scope ({err})"
    return (
        f"no protected mailbox was found in tenant {view.name} (no mail-enabled member in {where}): check "
        "protection.domains / group / addresses against ETD's protected scope"
    )


def unresolved_address_subjects(estate: Estate) -> Iterator[Subject]:
    """Configured protected addresses that are neither an active nor a soft-deleted user anywhere."""
    known: set[str] = set()
    missing_lists: list[str] = []
    for view in estate.tenants.values():
        for addresses_of in (user_addresses_of, deleted_addresses_of):
            try:
                known |= addresses_of(view)
            except NotEvaluated as err:
                missing_lists.append(str(err))
    for address in sorted(set(estate.context.get("protected_addresses", ()))):
        if address in known:
            continue
        tenant = home_tenant(estate, address)
        ref = MailboxRef(tenant, address)
        yield Subject(tenant, address, key=ref, unavailable="; ".join(missing_lists) or None)


def user_addresses_of(view: TenantView) -> set[str]:
    return set(index_by_address(view.section("users")))


def deleted_addresses_of(view: TenantView) -> set[str]:
    """Every address a soft-deleted user of the tenant held (its mail, proxies and original UPN)."""
    return {a for u in view.section("deletedUsers") for a in deleted_addresses(u)}


def home_tenant(estate: Estate, address: str) -> str:
    """The configured tenant whose protected domains include the address's domain ('' if none)."""
    domain = domain_of(address)
    for name, view in estate.tenants.items():
        try:
            if domain in view.domains:
                return name
        except NotEvaluated:
            continue
    return ""


def assess(estate: Estate, ref: MailboxRef) -> Assessment:
    """The mailbox's path, link by link (memoised per run: per-cause checks read the same answer)."""
    key = ("mailbox", ref)
    if key not in estate.memo:
        estate.memo[key] = Assessment(ref, tuple(_walk(estate, ref)))
    return estate.memo[key]


def _walk(estate: Estate, ref: MailboxRef) -> Iterator[Link]:
    if not ref.tenant:
        yield Link("reach", NA)
        yield Link("permission", NA)
        yield _not_a_user(estate, ref)
        return
    view = estate.tenant(ref.tenant)
    reach = reach_link(estate, ref.tenant)
    yield reach
    yield _permission(estate, view) if reach.state == OK else PERMISSION_NA
    if ref.user_id is None and ref.deleted_id is None:
        yield _not_a_user(estate, ref)
        return
    yield USER_OK
    if ref.deleted_id is not None:
        yield _soft_deleted(view, ref)
        return
    yield NOT_SOFT_DELETED_OK
    yield mailbox_link(view, view.users_by_id[str(ref.user_id)])


def _permission(estate: Estate, view: TenantView) -> Link:
    links = [permission_link(view, name) for name in remediation_permissions(estate)]
    return next((link for link in links if link.state == BROKEN), None) or next(
        (link for link in links if link.state == UNKNOWN), PERMISSION_OK
    )


def _not_a_user(estate: Estate, ref: MailboxRef) -> Link:
    searched = ", ".join(estate.tenants)
    return Link(
        "user",
        BROKEN,
        "address-not-a-user",
        "matches no user, active or soft-deleted (UPN, mail or proxy address), in any configured tenant",
        (("tenants searched", searched),),
        {"user": ref.address},
    )


def _soft_deleted(view: TenantView, ref: MailboxRef) -> Link:
    user = next(u for u in view.section("deletedUsers") if u["id"] == ref.deleted_id)
    when = user.get("deletedDateTime") or "unknown"
    return Link(
        "soft-deleted",
        BROKEN,
        "soft-deleted",
        f"belongs to a soft-deleted user (deleted {when}): its mailbox is inactive",
        (("deletedDateTime", str(when)), ("deleted user id", str(user["id"]))),
        {"user": ref.address},
    )
