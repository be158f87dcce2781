"""What a check is: its declaration (id, title, the causes it can emit) plus two pure functions.

`subjects(estate)` lists what to test (mailboxes, permissions, tenants ...); `evaluate(estate, subject)`
returns a Finding or None. Both read only the snapshot; data that was not fetched raises
NotEvaluated (SectionUnavailable), which the pytest layer turns into an *error*, never a pass or a
false finding. A check can only emit the causes it declares (`Check.finding` enforces it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

from ..findings import Finding, SectionUnavailable
from ..protection import Scope, index_by_address, is_external, protected_domains, user_addresses
from ..snapshot import Snapshot, TenantSnapshot
from .causes import Cause, cause


@dataclass(frozen=True, slots=True)  # one per test item: no per-instance dict
class Subject:
    """One thing a check is parametrized over; `test_id` is what pytest shows in brackets."""

    tenant: str
    label: str
    key: Any = None
    unavailable: str | None = None

    @property
    def test_id(self) -> str:
        return f"{self.tenant}:{self.label}" if self.tenant else self.label


def user_label(user: dict) -> str:
    return str(user.get("userPrincipalName") or user.get("mail") or user["id"]).lower()


class TenantView:
    """Read access to one tenant's snapshot with the indexes checks need, built once."""

    def __init__(
        self,
        snap: TenantSnapshot,
        context: dict[str, Any],
        elsewhere: Callable[[], set[str]] | None = None,
        unfetched: Callable[[], list[str]] | None = None,
    ) -> None:
        self.snap = snap
        self.name = snap.name
        self.context = context
        self._elsewhere = elsewhere
        self._unfetched = unfetched

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

    @cached_property
    def scope(self) -> Scope:
        """Who ETD protects here (protection.Scope: the one rule)."""
        c = self.context
        members = set(self.section("groupMembers")) if c.get("protected_group") else None
        return Scope(
            self.domains,
            addresses=c.get("protected_addresses", ()),
            exclude=c.get("exclude", ()),
            include_guests=c.get("include_guests", ()),
            group_member_ids=members,
        )

    @cached_property
    def _covered(self) -> list[dict]:
        """Users the scope covers whose home is not another configured tenant (one person, one verdict)."""
        homes = self.members_elsewhere()
        covered = [u for u in self.section("users") if self.scope.covers(u)]
        return sorted((u for u in covered if not (is_external(u) and user_addresses(u) & homes)), key=user_label)

    @cached_property
    def protected_users(self) -> list[dict]:
        """Protected users; an external account (guest, #EXT#) is left to the tenant where the person is a
        member when a configured tenant has one (one person, one verdict, in their home tenant)."""
        undecided = bool(self.unfetched_elsewhere())  # then external accounts are undecided_external_users
        return [u for u in self._covered if not (undecided and is_external(u))]

    @cached_property
    def undecided_external_users(self) -> list[dict]:
        """Protected external accounts whose home cannot be told: another configured tenant's users list was
        not fetched, so the person may be a member there (judged there) or not (judged here)."""
        return [u for u in self._covered if is_external(u)] if self.unfetched_elsewhere() else []

    def members_elsewhere(self) -> set[str]:
        """Addresses of member (non-external) users of the other configured tenants (given by Estate)."""
        return self._elsewhere() if self._elsewhere else set()

    def unfetched_elsewhere(self) -> list[str]:
        """The other configured tenants whose users list was not fetched (given by Estate)."""
        return self._unfetched() if self._unfetched else []

    @cached_property
    def deleted_protected_users(self) -> list[dict]:
        """Soft-deleted users whose address ETD would still protect (no active user holds it, here or as a
        member of another configured tenant: a person moved between tenants is judged where it lives)."""
        active = index_by_address(self.section("users"))  # without it, a re-used address could not be told
        homes = self.members_elsewhere()
        latest: dict[str, dict] = {}  # one per address: the latest deletion (re-created and deleted again)
        for u in self.section("deletedUsers"):
            mail = (u.get("mail") or "").lower()
            if self.scope.covers_deleted(u) and mail not in active and mail not in homes:
                kept = latest.get(deleted_label(u))
                if kept is None or str(u.get("deletedDateTime") or "") > str(kept.get("deletedDateTime") or ""):
                    latest[deleted_label(u)] = u
        return sorted(latest.values(), key=deleted_label)

    def mailbox(self, user_id: str) -> dict:
        """This user's mailbox probe result; SectionUnavailable if it was not (fully) fetched."""
        probes = self.section("mailboxes")
        result = probes.get(user_id)
        if result is None:
            raise SectionUnavailable(self.name, "mailboxes", f"no probe was made for user {user_id}")
        if "error" in result:
            raise SectionUnavailable(self.name, "mailboxes", result["error"])
        return result


def deleted_label(user: dict) -> str:
    """A soft-deleted user's address as ETD knew it (Graph prefixes the deleted UPN with the id)."""
    return str(user.get("mail") or user.get("userPrincipalName") or user["id"]).lower()


class Estate:
    """All tenants of a run; checks that look across tenants (case 3) read it."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.context = snapshot.context
        self.memo: dict[Any, Any] = {}  # per-run caches of derived facts (e.g. mailbox assessments)
        self.tenants = {
            t.name: TenantView(
                t,
                snapshot.context,
                partial(self._members_outside, t.name),
                partial(self._unfetched_outside, t.name),
            )
            for t in snapshot.tenants
        }

    def _unfetched_outside(self, tenant: str) -> list[str]:
        """The configured tenants but `tenant` whose users list was not fetched."""
        return [name for name, view in self.tenants.items() if name != tenant and not view.snap.is_ok("users")]

    def _members_outside(self, tenant: str) -> set[str]:
        """Addresses held by member users of every configured tenant but `tenant` (lists not fetched: none)."""
        key = ("members-outside", tenant)
        if key not in self.memo:
            found: set[str] = set()
            for name, view in self.tenants.items():
                if name != tenant and view.snap.is_ok("users"):
                    for user in view.section("users"):
                        if not is_external(user):
                            found |= user_addresses(user)
            self.memo[key] = found
        return self.memo[key]

    def tenant(self, name: str) -> TenantView:
        return self.tenants[name]

    @property
    def multi_tenant(self) -> bool:
        return len(self.tenants) > 1

    @cached_property
    def address_index(self) -> dict[str, tuple[str, Any]]:
        """Address -> (tenant, user) across every tenant; SectionUnavailable if any users list failed."""
        index: dict[str, tuple[str, Any]] = {}
        for name, view in self.tenants.items():
            for address, user in index_by_address(view.section("users")).items():
                index.setdefault(address, (name, user))
        return index


@dataclass(frozen=True)
class Check:
    """A documented failure cause turned into a pure check, with everything it can report declared."""

    check_id: str
    title: str
    cause_ids: tuple[str, ...]
    subjects: Callable[[Estate], Iterable[Subject]]
    evaluate: Callable[[Estate, Subject], Finding | None]
    when_empty: str = "nothing to check in this run"
    describe: Callable[[Estate, Subject], dict[str, str]] | None = None  # evidence shown for any outcome

    @property
    def causes(self) -> tuple[Cause, ...]:
        return tuple(cause(c) for c in self.cause_ids)

    @property
    def cases(self) -> tuple[str, ...]:
        """The seed cases this check can report, in the seed's order."""
        return tuple(dict.fromkeys(sorted(c.case for c in self.causes)))

    def run(self, estate: Estate, subject: Subject) -> Finding | None:
        """Evaluate one subject; a subject whose enumeration failed raises SectionUnavailable."""
        if subject.unavailable:
            raise SectionUnavailable(subject.tenant, "subjects", subject.unavailable)
        found = self.evaluate(estate, subject)
        if found is not None and found.root_cause not in self.cause_ids:
            raise AssertionError(f"{self.check_id} emitted undeclared cause {found.root_cause!r}")
        return found


def make_finding(
    check_id: str,
    subject: Subject,
    cause_id: str,
    problem: str,
    *,
    evidence: tuple[tuple[str, str], ...] = (),
    also: tuple[str, ...] = (),
    fix_values: Mapping[str, str] | None = None,
    answered: str = "",
) -> Finding:
    """A finding from a declared cause: case, ETD error and fix come from the declaration (the case and
    ETD's error as Graph's answer `answered` makes them, `Cause.as_answered`)."""
    c = cause(cause_id)
    case, etd_error = c.as_answered(answered)
    return Finding(
        check_id=check_id,
        case=case,
        subject=subject.test_id,
        problem=problem,
        etd_error=etd_error,
        fix=c.fix_for(**(fix_values or {})),
        evidence=evidence,
        root_cause=cause_id,
        also=also,
    )


def per_tenant(estate: Estate, each: Callable[[TenantView], Iterable[Subject]]) -> Iterator[Subject]:
    """Subjects of every tenant; a tenant whose data is missing yields one subject that errors."""
    for view in estate.tenants.values():
        try:
            yield from list(each(view))
        except SectionUnavailable as err:
            yield Subject(tenant=view.name, label=f"{err.section}-not-fetched", unavailable=str(err))
