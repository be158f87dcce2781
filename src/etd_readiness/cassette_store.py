"""How a cassette is written: whole (temporary file, then rename) and the same bytes for the same data.

Interactions are sorted by method, URL and body (a stable sort: repeats of one request keep their
order); what varies between two recordings of unchanged data is written as a constant.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import vcr.serialize
from vcr.persisters.filesystem import CassetteNotFoundError, FilesystemPersister

INNER_ERROR = re.compile(rb'"innerError":\{[^{}]*\}')
VOLATILE = re.compile(rb'"(date|request-id|client-request-id)":"[^"]*"')
CONSTANT = {b"date": b"2000-01-01T00:00:00", b"request-id": b"00000000-0000-0000-0000-000000000000"}


class AtomicPersister:
    """vcrpy's file persister, but the cassette is written whole (temp file + rename) and in a
    deterministic order: interactions sorted by method, URL and body (a stable sort, so repeats of one
    request, e.g. throttled then answered, keep their order). `fresh`: ignore what is on disk (rewrite),
    which is replaced only when the new recording is saved. `loaded`: vcrpy's view of the cassette,
    already read and checked (recording.check_cassette), so it is not parsed again."""

    def __init__(self, fresh: bool = False, loaded: Any = None) -> None:
        self.fresh = fresh
        self.loaded = loaded

    def load_cassette(self, cassette_path: str, serializer: Any) -> Any:
        if self.fresh:
            raise CassetteNotFoundError()
        if self.loaded is not None:
            return self.loaded
        return FilesystemPersister.load_cassette(cassette_path, serializer)

    def save_cassette(self, cassette_path: str, cassette_dict: dict, serializer: Any) -> None:
        pairs = sorted(zip(cassette_dict["requests"], cassette_dict["responses"], strict=True), key=_order)
        ordered = {**cassette_dict, "requests": [r for r, _ in pairs], "responses": [r for _, r in pairs]}
        data = vcr.serialize.serialize(ordered, serializer)
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _order(pair: tuple[Any, Any]) -> tuple[str, str, bytes]:
    request = pair[0]
    body = request.body or b""
    return (request.method, request.uri, body if isinstance(body, bytes) else str(body).encode())


def steady(body: bytes) -> bytes:
    """What varies between two recordings of the same data, made constant so a re-recording of the same
    tenant is byte-identical: Graph errors' innerError date and request ids (diagnostics only), and the
    order of a $batch answer's items (Graph answers them in any order; replay matches them by id)."""
    if body.startswith(b'{"responses":['):
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            doc = json.loads(body)
            doc["responses"] = sorted(doc["responses"], key=lambda item: str(item.get("id")))
            body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if b"innerError" not in body:
        return body
    return INNER_ERROR.sub(lambda m: VOLATILE.sub(_constant, m.group(0)), body)


def _constant(match: re.Match[bytes]) -> bytes:
    key = match.group(1)
    return b'"' + key + b'":"' + CONSTANT.get(key, CONSTANT[b"request-id"]) + b'"'
