"""Look up the messages of ETD's error log (case 1a): where is each one now, if anywhere?

Only ids and folder ids are read (`$select=id,parentFolderId`), in `$batch`: one item per distinct
(mailbox, message id), then the display name of each folder a message was found in and the id of the
user's Inbox (where ETD found it). Needs Mail.ReadBasic.All (or Mail.Read / Mail.ReadWrite).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from ..protection import index_by_address
from ..snapshot import Section
from .reader import FetchError, GraphReader

MESSAGE_ROLES = ("Mail.ReadBasic.All", "Mail.Read", "Mail.ReadWrite")
LOOKUP = "/users/{uid}/messages?$filter={filter}&$select=id,parentFolderId"
FOLDER = "/users/{uid}/mailFolders/{fid}?$select=id,displayName"
WELL_KNOWN = ("inbox", "deleteditems", "junkemail")  # where ETD found it, and where its moves put it


def lookup_key(user_id: str, message_id: str) -> str:
    return f"{user_id}|{message_id}"


def _filter(message_id: str) -> str:
    escaped = message_id.replace("'", "''")
    return quote(f"internetMessageId eq '{escaped}'", safe="'")


async def lookup_messages(
    reader: GraphReader, users: list[dict], probes: dict, rows: Iterable[dict], roles: set[str] | None
) -> Section:
    """The messages section: {"lookups": {key: {"found": [...]}|{"error"}}, "folders": {...}, "inbox": {...}}."""
    if roles is not None and not roles & set(MESSAGE_ROLES):
        return Section.failed(
            "the auditor app lacks the Microsoft Graph Application permission Mail.ReadBasic.All (needed to look up "
            "the error log's messages by Internet message id; it reads no message body); grant it and 'Grant admin "
            "consent'"
        )
    by_address = index_by_address(users)
    wanted: dict[str, tuple[str, str]] = {}
    for row in rows:
        user = by_address.get(row.get("mailbox", ""))
        if user is None or not row.get("message_id") or probes.get(user["id"], {}).get("status") != 200:
            continue
        wanted.setdefault(lookup_key(user["id"], row["message_id"]), (user["id"], row["message_id"]))
    if not wanted:
        return Section(ok=True, data={"lookups": {}, "folders": {}, "inbox": {}})
    # in the error log's order, never sorted by id: a pseudonymised replay must send the same bodies
    ids = {key: f"m{n}" for n, key in enumerate(wanted)}
    try:
        answers = await reader.batch_get(
            [(ids[key], LOOKUP.format(uid=uid, filter=_filter(mid))) for key, (uid, mid) in wanted.items()]
        )
        lookups = {key: _found(answers.get(ids[key])) for key in wanted}
        folders, inbox = await _folders(reader, wanted, lookups)
    except FetchError as err:
        return Section.failed(f"message lookup failed: {err}")
    return Section(ok=True, data={"lookups": lookups, "folders": folders, "inbox": inbox})


def _found(item: dict | None) -> dict:
    if item is None:
        return {"error": "the $batch answer left this lookup out"}
    if "error" in item:
        return {"error": item["error"]}
    raw = item.get("body")
    body: dict = raw if isinstance(raw, dict) else {}
    if item.get("status") != 200 or not isinstance(body.get("value"), list):
        err: dict = body["error"] if isinstance(body.get("error"), dict) else {}
        return {"error": f"{item.get('status')} {err.get('code', '')}: {err.get('message', '')}".strip()}
    return {"found": [{"id": m.get("id"), "parentFolderId": m.get("parentFolderId")} for m in body["value"]]}


async def _folders(
    reader: GraphReader, wanted: dict[str, tuple[str, str]], lookups: dict[str, dict]
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Each such user's Inbox, Deleted Items and Junk Email ids, then the names of the other folders found.

    The well-known folders are told by id (their display names are in the mailbox's language). A folder
    lookup that failed (left out, 429 / 5xx after retries) turns the message lookups that depend on it into
    failures (`lookups` is updated): where the message is cannot be told, so its row is NOT EVALUATED.
    """
    pairs = list(
        dict.fromkeys(
            (wanted[key][0], m["parentFolderId"]) for key, got in lookups.items() for m in got.get("found", ())
        )
    )
    users = list(dict.fromkeys(uid for uid, _ in pairs))
    if not users:
        return {}, {}
    requests = [
        (f"{kind[0]}{n}", FOLDER.format(uid=uid, fid=kind)) for kind in WELL_KNOWN for n, uid in enumerate(users)
    ]
    answers = await reader.batch_get(requests)
    ids = {
        f"{uid}|{kind}": _body(answers.get(f"{kind[0]}{n}")).get("id", "")
        for kind in WELL_KNOWN
        for n, uid in enumerate(users)
    }
    for kind in WELL_KNOWN:
        for n, uid in enumerate(users):
            failed = _failed(answers.get(f"{kind[0]}{n}"))
            if failed:
                _fail_lookups(lookups, wanted, uid, None, f"the lookup of {uid}'s {kind} folder failed: {failed}")
    known = {(key.split("|")[0], fid) for key, fid in ids.items() if fid}
    others = [(uid, fid) for uid, fid in pairs if (uid, fid) not in known]
    named = (
        await reader.batch_get(
            [(f"f{n}", FOLDER.format(uid=uid, fid=quote(fid, safe=""))) for n, (uid, fid) in enumerate(others)]
        )
        if others
        else {}
    )
    folders: dict[str, dict[str, str]] = {}
    for n, (uid, fid) in enumerate(others):
        folders.setdefault(uid, {})[fid] = _body(named.get(f"f{n}")).get("displayName", "")
        failed = _failed(named.get(f"f{n}"))
        if failed:
            _fail_lookups(lookups, wanted, uid, fid, f"the lookup of the folder holding it failed: {failed}")
    inbox = {uid: ids[f"{uid}|inbox"] for uid in users}  # kept as before: the Inbox id by user id
    inbox.update({k: v for k, v in ids.items() if not k.endswith("|inbox")})
    return folders, inbox


def _failed(item: dict | None) -> str:
    """Why a folder lookup gave no answer to go by ('' when it answered, 404 included)."""
    if item is None:
        return "the $batch answer left it out"
    if "error" in item:
        return str(item["error"])
    status = item.get("status")
    return f"{status}" if not isinstance(status, int) or status == 429 or status >= 500 else ""


def _fail_lookups(lookups: dict[str, dict], wanted: dict, uid: str, fid: str | None, reason: str) -> None:
    """Mark the user's found lookups (those found in folder `fid`, or all when None) as failed."""
    for key, got in lookups.items():
        if (
            wanted[key][0] == uid
            and got.get("found")
            and (fid is None or any(m["parentFolderId"] == fid for m in got["found"]))
        ):
            lookups[key] = {"error": reason}


def _body(item: dict | None) -> dict:
    if not item or item.get("status") != 200 or not isinstance(item.get("body"), dict):
        return {}
    return item["body"]
