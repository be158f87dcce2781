"""Mailbox contents: folders and messages per user, with moves and deletes (the only writes)."""

from __future__ import annotations

import base64
import hashlib
import threading
from typing import Any

from .tenant_model import Tenant
from .tenant_users import WELL_KNOWN_FOLDERS

_CREATED = "2026-01-05T08:59:00Z"


def _opaque(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return prefix + base64.urlsafe_b64encode(digest).decode().rstrip("=")


class MailStore:
    """Messages of every mailbox of one tenant; loaded lazily per user, guarded by one lock."""

    def __init__(self, tenant: Tenant) -> None:
        self._tenant = tenant
        self._boxes: dict[str, list[dict[str, Any]]] = {}
        self._flaps: dict[str, int] = {}
        self._moves = 0
        self._lock = threading.Lock()

    def folder_id(self, user_id: str, name: str) -> str:
        """The id of a well-known folder in a user's mailbox."""
        return _opaque("AQMkAD", self._tenant.id, user_id, "folder", name)

    def resolve_folder(self, user_id: str, key: str) -> str | None:
        """A folder name (well-known, or `custom:<display name>`) from a name or a folder id (None when unknown)."""
        low = key.lower()
        if low in WELL_KNOWN_FOLDERS:
            return low
        names = [*WELL_KNOWN_FOLDERS, *self.custom_folders(user_id)]
        return next((n for n in names if self.folder_id(user_id, n) == key), None)

    def custom_folders(self, user_id: str) -> list[str]:
        """The user's own folders (`custom:<display name>`), as the tenant file's messages name them."""
        return sorted({m.folder for m in self._tenant.messages.get(user_id, ()) if m.folder.startswith("custom:")})

    def _box(self, user_id: str) -> list[dict[str, Any]]:
        box = self._boxes.get(user_id)
        if box is None:
            box = self._boxes[user_id] = [
                {
                    "id": m.id,
                    "createdDateTime": _CREATED,
                    "lastModifiedDateTime": m.received,
                    "receivedDateTime": m.received,
                    "subject": m.subject,
                    "bodyPreview": "",
                    "isRead": m.is_read,
                    "internetMessageId": m.internet_message_id,
                    "parentFolderId": self.folder_id(user_id, m.folder),
                }
                for m in self._tenant.messages.get(user_id, ())
            ]
        return box

    def messages(self, user_id: str, folder: str | None = None) -> list[dict[str, Any]]:
        """A copy of the user's messages (optionally of one folder)."""
        with self._lock:
            box = self._box(user_id)
            if folder is None:
                return list(box)
            fid = self.folder_id(user_id, folder)
            return [m for m in box if m["parentFolderId"] == fid]

    def message(self, user_id: str, message_id: str) -> dict[str, Any] | None:
        """One message by id."""
        with self._lock:
            return next((m for m in self._box(user_id) if m["id"] == message_id), None)

    def folder(self, user_id: str, name: str) -> dict[str, Any]:
        """A folder's mailFolder JSON with its counts."""
        msgs = self.messages(user_id, name)
        root = self.folder_id(user_id, "msgfolderroot")
        return {
            "id": self.folder_id(user_id, name),
            "displayName": WELL_KNOWN_FOLDERS.get(name) or name.removeprefix("custom:"),
            "parentFolderId": _opaque("AQMkAD", self._tenant.id, user_id, "root") if name == "msgfolderroot" else root,
            "childFolderCount": 0 if name != "msgfolderroot" else len(WELL_KNOWN_FOLDERS) - 1,
            "unreadItemCount": sum(1 for m in msgs if not m["isRead"]),
            "totalItemCount": len(msgs),
            "isHidden": False,
        }

    def move(self, user_id: str, message_id: str, folder: str) -> dict[str, Any] | None:
        """Move a message; it gets a new id (as in Exchange). None when the message is not there."""
        with self._lock:
            box = self._box(user_id)
            for i, m in enumerate(box):
                if m["id"] == message_id:
                    self._moves += 1
                    moved = dict(m)
                    moved["id"] = _opaque("AAMk", user_id, message_id, folder, str(self._moves))
                    moved["parentFolderId"] = self.folder_id(user_id, folder)
                    box[i] = moved
                    return dict(moved)
        return None

    def delete(self, user_id: str, message_id: str) -> bool:
        """Delete a message (moves it out of reach); False when it is not there."""
        with self._lock:
            box = self._box(user_id)
            for i, m in enumerate(box):
                if m["id"] == message_id:
                    del box[i]
                    return True
        return False

    def flap(self, user_id: str) -> int:
        """How many mail requests a flapping mailbox has answered before this one."""
        with self._lock:
            n = self._flaps.get(user_id, 0)
            self._flaps[user_id] = n + 1
            return n
