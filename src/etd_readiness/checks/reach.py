"""Case 3, "The requested user is invalid.": addresses that resolve nowhere, tenants ETD cannot reach."""

from __future__ import annotations

from ..findings import Finding
from .base import Check, Estate, Subject, per_tenant

ETD_ERROR = '"The requested user is invalid."'
REACH_FIX = (
    "ETD's app reaches only the tenants where it is consented: onboard {tenant} in the ETD portal (add the "
    "tenant / Microsoft 365 authentication) and have its Global Administrator Accept the consent"
)


def _address_subjects(estate: Estate):
    return [Subject("", address, key=address) for address in sorted(set(estate.context.get("protected_addresses", ())))]


def _address_evaluate(estate: Estate, subject: Subject) -> Finding | None:
    hit = estate.address_index.get(subject.key)
    if hit is not None:
        return None
    deleted = [
        f"soft-deleted in {name} on {u.get('deletedDateTime')}"
        for name, view in estate.tenants.items()
        if view.snap.is_ok("deletedUsers")
        for u in view.section("deletedUsers")
        if (u.get("mail") or "").lower() == subject.key
    ]
    return Finding(
        check_id="C3A-01",
        case="3a",
        subject=subject.test_id,
        problem="this protected address matches no user (UPN, mail or proxy address) in any configured tenant",
        etd_error=ETD_ERROR,
        fix="Verify the account exists in Microsoft 365 (admin center > Users); fix the address in ETD's protected "
        "list, or add the tenant that holds it to this suite's config",
        evidence=tuple(("deleted user", d) for d in deleted) or (("tenants searched", ", ".join(estate.tenants)),),
    )


PROTECTED_ADDRESS_RESOLVES = Check(
    check_id="C3A-01",
    title="Every configured protected address resolves to a user in a configured tenant",
    cases=("3a",),
    subjects=_address_subjects,
    evaluate=_address_evaluate,
    when_empty="no protected addresses are configured (protection.addresses / --protected-addresses)",
)


def _etd_reachable(estate: Estate, tenant: str) -> bool:
    sp = estate.tenant(tenant).section("etdServicePrincipal").get("servicePrincipal")
    return bool(sp) and sp.get("accountEnabled") is not False


def _domain_subjects(estate: Estate):
    return per_tenant(estate, lambda view: [Subject(view.name, domain, key=domain) for domain in view.domains])


def _verified_in(estate: Estate, domain: str) -> list[str]:
    return [
        name
        for name, view in estate.tenants.items()
        if domain in {d["name"].lower() for d in view.section("organization").get("verifiedDomains", [])}
    ]


def _domain_evaluate(estate: Estate, subject: Subject) -> Finding | None:
    homes = _verified_in(estate, subject.key)
    if any(_etd_reachable(estate, t) for t in homes):
        return None
    where = (
        f"verified in {', '.join(homes)}, where ETD is not consented" if homes else "verified in no configured tenant"
    )
    fix = (
        REACH_FIX.format(tenant=" / ".join(homes))
        if homes
        else (
            "Verify the domain in the tenant that owns it (Microsoft 365 admin center > Settings > Domains) and add "
            "that tenant to ETD and to this suite's config"
        )
    )
    return Finding(
        check_id="C3B-01",
        case="3b",
        subject=subject.test_id,
        problem=f"protected domain {subject.key} is {where}: ETD cannot reach its mailboxes",
        etd_error=ETD_ERROR,
        fix=fix,
        evidence=(("tenants with the domain verified", ", ".join(homes) or "none"),),
    )


PROTECTED_DOMAIN_REACHABLE = Check(
    check_id="C3B-01",
    title="Every protected domain is verified in a tenant where ETD is consented",
    cases=("3b",),
    subjects=_domain_subjects,
    evaluate=_domain_evaluate,
)


def _tenant_subjects(estate: Estate):
    if len(estate.tenants) < 2:
        return []
    return per_tenant(estate, lambda view: [Subject(view.name, "etd-reach")])


def _tenant_evaluate(estate: Estate, subject: Subject) -> Finding | None:
    if _etd_reachable(estate, subject.tenant):
        return None
    reached = [t for t in estate.tenants if t != subject.tenant and _etd_reachable(estate, t)]
    return Finding(
        check_id="C3B-02",
        case="3b",
        subject=subject.test_id,
        problem="ETD is integrated with several tenants but its app is not consented (or is disabled) in this "
        f"one; it reaches only {', '.join(reached) or 'no configured tenant'}",
        etd_error=ETD_ERROR,
        fix=REACH_FIX.format(tenant=subject.tenant),
    )


ETD_REACHES_EVERY_TENANT = Check(
    check_id="C3B-02",
    title="ETD's app is consented in every configured tenant (multi-tenant reach)",
    cases=("3b",),
    subjects=_tenant_subjects,
    evaluate=_tenant_evaluate,
    when_empty="only one tenant is configured: multi-tenant reach does not apply",
)
