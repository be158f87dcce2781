"""What journaling costs a live fetch, and what a resume saves: prints figures.

    python -m bench.resume [--users 10000] [--at 0.5]

Against the emulator in its own process (50 ms a request, 20 ms a batch item): a live fetch without a
journal, the same with one, the same Ctrl-C'd (a real SIGINT) at `--at` of its time, then
`--etd-resume`'s collection of the rest. Graph requests are the emulator's counts.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench.emuproc import EmulatorProcess, live_settings
from bench.tenants import tenant_file


def _fetch(settings, journaling) -> float:
    from etd_readiness.session import collect_live

    start = time.perf_counter()
    collect_live(settings, journaling=journaling)
    return time.perf_counter() - start


def _interrupted(settings, journaling, after_s: float) -> float:
    """A journaled fetch Ctrl-C'd after `after_s` seconds (SIGINT, as a terminal sends it)."""
    signal.signal(signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGINT))
    signal.setitimer(signal.ITIMER_REAL, after_s)
    start = time.perf_counter()
    try:
        _fetch(settings, journaling)
    except KeyboardInterrupt:
        return time.perf_counter() - start
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    raise SystemExit("the fetch completed before it was interrupted; use a smaller --at")


def main(argv: list[str] | None = None) -> int:
    from etd_readiness.resume import Journaling

    p = argparse.ArgumentParser(prog="python -m bench.resume")
    p.add_argument("--users", type=int, default=10_000)
    p.add_argument("--at", type=float, default=0.5, help="interrupt at this fraction of a full fetch's time")
    p.add_argument("--workdir", help="where the tenant and the journal go (default: a temp dir, kept)")
    args = p.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="etd-bench-resume-"))
    path, _, _ = tenant_file(work, args.users)
    doc = json.loads(path.read_text(encoding="utf-8"))
    journaling = Journaling(work / ".etd-resume")
    out: dict[str, object] = {"users": args.users}
    with EmulatorProcess([path], latency_ms=50, batch_item_latency_ms=20) as emu:
        settings = live_settings(emu, doc)
        _fetch(settings, None)  # warm: imports, the tenant's indexes
        for label, journal in (("plain", None), ("journaled", journaling)):
            emu.reset()
            out[f"{label}_s"] = round(_fetch(settings, journal), 2)
            out[f"{label}_requests"] = emu.stats().graph_requests
        emu.reset()
        out["interrupted_after_s"] = round(_interrupted(settings, journaling, args.at * float(out["plain_s"])), 2)
        out["interrupted_requests"] = emu.stats().graph_requests
        journal = journaling.path(doc["tenant"]["name"])
        out["journal_mb"] = round(journal.stat().st_size / 1e6, 1)
        out["journal_answers"] = sum(1 for _ in journal.open(encoding="utf-8")) - 1
        emu.reset()
        out["resume_s"] = round(_fetch(settings, Journaling(journaling.directory, resume=True)), 2)
        stats = emu.stats()
        out["resume_requests"] = stats.graph_requests
    overhead = float(out["journaled_s"]) / float(out["plain_s"]) - 1
    print(
        f"live fetch of {args.users:,} users: {out['plain_s']} s without a journal, {out['journaled_s']} s with one "
        f"({overhead:+.0%}); Ctrl-C after {out['interrupted_after_s']} s kept {out['journal_answers']:,} answers "
        f"({out['journal_mb']} MB); the resume took {out['resume_s']} s and {out['resume_requests']} Graph requests "
        f"(a full fetch: {out['plain_requests']})"
    )
    print("BENCH-JSON " + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
