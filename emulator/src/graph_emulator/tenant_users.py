"""Users, soft-deleted users and messages of a tenant file, made into compact Graph-shaped dicts.

Licence-derived lists (assignedLicenses, assignedPlans, licenseAssignmentStates) are built once per
distinct combination and shared between users: the dicts are never mutated after loading.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from . import catalog
from .tenant_fields import Fields, derived_id
from .tenant_model import MAILBOX_STATES, Message

WELL_KNOWN_FOLDERS: dict[str, str] = {
    "inbox": "Inbox",
    "deleteditems": "Deleted Items",
    "junkemail": "Junk Email",
    "archive": "Archive",
    "drafts": "Drafts",
    "sentitems": "Sent Items",
    "outbox": "Outbox",
    "msgfolderroot": "Top of Information Store",
    "recoverableitemsdeletions": "Deletions",
    "clutter": "Clutter",
    "conversationhistory": "Conversation History",
}
PLAN_STATUSES = frozenset({"Enabled", "Warning", "Suspended", "Deleted", "LockedOut"})
LICENSE_ERRORS = frozenset(
    {
        "CountViolation",
        "MutuallyExclusiveViolation",
        "DependencyViolation",
        "ProhibitedInUsageLocationViolation",
        "UniquenessViolation",
        "Other",
    }
)
ASSIGNED_AT = "2025-01-06T08:00:00Z"
#: Optional user properties copied as given (Graph name = file name).
_PASSTHROUGH = (
    "givenName",
    "surname",
    "jobTitle",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "department",
    "usageLocation",
    "createdDateTime",
)
_PASSTHROUGH_SET = frozenset(_PASSTHROUGH)
_USER = frozenset(
    {
        "upn",
        "id",
        "displayName",
        "mail",
        "proxyAddresses",
        "accountEnabled",
        "userType",
        "onPremisesSyncEnabled",
        "licenses",
        "planStatus",
        "licenseErrors",
        "provisioningErrors",
        "mailbox",
        "messages",
        "businessPhones",
        "note",
        *_PASSTHROUGH,
    }
)
_DELETED = (_USER - {"mailbox", "messages"}) | {"deletedDateTime"}
_MESSAGE = frozenset({"id", "internetMessageId", "folder", "subject", "isRead", "receivedDateTime"})
_LICENSE = frozenset({"sku", "disabledPlans"})
_LICENSE_ERROR = frozenset({"sku", "error"})
_USER_TYPES = frozenset({"Member", "Guest"})
_DELETED_PREFIX = re.compile(r"^([0-9a-fA-F]{32})")

Licensing = tuple[list[Any], list[Any], list[Any], bool]


def load_users(
    f: Fields, data: dict[str, Any], tenant_id: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str], dict[str, tuple[Message, ...]]]:
    """(users, deleted users, mailbox state by user id, messages by user id)."""
    licensing: dict[Any, Licensing] = {}
    seen: dict[str, str] = {}
    users: list[dict[str, Any]] = []
    mailboxes: dict[str, str] = {}
    messages: dict[str, tuple[Message, ...]] = {}
    for i, raw in enumerate(f.seq(data, "users", "")):
        w = f"users[{i}]"
        user, gives_mailbox = _user(f, raw, w, tenant_id, licensing, _USER)
        _unique(f, seen, user, w)
        users.append(user)
        mailboxes[user["id"]] = f.choice(
            raw, "mailbox", w, MAILBOX_STATES, "exchangeOnline" if gives_mailbox else "none"
        )
        if raw.get("messages"):
            messages[user["id"]] = _messages(f, raw, w, user["id"])
    deleted = []
    for i, raw in enumerate(f.seq(data, "deletedUsers", "")):
        w = f"deletedUsers[{i}]"
        user, _ = _user(f, raw, w, tenant_id, licensing, _DELETED)
        user["deletedDateTime"] = f.text(raw, "deletedDateTime", w, default=ASSIGNED_AT)
        _unique(f, seen, user, w)
        deleted.append(user)
    return users, deleted, mailboxes, messages


def _unique(f: Fields, seen: dict[str, str], user: dict[str, Any], where: str) -> None:
    for key, value in (("upn", user["userPrincipalName"].lower()), ("id", user["id"])):
        if value in seen:
            raise f.fail(f"{where}.{key}", f"{value!r} is already used by {seen[value]}")
        seen[value] = where


def _user(
    f: Fields,
    raw: Any,
    w: str,
    tenant_id: str,
    licensing: dict[Any, Licensing],
    allowed: frozenset[str],
) -> tuple[dict[str, Any], bool]:
    if not isinstance(raw, dict) or not raw.keys() <= allowed:
        f.mapping(raw, w, allowed)
    upn = raw.get("upn")
    if not isinstance(upn, str) or "@" not in upn:
        problem = "required: a user principal name like name@domain" if upn is None else f"not a UPN: {upn!r}"
        raise f.fail(f"{w}.upn", problem)
    if raw.get("id") is None and "deletedDateTime" in allowed and (m := _DELETED_PREFIX.match(upn)):
        h = m.group(1).lower()
        uid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    else:
        uid = f.guid(raw, "id", w, derive=f"{tenant_id}/user/{upn.lower()}")
    mail = raw.get("mail", upn)
    if mail is not None and not isinstance(mail, str):
        mail = f.opt_text(raw, "mail", w)
    name = raw.get("displayName")
    if not isinstance(name, str):
        name = f.text(raw, "displayName", w, default=upn.split("@", 1)[0])
    enabled = raw.get("accountEnabled", True)
    if enabled is not True and enabled is not False:
        f.flag(raw, "accountEnabled", w, True)
    user_type = raw.get("userType", "Member")
    if user_type not in _USER_TYPES:
        f.choice(raw, "userType", w, _USER_TYPES, "Member")
    user: dict[str, Any] = {
        "id": uid,
        "displayName": name,
        "userPrincipalName": upn,
        "mail": mail,
        "accountEnabled": enabled,
        "userType": user_type,
    }
    proxies = raw.get("proxyAddresses")
    if proxies is None:
        user["proxyAddresses"] = [f"SMTP:{mail}"] if mail else []
    elif isinstance(proxies, list) and all(isinstance(p, str) and ":" in p for p in proxies):
        user["proxyAddresses"] = proxies
    else:
        raise f.fail(f"{w}.proxyAddresses", "expected a list like ['SMTP:name@domain', 'smtp:alias@domain']")
    if raw.get("onPremisesSyncEnabled") is not None:
        user["onPremisesSyncEnabled"] = f.flag(raw, "onPremisesSyncEnabled", w, None)
    for key in raw.keys() & _PASSTHROUGH_SET:
        if raw[key] is not None:
            user[key] = f.text(raw, key, w)
    if raw.get("businessPhones") is not None:
        user["businessPhones"] = [str(p) for p in f.seq(raw, "businessPhones", w)]
    errors = [
        _provisioning_error(f, e, f"{w}.provisioningErrors[{j}]")
        for j, e in enumerate(f.seq(raw, "provisioningErrors", w))
    ]
    if errors:
        user["serviceProvisioningErrors"] = errors
    lic = _licensing(f, raw, w, tenant_id, licensing)
    user["assignedLicenses"], user["assignedPlans"], user["licenseAssignmentStates"] = lic[0], lic[1], lic[2]
    return user, lic[3]


def _licensing(f: Fields, raw: dict[str, Any], w: str, tenant_id: str, cache: dict[Any, Licensing]) -> Licensing:
    lic, status, errs = raw.get("licenses"), raw.get("planStatus", "Enabled"), raw.get("licenseErrors")
    key = (repr(lic), status, repr(errs))
    hit = cache.get(key)
    if hit is not None:
        return hit
    status = f.choice(raw, "planStatus", w, PLAN_STATUSES, "Enabled")
    assigned, plans, states = [], [], []
    gives = False
    for j, entry in enumerate(f.seq(raw, "licenses", w)):
        lw = f"{w}.licenses[{j}]"
        if isinstance(entry, str):
            entry = {"sku": entry}
        f.mapping(entry, lw, _LICENSE)
        sku = _sku(f, entry, lw)
        disabled = []
        for k, name in enumerate(f.seq(entry, "disabledPlans", lw)):
            plan = catalog.facts().service_plans.get(name) if isinstance(name, str) else None
            if plan is None or name not in sku.exchange_plans:
                raise f.fail(f"{lw}.disabledPlans[{k}]", f"{name!r} is not an Exchange plan of {sku.part_number}")
            disabled.append(plan.plan_id)
        assigned.append({"disabledPlans": disabled, "skuId": sku.sku_id})
        states.append(_state(sku.sku_id, disabled, None, "Active", "None"))
        for name in sku.exchange_plans:
            plan = catalog.facts().service_plans[name]
            off = plan.plan_id in disabled
            plans.append(
                {
                    "assignedDateTime": ASSIGNED_AT,
                    "capabilityStatus": "Deleted" if off else status,
                    "service": "exchange",
                    "servicePlanId": plan.plan_id,
                }
            )
            gives = gives or (plan.gives_mailbox and not off and status in ("Enabled", "Warning"))
    for j, entry in enumerate(f.seq(raw, "licenseErrors", w)):
        ew = f"{w}.licenseErrors[{j}]"
        f.mapping(entry, ew, _LICENSE_ERROR)
        sku = _sku(f, entry, ew)
        error = f.choice(entry, "error", ew, LICENSE_ERRORS, "CountViolation")
        group = derived_id(f"{tenant_id}/licensing-group/{sku.part_number}")
        states.append(_state(sku.sku_id, [], group, "Error", error))
    result: Licensing = (assigned, plans, states, gives)
    cache[key] = result
    return result


_PROVISIONING_XML = (
    '<ServiceInstance xmlns="http://schemas.microsoft.com/online/serviceextensions/2009/08/ExtensibilitySchema.xsd">'
    "<ObjectErrors><ErrorRecord><ErrorCode>ExB10008</ErrorCode><ErrorParameters><ErrorParameter>{detail}"
    "</ErrorParameter></ErrorParameters><ErrorDescription>{detail}</ErrorDescription></ErrorRecord></ObjectErrors>"
    "</ServiceInstance>"
)


def _provisioning_error(f: Fields, entry: Any, where: str) -> dict[str, Any]:
    """One serviceProvisioningXmlError: a service instance ("exchange/NAMPRD09-001-01") or a mapping."""
    if isinstance(entry, str):
        entry = {"serviceInstance": entry}
    f.mapping(entry, where, frozenset({"serviceInstance", "detail", "isResolved"}))
    instance = f.text(entry, "serviceInstance", where)
    detail = f.text(entry, "detail", where, default="The proxy address is already being used by another object.")
    return {
        "@odata.type": "#microsoft.graph.serviceProvisioningXmlError",
        "createdDateTime": "2026-11-02T09:14:00Z",
        "isResolved": bool(entry.get("isResolved", False)),
        "serviceInstance": instance,
        "errorDetail": _PROVISIONING_XML.format(detail=detail),
    }


def _sku(f: Fields, entry: dict[str, Any], where: str) -> catalog.Sku:
    part = entry.get("sku")
    sku = catalog.facts().skus.get(part) if isinstance(part, str) else None
    if sku is None:
        raise f.fail(f"{where}.sku" if part is not None else where, f"unknown SKU {part!r}")
    return sku


def _state(sku_id: str, disabled: list[str], group: str | None, state: str, error: str) -> dict[str, Any]:
    return {
        "assignedByGroup": group,
        "disabledPlans": disabled,
        "error": error,
        "lastUpdatedDateTime": ASSIGNED_AT,
        "skuId": sku_id,
        "state": state,
    }


def _messages(f: Fields, raw: dict[str, Any], w: str, user_id: str) -> tuple[Message, ...]:
    out: list[Message] = []
    ids: set[str] = set()
    for j, m in enumerate(f.seq(raw, "messages", w)):
        mw = f"{w}.messages[{j}]"
        f.mapping(m, mw, _MESSAGE)
        digest = hashlib.sha1(f"{user_id}/{j}".encode()).hexdigest()[:16]
        mid = f.text(m, "id", mw, default=f"AAMk{digest}")
        if mid in ids:
            raise f.fail(f"{mw}.id", f"{mid!r} is used twice in this mailbox")
        ids.add(mid)
        folder = f.text(m, "folder", mw, default="inbox")
        folder = folder if folder.startswith("custom:") else folder.lower()  # own folders keep their name
        if folder not in WELL_KNOWN_FOLDERS and not (
            isinstance(folder, str) and folder.startswith("custom:") and folder[7:]
        ):
            raise f.fail(
                f"{mw}.folder", f"{folder!r} is not one of {', '.join(WELL_KNOWN_FOLDERS)} or custom:<display name>"
            )
        out.append(
            Message(
                id=mid,
                internet_message_id=f.text(m, "internetMessageId", mw, default=f"<{digest}@emulator.invalid>"),
                folder=folder,
                subject=f.text(m, "subject", mw, default=""),
                is_read=bool(f.flag(m, "isRead", mw, False)),
                received=f.text(m, "receivedDateTime", mw, default="2026-01-05T09:00:00Z"),
            )
        )
    return tuple(out)
