"""Read one `$batch` answer strictly: every asked id answered once, as an object with an int status.

A 200 envelope may still be wrong item by item (GRAPH_FACTS §5: items come back in any order). Items
missing, duplicated with different answers, or malformed are per-item failures, never absence;
ids nobody asked for are ignored with a note.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


class BadEnvelope(Exception):
    """The envelope itself is unusable (no `responses` list): every item it carried is lost."""


@dataclass
class BatchAnswer:
    """Per asked id: the item ({"status", "body", "headers"}) or why it has none; notes on oddities."""

    items: dict[str, dict] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _item(raw: dict) -> dict | str:
    status = raw.get("status")
    if isinstance(status, str) and status.strip().isdigit():
        status = int(status)
    if isinstance(status, bool) or not isinstance(status, int):
        return f"its status is {json.dumps(status, default=str)[:40]}, not a number"
    headers = raw.get("headers")
    if headers is not None and not isinstance(headers, dict):
        return "its headers are not an object"
    return {
        "status": status,
        "body": raw.get("body"),
        "headers": {str(k).lower(): v for k, v in (headers or {}).items()},
    }


def read_batch_answer(asked: Sequence[str], doc: dict) -> BatchAnswer:
    """Sort a 200 `$batch` document's `responses` into answered / failed ids."""
    responses = doc.get("responses")
    if not isinstance(responses, list):
        raise BadEnvelope(f"answered 200 without a 'responses' list ({type(responses).__name__})")
    wanted = set(asked)
    seen: dict[str, list[Any]] = {}
    out = BatchAnswer()
    not_objects = 0
    foreign: list[str] = []
    for raw in responses:
        if not isinstance(raw, dict):
            not_objects += 1
            continue
        item_id = raw.get("id")
        key = str(item_id) if isinstance(item_id, str | int) and not isinstance(item_id, bool) else None
        if key is None or key not in wanted:
            foreign.append(str(item_id)[:40])
            continue
        seen.setdefault(key, []).append(raw)
    if not_objects:
        out.notes.append(f"$batch answer had {not_objects} item(s) that are not objects; ignored")
    if foreign:
        out.notes.append(
            f"$batch answer had {len(foreign)} item(s) with ids not asked ({', '.join(foreign[:3])}); ignored"
        )
    for item_id in asked:
        copies = seen.get(item_id)
        if not copies:
            out.failed[item_id] = f"item {item_id} is missing from the $batch answer"
            continue
        if len(copies) > 1:
            distinct = {json.dumps(c, sort_keys=True, default=str) for c in copies}
            if len(distinct) > 1:
                out.failed[item_id] = f"item {item_id} came back {len(copies)} times with different answers"
                continue
            out.notes.append(f"item {item_id} came back {len(copies)} times, identically; one copy taken")
        parsed = _item(copies[0])
        if isinstance(parsed, str):
            out.failed[item_id] = f"item {item_id} of the $batch answer is malformed: {parsed}"
        else:
            out.items[item_id] = parsed
    return out
