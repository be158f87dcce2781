"""The mailbox link of ETD's path: does an Exchange Online mailbox exist and answer, and if not, why.

Diagnosed from what the directory and Exchange show: the probe's answer (and its repeat when the first
answer was not 200), the licence (licence_state), onPremisesSyncEnabled, the hybrid routing address,
serviceProvisioningErrors, the recipient type Exchange reports (mailboxSettings.userPurpose).
"""

from __future__ import annotations

from dataclasses import replace

from ..collect.probe import is_mailbox_answer
from ..findings import NotEvaluated
from .base import TenantView, user_label
from .licence_state import exchange_provisioning_errors, licence_view, routing_addresses
from .links import BROKEN, OK, Link

NO_MAILBOX = frozenset({"MailboxNotEnabledForRESTAPI", "ResourceNotFound"})
NEEDS_NO_LICENCE = frozenset({"shared", "room", "equipment"})
AUDITOR_SCOPED_OUT = (
    "the auditor app is scoped out of this mailbox by an Exchange application access policy (403 ErrorAccessDenied "
    "'Access to OData is disabled.'), so what ETD sees cannot be told from here: give the auditor app the scope "
    "ETD's app has, or exempt it (Set-ApplicationAccessPolicy); Test-ApplicationAccessPolicy -Identity {user} "
    "-AppId <ETD appId> tells whether ETD may reach it"
)


def answer(probe: dict) -> str:
    """A probe answer as evidence text: '404 ResourceNotFound'."""
    return f"{probe.get('status')} {probe.get('code') or ''}".strip()


def mailbox_link(view: TenantView, user: dict) -> Link:
    """Link 5/6: an Exchange Online mailbox exists, answers, and is not hosted on-premises."""
    try:
        probe = view.mailbox(user["id"])
    except NotEvaluated as err:
        return Link.unknown("mailbox", str(err))
    label = user_label(user)
    again = probe.get("again")
    if again is not None and not is_mailbox_answer(probe) and is_mailbox_answer(again):
        probe = {**again, "first": answer(probe)}  # a transient error, then a real answer: the answer decides
    elif again is not None and not is_mailbox_answer(again):
        probe = {k: v for k, v in probe.items() if k != "again"}  # the repeat failed: the first answer stands
    lic = licence_view(user)
    evidence: list[tuple[str, str]] = [("Exchange plan", lic.summary), ("mailbox probe", _answers(probe))]
    purpose = probe.get("userPurpose")
    if purpose:
        evidence.append(("recipient type (mailboxSettings.userPurpose)", str(purpose)))
    values = {"user": label}
    status, code = probe.get("status"), probe.get("code")
    again = probe.get("again")
    if status == 200:
        notes = _pass_notes(lic, purpose)
        if probe.get("first"):
            notes = (f"the first probe answered {probe['first']}, the repeat 200", *notes)
        return Link("mailbox", OK, evidence=tuple(evidence), notes=notes)
    if again is not None and answer(again) != answer(probe):
        flip = _no_mailbox_flip(user, lic, probe, again, tuple(evidence), values)
        if flip is not None:
            return flip
        return Link(
            "mailbox",
            BROKEN,
            "intermittent",
            f"answered {answer(probe)} and then {answer(again)} to the same probe: Exchange Online's view of the "
            "mailbox is not settled",
            tuple(evidence),
            values,
        )
    if status == 403 and "OData is disabled" in str(probe.get("message") or ""):
        return Link.unknown("mailbox", AUDITOR_SCOPED_OUT.format(user=label))
    if code == "ErrorInvalidUser":
        return Link(
            "mailbox", BROKEN, "not-a-mailbox-user", "is not a valid mailbox user in this directory", tuple(evidence)
        )
    if code not in NO_MAILBOX:
        return Link.unknown(
            "mailbox", f"the mailbox probe of {label} answered {answer(probe)}: {probe.get('message')} (unexplained)"
        )
    return _no_mailbox(user, lic, code, tuple(evidence), values)


SETTLING = frozenset({"not-provisioned-yet", "mailbox-inactive"})  # a licensed cloud user's guesses


def _no_mailbox_flip(user: dict, lic, probe: dict, again: dict, evidence: tuple, values: dict) -> Link | None:
    """Two different no-mailbox answers (ResourceNotFound, MailboxNotEnabledForRESTAPI): Graph gives either
    for a user without a mailbox (GRAPH_FACTS §1), so the flip alone diagnoses nothing. What the directory
    says decides (never licensed, on-premises, a guest ...); only a licensed cloud user, whose mailbox
    should exist, is still settling (None: the caller reports it intermittent)."""
    if not all(a.get("status") == 404 and a.get("code") in NO_MAILBOX for a in (probe, again)):
        return None
    link = _no_mailbox(user, lic, probe.get("code"), evidence, values)
    if link.cause_id in SETTLING:
        return None
    note = (
        f"answered {answer(probe)}, then {answer(again)}: Graph gives either for a user without a mailbox, so ETD's "
        "error can read either way"
    )
    return replace(link, notes=(*link.notes, note))


def _answers(probe: dict) -> str:
    again = probe.get("again")
    if again is None:
        return answer(probe)
    return f"{answer(probe)} (twice)" if answer(again) == answer(probe) else f"{answer(probe)}, then {answer(again)}"


def _pass_notes(lic, purpose: str | None) -> tuple[str, ...]:
    notes: list[str] = []
    if lic.grace:
        notes.append(f"the Exchange Online plan is in its grace period ({lic.summary}): renew before it lapses")
    if not lic.working and purpose not in NEEDS_NO_LICENCE:
        if purpose is None:
            notes.append(
                "answers without a working Exchange Online licence; the recipient type is unknown (the auditor lacks "
                "MailboxSettings.Read): a shared/room/equipment mailbox needs none, a user mailbox does"
            )
        else:
            notes.append(
                f"a {purpose} mailbox answering without a working Exchange Online licence ({lic.summary}): Exchange "
                "disables it within 30 days of losing its licence"
            )
    return tuple(notes)


def _no_mailbox(user: dict, lic, code: str | None, evidence: tuple, values: dict[str, str]) -> Link:
    """404 MailboxNotEnabledForRESTAPI / ResourceNotFound: which of the documented causes it is, and the
    answer it rests on (ETD's error follows Graph's answer, `Cause.as_answered`)."""
    return replace(_which_cause(user, lic, code, evidence, values), answered=code or "")


def _which_cause(user: dict, lic, code: str | None, evidence: tuple, values: dict[str, str]) -> Link:
    if user.get("userType") == "Guest":
        address = str(user.get("mail") or values["user"]).lower()  # ETD's list names the guest's address, not #EXT#
        return Link(
            "mailbox",
            BROKEN,
            "guest-account",
            "is a guest (B2B) account: it has no mailbox here",
            evidence,
            {**values, "user": address},
        )
    provisioning = exchange_provisioning_errors(user)
    if provisioning:
        detail = ", ".join(provisioning)
        return Link(
            "mailbox",
            BROKEN,
            "provisioning-error",
            f"Exchange Online could not provision its mailbox (serviceProvisioningErrors on {detail})",
            (*evidence, ("serviceProvisioningErrors", detail)),
            {**values, "detail": detail},
        )
    if user.get("onPremisesSyncEnabled") is True:
        return _hybrid(user, lic, code, evidence, values)
    if lic.working:
        if code == "ResourceNotFound":
            return Link(
                "mailbox",
                BROKEN,
                "not-provisioned-yet",
                "holds an Exchange Online plan but has no discoverable mailbox yet",
                evidence,
                values,
            )
        return Link(
            "mailbox",
            BROKEN,
            "mailbox-inactive",
            "is licensed but Exchange Online reports its mailbox inactive or soft-deleted",
            evidence,
            values,
        )
    cause_id = lic.cause_id
    if cause_id == "never-licensed" and code == "ResourceNotFound":
        cause_id = "never-licensed-not-found"
    return Link("mailbox", BROKEN, cause_id, lic.problem, evidence, {**values, "detail": lic.detail})


def _hybrid(user: dict, lic, code: str | None, evidence: tuple, values: dict[str, str]) -> Link:
    """A user synced from on-premises AD without a cloud mailbox: on-premises, unlicensed, or both possible."""
    routing = routing_addresses(user)
    if routing:
        evidence = (*evidence, ("hybrid routing address", ", ".join(routing)))
    evidence = (*evidence, ("onPremisesSyncEnabled", "true"))
    if lic.working and code == "ResourceNotFound":
        return Link(
            "mailbox",
            BROKEN,
            "not-provisioned-yet",
            "is synced from on-premises AD and licensed, but has no discoverable mailbox in Exchange Online yet",
            evidence,
            values,
        )
    if lic.working:
        return Link(
            "mailbox",
            BROKEN,
            "on-premises",
            "is synced from on-premises AD and licensed for Exchange Online, yet Exchange Online has no mailbox for "
            "it: its mailbox lives on the on-premises Exchange server (hybrid)",
            evidence,
            values,
        )
    if routing:
        return Link(
            "mailbox",
            BROKEN,
            "on-premises-or-unlicensed",
            f"is synced from on-premises AD with a hybrid routing address ({routing[0]}) and has no Exchange Online "
            f"mailbox or working licence ({lic.summary}): its mailbox is most likely on the on-premises Exchange "
            "server; if it is meant to be a cloud mailbox, it lacks a licence",
            evidence,
            values,
        )
    return Link(
        "mailbox",
        BROKEN,
        "unlicensed-or-on-premises",
        f"is synced from on-premises AD and has no Exchange Online mailbox or working licence ({lic.summary}): it "
        "lacks an Exchange Online licence, unless its mailbox is hosted on an on-premises Exchange server",
        evidence,
        values,
    )
