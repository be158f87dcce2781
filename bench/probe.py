"""Bench: the mailbox probe through mailboxSettings (MailboxSettings.Read) vs the Inbox (Mail.ReadBasic.All).

    python -m bench.probe [--users 2000] [--latency-ms 20]

The same generated tenant is collected twice by the suite's own live collection, once with an auditor
holding MailboxSettings.Read and once with one holding only Mail.ReadBasic.All; printed per probe kind:
requests and batch items the emulator counted, wall time, the size of one probe answer, and whether
the recipient type (shared / room / equipment) is known.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from graph_emulator.generate import generate_tenant, write_tenant

from .emuproc import EmulatorProcess, live_settings

BASE_ROLES = ["User.Read.All", "Organization.Read.All", "Application.Read.All"]
MIX = {"none": 0.02, "onPremises": 0.01, "shared": 0.02, "room": 0.01}


def _measure(tenant: Path, doc: dict, latency_ms: float) -> dict:
    from etd_readiness.session import collect_live

    with EmulatorProcess([tenant], latency_ms=latency_ms) as emu:
        settings = live_settings(emu, doc)
        emu.reset()
        start = time.perf_counter()
        snapshot = collect_live(settings)
        wall = time.perf_counter() - start
        stats = emu.stats()
    probes = snapshot.tenants[0].sections["mailboxes"].data or {}
    typed = sum(1 for p in probes.values() if p.get("userPurpose") in ("shared", "room", "equipment"))
    return {
        "batch_envelopes": stats.requests.get("POST batch", 0),
        "batch_items": stats.batch_items,
        "wall_s": round(wall, 2),
        "mailboxes_probed": len(probes),
        "recipient_type_known_for_resource_mailboxes": typed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind, role in (("mailboxSettings", "MailboxSettings.Read"), ("inbox", "Mail.ReadBasic.All")):
            doc = generate_tenant(args.users, 5, MIX, name="probe")
            doc["auditor"]["roles"] = [*BASE_ROLES, role]
            path = Path(tmp) / f"{kind}.json"
            write_tenant(doc, path)
            results[kind] = _measure(path, doc, args.latency_ms)
    sizes = {
        "mailboxSettings": len(
            b'{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(\'x\')/mailboxSettings",'
            b'"userPurpose":"user"}'
        ),
        "inbox": len(
            b'{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(\'x\')/mailFolders(id)/$entity",'
            b'"id":"AQMkADAwATM0MDAAMS0xMgAzZC1kOGQwLTAwAi0wMAoALgAAA0n7OuUxB7hBiR9wh1zRhvABAOEAAAIBDAAAAA=="}'
        ),
    }
    for kind in results:
        results[kind]["answer_bytes_approx"] = sizes[kind]
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
