"""Stage "startup": launch to the first test result, a small tenant from a cassette."""

from __future__ import annotations

import statistics
from dataclasses import asdict

from .harness import Bench, record_project


def startup_stage(bench: Bench) -> None:
    a = bench.args
    users = a.startup_users
    bench.say(f"4. start-up: {users} users from a cassette")
    project, _ = record_project(bench, users)
    args = ["tenant_checks", "--etd-config=etd.toml", "--record-mode=none"]
    runs = [bench.pytest(project, args, unbuffered=True) for _ in range(max(3, a.reps))]
    firsts = [r.first_result_s for r in runs if r.first_result_s is not None]
    first = statistics.median(firsts) if firsts else float("inf")
    bench.raw["startup"] = [asdict(r) for r in runs]
    bench.row(
        "4",
        f"{users} users from cassette: launch to first test result",
        f"{first:.2f} s",
        "<= 3 s",
        first <= 3.0,
        note=f"runs: {', '.join(f'{t:.2f}' for t in firsts)} s; whole run "
        f"{statistics.median(r.wall_s for r in runs):.2f} s",
    )
