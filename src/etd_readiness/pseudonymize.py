"""Consistent pseudonyms for personal data in recorded Graph traffic (requests and responses alike).

Object ids become other GUIDs, the local part of every e-mail address becomes `u-<hash>`, and the
names of users become `User <hash>`. The same input always gives the same pseudonym under one key,
so a pseudonymised cassette still replays: the requests a replay makes are derived from the
pseudonymised responses. Domains, tenant ids, permission/plan/SKU ids and app names are kept: they
are the organisation's configuration, not personal data, and the checks depend on them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote

from .catalog import GRAPH_APP_ID, PERMISSIONS, SERVICE_PLANS, SKUS

GUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
EMAIL = re.compile(r"[A-Za-z0-9_%+#-][A-Za-z0-9._%+#'-]*@(?=[A-Za-z0-9-]+\.[A-Za-z0-9.-]+)")
PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
USER_NAME_FIELDS = ("displayName", "givenName", "surname", "mailNickname", "jobTitle", "mobilePhone", "officeLocation")


def catalog_guids() -> set[str]:
    """Well-known ids that identify no person and must stay as they are."""
    ids = {GRAPH_APP_ID}
    for p in PERMISSIONS.values():
        ids |= {i for i in (p.app_role_id, p.scope_id) if i}
    ids |= {p.plan_id for p in SERVICE_PLANS.values()} | {s.sku_id for s in SKUS.values()}
    return {i.lower() for i in ids}


class Pseudonymizer:
    """Maps personal values to stable pseudonyms under a secret key."""

    def __init__(self, key: bytes, keep: Iterable[str] = ()) -> None:
        self._key = key
        self._keep = catalog_guids() | {k.lower() for k in keep}

    def _digest(self, kind: str, value: str) -> bytes:
        return hmac.new(self._key, f"{kind}:{value.lower()}".encode(), hashlib.sha256).digest()

    def guid(self, value: str) -> str:
        if value.lower() in self._keep:
            return value
        return str(uuid.UUID(bytes=self._digest("guid", value)[:16], version=4))

    def local_part(self, local: str) -> str:
        return "u-" + self._digest("mail", local).hex()[:10]

    def name(self, value: str) -> str:
        return "User " + self._digest("name", value).hex()[:6]

    def text(self, value: str) -> str:
        """Ids and e-mail local parts inside any string."""
        value = GUID.sub(lambda m: self.guid(m.group(0)), value)
        return EMAIL.sub(lambda m: self.local_part(m.group(0)[:-1]) + "@", value)

    def url(self, value: str) -> str:
        """A request URL, whose addresses may be percent-encoded (`/users/alice%40contoso.example`).

        Each path segment and query value is pseudonymised decoded and re-encoded the way it was, so
        the URL a replay builds from the pseudonymised data is the URL that was recorded.
        """
        head, sep, query = value.partition("?")
        out = "/".join(self._url_part(part) for part in head.split("/"))
        if sep:
            pairs = ("=".join(self._url_part(x) for x in pair.split("=", 1)) for pair in query.split("&"))
            out += sep + "&".join(pairs)
        return out

    def _url_part(self, part: str) -> str:
        decoded = unquote(part)
        new = self.text(decoded)
        if new == decoded:
            return part
        raw = "".join(set(PERCENT.sub("", part)))  # characters the original left unencoded
        return quote(new, safe=raw)

    def json(self, doc: Any) -> Any:
        """Walk a JSON document; user objects also get their names replaced."""
        if isinstance(doc, dict):
            is_user = "userPrincipalName" in doc
            out = {}
            for key, value in doc.items():
                if is_user and key in USER_NAME_FIELDS and isinstance(value, str):
                    out[key] = self.name(value)
                else:
                    out[key] = self.json(value)
            return out
        if isinstance(doc, list):
            return [self.json(v) for v in doc]
        if isinstance(doc, str):
            # a `$batch` item's relative URL: its query may carry a percent-encoded address or message id
            return self.url(doc) if doc.startswith("/") else self.text(doc)
        return doc

    def body(self, raw: bytes) -> bytes:
        """A request or response body: JSON walked, anything else treated as text."""
        try:
            return json.dumps(self.json(json.loads(raw)), separators=(",", ":")).encode()
        except (ValueError, UnicodeDecodeError):
            return self.text(raw.decode("utf-8", "replace")).encode()
