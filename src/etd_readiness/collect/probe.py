"""The mailbox probe: does each protected mailbox answer, and what does Exchange say it is?

The probe is mailboxSettings: it answers Exchange's own recipient type (userPurpose) and the same 404s as
the mail endpoints, and needs only MailboxSettings.Read (no access to messages). Without that role the
inbox probe (Mail.ReadBasic.All) is used and the recipient type stays unknown. README, "The mailbox probe".
"""

from __future__ import annotations

from .progress import Progress
from .reader import GraphReader

SETTINGS_PROBE = "/users/{id}/mailboxSettings?$select=userPurpose"
INBOX_PROBE = "/users/{id}/mailFolders/inbox?$select=id"
SETTINGS_ROLES = frozenset({"MailboxSettings.Read", "MailboxSettings.ReadWrite"})
MAIL_ROLES = frozenset({"Mail.ReadBasic.All", "Mail.Read", "Mail.ReadWrite"})
MAILBOX_CODES = frozenset({"MailboxNotEnabledForRESTAPI", "ResourceNotFound", "ErrorInvalidUser"})


class MailboxProber:
    """Probes mailboxes in `$batch` with one reader; results per user id (`status`, `code`, `message`, ...)."""

    def __init__(self, reader: GraphReader, roles: set[str] | None, progress: Progress | None = None) -> None:
        self.reader = reader
        self.roles = roles
        self.progress = progress

    @property
    def path(self) -> str:
        """mailboxSettings when the auditor may read it (or its roles are unknown), else the inbox."""
        if self.roles is None or self.roles & SETTINGS_ROLES:
            return SETTINGS_PROBE
        return INBOX_PROBE

    async def probe(self, user_ids: list[str], unlicensed: frozenset[str] = frozenset()) -> dict[str, dict]:
        """The mailbox probe per user through `$batch` (ids are the user ids); a mailbox that does not
        answer 200 is probed once more, so one that flaps between answers shows both. The exception:
        a user of `unlicensed` (no Exchange plan at all) answering "MailboxNotEnabledForRESTAPI" says
        what the directory already says, and is not asked again (2 % of a tenant's probes saved)."""
        first = self.path
        out = await self._probe_once(user_ids, first)
        if self.progress is not None:
            self.progress.probed += len(user_ids)
        path_of = dict.fromkeys(user_ids, first)
        if first == SETTINGS_PROBE and (self.roles is None or self.roles & MAIL_ROLES):
            # an endpoint that does not know mailboxSettings (400, or a 404 that is no mailbox answer): ask the inbox
            odd = [u for u in user_ids if _answered(out, u) and not is_mailbox_answer(out[u])]
            if odd:
                out.update(await self._probe_once(odd, INBOX_PROBE))
                path_of.update(dict.fromkeys(odd, INBOX_PROBE))
        for path in dict.fromkeys(path_of.values()):
            # in page order: batch answers come in any order and a pseudonymised replay sorts ids differently,
            # so the repeat's body is the same in every run (cassettes match request bodies)
            again = [
                u
                for u in user_ids
                if path_of[u] == path
                and _answered(out, u)
                and out[u]["status"] != 200
                and not _as_said(out[u], u, unlicensed)
            ]
            if again:
                for uid, got in (await self._probe_once(again, path)).items():
                    if "error" not in got:
                        out[uid]["again"] = got
        return out

    async def _probe_once(self, user_ids: list[str], path: str) -> dict[str, dict]:
        answers = await self.reader.batch_get([(uid, path.format(id=uid)) for uid in user_ids])
        out: dict[str, dict] = {}
        for uid, item in answers.items():
            if "error" in item:
                out[uid] = {"error": f"mailbox probe failed: {item['error']}"}
                continue
            raw = item.get("body")
            body: dict = raw if isinstance(raw, dict) else {}
            err: dict = body["error"] if isinstance(body.get("error"), dict) else {}
            got = {"status": item["status"], "code": err.get("code"), "message": err.get("message")}
            if item["status"] == 200 and "userPurpose" in body:
                got["userPurpose"] = body.get("userPurpose")
            out[uid] = got
        return out


def _as_said(got: dict, user_id: str, unlicensed: frozenset[str]) -> bool:
    """Is this the answer the directory predicts: no Exchange plan, so no mailbox?"""
    return user_id in unlicensed and got["status"] == 404 and got.get("code") == "MailboxNotEnabledForRESTAPI"


def _answered(out: dict[str, dict], user_id: str) -> bool:
    """Did the probe of this user get an answer (not a failure, not left out of the batch)?"""
    return user_id in out and "error" not in out[user_id]


def is_mailbox_answer(got: dict) -> bool:
    """Is this probe answer one the mailbox endpoints give for a mailbox (or its absence)?"""
    status = got.get("status")
    if status == 403:  # an access policy's answer is about the mailbox; a plain denial is about the endpoint
        return "OData is disabled" in str(got.get("message") or "")
    return status == 200 or (status == 404 and got.get("code") in MAILBOX_CODES)
