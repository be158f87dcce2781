"""Cases 3a and 3b, per cause: configured addresses resolve to a user; protected domains sit where ETD reaches."""

from __future__ import annotations

from ..findings import Finding, NotApplicable, NotEvaluated
from ..protection import _domain_form
from .base import Check, Estate, Subject, make_finding, per_tenant
from .links import BROKEN, PENDING, finding_of, reach_link, reached
from .path import MailboxRef, assess, deleted_addresses_of, home_tenant
from .permissions import REACH_CAUSES


def _address_subjects(estate: Estate):
    return [Subject("", address, key=address) for address in sorted(set(estate.context.get("protected_addresses", ())))]


def _address_evaluate(estate: Estate, subject: Subject) -> Finding | None:
    if subject.key in estate.address_index:
        return None
    for name, view in estate.tenants.items():
        if subject.key in deleted_addresses_of(view):
            raise NotApplicable(f"{subject.key} belongs to a soft-deleted user of {name}: reported by C4-01 (case 4)")
    ref = MailboxRef(home_tenant(estate, subject.key), subject.key)
    link = next(link for link in assess(estate, ref).links if link.name == "user")
    return finding_of(link, "C3A-01", subject)


PROTECTED_ADDRESS_RESOLVES = Check(
    check_id="C3A-01",
    title="Every configured protected address resolves to a user in a configured tenant",
    cause_ids=("address-not-a-user",),
    subjects=_address_subjects,
    evaluate=_address_evaluate,
    when_empty="no protected addresses are configured (protection.addresses / --protected-addresses)",
)


def _domain_subjects(estate: Estate):
    return per_tenant(estate, lambda view: [Subject(view.name, domain, key=domain) for domain in view.domains])


def _verified_in(estate: Estate, domain: str) -> list[str]:
    return [
        name
        for name, view in estate.tenants.items()
        if domain in {_domain_form(d["name"]) for d in view.section("organization").get("verifiedDomains", [])}
    ]


def _domain_evaluate(estate: Estate, subject: Subject) -> Finding | None:
    homes = _verified_in(estate, subject.key)
    if any(reached(estate, t) for t in homes):
        return None
    if not homes:
        return make_finding(
            "C3B-01",
            subject,
            "domain-unverified",
            f"protected domain {subject.key} is verified in no configured tenant: ETD cannot reach its mailboxes",
            evidence=(("tenants with the domain verified", "none"),),
        )
    link = reach_link(estate, homes[0])
    if link.state == PENDING:
        raise NotApplicable(f"protected domain {subject.key} is verified in {', '.join(homes)}: {link.problem}")
    if link.state != BROKEN:  # the reach lookup failed: not evaluated, never a finding
        raise NotEvaluated(link.problem)
    where = ", ".join(homes)
    return finding_of(
        link,
        "C3B-01",
        subject,
        problem=f"protected domain {subject.key} is verified in {where}, where ETD cannot act: {link.problem}",
        evidence=(("tenants with the domain verified", ", ".join(homes)),),
    )


PROTECTED_DOMAIN_REACHABLE = Check(
    check_id="C3B-01",
    title="Every protected domain is verified in a tenant where ETD's app is consented and enabled",
    cause_ids=("domain-unverified", *REACH_CAUSES),
    subjects=_domain_subjects,
    evaluate=_domain_evaluate,
)
