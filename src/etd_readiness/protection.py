"""Which users ETD protects: pure functions of collected directory data and the settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .addresses import canonical

User = Mapping[str, Any]


def user_addresses(user: User) -> set[str]:
    """Every SMTP address a user answers to: mail, UPN and smtp: proxy addresses, in comparison form."""
    found = {canonical(str(a)) for a in (user.get("mail"), user.get("userPrincipalName")) if a}
    for proxy in user.get("proxyAddresses") or ():
        kind, _, address = str(proxy).partition(":")
        if kind.lower() == "smtp" and address:
            found.add(canonical(address))
    return found


def deleted_addresses(user: User) -> set[str]:
    """Every address a soft-deleted user held: mail, smtp: proxy addresses, and its UPN without the object
    id (hyphens removed) Graph puts in front of a deleted user's UPN."""
    found = user_addresses(user)
    upn, prefix = str(user.get("userPrincipalName") or ""), str(user.get("id") or "").replace("-", "").lower()
    if prefix and upn.lower().startswith(prefix) and "@" in upn[len(prefix) :]:
        found.add(canonical(upn[len(prefix) :]))
    return found


def domain_of(address: str) -> str:
    return canonical(address).rpartition("@")[2]


def protected_domains(configured: Sequence[str], organization: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The configured domains, else every verified domain of the tenant."""
    if configured:
        return tuple(_domain_form(d) for d in configured)
    if organization is None:
        return ()
    return tuple(sorted(_domain_form(d["name"]) for d in organization.get("verifiedDomains", [])))


def _domain_form(domain: str) -> str:
    """A domain in the form addresses are compared in (lower case, internationalised labels in Unicode)."""
    return canonical(f"x@{domain}")[2:]


def is_protected(
    user: User,
    domains: Iterable[str],
    *,
    addresses: Iterable[str] = (),
    exclude: Iterable[str] = (),
    include_guests: Iterable[str] = (),
    group_member_ids: set[str] | None = None,
) -> bool:
    """Mail-enabled members with an address in a protected domain (or in the group, or named).

    Guests and other external accounts (a UPN with #EXT#: B2B guests, cross-tenant-synced members) have
    their mailbox in their home organisation: protected here only when named. An account with neither
    mail nor an smtp proxy address has no Exchange recipient: protected only when named.
    """
    mine = user_addresses(user)
    if mine & set(exclude):
        return False
    named = bool(mine & set(addresses))
    if is_external(user):
        return named or bool(mine & set(include_guests))
    if named:
        return True
    if not is_mail_enabled(user):
        return False
    if group_member_ids is not None:
        return user.get("id") in group_member_ids
    domain_set = set(domains)
    return any(domain_of(a) in domain_set for a in mine)


def is_external(user: User) -> bool:
    """A guest, or an account whose home is another organisation (#EXT# in its UPN)."""
    return user.get("userType") == "Guest" or "#ext#" in str(user.get("userPrincipalName") or "").lower()


def is_mail_enabled(user: User) -> bool:
    """Has an Exchange recipient address: mail, or an smtp proxy address."""
    return bool(user.get("mail")) or any(str(p).lower().startswith("smtp:") for p in user.get("proxyAddresses") or ())


def index_by_address(users: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Address -> user, for resolving configured addresses (case 3a)."""
    index: dict[str, dict[str, Any]] = {}
    for user in users:
        for address in user_addresses(user):
            index.setdefault(address, user)
    return index


class Scope:
    """Who ETD protects in one tenant, decided once for the collection and every check.

    Members with an address in a protected domain (or, in group mode, the group's members), plus the
    named addresses, minus the excluded; guests only when named. A soft-deleted user has lost its group
    memberships, so in group mode only a *named* soft-deleted address is protected.
    """

    def __init__(
        self,
        domains: Iterable[str],
        *,
        addresses: Iterable[str] = (),
        exclude: Iterable[str] = (),
        include_guests: Iterable[str] = (),
        group_member_ids: set[str] | None = None,
    ) -> None:
        self.domains = tuple(domains)
        self.addresses = frozenset(addresses)
        self.exclude = frozenset(exclude)
        self.include_guests = frozenset(include_guests)
        self.group_member_ids = group_member_ids

    def covers(self, user: User) -> bool:
        """Is this active user protected?"""
        return is_protected(
            user,
            self.domains,
            addresses=self.addresses,
            exclude=self.exclude,
            include_guests=self.include_guests,
            group_member_ids=self.group_member_ids,
        )

    def covers_deleted(self, user: User) -> bool:
        """Is this soft-deleted user's address still in ETD's protected scope?"""
        mine = deleted_addresses(user)
        named = bool(mine & self.addresses) and not mine & self.exclude
        if self.group_member_ids is not None:
            return named
        return named or self.covers(user)
