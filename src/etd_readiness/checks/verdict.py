"""The per-mailbox verdict: can ETD remediate this mailbox? One item per protected mailbox."""

from __future__ import annotations

from ..findings import Finding, NotEvaluated
from .base import Check, Estate, Subject
from .causes import CAUSES
from .links import finding_of
from .path import assess, mailbox_subjects

CHECK_ID = "RDY-01"


def _evaluate(estate: Estate, subject: Subject) -> Finding | None:
    found = assess(estate, subject.key)
    root = found.root
    if root is None:
        unknown = found.unknown
        if unknown is not None:
            raise NotEvaluated(f"{subject.test_id}: {unknown.name} - {unknown.problem}")
        return None
    return finding_of(root, CHECK_ID, subject, evidence=found.evidence, also=found.also)


def describe(estate: Estate, subject: Subject) -> dict[str, str]:
    """What the CSV and report show for any outcome, a pass included: the evidence behind it."""
    found = assess(estate, subject.key)
    evidence = dict(found.evidence)
    return {
        "etd_tenant": subject.tenant,
        "etd_mailbox": subject.label,
        "etd_exchange_plan": evidence.get("Exchange plan", ""),
        "etd_probe": evidence.get("mailbox probe", ""),
        "etd_recipient_type": evidence.get("recipient type (mailboxSettings.userPurpose)", ""),
        "etd_notes": " | ".join(found.notes),
    }


MAILBOX_VERDICT = Check(
    check_id=CHECK_ID,
    title="ETD can remediate this protected mailbox (the first broken link of ETD's path is the root cause)",
    cause_ids=tuple(c.cause_id for c in CAUSES.values() if c.case != "1a"),  # 1a is message-level: ERR-01
    subjects=mailbox_subjects,
    evaluate=_evaluate,
    when_empty="no protected mailbox in any configured tenant",
    describe=describe,
)
