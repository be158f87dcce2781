"""Cases 1b and 4a, per cause: the user holds a working Exchange Online licence where its mailbox needs one.

The answer is read from the mailbox's path (checks/path.py), so it always agrees with the per-mailbox
verdict: it fails only where a licence cause is on the path (root cause or "also"). A mailbox that
answers needs nothing more (shared, room and equipment mailboxes need no licence); a mailbox hosted
on-premises is not a licence question (licensing it would create a second, empty cloud mailbox).
"""

from __future__ import annotations

from ..findings import Finding, NotApplicable, NotEvaluated
from .base import Check, Estate, Subject, per_tenant, user_label
from .causes import CAUSES
from .links import UNKNOWN, finding_of
from .path import MailboxRef, assess

CHECK_ID = "C4A-01"


def protected_user_subjects(estate: Estate):
    """Every protected (active) user of every tenant."""
    return per_tenant(
        estate,
        lambda view: [
            Subject(view.name, user_label(u), key=MailboxRef(view.name, user_label(u), user_id=u["id"]))
            for u in view.protected_users
        ],
    )


def _evaluate(estate: Estate, subject: Subject) -> Finding | None:
    found = assess(estate, subject.key)
    mailbox = found.links[-1]
    if mailbox.state == UNKNOWN:  # whether the licence question even applies (on-premises?) is the mailbox's
        raise NotEvaluated(
            f"{subject.test_id}: whether it needs a licence is decided by its mailbox - {mailbox.problem}"
        )
    licence = [link for link in found.broken if CAUSES[link.cause_id].licence]
    if licence:
        link = licence[0]
        return finding_of(link, CHECK_ID, subject)
    if mailbox.state == "broken":
        raise NotApplicable(f"not a licence question: {mailbox.problem}")
    return None


EXCHANGE_ONLINE_LICENCE = Check(
    check_id=CHECK_ID,
    title="Every protected user holds a working Exchange Online plan where its mailbox needs one",
    cause_ids=tuple(c.cause_id for c in CAUSES.values() if c.licence),
    subjects=protected_user_subjects,
    evaluate=_evaluate,
)
