"""Outlook's concurrency limits over real HTTP: 4 mail requests in flight per mailbox, optionally per app.

Facts (GRAPH_FACTS §6): 4 concurrent requests per app per mailbox; Graph dispatches at most 4 items of a
`$batch` at once; over the limit Outlook answers 429 ApplicationThrottled "Application is over its
MailboxConcurrency limit." with Retry-After.
"""

from __future__ import annotations

import threading
import time

import httpx

from graph_emulator import Emulator, Faults

MESSAGE = "Application is over its MailboxConcurrency limit."


def _inbox(user: str) -> str:
    return f"/users/{user}/mailFolders/inbox"


def _concurrently(*calls) -> list[httpx.Response]:
    """Start each call 50 ms after the previous one, all overlapping; their answers in order."""
    out: list[httpx.Response | None] = [None] * len(calls)

    def run(i: int) -> None:
        out[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join()
    return [r for r in out if r is not None]


def test_a_mailbox_over_its_limit_gets_429_others_do_not(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(latency_ms=400, mailbox_concurrency=1)
    first, second, other = _concurrently(
        lambda: alpha.get(_inbox("ann@alpha.example")),
        lambda: alpha.get(_inbox("ann@alpha.example")),
        lambda: alpha.get(_inbox("shared@alpha.example")),
    )
    assert first.status_code == 200 and other.status_code == 200
    assert second.status_code == 429
    assert second.json()["error"] == {**second.json()["error"], "code": "ApplicationThrottled", "message": MESSAGE}
    assert second.headers["Retry-After"] == "1"
    assert emu.outlook.peak_per_mailbox == 1 and emu.outlook.throttled == 1
    assert alpha.get(_inbox("ann@alpha.example")).status_code == 200  # slots are freed when answered


def test_a_batch_holds_at_most_four_slots_of_a_mailbox(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(latency_ms=100, batch_item_latency_ms=100)  # 20 items: 0.1 + 5 x 0.1 s in flight
    ann = [{"id": str(i), "method": "GET", "url": _inbox("ann@alpha.example")} for i in range(20)]
    mixed = [
        {"id": "a", "method": "GET", "url": _inbox("ann@alpha.example")},
        {"id": "b", "method": "GET", "url": _inbox("shared@alpha.example")},
        {"id": "d", "method": "GET", "url": "/users/shared@alpha.example?$select=id"},  # directory: not Outlook
    ]
    whole, second = _concurrently(
        lambda: alpha.post("/$batch", json={"requests": ann}),
        lambda: alpha.post("/$batch", json={"requests": mixed}),
    )
    assert {r["status"] for r in whole.json()["responses"]} == {200}  # 20 items of one mailbox: 4 at a time
    by_id = {r["id"]: r for r in second.json()["responses"]}
    assert second.status_code == 200
    assert by_id["a"]["status"] == 429 and by_id["a"]["body"]["error"]["message"] == MESSAGE
    assert by_id["a"]["headers"]["Retry-After"] == "1"
    assert by_id["b"]["status"] == 200 and by_id["d"]["status"] == 200
    assert emu.outlook.peak_per_mailbox == 4


def test_the_app_limit_counts_every_mailbox(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(latency_ms=400, app_mail_concurrency=1, retry_after_seconds=2.5)
    first, second = _concurrently(
        lambda: alpha.get(_inbox("ann@alpha.example")), lambda: alpha.get(_inbox("shared@alpha.example"))
    )
    assert first.status_code == 200 and second.status_code == 429
    assert second.headers["Retry-After"] == "3"
    assert alpha.get("/users/ann@alpha.example?$select=id").status_code == 200  # directory reads are not Outlook's


def test_no_limit_when_turned_off(emu: Emulator, alpha: httpx.Client) -> None:
    emu.faults = Faults(latency_ms=300, mailbox_concurrency=None)
    answers = _concurrently(*(lambda: alpha.get(_inbox("ann@alpha.example")) for _ in range(6)))
    assert [r.status_code for r in answers] == [200] * 6
    assert emu.outlook.peak_per_mailbox == 6 and emu.outlook.throttled == 0  # peaks are kept without a limit too
