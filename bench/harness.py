"""The bench's plumbing: its table rows, how it runs pytest and the live fetch, and shared medians.

The stages (`live_stage`, `pacing`, `e2e`, `replay_stage`, `startup`, `big_stage`) are functions of a
`Bench`; `bench.run` parses the arguments and runs them in order.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .emuproc import EmulatorProcess
from .project import ROOT, PytestRun, base_env, make_project, run_pytest
from .tenants import tenant_file


@dataclass
class Row:
    """One line of the table."""

    item: str
    measure: str
    value: str
    target: str = ""
    met: bool | None = None
    note: str = ""


@dataclass
class Bench:
    """The run's arguments, work directory, table rows and raw figures, and how it runs pytest."""

    args: argparse.Namespace
    work: Path
    rows: list[Row] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    # -- plumbing -------------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)

    def row(self, *args, **kwargs) -> None:
        r = Row(*args, **kwargs)
        self.rows.append(r)
        mark = {True: "MET", False: "NOT MET", None: ""}[r.met]
        self.say(f"  {r.item} {r.measure}: {r.value}  (target {r.target or '-'}) {mark} {r.note}")

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = base_env(extra)
        paths = [p for p in (self.args.suite_src, str(ROOT), env.get("PYTHONPATH")) if p]
        env["PYTHONPATH"] = os.pathsep.join(paths)
        return env

    def pytest(self, cwd: Path, args: list[str], **kw) -> PytestRun:
        env = self.env(kw.pop("extra_env", None))
        run = run_pytest(cwd, args, env=env, timeout=self.args.timeout, timeline=True, **kw)
        state = "TIMED OUT" if run.timed_out else f"exit {run.code}"
        self.say(
            f"    pytest {' '.join(args)}: {run.wall_s:.1f} s wall, {run.cpu_s:.1f} s CPU, "
            f"peak RSS {run.peak_rss_mb:.0f} MB, {run.counts}, {state}"
        )
        return run

    # -- table ----------------------------------------------------------------------------------------
    def table(self) -> str:
        head = ("#", "measure", "value", "target", "met", "notes")
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in self.rows:
            met = {True: "yes", False: "**no**", None: ""}[r.met]
            lines.append(f"| {r.item} | {r.measure} | {r.value} | {r.target} | {met} | {r.note} |")
        return "\n".join(lines)


def record_project(bench: Bench, users: int) -> tuple[Path, str]:
    """A project whose cassette holds a recording of a generated tenant of `users` users."""
    path, name, tenant_id = tenant_file(bench.work, users)
    project = make_project(bench.work / f"project-{users}", [(name, tenant_id)])
    bench.say(f"   recording {users} users into {project / 'cassettes' / (name + '.yaml')}")
    with EmulatorProcess([path], seed=0) as emu:
        run = bench.pytest(
            project,
            [
                "tenant_checks",
                "--etd-config=etd.toml",
                "--record-mode=rewrite",
                f"--graph-endpoint={emu.graph_url}",
                f"--authority={emu.authority_url}",
                "--html=reports/recording.html",
                "-p",
                "no:cacheprovider",
            ],
            extra_env={"REQUESTS_CA_BUNDLE": emu.ca_path},
        )
    cassette = project / "cassettes" / f"{name}.yaml"
    if run.timed_out or run.code not in (0, 1) or not cassette.is_file():
        raise RuntimeError(f"recording {users} users failed: {run.tail[-1500:]}")
    bench.raw.setdefault("record", {})[users] = asdict(run) | {"cassette_mb": cassette.stat().st_size / 2**20}
    return project, name


def run_live(args: list[str], env: dict[str, str]) -> dict:
    res = subprocess.run([sys.executable, "-m", "bench.live", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    for line in res.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line[len("BENCH-JSON ") :])
    raise RuntimeError(f"bench.live {args[0]} exit {res.returncode}:\n{res.stdout[-2000:]}\n{res.stderr[-3000:]}")


def phases_line(suite: list[PytestRun], bare: list[PytestRun]) -> str:
    """Median seconds per phase, suite/bare, e.g. 'session start 4.1/0.1; test loop 31.4/24.1'."""

    def med(runs: list[PytestRun]) -> dict[str, float]:
        all_phases = [r.phases() for r in runs if r.phases()]
        keys = all_phases[0].keys() if all_phases else ()
        return {k: statistics.median(p[k] for p in all_phases) for k in keys}

    s, b = med(suite), med(bare)
    return "; ".join(f"{k} {s[k]:.1f}/{b.get(k, 0):.1f}" for k in s)


def median_run(runs: list[PytestRun]) -> dict:
    return {
        "wall": statistics.median(r.wall_s for r in runs),
        "cpu": statistics.median(r.cpu_s for r in runs),
        "rss": max(r.peak_rss_mb for r in runs),
        "n": len(runs),
    }
