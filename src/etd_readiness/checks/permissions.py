"""Cases 2 and 3b, per cause: ETD's app reaches each tenant, and holds its manifest as Application permissions."""

from __future__ import annotations

from ..findings import Finding, NotApplicable, NotEvaluated
from .base import Check, Estate, Subject, per_tenant
from .links import (
    BROKEN,
    PENDING,
    UNKNOWN,
    before_onboarding,
    etd_service_principal,
    finding_of,
    pending_reason,
    permission_link,
    reach_link,
)

REACH_ID = "C2-01"
PERMISSION_ID = "C2-02"
REACH_CAUSES = ("etd-not-consented", "etd-disabled", "etd-not-consented-here", "etd-disabled-here")


def _reach_evaluate(estate: Estate, subject: Subject) -> Finding | None:
    link = reach_link(estate, subject.tenant)
    if link.state == PENDING:
        raise NotApplicable(link.problem)
    if link.state == UNKNOWN:
        raise NotEvaluated(link.problem)
    if link.state != BROKEN:
        return None
    return finding_of(link, REACH_ID, subject)


ETD_REACHES_TENANT = Check(
    check_id=REACH_ID,
    title="ETD's enterprise application is consented and enabled in every configured tenant",
    cause_ids=REACH_CAUSES,
    subjects=lambda estate: per_tenant(estate, lambda view: [Subject(view.name, "etd-app")]),
    evaluate=_reach_evaluate,
)


def _perm_subjects(estate: Estate):
    """Tenant x permission of ETD's manifest, in every tenant."""
    manifest = estate.context.get("manifest", ())
    return per_tenant(estate, lambda view: [Subject(view.name, name, key=name) for name in manifest])


def _perm_evaluate(estate: Estate, subject: Subject) -> Finding | None:
    view = estate.tenant(subject.tenant)
    if etd_service_principal(view) is None and before_onboarding(estate):
        raise NotApplicable(pending_reason(estate, subject.tenant))
    if etd_service_principal(view) is None:
        raise NotApplicable(f"ETD's app is not in tenant {subject.tenant}: reported once, by {REACH_ID}")
    link = permission_link(view, subject.key)
    if link.state == UNKNOWN:
        raise NotEvaluated(link.problem)
    if link.state != BROKEN:
        return None
    return finding_of(link, PERMISSION_ID, subject)


APPLICATION_PERMISSION = Check(
    check_id=PERMISSION_ID,
    title="ETD holds each permission of its manifest as a Microsoft Graph Application permission",
    cause_ids=("permission-delegated-only", "permission-not-consented", "permission-missing"),
    subjects=_perm_subjects,
    evaluate=_perm_evaluate,
)
