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
        self._path_of: dict[str, str] = {}  # which probe each user got
        self._unlicensed: set[str] = set()

    @property
    def path(self) -> str:
        """mailboxSettings when the auditor may read it (or its roles are unknown), else the inbox."""
        if self.roles is None or self.roles & SETTINGS_ROLES:
            return SETTINGS_PROBE
        return INBOX_PROBE

    async def probe(self, user_ids: list[str], unlicensed: frozenset[str] = frozenset()) -> dict[str, dict]:
        """The mailbox probe per user through `$batch` (ids are the user ids). `confirm` then asks once
        more, pooled over every page, each mailbox that did not answer 200. `unlicensed`: users holding
        no Exchange plan at all."""
        first = self.path
        out = await self._probe_once(user_ids, first)
        if self.progress is not None:
            self.progress.probed += len(user_ids)
        self._path_of.update(dict.fromkeys(user_ids, first))
        self._unlicensed |= unlicensed
        if first == SETTINGS_PROBE and (self.roles is None or self.roles & MAIL_ROLES):
            # an endpoint that does not know mailboxSettings (400, or a 404 that is no mailbox answer): ask the inbox
            odd = [u for u in user_ids if _answered(out, u) and not is_mailbox_answer(out[u])]
            if odd:
                out.update(await self._probe_once(odd, INBOX_PROBE))
                self._path_of.update(dict.fromkeys(odd, INBOX_PROBE))
        return out

    async def confirm(self, results: dict[str, dict], order: list[str]) -> None:
        """Probe once more every mailbox of `results` that did not answer 200, so one that flaps between
        answers shows both (as `again`). The exception: an unlicensed user's "MailboxNotEnabledForRESTAPI"
        says what the directory already says, and is not asked again. The repeats of all pages go in full
        envelopes, in `order` (page order: batch answers come in any order and a pseudonymised replay
        sorts ids differently, so the repeats' bodies are the same in every run; cassettes match bodies)."""
        for path in dict.fromkeys(self._path_of[u] for u in order if u in self._path_of):
            again = [
                u
                for u in order
                if self._path_of.get(u) == path
                and _answered(results, u)
                and results[u]["status"] != 200
                and not _as_said(results[u], u, self._unlicensed)
            ]
            if again:
                for uid, got in (await self._probe_once(again, path)).items():
                    if "error" not in got:
                        results[uid]["again"] = got

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


def _as_said(got: dict, user_id: str, unlicensed: set[str] | frozenset[str]) -> bool:
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
