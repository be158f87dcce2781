"""ETD's error log, row by row (case 1a and every mailbox cause): why did this remediation fail?

Mailbox causes first, from the per-mailbox verdict (a row fails with that root cause and its fix);
then, for a mailbox that is ready, the message: moved by the owner (1a), gone (1a), or still where ETD
found it (transient: retry). Message-level and transient explanations pass: the tenant has nothing to
fix. The error text in the row is compared with the diagnosis; a mismatch is said.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..collect.messages import lookup_key
from ..findings import Finding, NotEvaluated
from ..protection import index_by_address, user_addresses
from .base import Check, Estate, Subject, deleted_label, user_label
from .causes import CAUSES
from .links import finding_of
from .path import MailboxRef, assess, home_tenant

CHECK_ID = "ERR-01"
TRANSIENT = (
    "not explained by the mailbox or the message (it is still where ETD found it): transient - retry the "
    "remediation in ETD"
)
READY_NOW = "the mailbox is ready now; the failure was message-level or transient (no message id in the row)"
BY_DESIGN = (
    "Not an error: by design ETD does not remediate messages from senders on an Exchange allow list, messages "
    "Microsoft 365 already remediated, or Safe Sender messages with a Spam or Graymail verdict; and it never "
    "reports failures on on-premises mailboxes."
)
FAMILIES = (("not found", "1"), ("unknown reason", "2"), ("user is invalid", "3"), ("inactive", "4"))


@dataclass(frozen=True)
class Diagnosis:
    """What explains one row: a declared cause (failing when it is the mailbox's), or transient / ready now."""

    kind: str  # a cause id, "transient" or "mailbox-ready"
    text: str
    fix: str = ""
    case: str = ""
    finding: Finding | None = None  # set when the mailbox itself still breaks remediation
    note: str = ""


def _subjects(estate: Estate):
    return [Subject("", _label(row), key=index) for index, row in enumerate(estate.context.get("error_log", ()))]


def _label(row: dict) -> str:
    return f"{row['file']}:{row['line']}:{row.get('mailbox') or 'no-mailbox'}"


def _ref(estate: Estate, address: str) -> MailboxRef:
    """The row's mailbox: the protected mailbox holding the address (a member before a guest), a soft-deleted
    one, or an address no configured tenant knows. A user outside the protected scope is NOT EVALUATED."""
    outside = []
    for name in estate.tenants:
        user = _protected_index(estate, name).get(address)
        if user is not None:
            return MailboxRef(name, user_label(user), user_id=user["id"])
        if address in _all_index(estate, name):
            outside.append(name)
    for name, view in estate.tenants.items():
        deleted = next(
            (u for u in view.deleted_protected_users if address in {deleted_label(u), *user_addresses(u)}), None
        )
        if deleted is not None:
            return MailboxRef(name, deleted_label(deleted), deleted_id=deleted["id"])
    if outside:
        raise NotEvaluated(
            f"{address} is a user of {', '.join(outside)} but outside the protected scope configured here, so it "
            "was not probed: ETD logged it, so ETD's scope and this suite's differ - add it to protection.addresses "
            "(or check protection.domains / group / exclude)"
        )
    return MailboxRef(home_tenant(estate, address), address)


def _protected_index(estate: Estate, tenant: str) -> dict[str, dict]:
    """Address -> protected user of one tenant, built once per run."""
    key = ("protected-index", tenant)
    if key not in estate.memo:
        estate.memo[key] = index_by_address(estate.tenant(tenant).protected_users)
    return estate.memo[key]


def _all_index(estate: Estate, tenant: str) -> dict[str, dict]:
    key = ("all-index", tenant)
    if key not in estate.memo:
        estate.memo[key] = index_by_address(estate.tenant(tenant).section("users"))
    return estate.memo[key]


def diagnose(estate: Estate, subject: Subject) -> Diagnosis:
    """The row's diagnosis (memoised); NotEvaluated when the data cannot decide."""
    key = ("error-log", subject.key)
    if key not in estate.memo:
        estate.memo[key] = _diagnose(estate, subject)
    return estate.memo[key]


def _diagnose(estate: Estate, subject: Subject) -> Diagnosis:
    row = estate.context["error_log"][subject.key]
    if row.get("problem"):
        raise NotEvaluated(f"{row['file']} line {row['line']}: {row['problem']}")
    ref = _ref(estate, row["mailbox"])
    found = assess(estate, ref)
    root = found.root
    if root is not None:
        problem = f"{row['mailbox']} {root.problem}" if root.problem[:1].islower() else root.problem
        finding = finding_of(root, CHECK_ID, subject, problem=problem, evidence=found.evidence, also=found.also)
        return Diagnosis(root.cause_id, problem, finding.fix, finding.case, finding, _mismatch(row, finding.case))
    if found.unknown is not None:
        raise NotEvaluated(f"{row['mailbox']}: {found.unknown.name} - {found.unknown.problem}")
    if not row.get("message_id"):
        return Diagnosis("mailbox-ready", READY_NOW, note=_mismatch(row, ""))
    return _message(estate, ref, row)


def _message(estate: Estate, ref: MailboxRef, row: dict) -> Diagnosis:
    data = estate.tenant(ref.tenant).section("messages")
    got = data["lookups"].get(lookup_key(str(ref.user_id), row["message_id"]))
    if got is None:
        raise NotEvaluated(f"{row['message_id']} was not looked up in {row['mailbox']}")
    if "error" in got:
        raise NotEvaluated(f"the lookup of {row['message_id']} in {row['mailbox']} failed: {got['error']}")
    if not got["found"]:
        c = CAUSES["message-deleted"]
        return Diagnosis(
            c.cause_id,
            f"{row['message_id']} is in no folder of {row['mailbox']}: {c.title}",
            c.fix,
            "1a",
            note=_mismatch(row, "1a"),
        )
    inbox = data["inbox"].get(str(ref.user_id), "")
    deleted = data["inbox"].get(f"{ref.user_id}|deleteditems", "")
    junk = data["inbox"].get(f"{ref.user_id}|junkemail", "")
    folders = {m["parentFolderId"] for m in got["found"]}
    if inbox and inbox in folders:
        return Diagnosis("transient", TRANSIENT, "Retry the remediation from ETD", note=_mismatch(row, ""))
    if junk and folders == {junk}:
        c = CAUSES["message-moved"]
        text = (
            f"{row['message_id']} is in Junk Email of {row['mailbox']}: moved there by the owner or a rule, or by a "
            "later remediation (ETD's move to junk)"
        )
        return Diagnosis(c.cause_id, text, c.fix_for(detail="Junk Email"), "1a", note=_mismatch(row, "1a"))
    if deleted and folders == {deleted}:
        c = CAUSES["message-deleted"]
        text = (
            f"{row['message_id']} is in Deleted Items of {row['mailbox']}: deleted by the owner, or moved there by a "
            "later remediation (ETD's move to trash)"
        )
        return Diagnosis(c.cause_id, text, c.fix, "1a", note=_mismatch(row, "1a"))
    names = [
        data["folders"].get(str(ref.user_id), {}).get(f) or "a folder whose name could not be read" for f in folders
    ]
    c = CAUSES["message-moved"]
    return Diagnosis(
        c.cause_id,
        f"{row['message_id']} was moved by the owner to {', '.join(sorted(names))}",
        c.fix_for(detail=", ".join(sorted(names))),
        "1a",
        note=_mismatch(row, "1a"),
    )


def _mismatch(row: dict, case: str) -> str:
    """A note when the error ETD logged is not the one this diagnosis leads to."""
    logged = (row.get("error") or "").strip()
    family = next((f for phrase, f in FAMILIES if phrase in logged.lower()), None)
    if not logged or family is None:
        return ""
    if not case:
        return f"ETD logged {logged!r}; neither the mailbox nor the message explains it now (fixed since, or transient)"
    if family != case[0]:
        return f"ETD logged {logged!r}, which is not the error this diagnosis leads to (case {case})"
    return ""


def _evaluate(estate: Estate, subject: Subject) -> Finding | None:
    return diagnose(estate, subject).finding


def describe(estate: Estate, subject: Subject) -> dict[str, str]:
    row = estate.context["error_log"][subject.key]
    props = {
        "etd_error_log_row": f"{row['file']}:{row['line']}",
        "etd_mailbox": row.get("mailbox", ""),
        "etd_logged_error": row.get("error", ""),
        "etd_message_id": row.get("message_id", ""),
    }
    try:
        d = diagnose(estate, subject)
    except NotEvaluated:
        return props
    props.update(etd_diagnosis=d.kind, etd_diagnosis_text=d.text, etd_diagnosis_case=d.case, etd_diagnosis_fix=d.fix)
    if d.note:
        props["etd_note"] = d.note
    return props


REMEDIATION_ERRORS = Check(
    check_id=CHECK_ID,
    title="Each row of ETD's error log is explained: the mailbox's root cause, the message (1a), or transient",
    cause_ids=tuple(CAUSES),
    subjects=_subjects,
    evaluate=_evaluate,
    when_empty="no ETD error log given (--etd-error-log FILE or [error_log] files in the config)",
    describe=describe,
)
