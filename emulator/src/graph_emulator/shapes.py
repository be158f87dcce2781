"""How real networks answer when they misbehave: gateway pages, empty errors, cut gzip, odd batches.

Each shape is one name (see `SHAPES`); `faults.Faults.shapes` says per endpoint family how often.
Transport shapes (reset, drop, slow) are carried to the HTTP server by the internal header
`TRANSPORT_HEADER`, which the server acts on and never sends.
"""

from __future__ import annotations

import gzip
import random
from typing import Any

#: Every shape, with what it sends (the same words the CLI help and README use).
SHAPES: dict[str, str] = {
    "html502": "502 Bad Gateway with a load balancer's HTML page (text/html), as Azure Front Door sends",
    "empty503": "503 with an empty body",
    "empty504": "504 with an empty body",
    "nonjson200": "200 with an HTML page instead of JSON (a proxy's sign-in or block page)",
    "wrongtype200": "200 with valid JSON of the wrong types: 'value' an object; in $batch, an item a string",
    "gzip": "200 with Content-Encoding: gzip and the compressed stream cut short and damaged",
    "reset": "headers and part of the body, then the connection is reset",
    "drop": "the connection is closed before any byte of the answer",
    "slow": "headers, then the body only after Faults.slow_body_s seconds (a read timeout for a short client)",
    "batch_missing": "a $batch answer with one asked item left out",
    "batch_duplicate": "a $batch answer with one item twice, the copy answering differently",
    "batch_foreign": "a $batch answer with one item's id replaced by an id nobody asked",
}
#: Shapes that replace the answer before Graph would run the request.
GATEWAY_SHAPES = frozenset({"html502", "empty503", "empty504", "drop"})
BATCH_SHAPES = frozenset({"batch_missing", "batch_duplicate", "batch_foreign"})
TRANSPORT_HEADER = "x-emulator-transport"

_GATEWAY_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>502 - Web server received an invalid response</title>
<style>body{font-family:Segoe UI,Arial,sans-serif;margin:40px;color:#333}h1{color:#a80000}</style></head>
<body><h1>Our services aren't available right now</h1>
<p>We're working to restore all services as soon as possible. Please check back soon.</p>
<p>502 - Web server received an invalid response while acting as a gateway or proxy server.</p>
<p>Ref A: 3F8E1C2A9B7D4E6F8A1B2C3D4E5F6A7B Ref B: AMS231000108045 Ref C: 2026-12-04T02:00:00Z</p>
</body></html>
"""
_PROXY_HTML = """<!DOCTYPE html>
<html><head><title>Access to this site is restricted</title></head>
<body><h2>Web access policy</h2><p>Please sign in to the corporate proxy to continue.</p></body></html>
"""


def gateway_answer(shape: str) -> tuple[int, dict[str, str], bytes]:
    """The (status, headers, body) a gateway sends instead of Graph's answer."""
    if shape == "html502":
        return 502, {"Content-Type": "text/html", "x-azure-ref": "0a1b2c3d4e5f"}, _GATEWAY_HTML.encode()
    if shape == "empty503":
        return 503, {}, b""
    if shape == "empty504":
        return 504, {}, b""
    if shape == "drop":
        return 200, {TRANSPORT_HEADER: "drop"}, b""
    raise ValueError(shape)


def wrong_types(body: Any) -> Any:
    """A copy of a 200 JSON body with Graph's documented types broken (JSON stays valid)."""
    if not isinstance(body, dict):
        return {"value": body}
    if isinstance(body.get("responses"), list) and body["responses"]:
        items = list(body["responses"])
        items[0] = "item"
        if len(items) > 1 and isinstance(items[1], dict):
            items[1] = dict(items[1], status=str(items[1].get("status")) + " OK")
        return dict(body, responses=items)
    if isinstance(body.get("value"), list):
        return dict(body, value={str(i): v for i, v in enumerate(body["value"])})
    return dict(body, id=["not", "a", "string"])


def body_answer(shape: str, headers: dict[str, str], data: bytes) -> tuple[dict[str, str], bytes]:
    """Headers and body of a 200 broken by `shape` (nonjson200, gzip, reset, slow)."""
    headers = dict(headers)
    if shape == "nonjson200":
        headers["Content-Type"] = "text/html; charset=utf-8"
        return headers, _PROXY_HTML.encode()
    if shape == "gzip":
        packed = gzip.compress(data, mtime=0)
        headers["Content-Encoding"] = "gzip"
        # cut at half, the last bytes before the cut mangled as a broken proxy's buffer would: zlib errors
        cut = max(12, len(packed) // 2)
        return headers, packed[:10] + bytes(b ^ 0xA5 for b in packed[10:cut])
    if shape in ("reset", "slow"):
        headers[TRANSPORT_HEADER] = shape
        return headers, data
    raise ValueError(shape)


def break_batch(shape: str, responses: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """A $batch `responses` list with one item left out, doubled with another answer, or renamed."""
    if not responses:
        return responses
    out = list(responses)
    pick = rng.randrange(len(out))
    if shape == "batch_missing":
        del out[pick]
    elif shape == "batch_duplicate":
        twin = dict(out[pick])
        twin["status"] = 404 if twin.get("status") == 200 else 200
        twin["body"] = (
            {"id": "AAMkAD-duplicate", "displayName": "Inbox"}
            if twin["status"] == 200
            else {"error": {"code": "ErrorItemNotFound", "message": "The specified object was not found in the store."}}
        )
        out.insert(rng.randrange(len(out) + 1), twin)
    elif shape == "batch_foreign":
        out[pick] = dict(out[pick], id=f"foreign-{rng.randrange(10**6)}")
    else:
        raise ValueError(shape)
    return out
