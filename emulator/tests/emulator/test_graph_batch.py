"""JSON batching over real HTTP: mixed item results, shuffled order, limits, per-item faults, writes."""

from __future__ import annotations

import httpx

from graph_emulator import Emulator, Faults


def _batch(client: httpx.Client, items: list[dict]) -> httpx.Response:
    return client.post("/$batch", json={"requests": items})


def _probe(i: int, user: str) -> dict:
    return {"id": str(i), "method": "GET", "url": f"/users/{user}/mailFolders/inbox"}


def test_mixed_results_each_with_status_headers_and_body(emu: Emulator, alpha: httpx.Client) -> None:
    users = ["ann@alpha.example", "nolicence@alpha.example", "ghost@alpha.example", "fenced@alpha.example"]
    resp = _batch(alpha, [_probe(i, u) for i, u in enumerate(users)])
    assert resp.status_code == 200
    by_id = {r["id"]: r for r in resp.json()["responses"]}
    assert {k: r["status"] for k, r in by_id.items()} == {"0": 200, "1": 404, "2": 404, "3": 403}
    assert by_id["0"]["body"]["displayName"] == "Inbox"
    assert by_id["1"]["body"]["error"]["code"] == "MailboxNotEnabledForRESTAPI"
    assert by_id["2"]["body"]["error"]["message"] == "The requested user 'ghost@alpha.example' is invalid."
    assert by_id["3"]["body"]["error"]["message"] == "Access to OData is disabled."
    assert all("application/json" in r["headers"]["Content-Type"] for r in by_id.values())
    assert emu.stats.requests[("POST", "batch")] == 1
    assert emu.stats.batch_items[("GET", "mailFolders")] == 4
    assert emu.stats.writes == []


def test_responses_come_back_shuffled_and_deterministic(emu: Emulator, alpha: httpx.Client) -> None:
    items = [{"id": str(i), "method": "GET", "url": "/users/ann@alpha.example?$select=id"} for i in range(20)]
    first = [r["id"] for r in _batch(alpha, items).json()["responses"]]
    assert sorted(first, key=int) == [str(i) for i in range(20)]
    assert first != [str(i) for i in range(20)]
    emu.faults = Faults()  # restarts occurrence counts: the same request gets the same order again
    assert [r["id"] for r in _batch(alpha, items).json()["responses"]] == first


def test_limits_and_payload_errors(alpha: httpx.Client) -> None:
    too_many = _batch(alpha, [_probe(i, "ann@alpha.example") for i in range(21)])
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "BadRequest"
    assert "exceeds the limit" in too_many.json()["error"]["message"]
    assert alpha.post("/$batch", content=b"not json").status_code == 400
    dup = _batch(alpha, [_probe(1, "ann@alpha.example"), _probe(1, "ann@alpha.example")])
    assert dup.status_code == 400 and "duplicate" in dup.json()["error"]["message"]


def test_absolute_item_url_gets_400_and_relative_without_slash_works(emu: Emulator, alpha: httpx.Client) -> None:
    items = [
        {"id": "abs", "method": "GET", "url": f"{emu.graph_url}/users/ann@alpha.example"},
        {"id": "rel", "method": "GET", "url": "users/ann@alpha.example", "dependsOn": []},
    ]
    by_id = {r["id"]: r for r in _batch(alpha, items).json()["responses"]}
    assert by_id["abs"]["status"] == 400 and by_id["abs"]["body"]["error"]["code"] == "BadRequest"
    assert by_id["abs"]["body"]["error"]["message"].startswith("Invalid request URL")
    assert by_id["rel"]["status"] == 200


def test_items_use_the_callers_roles(beta: httpx.Client) -> None:
    items = [
        {"id": "1", "method": "GET", "url": "/users"},
        {"id": "2", "method": "GET", "url": "/users/bert@betatest.onmicrosoft.com/mailFolders/inbox"},
    ]
    by_id = {r["id"]: r for r in _batch(beta, items).json()["responses"]}
    assert by_id["1"]["status"] == 403 and by_id["1"]["body"]["error"]["code"] == "Authorization_RequestDenied"
    assert by_id["2"]["status"] == 200


def test_per_item_throttling_with_its_own_retry_after(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(throttle={"mailFolders": 1.0}, retry_after_seconds=3)
    items = [_probe(0, "ann@alpha.example"), {"id": "u", "method": "GET", "url": "/users/ann@alpha.example"}]
    resp = _batch(alpha, items)
    assert resp.status_code == 200
    by_id = {r["id"]: r for r in resp.json()["responses"]}
    assert by_id["0"]["status"] == 429 and by_id["0"]["headers"]["Retry-After"] == "3"
    assert by_id["0"]["body"]["error"]["code"] == "ApplicationThrottled"
    assert by_id["u"]["status"] == 200


def test_batch_item_writes_are_recorded(emu: Emulator, alpha: httpx.Client) -> None:
    items = [
        {
            "id": "m",
            "method": "POST",
            "url": "/users/ann@alpha.example/messages/AAMk-ann-3/move",
            "body": {"destinationId": "inbox"},
            "headers": {"Content-Type": "application/json"},
        }
    ]
    (item,) = _batch(alpha, items).json()["responses"]
    assert item["status"] == 201 and item["body"]["id"] != "AAMk-ann-3"
    assert emu.stats.writes == [("POST", "/users/ann@alpha.example/messages/AAMk-ann-3/move")]
    assert emu.stats.batch_items[("POST", "move")] == 1


def test_batch_item_latency_models_four_at_a_time(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(batch_item_latency_ms=100)
    resp = _batch(alpha, [_probe(i, "ann@alpha.example") for i in range(5)])
    assert resp.status_code == 200
    assert resp.elapsed.total_seconds() >= 0.2  # ceil(5 / 4) * 100 ms
