"""The network failure shapes (`Faults.shapes`) over real HTTP: what a client actually receives."""

from __future__ import annotations

import gzip
import json
import socket
import time
import zlib

import httpx
import pytest

from graph_emulator import Emulator, Faults
from graph_emulator.shapes import SHAPES

from .conftest import ALPHA, graph_client

USERS = ["ann@alpha.example", "nolicence@alpha.example", "ghost@alpha.example", "fenced@alpha.example"]


def _items() -> list[dict]:
    return [{"id": str(i), "method": "GET", "url": f"/users/{u}/mailFolders/inbox"} for i, u in enumerate(USERS)]


def _raw_get(emu: Emulator, path: str, token: str) -> bytes:
    """Everything the server sends on one connection for one GET, read until it closes or stalls."""
    host, port = emu.graph_url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            f"GET /v1.0{path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            chunks.append(b"<RST>")
        return b"".join(chunks)


def _token(alpha: httpx.Client) -> str:
    return alpha.headers["Authorization"].split(" ", 1)[1]


def test_html_502_is_a_gateway_page(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(shapes={"html502": {"users": 1.0}})
    resp = alpha.get("/users")
    assert resp.status_code == 502
    assert resp.headers["content-type"] == "text/html"
    assert resp.text.lstrip().startswith("<!DOCTYPE html>") and "gateway or proxy" in resp.text
    assert alpha.get("/organization").status_code == 200, "other families are untouched"


@pytest.mark.parametrize(("shape", "status"), [("empty503", 503), ("empty504", 504)])
def test_empty_5xx(emu: Emulator, alpha: httpx.Client, shape: str, status: int) -> None:
    emu.faults = Faults(shapes={shape: {"*": 1.0}})
    resp = alpha.get("/organization")
    assert (resp.status_code, resp.content, resp.headers["content-length"]) == (status, b"", "0")


def test_non_json_200(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(shapes={"nonjson200": {"organization": 1.0}})
    resp = alpha.get("/organization")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.content)


def test_truncated_gzip_fails_to_decode(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(shapes={"gzip": {"organization": 1.0}})
    with pytest.raises(httpx.DecodingError):
        alpha.get("/organization")
    raw = _raw_get(emu, "/organization", _token(alpha))
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"Content-Encoding: gzip" in head and body[:2] == b"\x1f\x8b"
    with pytest.raises((EOFError, zlib.error)):
        gzip.decompress(body)


def test_reset_mid_body(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(shapes={"reset": {"users": 1.0}})
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        alpha.get("/users")
    raw = _raw_get(emu, "/users", _token(alpha))
    head, _, body = raw.partition(b"\r\n\r\n")
    length = int(head.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0])
    assert head.startswith(b"HTTP/1.1 200") and 0 < len(body.replace(b"<RST>", b"")) < length


def test_dropped_before_any_byte(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(shapes={"drop": {"users": 1.0}})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        alpha.get("/users")
    assert _raw_get(emu, "/users", _token(alpha)) in (b"", b"<RST>")


def test_slow_body_times_out_a_short_client_and_arrives_for_a_patient_one(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(shapes={"slow": {"organization": 1.0}}, slow_body_s=0.6)
    with pytest.raises(httpx.ReadTimeout):
        alpha.get("/organization", timeout=httpx.Timeout(5.0, read=0.2))
    started = time.monotonic()
    resp = alpha.get("/organization", timeout=5.0)
    assert resp.status_code == 200 and resp.json()["value"]
    assert time.monotonic() - started >= 0.5


def _batch_ids(alpha: httpx.Client) -> list[str]:
    resp = alpha.post("/$batch", json={"requests": _items()})
    assert resp.status_code == 200
    return [r["id"] for r in resp.json()["responses"]]


def test_batch_missing_item(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(shapes={"batch_missing": {"batch": 1.0}})
    ids = _batch_ids(alpha)
    assert len(ids) == 3 and set(ids) < {"0", "1", "2", "3"}


def test_batch_duplicate_item_answers_differently(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(shapes={"batch_duplicate": {"batch": 1.0}})
    resp = alpha.post("/$batch", json={"requests": _items()})
    items = resp.json()["responses"]
    ids = [r["id"] for r in items]
    assert len(ids) == 5 and set(ids) == {"0", "1", "2", "3"}
    twin = next(i for i in set(ids) if ids.count(i) == 2)
    assert len({r["status"] for r in items if r["id"] == twin}) == 2


def test_batch_foreign_id(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(shapes={"batch_foreign": {"batch": 1.0}})
    ids = _batch_ids(alpha)
    assert len(ids) == 4 and len(set(ids) & {"0", "1", "2", "3"}) == 3
    assert any(i.startswith("foreign-") for i in ids)


def test_shapes_are_deterministic_under_the_seed(graph_emulator) -> None:
    def statuses(seed: int) -> list[int]:
        emu = graph_emulator(ALPHA, seed=seed)
        emu.faults = Faults(shapes={"html502": {"users": 0.5}, "empty503": {"users": 0.3}})
        with graph_client(emu, "alpha") as client:
            return [client.get(f"/users?$top={n}").status_code for n in range(1, 25)]

    first = statuses(3)
    assert first == statuses(3)
    assert {502, 503, 200} <= set(first)
    assert first != statuses(4), "another seed, other faults"


def test_unknown_shape_or_family_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault shape"):
        Faults(shapes={"html503": {"users": 1.0}})
    with pytest.raises(ValueError, match="unknown endpoint family"):
        Faults(shapes={"html502": {"user": 1.0}})
    assert "reset" in SHAPES and "batch_missing" in SHAPES


def test_shapes_after_spares_the_first_requests_of_each_family(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(shapes={"empty503": {"*": 1.0}}, shapes_after=1)
    assert alpha.get("/users").status_code == 200
    assert alpha.get("/organization").status_code == 200, "counted per family"
    assert [alpha.get(f"/users?$top={n}").status_code for n in (1, 2)] == [503, 503]


def test_wrongly_typed_200_is_valid_json_of_the_wrong_types(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(shapes={"wrongtype200": {"organization": 1.0, "batch": 1.0}})
    doc = alpha.get("/organization").json()
    assert isinstance(doc["value"], dict) and doc["value"]["0"]["id"]
    items = alpha.post("/$batch", json={"requests": _items()}).json()["responses"]
    assert items[0] == "item" and isinstance(items[1]["status"], str) and len(items) == 4
