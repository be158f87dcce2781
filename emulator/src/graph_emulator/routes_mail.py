"""Mail endpoints (Exchange Online through Graph): folders, messages, move, delete.

Each answers according to the user's mailbox state (docs/tenant-file.md) with the errors of
shared/GRAPH_FACTS.md section 1.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from . import entities as e
from . import errors
from .errors import GraphError, bad_request
from .graph_types import GraphRequest, GraphResponse
from .odata import Entity, compile_query_filter, page_size, projector
from .tenant_model import ANSWERING_MAILBOXES

_SAFE = "$,'():/@=*"
_NO_MAILBOX = frozenset({"none", "onPremises", "inactive"})
_LISTED_FOLDERS = (
    "inbox",
    "drafts",
    "sentitems",
    "deleteditems",
    "junkemail",
    "archive",
    "outbox",
    "conversationhistory",
)


def mailbox_owner(req: GraphRequest, key: str) -> str:
    """The id of the user whose mailbox answers, or the error Exchange gives for it."""
    store = req.store
    user = store.find_user(key)
    if user is None:
        if key.lower() in store.deleted_by_key:
            raise errors.mailbox_not_enabled()
        raise errors.invalid_user(key)
    state = store.tenant.mailboxes.get(user["id"], "none")
    if state in ANSWERING_MAILBOXES:
        return user["id"]
    if state in _NO_MAILBOX:
        raise errors.mailbox_not_enabled()
    if state == "notDiscoverable":
        raise errors.mailbox_not_discoverable()
    if state == "flapping":
        n = store.mail.flap(user["id"])
        raise errors.mailbox_not_discoverable() if n % 2 == 0 else errors.mailbox_not_enabled()
    if state == "accessPolicyDenied":
        raise errors.access_policy_denied()
    raise errors.mailbox_not_enabled()


def _ctx(req: GraphRequest, key: str, tail: str) -> str:
    return f"{req.base_url}/$metadata#users('{key}')/{tail}"


# Mail.ReadBasic.All: "all properties except body, previewBody, attachments and any extended properties"
# (Microsoft Graph permissions reference); the emulator's messages carry bodyPreview only.
_BASIC_HIDDEN = frozenset({"bodyPreview", "body", "uniqueBody"})


def _basic(req: GraphRequest, message: dict[str, Any]) -> dict[str, Any]:
    """A message as the token may see it: without its body when it holds only Mail.ReadBasic.All."""
    if req.roles & {"Mail.Read", "Mail.ReadWrite"}:
        return message
    return {k: v for k, v in message.items() if k not in _BASIC_HIDDEN}


def _paged(req: GraphRequest, items: list[dict[str, Any]], entity: Entity, ctx: str) -> GraphResponse:
    """Outlook-style paging with `$skip` in the nextLink."""
    q = req.query
    size = page_size(entity, q)
    compiled = compile_query_filter(entity, q)
    if compiled is not None:
        items = [i for i in items if compiled.predicate(i)]
    raw_skip = next((v for k, v in q.pairs if k.lower() == "$skip"), "0")
    try:
        skip = max(0, int(raw_skip))
    except ValueError:
        raise bad_request(f"Invalid value '{raw_skip}' for query option '$skip'.") from None
    project = projector(entity, q.select)
    body: dict[str, Any] = {"@odata.context": ctx}
    if skip + size < len(items):
        kept = "&".join(f"{k}={quote(v, safe=_SAFE)}" for k, v in q.pairs if k.lower() != "$skip")
        body["@odata.nextLink"] = f"{req.base_url}{req.path}?{kept + '&' if kept else ''}$skip={skip + size}"
    body["value"] = [_basic(req, project(i)) if entity is e.MESSAGE else project(i) for i in items[skip : skip + size]]
    return GraphResponse(200, body)


# What Exchange says a recipient is (mailboxSettings.userPurpose), per answering mailbox state.
USER_PURPOSE = {"exchangeOnline": "user", "shared": "shared", "room": "room", "equipment": "equipment"}


def get_mailbox_settings(req: GraphRequest, params: list[str]) -> GraphResponse:
    """GET /users/{id}/mailboxSettings: the mailbox's settings, with `userPurpose` (same 404s as mail)."""
    uid = mailbox_owner(req, params[0])
    state = req.store.tenant.mailboxes.get(uid, "exchangeOnline")
    settings: dict[str, Any] = {
        "archiveFolder": req.store.mail.folder_id(uid, "archive"),
        "timeZone": "UTC",
        "language": {"locale": "en-US", "displayName": "English (United States)"},
        "dateFormat": "M/d/yyyy",
        "timeFormat": "h:mm tt",
        "userPurpose": USER_PURPOSE.get(state, "user"),
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly",
    }
    select = req.query.select
    if select:
        wanted = {s.strip().lower() for s in select.split(",")}
        settings = {k: v for k, v in settings.items() if k.lower() in wanted}
    body = {"@odata.context": _ctx(req, params[0], "mailboxSettings"), **settings}
    return GraphResponse(200, body)


def list_folders(req: GraphRequest, params: list[str]) -> GraphResponse:
    uid = mailbox_owner(req, params[0])
    items = [req.store.mail.folder(uid, name) for name in (*_LISTED_FOLDERS, *req.store.mail.custom_folders(uid))]
    return _paged(req, items, e.MAIL_FOLDER, _ctx(req, params[0], "mailFolders"))


def _folder_name(req: GraphRequest, uid: str, key: str) -> str:
    name = req.store.mail.resolve_folder(uid, key)
    if name is None:
        raise errors.item_not_found()
    return name


def get_folder(req: GraphRequest, params: list[str]) -> GraphResponse:
    uid = mailbox_owner(req, params[0])
    folder = req.store.mail.folder(uid, _folder_name(req, uid, params[1]))
    body = {"@odata.context": _ctx(req, params[0], "mailFolders/$entity")}
    body.update(projector(e.MAIL_FOLDER, req.query.select)(folder))
    return GraphResponse(200, body)


def list_folder_messages(req: GraphRequest, params: list[str]) -> GraphResponse:
    uid = mailbox_owner(req, params[0])
    items = req.store.mail.messages(uid, _folder_name(req, uid, params[1]))
    return _paged(req, items, e.MESSAGE, _ctx(req, params[0], f"mailFolders('{params[1]}')/messages"))


def list_messages(req: GraphRequest, params: list[str]) -> GraphResponse:
    uid = mailbox_owner(req, params[0])
    return _paged(req, req.store.mail.messages(uid), e.MESSAGE, _ctx(req, params[0], "messages"))


def _message(req: GraphRequest, uid: str, message_id: str) -> dict[str, Any]:
    msg = req.store.mail.message(uid, message_id)
    if msg is None:
        raise errors.item_not_found()
    return msg


def get_message(req: GraphRequest, params: list[str]) -> GraphResponse:
    uid = mailbox_owner(req, params[0])
    msg = _message(req, uid, params[1])
    body = {"@odata.context": _ctx(req, params[0], "messages/$entity")}
    body.update(_basic(req, projector(e.MESSAGE, req.query.select)(msg)))
    return GraphResponse(200, body)


def move_message(req: GraphRequest, params: list[str]) -> GraphResponse:
    uid = mailbox_owner(req, params[0])
    try:
        payload = json.loads(req.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Invalid JSON in the request body.", "RequestBodyRead") from None
    if not isinstance(payload, dict):
        raise bad_request("Empty Payload. JSON content expected.")
    dest = payload.get("destinationId") or payload.get("DestinationId")
    if not isinstance(dest, str) or not dest:
        raise GraphError(400, "ErrorInvalidParameter", "The value of the parameter 'DestinationId' is empty.")
    _message(req, uid, params[1])
    folder = _folder_name(req, uid, dest)
    moved = req.store.mail.move(uid, params[1], folder)
    if moved is None:
        raise errors.item_not_found()
    body = {"@odata.context": _ctx(req, params[0], "messages/$entity")}
    body.update(projector(e.MESSAGE, None)(moved))
    return GraphResponse(201, body, {"Location": f"{req.base_url}/users/{uid}/messages/{moved['id']}"})


def delete_message(req: GraphRequest, params: list[str]) -> GraphResponse:
    uid = mailbox_owner(req, params[0])
    if not req.store.mail.delete(uid, params[1]):
        raise errors.item_not_found()
    return GraphResponse(204, None)
