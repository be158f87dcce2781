"""The bench: how the suite scales against a hand-written script, bare pytest and the limits.

    python -m bench.run            # full run (~20 min on 2 cores), prints the table, writes results.json
    python -m bench.run --quick    # reduced sizes, one repetition (a few minutes)

Every figure is printed beside its target (issue 5). Times are medians of --reps repetitions,
each side interleaved with the other so that a noisy neighbour hits both; CPU seconds (user+sys of
the whole process tree) are shown beside them.
`--suite-src DIR` puts DIR first on PYTHONPATH of every suite process: measure a patched copy of
src/ without touching the checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from .big_stage import big_stage
from .e2e import e2e_stage
from .harness import Bench
from .live_stage import live_stage
from .pacing import pacing_stage
from .project import ROOT
from .replay_stage import replay_stage
from .startup import startup_stage


def _suite_version(suite_src: str | None) -> str:
    """The commit measured (and whether src/ differs from it), or the patched copy in use."""
    if suite_src:
        return f"patched copy {suite_src}"
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return "unknown (no git)"
    return (head.stdout.strip() or "unknown") + (" + uncommitted changes in src/" if dirty.stdout.strip() else "")


STAGES = ("live", "pacing", "e2e", "replay", "chromium", "xdist", "big", "startup")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="reduced sizes and one repetition")
    p.add_argument("--users", type=int, help="use this many users for every tenant (smoke tests)")
    p.add_argument("--reps", type=int, help="repetitions of each timed run (default 3, quick 1)")
    p.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated subset of {','.join(STAGES)}")
    p.add_argument("--live-users", type=int, help="tenant size of the live fetch (default 10000, quick 1000)")
    p.add_argument("--replay-users", help="comma-separated replay sizes (default 1000,10000, quick 1000)")
    p.add_argument("--big-users", type=int, help="size of the big run (default 100000, quick 5000)")
    p.add_argument("--startup-users", type=int, default=50)
    p.add_argument(
        "--pacing-app-limit", type=int, default=64, help="pacing: mail requests Outlook admits in flight (default 64)"
    )
    p.add_argument("--latency-ms", type=float, default=50.0, help="emulator latency per request (default 50)")
    p.add_argument(
        "--batch-item-latency-ms",
        type=float,
        default=20.0,
        help="extra per $batch item, 4 at a time (default 20: a batch of 20 takes 50 + 100 ms)",
    )
    p.add_argument("--sdk-sample", type=int, help="mailboxes the naive script probes (default 300, quick 20)")
    p.add_argument("--sdk-pages", type=int, help="user pages the naive script lists, 0 = all (default 3, quick 1)")
    p.add_argument("--big-bare", action="store_true", help="also run bare pytest + --html with the big run's items")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds before a pytest run is abandoned")
    p.add_argument("--profile", action="store_true", help="also profile the live fetch and the largest replay")
    p.add_argument("--suite-src", help="put this directory first on PYTHONPATH (a patched copy of src/)")
    p.add_argument("--workdir", help="where tenants, projects and reports go (default: a temp dir, kept)")
    p.add_argument("--json", help="also write every raw figure here")
    args = p.parse_args(argv)
    q = args.quick
    args.reps = args.reps or (1 if q else 3)
    args.live_users = args.users or args.live_users or (1000 if q else 10_000)
    sizes = args.replay_users or ("1000" if q else "1000,10000")
    args.replay_users = [args.users] if args.users else [int(x) for x in sizes.split(",")]
    args.big_users = args.users or args.big_users or (5000 if q else 100_000)
    args.startup_users = min(args.startup_users, args.users or args.startup_users)
    args.sdk_sample = args.sdk_sample or (20 if q else 300)
    args.sdk_pages = args.sdk_pages if args.sdk_pages is not None else (1 if q else 3)
    args.stages = [s for s in args.stages.split(",") if s]
    unknown = set(args.stages) - set(STAGES)
    if unknown:
        p.error(f"unknown stage(s) {', '.join(sorted(unknown))}; known: {', '.join(STAGES)}")
    if args.suite_src:
        args.suite_src = str(Path(args.suite_src).resolve())
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="etd-bench-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    bench = Bench(args, work)
    bench.raw["suite_version"] = _suite_version(args.suite_src)
    bench.say(f"workdir {work}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs; stages {args.stages}")
    bench.say(f"suite: {bench.raw['suite_version']}")
    start = time.perf_counter()
    steps: list[tuple[str, Callable[[], None]]] = [
        ("live", lambda: live_stage(bench)),
        ("pacing", lambda: pacing_stage(bench)),
        ("e2e", lambda: e2e_stage(bench)),
        ("replay", lambda: replay_stage(bench)),  # with "chromium" and "xdist" as parts of it
        ("startup", lambda: startup_stage(bench)),
        ("big", lambda: big_stage(bench)),
    ]
    for stage, step in steps:
        if stage in args.stages:
            step()
    total = time.perf_counter() - start
    print()
    print(
        f"ETD readiness bench, suite {bench.raw['suite_version']} ({'quick' if args.quick else 'full'} run, "
        f"{total / 60:.1f} min, "
        f"{os.cpu_count()} CPUs, medians of {args.reps})"
    )
    print(bench.table())
    results = {"args": vars(args), "rows": [asdict(r) for r in bench.rows], "raw": bench.raw, "total_s": total}
    out = Path(args.json) if args.json else work / "results.json"
    out.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print(f"\nraw figures: {out}")
    return 0  # a missed target is a finding, not a failure of the harness


if __name__ == "__main__":
    sys.exit(main())
