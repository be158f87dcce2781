"""What a check is: metadata (id, title, documented cases) plus two pure functions of the snapshot.

`subjects(estate)` lists what to test (users, permissions, tenants ...); `evaluate(estate, subject)`
returns a Finding or None. Both read only the snapshot; data that was not fetched raises
SectionUnavailable, which the pytest layer turns into an *error*, never a pass or a false finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..findings import Finding, SectionUnavailable
from ..protection import index_by_address, is_protected, protected_domains
from ..snapshot import Snapshot, TenantSnapshot

SOURCE_DOC = "Cisco: Troubleshoot Email Threat Defense Remediation Errors (seeds/000_30e8c3c556a66c13.txt)"


@dataclass(frozen=True)
class Subject:
    """One thing a check is parametrized over; `test_id` is what pytest shows in brackets."""

    tenant: str
    label: str
    key: Any = None
    unavailable: str | None = None

    @property
    def test_id(self) -> str:
        return f"{self.tenant}:{self.label}" if self.tenant else self.label


class TenantView:
    """Read access to one tenant's snapshot with the indexes checks need, built once."""

    def __init__(self, snap: TenantSnapshot, context: dict[str, Any]) -> None:
        self.snap = snap
        self.name = snap.name
        self.context = context

    def section(self, name: str) -> Any:
        return self.snap.section(name)

    @cached_property
    def users_by_id(self) -> dict[str, dict]:
        return {u["id"]: u for u in self.section("users")}

    @cached_property
    def domains(self) -> tuple[str, ...]:
        configured = self.context.get("tenant_domains", {}).get(self.name, [])
        if configured:
            return tuple(configured)
        return protected_domains((), self.section("organization"))

    def protected(self, user: dict) -> bool:
        c = self.context
        return is_protected(
            user,
            self.domains,
            addresses=c.get("protected_addresses", ()),
            exclude=c.get("exclude", ()),
            include_guests=c.get("include_guests", ()),
            group_member_ids=self.group_member_ids,
        )

    @cached_property
    def group_member_ids(self) -> set[str] | None:
        return set(self.section("groupMembers")) if self.context.get("protected_group") else None

    @cached_property
    def protected_users(self) -> list[dict]:
        users = [u for u in self.section("users") if self.protected(u)]
        return sorted(users, key=lambda u: (u.get("userPrincipalName") or "").lower())

    def mailbox(self, user_id: str) -> dict:
        """This user's mailbox probe result; SectionUnavailable if it was not (fully) fetched."""
        probes = self.section("mailboxes")
        result = probes.get(user_id)
        if result is None:
            raise SectionUnavailable(self.name, "mailboxes", f"no probe was made for user {user_id}")
        if "error" in result:
            raise SectionUnavailable(self.name, "mailboxes", result["error"])
        return result


class Estate:
    """All tenants of a run; checks that look across tenants (case 3) read it."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.context = snapshot.context
        self.tenants = {t.name: TenantView(t, snapshot.context) for t in snapshot.tenants}

    def tenant(self, name: str) -> TenantView:
        return self.tenants[name]

    @cached_property
    def address_index(self) -> dict[str, tuple[str, dict]]:
        """Address -> (tenant, user) across every tenant; SectionUnavailable if any users list failed."""
        index: dict[str, tuple[str, dict]] = {}
        for name, view in self.tenants.items():
            for address, user in index_by_address(view.section("users")).items():
                index.setdefault(address, (name, user))
        return index


@dataclass(frozen=True)
class Check:
    """A documented failure cause turned into a pure check."""

    check_id: str
    title: str
    cases: tuple[str, ...]
    subjects: Callable[[Estate], Iterable[Subject]]
    evaluate: Callable[[Estate, Subject], Finding | None]
    when_empty: str = "nothing to check in this run"

    def run(self, estate: Estate, subject: Subject) -> Finding | None:
        """Evaluate one subject; a subject whose enumeration failed raises SectionUnavailable."""
        if subject.unavailable:
            raise SectionUnavailable(subject.tenant, "subjects", subject.unavailable)
        return self.evaluate(estate, subject)


def per_tenant(estate: Estate, each: Callable[[TenantView], Iterable[Subject]]) -> Iterator[Subject]:
    """Subjects of every tenant; a tenant whose data is missing yields one subject that errors."""
    for view in estate.tenants.values():
        try:
            yield from list(each(view))
        except SectionUnavailable as err:
            yield Subject(tenant=view.name, label=f"{err.section}-not-fetched", unavailable=str(err))


def user_label(user: dict) -> str:
    return (user.get("userPrincipalName") or user.get("mail") or user["id"]).lower()
