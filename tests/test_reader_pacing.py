"""Adaptive concurrency and Outlook's per-mailbox limit, through the real msgraph-sdk stack against the emulator.

The emulator's Outlook model (emulator/docs/faults.md) answers 429 ApplicationThrottled when a mailbox
has more than 4 mail requests in flight, or the app more than `app_mail_concurrency`; it keeps the peaks.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from etd_readiness.collect.graph_client import open_graph
from etd_readiness.collect.reader import GraphReader, RetryPolicy
from graph_emulator import Emulator, Faults
from graph_emulator.generate import generate_tenant, write_tenant
from test_reader_network import _Token


def _tenant(tmp_path: Path, users: int) -> tuple[Path, list[str]]:
    path = tmp_path / "pacing.json"
    write_tenant(generate_tenant(users, 3, name="pacing"), path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    return path, [u["upn"] for u in doc["users"]]


def _batch(emu: Emulator, urls: list[tuple[str, str]], **reader_args):
    async def go():
        conn = open_graph(_Token(emu, "pacing"), emu.graph_url)
        reader = GraphReader(conn, policy=RetryPolicy(backoff_s=0.01, max_retries=6), **reader_args)
        try:
            return await reader.batch_get(urls), reader
        finally:
            await conn.close()

    return asyncio.run(go())


def test_never_more_than_four_requests_in_flight_for_one_mailbox(tmp_path: Path) -> None:
    """60 message lookups in one mailbox are 3 envelopes; sent together they would hold 12 of its slots."""
    path, upns = _tenant(tmp_path, 5)
    urls = [(str(i), f"/users/{upns[0]}/messages/AAMk-{i}?$select=id,parentFolderId") for i in range(60)]
    urls += [(f"o{i}", f"/users/{upns[1 + i % 4]}/messages/AAMk-{i}?$select=id") for i in range(40)]
    with Emulator([path], faults=Faults(latency_ms=30, batch_item_latency_ms=10)) as emu:
        results, reader = _batch(emu, urls)
        assert emu.outlook.throttled == 0
        assert emu.outlook.peak_per_mailbox == 4
    assert reader.stats.retries == 0
    assert {r["status"] for r in results.values()} == {404}  # every lookup answered (no such message)


def test_the_limit_is_cut_on_429_and_every_item_still_comes(tmp_path: Path) -> None:
    """Outlook takes 3 batches at a time here: the reader starts at 8, is throttled, cut, and finishes."""
    path, upns = _tenant(tmp_path, 400)
    urls = [(str(i), f"/users/{upn}/mailboxSettings?$select=userPurpose") for i, upn in enumerate(upns)]
    faults = Faults(latency_ms=40, batch_item_latency_ms=10, app_mail_concurrency=12, retry_after_seconds=0.1)
    with Emulator([path], faults=faults) as emu:
        results, reader = _batch(emu, urls)
        assert emu.outlook.throttled > 0
        assert emu.outlook.peak_app <= 12
    assert not [r for r in results.values() if "error" in r]
    assert reader.pacing.stats.decreases >= 1 and reader.pacing.stats.holds == 0  # a concurrency 429 holds nobody
    assert reader.pacing.limit <= 8  # settled below where it started, near 3 envelopes of 4 dispatched items


def test_without_429s_the_limit_grows_to_its_ceiling(tmp_path: Path) -> None:
    path, upns = _tenant(tmp_path, 400)
    urls = [(str(i), f"/users/{upn}/mailboxSettings?$select=userPurpose") for i, upn in enumerate(upns)]
    with Emulator([path], faults=Faults(latency_ms=20)) as emu:
        results, reader = _batch(emu, urls, max_concurrency=16)
        assert emu.outlook.throttled == 0
    assert not [r for r in results.values() if "error" in r]
    assert reader.pacing.stats.peak == 16 and reader.pacing.stats.decreases == 0
