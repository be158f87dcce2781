"""Case 4, per cause: no protected address belongs to a soft-deleted user (one item per such address)."""

from __future__ import annotations

from ..findings import Finding
from .base import Check, Estate, Subject, deleted_label, per_tenant
from .links import finding_of
from .path import MailboxRef, assess

CHECK_ID = "C4-01"


def _subjects(estate: Estate):
    def each(view):
        found = [
            Subject(view.name, deleted_label(u), key=MailboxRef(view.name, deleted_label(u), deleted_id=u["id"]))
            for u in view.deleted_protected_users
        ]
        return found or [Subject(view.name, "no-soft-deleted-protected-user")]

    return per_tenant(estate, each)


def _evaluate(estate: Estate, subject: Subject) -> Finding | None:
    if subject.key is None:
        return None  # the recycle bin was read and holds no protected address
    link = next(link for link in assess(estate, subject.key).links if link.name == "soft-deleted")
    return finding_of(link, CHECK_ID, subject)


NOT_SOFT_DELETED = Check(
    check_id=CHECK_ID,
    title="No protected address belongs to a soft-deleted user",
    cause_ids=("soft-deleted",),
    subjects=_subjects,
    evaluate=_evaluate,
)
