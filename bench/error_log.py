"""Bench: diagnose a 10,000-row ETD error log; count the `$batch` envelopes the message lookups take.

    python -m bench.error_log [--rows 10000] [--latency-ms 20]

A generated tenant (one message per mailbox user) is served by the emulator in a child process; the
error log names every such message (plus a few moved / purged ones). The suite's own collection runs
live against it; the figures printed are the lookups made, the `$batch` envelopes and batch items the
emulator counted, lookups per envelope (target: 20, Graph's batch limit) and the wall time.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path

from graph_emulator.generate import generate_tenant, write_tenant

from .emuproc import EmulatorProcess, live_settings


def _tenant(workdir: Path, rows: int) -> tuple[Path, dict]:
    doc = generate_tenant(rows, 3, {}, name="errlog", messages=1)
    doc["auditor"]["roles"] = [*doc["auditor"]["roles"], "MailboxSettings.Read"]
    path = workdir / "errlog.json"
    write_tenant(doc, path)
    return path, doc


def _log(workdir: Path, doc: dict) -> Path:
    path = workdir / "error-log.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Timestamp", "Recipient", "Message-ID", "Remediation Error"])
        for user in doc["users"]:
            for message in user.get("messages", ()):
                out.writerow(
                    ["2026-12-01T09:00:00Z", user["upn"], message["internetMessageId"], "Resource is not found"]
                )
    return path


def collect_and_count(emu, collect_live, settings):
    """(snapshot, wall seconds, emulator stats) of one live collection."""
    emu.reset()
    start = time.perf_counter()
    snapshot = collect_live(settings)
    return snapshot, time.perf_counter() - start, emu.stats()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.error_log", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args(argv)
    from etd_readiness.session import collect_live, with_error_log

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        tenant_path, doc = _tenant(workdir, args.rows)
        log = _log(workdir, doc)
        with EmulatorProcess([tenant_path], latency_ms=args.latency_ms) as emu:
            settings = live_settings(emu, doc, error_log_files=(str(log),))
            plain = collect_and_count(emu, collect_live, settings)
            settings = with_error_log(settings)
            with_log = collect_and_count(emu, collect_live, settings)
        snapshot, wall, stats = with_log
        section = snapshot.tenants[0].sections["messages"]
        lookups = len(section.data["lookups"]) if section.ok else 0
        envelopes = stats.requests.get("POST batch", 0) - plain[2].requests.get("POST batch", 0)
        items = stats.batch_items - plain[2].batch_items
        figures = {
            "error_log_rows": len(settings.error_log),
            "message_lookups": lookups,
            "messages_section_ok": section.ok,
            "extra_batch_envelopes_for_the_log": envelopes,
            "extra_batch_items_for_the_log": items,
            "lookup_envelopes_at_20_per_batch": -(-lookups // 20),
            "wall_s_without_log": round(plain[1], 2),
            "wall_s_with_log": round(wall, 2),
        }
        print(json.dumps(figures, indent=2))
        print(
            f"{figures['error_log_rows']} rows: {lookups} lookups in {figures['lookup_envelopes_at_20_per_batch']} "
            "envelopes of 20; with the folder reads (each user's Inbox, Deleted Items and Junk Email ids, then "
            "other folders' names) the log "
            f"costs {envelopes} envelopes / {items} batch items; wall {figures['wall_s_with_log']} s "
            f"(vs {figures['wall_s_without_log']} s without the log)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
