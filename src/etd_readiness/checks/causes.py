"""Every root cause the suite can report, declared once: its seed case, ETD's error text and the fix.

A cause's case follows the error ETD shows (which follows what Graph answers): the seed document
(Cisco's troubleshooting page) files each ETD error under a case. Checks name the causes they can
emit; findings are built from these declarations, so markers, the README table, the report and the
JUnit properties all come from one place. Fix templates take `{user}`, `{tenant}`, `{app}`,
`{app_id}`, `{permission}`, `{detail}` (whatever a cause needs; unknown keys are left as-is).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

NOT_FOUND = '"Resource is not found"'
UNKNOWN = '"Remediation Failed. Unknown Reason."'
INVALID_USER = '"The requested user is invalid."'
INACTIVE = '"The mailbox is either inactive, soft-deleted, or is hosted on-premise."'

CONSENT_FIX = (
    "Entra admin center > Identity > Applications > Enterprise applications > {app} > Permissions: "
    "'Grant admin consent for {tenant}', sign in as a Cloud Application Administrator (or higher) and Accept"
)
LICENCE_FIX = (
    "Microsoft 365 admin center > Users > Active users > {user} > Licenses and apps: assign a licence that "
    "includes Exchange Online (Plan 1/2, Kiosk or a suite containing it); the mailbox is then created automatically"
)
REMOTE_MAILBOX_DECIDES = (
    "On the on-premises Exchange server, Get-Mailbox {user} finds a mailbox hosted there, while "
    "Get-RemoteMailbox {user} finds a user whose mailbox is meant to be in Exchange Online"
)
MOVE_FIX = (
    "Move the mailbox to Exchange Online (Exchange admin center > Migration > hybrid migration batch, or "
    "New-MoveRequest), or remove it from ETD's protected scope. Do not assign an Exchange Online licence to it "
    "first: that creates a second, empty cloud mailbox"
)


@dataclass(frozen=True)
class Cause:
    """One root cause: what is wrong, the seed case it is filed under, ETD's error, the fix."""

    cause_id: str
    case: str
    title: str
    etd_error: str
    fix: str
    licence: bool = False  # the per-cause licence test (C4A-01) reports it

    def as_answered(self, code: str = "") -> tuple[str, str]:
        """(case, ETD's error) when Graph answered `code`: ETD shows Graph's message almost verbatim
        (GRAPH_FACTS §1), so a no-mailbox cause answered "ResourceNotFound" reads "Resource is not found"
        in ETD, which the seed files as case 1b, whatever the cause."""
        if code == "ResourceNotFound" and self.etd_error == INACTIVE:
            return "1b", NOT_FOUND
        return self.case, self.etd_error

    def fix_for(self, **values: str) -> str:
        """The fix with the subject's values filled in (missing keys stay visible as {key})."""
        return string.Formatter().vformat(self.fix, (), _Keep(values))


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _c(cause_id: str, case: str, title: str, etd_error: str, fix: str, licence: bool = False) -> Cause:
    return Cause(cause_id, case, title, etd_error, fix, licence)


_REACH_FIX = (
    "Onboard {tenant} in the ETD portal (Microsoft 365 authentication / add the tenant) and have its Global "
    "Administrator Accept the consent prompt; if ETD's app has another name here, set etd.app_id"
)
_ENABLE_FIX = (
    "Entra admin center > Enterprise applications > {app} > Properties: set 'Enabled for users to sign-in?' to Yes"
)

CAUSES: dict[str, Cause] = {
    c.cause_id: c
    for c in (
        _c("etd-not-consented", "2", "ETD's app is not in the tenant (never consented)", UNKNOWN, _REACH_FIX),
        _c("etd-disabled", "2", "ETD's enterprise app is disabled", UNKNOWN, _ENABLE_FIX),
        _c(
            "etd-not-consented-here",
            "3b",
            "ETD is integrated with several tenants but its app is not consented in this one",
            INVALID_USER,
            _REACH_FIX,
        ),
        _c(
            "etd-disabled-here",
            "3b",
            "ETD is integrated with several tenants but its app is disabled in this one",
            INVALID_USER,
            _ENABLE_FIX,
        ),
        _c(
            "permission-delegated-only",
            "2",
            "a permission ETD needs is granted only as Delegated, not as Application",
            UNKNOWN,
            CONSENT_FIX + "; in the app registration's API permissions add Microsoft Graph > Application permissions "
            "> {permission}",
        ),
        _c(
            "permission-not-consented",
            "2",
            "a permission ETD's registration requests was never admin-consented",
            UNKNOWN,
            CONSENT_FIX,
        ),
        _c("permission-missing", "2", "a permission ETD needs is not granted as Application", UNKNOWN, CONSENT_FIX),
        _c(
            "domain-unverified",
            "3b",
            "the protected domain is verified in no configured tenant",
            INVALID_USER,
            "Verify the domain in the tenant that owns it (Microsoft 365 admin center > Settings > Domains) and add "
            "that tenant to ETD and to this suite's config",
        ),
        _c(
            "address-not-a-user",
            "3a",
            "the protected address is no user of any configured tenant",
            INVALID_USER,
            "Verify the account exists in Microsoft 365 (admin center > Users); fix the address in ETD's protected "
            "list, or add the tenant that holds it to this suite's config",
        ),
        _c(
            "not-a-mailbox-user",
            "3a",
            "Exchange Online says the user is invalid",
            INVALID_USER,
            "Verify the account exists in Microsoft 365 and has a mailbox; correct ETD's protected addresses",
        ),
        _c(
            "guest-account",
            "3a",
            "a guest (B2B) account has no mailbox in this tenant",
            INVALID_USER,
            "Remove {user} from ETD's protected list: a guest's mailbox lives in its home organization",
        ),
        _c(
            "soft-deleted",
            "4",
            "the user is soft-deleted; its mailbox is inactive",
            INACTIVE,
            "Restore the user within 30 days (Microsoft 365 admin center > Users > Deleted users > Restore) and keep "
            "its Exchange Online licence, or remove {user} from ETD's protected scope",
        ),
        _c(
            "never-licensed",
            "4a",
            "the account was never licensed, so no mailbox exists",
            INACTIVE,
            LICENCE_FIX,
            licence=True,
        ),
        _c(
            "never-licensed-not-found",
            "1b",
            "the account was created but never licensed: no mailbox was created",
            NOT_FOUND,
            LICENCE_FIX,
            licence=True,
        ),
        _c(
            "no-mailbox-plan",
            "4a",
            "licensed, but no assigned plan gives a mailbox",
            INACTIVE,
            LICENCE_FIX,
            licence=True,
        ),
        _c(
            "exchange-plan-disabled",
            "4a",
            "the Exchange Online plan is switched off in the user's licence",
            INACTIVE,
            "Microsoft 365 admin center > Users > Active users > {user} > Licenses and apps: switch Exchange Online "
            "back on in the licence (or remove it from the group licence's disabled plans)",
            licence=True,
        ),
        _c(
            "licence-lapsed",
            "4a",
            "the subscription holding the Exchange Online plan has lapsed (Suspended / LockedOut / Deleted)",
            INACTIVE,
            "Microsoft 365 admin center > Billing > Your products: reactivate or renew the subscription ({detail}), "
            "or assign {user} a licence from an active subscription",
            licence=True,
        ),
        _c(
            "licence-assignment-failed",
            "4a",
            "the licence assignment failed, so the user holds no Exchange Online licence",
            INACTIVE,
            "Microsoft 365 admin center > Users > Active users > {user} > Licenses and apps: resolve the assignment "
            "error ({detail}) - CountViolation: buy or free seats; MutuallyExclusiveViolation: remove the conflicting "
            "licence; DependencyViolation: assign the plan it depends on; ProhibitedInUsageLocationViolation: set "
            "the user's usage location",
            licence=True,
        ),
        _c(
            "unlicensed-or-on-premises",
            "4a",
            "synced from on-premises AD, no Exchange Online licence and no cloud mailbox: unlicensed, or hosted "
            "on-premises",
            INACTIVE,
            REMOTE_MAILBOX_DECIDES
            + ". Remote mailbox: assign an Exchange Online licence. On-premises mailbox: move it to Exchange Online "
            "(New-MoveRequest / migration batch) and do not licence it first",
            licence=True,
        ),
        _c(
            "on-premises-or-unlicensed",
            "4b",
            "hybrid user (routing address present) without a cloud mailbox: most likely hosted on-premises, or "
            "unlicensed",
            INACTIVE,
            REMOTE_MAILBOX_DECIDES
            + ". On-premises mailbox: "
            + MOVE_FIX
            + ". Remote mailbox: assign an Exchange Online licence",
        ),
        _c(
            "on-premises",
            "4b",
            "hybrid: the mailbox is hosted on the on-premises Exchange server; ETD acts only on Exchange Online",
            INACTIVE,
            MOVE_FIX,
        ),
        _c(
            "provisioning-error",
            "4",
            "Exchange Online could not provision the mailbox (serviceProvisioningErrors)",
            INACTIVE,
            "Resolve the Exchange provisioning error ({detail}) - typically a proxy address or UPN already used by "
            "another object (Get-Recipient <address> in Exchange Online PowerShell finds it); the mailbox is then "
            "provisioned",
        ),
        _c(
            "mailbox-inactive",
            "4",
            "licensed, but Exchange Online reports the mailbox inactive or soft-deleted",
            INACTIVE,
            "Exchange admin center > Recipients > Mailboxes: check the mailbox state; restore or re-provision it "
            "(Get-Mailbox -SoftDeletedMailbox / -InactiveMailboxOnly)",
        ),
        _c(
            "not-provisioned-yet",
            "1b",
            "licensed, but Exchange Online has not provisioned the mailbox yet",
            NOT_FOUND,
            "Allow up to 24 hours after the licence was assigned for the mailbox to appear, then re-run this suite; if "
            "it does not appear, check the user's Exchange Online licence in the Microsoft 365 admin center",
        ),
        _c(
            "message-moved",
            "1a",
            "the mailbox owner moved the message to another folder before ETD acted",
            NOT_FOUND,
            "Nothing to fix in the tenant: the message is now in '{detail}'. Remediate it again from ETD (search "
            "the message and remediate) or leave it where the owner put it",
        ),
        _c(
            "message-deleted",
            "1a",
            "the message is no longer in the mailbox: deleted by the owner, or purged",
            NOT_FOUND,
            "Nothing to fix in the tenant and nothing left to remediate: the owner deleted the message (or it was "
            "purged) before ETD acted",
        ),
        _c(
            "intermittent",
            "1b",
            "the mailbox answers intermittently (different errors on consecutive probes): still being provisioned "
            "(a licensed user only)",
            NOT_FOUND,
            "Wait for provisioning to settle (up to 24 hours after licensing) and re-run; if it still flaps, open a "
            "Microsoft support case for the mailbox",
        ),
    )
}
ALL_CASES: tuple[str, ...] = ("1a", "1b", "2", "3a", "3b", "4", "4a", "4b")
CASE_TITLES: dict[str, str] = {
    "1a": "Resource is not found: the owner deleted or moved the message (judged from ETD's error log)",
    "1b": "Resource is not found: no mailbox provisioned (never licensed, or not yet)",
    "2": "Remediation Failed. Unknown Reason: ETD's app or its Graph Application permissions",
    "3a": "The requested user is invalid: the address is no mailbox user of the tenant",
    "3b": "The requested user is invalid: ETD's app does not reach the mailbox's tenant",
    "4": "Mailbox inactive or soft-deleted",
    "4a": "No valid Exchange Online licence, so no mailbox",
    "4b": "Mailbox hosted on-premises (hybrid)",
}


def cause(cause_id: str) -> Cause:
    """The declared cause (KeyError names an undeclared one)."""
    return CAUSES[cause_id]
