"""JSON batching (`POST /$batch`): at most 20 items, relative urls, answers in shuffled order."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from typing import Any

from .errors import GraphError, bad_request
from .faults import FaultPlanner
from .graph_types import GraphRequest, GraphResponse

MAX_ITEMS = 20


def _payload_error() -> GraphError:
    return bad_request("Invalid batch payload format.")


def parse_items(body: bytes) -> list[dict[str, Any]]:
    """The validated `requests` of a batch body."""
    try:
        payload = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise _payload_error() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("requests"), list):
        raise _payload_error()
    items = payload["requests"]
    if not items:
        raise _payload_error()
    if len(items) > MAX_ITEMS:
        raise bad_request(f"Number of requests inside batch exceeds the limit. Max allowed: {MAX_ITEMS}.")
    ids: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str) or not item.get("method"):
            raise _payload_error()
        item_id = item.get("id")
        if not isinstance(item_id, str) or not item_id:
            raise bad_request("Batch request id is missing or is not a string.")
        if item_id in ids:
            raise bad_request(f"Batch request contains duplicate Id '{item_id}'.")
        ids.add(item_id)
        if "dependsOn" in item and not isinstance(item["dependsOn"], list):
            raise _payload_error()
    return items


def run_batch(
    req: GraphRequest,
    run_item: Callable[[dict[str, Any]], dict[str, Any]],
    planner: FaultPlanner,
    seed: int,
    occurrence: int,
) -> GraphResponse:
    """Run every item (dependsOn is accepted, items run in order) and answer in a seeded shuffle."""
    items = parse_items(req.body)
    responses = [run_item(item) for item in items]
    delay = planner.batch_latency_s(len(items))
    if delay:
        time.sleep(delay)
    digest = hashlib.blake2b(f"{seed}|batch|{req.body!r}|{occurrence}".encode(), digest_size=8).digest()
    random.Random(int.from_bytes(digest, "big")).shuffle(responses)
    return GraphResponse(200, {"responses": responses})
