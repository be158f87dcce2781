"""OData query options and paging: `$select`, `$top`, `$filter`, `$skiptoken`, `@odata.nextLink`.

Pages are built on demand from the matching items (never stored as JSON); `$skiptoken` is opaque
(an offset plus a check of the query it belongs to).
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote

from .errors import GraphError, bad_request, unsupported_query
from .jsontext import JsonText, collection_text
from .odata_filter import CompiledFilter, FilterSchema, compile_filter

_TOKEN_PREFIX = "RFNwdAIAAQAAA"


@dataclass(frozen=True)
class Entity:
    """An entity type: its properties, the default `$select`, and what `$filter` may use."""

    name: str  # "microsoft.graph.user"
    props: tuple[str, ...]
    default_select: tuple[str, ...]
    defaults: dict[str, Any]
    filter: FilterSchema
    max_top: int = 999
    default_top: int = 100

    def canonical(self) -> dict[str, str]:
        """lower-case property name -> canonical name."""
        return {p.lower(): p for p in self.props}


@dataclass
class Query:
    """The query options of one request."""

    pairs: list[tuple[str, str]]
    select: str | None = None
    top: str | None = None
    filter: str | None = None
    skiptoken: str | None = None
    eventual: bool = False


def parse_query(raw_query: str, headers: dict[str, str]) -> Query:
    """Parse a query string (OData options are matched case-insensitively)."""
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    q = Query(pairs=pairs, eventual=headers.get("consistencylevel", "").lower() == "eventual")
    for key, value in pairs:
        k = key.lower()
        if k == "$select":
            q.select = value
        elif k == "$top":
            q.top = value
        elif k == "$filter":
            q.filter = value
        elif k == "$skiptoken":
            q.skiptoken = value
    return q


def select_pairs(entity: Entity, select: str | None, extra_default: Sequence[str] = ()) -> tuple[tuple[str, Any], ...]:
    """(property, default) of the selected properties (`default_select` without `$select`)."""
    if select is None or not select.strip():
        keys: Sequence[str] = (*entity.default_select, *extra_default)
    else:
        canon = entity.canonical()
        chosen: list[str] = []
        for raw in select.split(","):
            name = raw.strip()
            if name == "*":
                chosen.extend(p for p in entity.props if p not in chosen)
                continue
            c = canon.get(name.lower())
            if c is None:
                raise bad_request(f"Could not find a property named '{name}' on type '{entity.name}'.")
            if c not in chosen:
                chosen.append(c)
        keys = chosen
    return tuple((k, entity.defaults.get(k)) for k in keys)


def projector(entity: Entity, select: str | None, extra_default: Sequence[str] = ()) -> Callable[[dict], dict]:
    """A function giving the selected properties of an item as a dict."""
    pairs = select_pairs(entity, select, extra_default)
    return lambda item: {k: item.get(k, d) for k, d in pairs}


def page_size(entity: Entity, q: Query) -> int:
    """The page size: `$top` (validated) or the entity's default."""
    if q.top is None:
        return entity.default_top
    try:
        top = int(q.top)
    except ValueError:
        raise bad_request(f"Invalid value '{q.top}' for query option '$top'.") from None
    if not 1 <= top <= entity.max_top:
        raise unsupported_query(
            f"Invalid page size specified: '{q.top}'. Must be between 1 and {entity.max_top} inclusive."
        )
    return top


def compile_query_filter(entity: Entity, q: Query) -> CompiledFilter | None:
    """The compiled `$filter`, or None without one."""
    if q.filter is None or not q.filter.strip():
        return None
    return compile_filter(q.filter, entity.filter, q.eventual)


def _check(path: str, q: Query) -> int:
    return zlib.crc32(f"{path.lower()}|{q.filter or ''}".encode()) & 0xFFFFFFFF


def encode_skiptoken(path: str, q: Query, offset: int) -> str:
    """An opaque `$skiptoken` for `offset` in the results of this query."""
    raw = struct.pack(">II", offset, _check(path, q))
    return _TOKEN_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_skiptoken(path: str, q: Query) -> int:
    """The offset a `$skiptoken` stands for (0 without one)."""
    if q.skiptoken is None:
        return 0
    token = q.skiptoken
    try:
        if not token.startswith(_TOKEN_PREFIX):
            raise ValueError
        body = token[len(_TOKEN_PREFIX) :]
        offset, check = struct.unpack(">II", base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        if check != _check(path, q):
            raise ValueError
    except (ValueError, struct.error):
        raise GraphError(
            400,
            "Directory_ExpiredPageToken",
            "The specified page token value has expired and can no longer be included in your request.",
        ) from None
    return offset


def next_link(base_url: str, path: str, q: Query, offset: int) -> str:
    """The absolute `@odata.nextLink` for the page starting at `offset`."""
    parts = [f"{k}={quote(v, safe=chr(36) + ',():/@=*')}" for k, v in q.pairs if k.lower() != "$skiptoken"]
    parts.append(f"$skiptoken={encode_skiptoken(path, q, offset)}")
    return f"{base_url}{path}?{'&'.join(parts)}"


def collection_body(
    context: str,
    items: Sequence[dict[str, Any]],
    offset: int,
    size: int,
    encode: Callable[[dict[str, Any]], str],
    link: Callable[[int], str],
) -> JsonText:
    """One page of a collection answer as JSON text: context, nextLink when more follow, value."""
    end = offset + size
    nxt = link(end) if end < len(items) else None
    return collection_text(context, nxt, map(encode, items[offset:end]))
