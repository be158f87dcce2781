"""Cases 1b, 3a and 4: the mail call ETD depends on, per protected mailbox; soft-deleted targets."""

from __future__ import annotations

from ..findings import Finding, SectionUnavailable
from ..protection import is_protected
from .base import Check, Estate, Subject, TenantView, per_tenant, user_label
from .licensing import FIX as LICENCE_FIX
from .licensing import has_enabled_mailbox_plan, protected_user_subjects

NOT_FOUND = '"Resource is not found"'
INVALID_USER = '"The requested user is invalid."'
INACTIVE = '"The mailbox is either inactive, soft-deleted, or is hosted on-premise."'
UNKNOWN = '"Remediation Failed. Unknown Reason."'


def _diagnose(user: dict, probe: dict) -> tuple[str, str, str, str] | None:
    """(case, problem, ETD error, fix) for a probe that did not answer 200; None when it did."""
    status, code = probe.get("status"), probe.get("code")
    label = user_label(user)
    if status == 200:
        return None
    if code == "MailboxNotEnabledForRESTAPI":
        if user.get("onPremisesSyncEnabled") and has_enabled_mailbox_plan(user):
            return (
                "4b",
                "is synced from on-premises AD and its mailbox lives on the on-premises Exchange server "
                "(hybrid); ETD acts only on Exchange Online mailboxes",
                INACTIVE,
                "Move the mailbox to Exchange Online (hybrid migration batch / New-MoveRequest), or remove it "
                "from ETD's protected scope",
            )
        if not has_enabled_mailbox_plan(user):
            return (
                "1b/4a",
                "has no mailbox in Exchange Online because it holds no enabled Exchange Online licence",
                INACTIVE,
                LICENCE_FIX.format(user=label),
            )
        return (
            "4",
            "is licensed but Exchange Online reports its mailbox inactive or soft-deleted",
            INACTIVE,
            "Exchange admin center > Recipients > Mailboxes: check the mailbox state; restore or re-provision it "
            "(Get-Mailbox -SoftDeletedMailbox / -InactiveMailboxOnly)",
        )
    if code == "ResourceNotFound":
        return (
            "1b",
            "has no discoverable mailbox yet (Exchange Online has not provisioned it, or it flaps while provisioning)",
            NOT_FOUND,
            "Check the user's Exchange Online licence in the Microsoft 365 admin center; after assigning one "
            "allow up to 24 hours for the mailbox to appear, then re-run this suite",
        )
    if code == "ErrorInvalidUser":
        return (
            "3a",
            "is not a valid mailbox user in this directory",
            INVALID_USER,
            "Verify the account exists in Microsoft 365 and has a mailbox; correct ETD's protected addresses",
        )
    if status == 403 and "OData is disabled" in (probe.get("message") or ""):
        return (
            "2",
            "is excluded from Graph by an Exchange Online application access policy (RBAC for Applications)",
            UNKNOWN,
            "Exchange Online PowerShell: Test-ApplicationAccessPolicy -Identity <mailbox> -AppId <ETD appId>; "
            "add the mailbox to the policy's group or scope the policy so ETD may reach it",
        )
    return None


def _reach_evaluate(estate: Estate, subject: Subject) -> Finding | None:
    view: TenantView = estate.tenant(subject.tenant)
    user = view.users_by_id[subject.key]
    probe = view.mailbox(user["id"])
    diagnosis = _diagnose(user, probe)
    if probe.get("status") == 200:
        return None
    if diagnosis is None:
        # An answer we cannot map (e.g. 403 for the auditor itself) proves nothing either way.
        raise SectionUnavailable(
            view.name,
            "mailboxes",
            f"probe of {user_label(user)} answered {probe.get('status')} {probe.get('code')}: {probe.get('message')}",
        )
    case, problem, etd_error, fix = diagnosis
    return Finding(
        check_id="MBX-01",
        case=case,
        subject=subject.test_id,
        problem=problem,
        etd_error=etd_error,
        fix=fix,
        evidence=(
            (
                "GET /users/{id}/mailFolders/inbox",
                f"{probe.get('status')} {probe.get('code')}: {probe.get('message')}",
            ),
        ),
    )


MAILBOX_ANSWERS = Check(
    check_id="MBX-01",
    title="Every protected mailbox answers the Graph mail call ETD remediates through",
    cases=("1b", "3a", "4a", "4b"),
    subjects=protected_user_subjects,
    evaluate=_reach_evaluate,
)


def deleted_protected_users(view: TenantView) -> list[dict]:
    """Soft-deleted users whose address ETD would still protect."""
    c = view.context
    found = [
        u
        for u in view.section("deletedUsers")
        if is_protected(
            u,
            view.domains,
            addresses=c.get("protected_addresses", ()),
            exclude=c.get("exclude", ()),
            include_guests=c.get("include_guests", ()),
        )
    ]
    return sorted(found, key=lambda u: (u.get("mail") or user_label(u)).lower())


def _deleted_evaluate(estate: Estate, subject: Subject) -> Finding | None:
    deleted = deleted_protected_users(estate.tenant(subject.tenant))
    if not deleted:
        return None
    listed = [f"{(u.get('mail') or user_label(u)).lower()} (deleted {u.get('deletedDateTime')})" for u in deleted]
    return Finding(
        check_id="C4-01",
        case="4",
        subject=subject.test_id,
        problem=f"{len(deleted)} protected address(es) belong to soft-deleted users whose mailboxes are inactive: "
        + ", ".join(listed[:50])
        + (" ..." if len(listed) > 50 else ""),
        etd_error=INACTIVE,
        fix="Restore the user within 30 days (Microsoft 365 admin center > Users > Deleted users > Restore) "
        "and keep its Exchange Online licence, or remove the address from ETD's protected scope",
        evidence=tuple(("deleted user", item) for item in listed[:50]),
    )


NOT_SOFT_DELETED = Check(
    check_id="C4-01",
    title="No protected target is a soft-deleted user",
    cases=("4",),
    subjects=lambda estate: per_tenant(estate, lambda view: [Subject(view.name, "soft-deleted-users")]),
    evaluate=_deleted_evaluate,
)
