"""Injected faults over real HTTP: 429 with every Retry-After mode, 503/504, truncation, latency, seeds."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from graph_emulator import Emulator, Faults

from .conftest import ALPHA, graph_client


def _code(resp: httpx.Response) -> str:
    return resp.json()["error"]["code"] if resp.status_code >= 400 else ""


@pytest.mark.parametrize(
    ("mode", "seconds", "header"),
    [("int", 1, "1"), ("int", 2.5, "3"), ("fractional", 0.25, "0.250"), ("missing", 1, None)],
)
def test_throttle_retry_after_modes(emu: Emulator, alpha: httpx.Client, mode: str, seconds: float, header) -> None:
    emu.faults = Faults(throttle={"users": 1.0}, retry_after=mode, retry_after_seconds=seconds)
    resp = alpha.get("/users")
    assert resp.status_code == 429
    assert resp.json()["error"] | {"innerError": None} == {
        "code": "TooManyRequests",
        "message": "Please retry again later.",
        "innerError": None,
    }
    assert resp.headers.get("Retry-After") == header


def test_mail_throttling_code(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(throttle={"mailFolders": 1.0})
    resp = alpha.get("/users/ann@alpha.example/mailFolders/inbox")
    assert (resp.status_code, _code(resp)) == (429, "ApplicationThrottled")
    assert resp.json()["error"]["message"] == "Application is over its MailboxConcurrency limit."
    assert alpha.get("/users").status_code == 200  # other families untouched


def test_max_faults_lets_a_retry_succeed(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(throttle={"*": 1.0}, max_faults=2)
    assert [alpha.get("/organization").status_code for _ in range(3)] == [429, 429, 200]
    assert alpha.get("/organization?$select=id").status_code == 429  # another exact request: counted apart
    emu.faults = Faults(throttle={"*": 1.0})  # no limit: throttled forever
    assert {alpha.get("/organization").status_code for _ in range(5)} == {429}


def test_unavailable(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(unavailable={"users": 1.0, "mailFolders": 1.0})
    resp = alpha.get("/users")
    assert (resp.status_code, _code(resp), resp.json()["error"]["message"]) == (504, "UnknownError", "")
    resp = alpha.get("/users/ann@alpha.example/mailFolders/inbox")
    assert (resp.status_code, _code(resp)) == (503, "MailboxInfoStale")


def test_truncated_and_malformed_pages(emu: Emulator, alpha: httpx.Client) -> None:
    full = alpha.get("/users").content
    emu.faults = Faults(truncate={"users"})
    resp = alpha.get("/users")
    assert resp.status_code == 200 and len(resp.content) == len(full) // 2
    assert int(resp.headers["content-length"]) == len(resp.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.content)
    emu.faults = Faults(malformed={"users"})
    resp = alpha.get("/users")
    assert resp.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.content)
    assert alpha.get("/organization").json()["value"]  # other families untouched


def test_batch_envelope_can_be_throttled(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(throttle={"batch": 1.0})
    resp = alpha.post("/$batch", json={"requests": [{"id": "1", "method": "GET", "url": "/users"}]})
    assert (resp.status_code, _code(resp)) == (429, "TooManyRequests")
    assert emu.stats.batch_items == {}


def test_latency(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(latency_ms=150, jitter_ms=50)
    resp = alpha.get("/organization")
    assert 0.15 <= resp.elapsed.total_seconds() < 1.5


def _pattern(emu: Emulator, parallel: bool) -> dict[str, int]:
    paths = [f"/users?$select=id&$top={n}" for n in range(1, 41)]
    with graph_client(emu, "alpha") as client:
        if parallel:
            with ThreadPoolExecutor(8) as pool:
                codes = list(pool.map(lambda p: client.get(p).status_code, paths))
        else:
            codes = [client.get(p).status_code for p in paths]
    return dict(zip(paths, codes, strict=True))


def test_faults_are_deterministic_under_the_seed(graph_emulator: Callable[..., Emulator]) -> None:
    faults = Faults(throttle={"users": 0.5})
    one = _pattern(graph_emulator(ALPHA, faults=faults, seed=1), parallel=False)
    again = _pattern(graph_emulator(ALPHA, faults=faults, seed=1), parallel=True)
    other = _pattern(graph_emulator(ALPHA, faults=faults, seed=2), parallel=False)
    assert one == again
    assert one != other
    assert 5 < sum(code == 429 for code in one.values()) < 35


@pytest.mark.parametrize(
    "kwargs",
    [{"throttle": {"usrs": 0.1}}, {"throttle": {"users": 1.5}}, {"retry_after": "soon"}, {"truncate": {"x"}}],
)
def test_bad_faults_are_rejected(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Faults(**kwargs)
