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
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .e2e import e2e_stage
from .emuproc import EmulatorProcess
from .pacing import pacing_stage
from .project import (
    AUDITOR_SECRET,
    ROOT,
    SECRET_ENV,
    PytestRun,
    base_env,
    chromium_opens,
    make_bare_project,
    make_project,
    run_pytest,
)
from .tenants import tenant_file

# Graph calls made once per tenant besides user pages and probe batches: organization, subscribedSkus,
# deleted users (one page up to 999), ETD's and Graph's service principals, ETD's app-role
# assignments, delegated grants and application registration.
DIRECTORY_CALLS = 8
BATCH = 20
PAGE = 999


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

    # -- 1. live fetch --------------------------------------------------------------------------------
    def live_fetch(self) -> None:
        a = self.args
        n = a.live_users
        path, name, tenant_id = tenant_file(self.work, n)
        faults = {"latency_ms": a.latency_ms, "batch_item_latency_ms": a.batch_item_latency_ms}
        self.say(f"1. live fetch: {n} users, {faults}")
        with EmulatorProcess([path], seed=0, **faults) as emu:
            env = self.env({"REQUESTS_CA_BUNDLE": emu.ca_path, SECRET_ENV: AUDITOR_SECRET})
            common = ["--graph", emu.graph_url, "--authority", emu.authority_url, "--tenant-id", tenant_id]
            common += ["--name", name]
            suite: list[dict] = []
            sdk: dict | None = None
            for rep in range(a.reps):
                emu.reset()
                suite.append(_live(["suite", *common], env))
                stats = emu.stats()
                suite[-1]["graph_requests"] = stats.graph_requests
                suite[-1]["by_family"] = stats.by_family()
                suite[-1]["batch_items"] = stats.batch_items
                self.say(
                    f"    suite fetch {rep + 1}: {suite[-1]['wall_s']:.2f} s, {stats.graph_requests} Graph requests"
                )
                if rep == 0:
                    emu.reset()
                    sdk = _live(["sdk", *common, "--sample", str(a.sdk_sample), "--pages", str(a.sdk_pages)], env)
                    sdk["graph_requests"] = emu.stats().graph_requests
                    self.say(f"    sdk script: {sdk}")
            if a.profile:
                prof = self.work / "profiles" / "live-fetch.html"
                prof.parent.mkdir(parents=True, exist_ok=True)
                _live(["suite", *common, "--profile", str(prof)], env)
                self.say(f"    pyinstrument profile of the live fetch: {prof} (+ .txt)")
        assert sdk is not None
        wall = statistics.median(r["wall_s"] for r in suite)
        requests = statistics.median(r["graph_requests"] for r in suite)
        probed = suite[0]["probed"]
        pages_total = max(1, math.ceil(n / PAGE))
        list_s = sdk["list_s"] * pages_total / max(1, sdk["pages"])
        sdk_total = list_s + probed * sdk["per_probe_s"]
        how = (
            f"listing {sdk['pages']}/{pages_total} pages measured ({sdk['list_s']:.1f} s)"
            + (f", scaled to {pages_total}" if sdk["pages"] < pages_total else "")
            + f"; {sdk['sample']} probes measured ({sdk['per_probe_s'] * 1000:.0f} ms each), extrapolated to {probed}"
        )
        minimum = pages_total + math.ceil(probed / BATCH) + DIRECTORY_CALLS
        self.raw["live"] = {"suite": suite, "sdk": sdk, "sdk_total_s": sdk_total, "minimum": minimum}
        failed = suite[0]["failed_sections"]
        self.row(
            "1",
            f"live fetch, {n} users: suite wall (median of {len(suite)})",
            f"{wall:.1f} s",
            "<= 5 s" if n == 10000 else "",
            wall <= 5 if n == 10000 else None,
            note=f"{probed} mailboxes probed; failed sections: {failed or 'none'}",
        )
        self.row("1a", "naive msgraph-sdk script (typed, sequential), extrapolated", f"{sdk_total:.0f} s", note=how)
        self.row(
            "1a",
            "speed-up of the suite over the naive script",
            f"{sdk_total / wall:.0f}x",
            ">= 120x",
            sdk_total / wall >= 120,
        )
        self.row(
            "1b",
            "Graph requests of the suite (emulator count)",
            f"{requests:.0f}",
            note=f"by family: {suite[0]['by_family']}",
        )
        self.row(
            "1b",
            f"minimum: ceil(N/{PAGE}) + ceil(P/{BATCH}) + {DIRECTORY_CALLS} directory calls",
            f"{minimum}",
            note=f"N={n}, P={probed}",
        )
        self.row(
            "1b",
            "requests / minimum",
            f"{requests / minimum:.3f}",
            "<= 1.02",
            requests / minimum <= 1.02,
            note="above the minimum: the second probe of each mailbox that did not answer 200 (told apart from "
            "a flapping one), 20 a batch per users page",
        )

    # -- 2. and 5. replay from a cassette, beside bare pytest; -n 2 ----------------------------------------
    def record(self, users: int) -> tuple[Path, str]:
        """A project whose cassette holds a recording of a generated tenant of `users` users."""
        path, name, tenant_id = tenant_file(self.work, users)
        project = make_project(self.work / f"project-{users}", [(name, tenant_id)])
        self.say(f"   recording {users} users into {project / 'cassettes' / (name + '.yaml')}")
        with EmulatorProcess([path], seed=0) as emu:
            run = self.pytest(
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
        self.raw.setdefault("record", {})[users] = asdict(run) | {"cassette_mb": cassette.stat().st_size / 2**20}
        return project, name

    def replay(self) -> None:
        a = self.args
        for users in a.replay_users:
            self.say(f"2. replay from a cassette: {users} users")
            project, _ = self.record(users)
            replay_args = ["tenant_checks", "--etd-config=etd.toml", "--record-mode=none", "--html=reports/replay.html"]
            suite = self.pytest(project, replay_args)
            if suite.timed_out:
                self.row(
                    "2",
                    f"replay {users} users, pytest tenant_checks + HTML",
                    f"> {a.timeout:.0f} s (timed out)",
                    "<= 1.5x bare pytest",
                    False,
                    note="vcrpy's replay matching is quadratic, see RESULTS.md",
                )
                continue
            items = suite.items
            bare = make_bare_project(self.work / f"bare-{items}", items)
            bare_args = ["test_bare.py"]
            html_args = ["test_bare.py", "--html=report.html", "--self-contained-html"]
            runs: dict[str, list[PytestRun]] = {"suite": [suite], "bare": [], "bare+html": [], "xdist": []}
            do_xdist = users == max(a.replay_users) and "xdist" in a.stages
            for rep in range(a.reps):
                if rep:
                    runs["suite"].append(self.pytest(project, replay_args))
                runs["bare"].append(self.pytest(bare, bare_args))
                runs["bare+html"].append(self.pytest(bare, html_args))
                if do_xdist:
                    runs["xdist"].append(self.pytest(project, [*replay_args, "-n", "2"]))
            med = {k: _median_run(v) for k, v in runs.items() if v}
            self.raw.setdefault("replay", {})[users] = {k: [asdict(r) for r in v] for k, v in runs.items()}
            s, b, bh = med["suite"], med["bare"], med["bare+html"]
            counts = runs["suite"][0].counts
            self.row(
                "2",
                f"replay {users} users: pytest tenant_checks + HTML, {items} items",
                f"{s['wall']:.1f} s",
                note=f"{counts}; CPU {s['cpu']:.1f} s; peak RSS {s['rss']:.0f} MB; median of {s['n']}",
            )
            self.row(
                "2",
                f"bare pytest, {items} trivial parametrized items",
                f"{b['wall']:.1f} s",
                note=f"CPU {b['cpu']:.1f} s; peak RSS {b['rss']:.0f} MB; pytest-html installed, not asked for",
            )
            self.row(
                "2",
                f"bare pytest + --html, {items} items",
                f"{bh['wall']:.1f} s",
                note=f"CPU {bh['cpu']:.1f} s; peak RSS {bh['rss']:.0f} MB",
            )
            self.row(
                "2",
                f"{users} users: suite / bare pytest",
                f"{s['wall'] / b['wall']:.2f}x",
                "<= 1.5x",
                s["wall"] / b["wall"] <= 1.5,
                note=f"CPU ratio {s['cpu'] / b['cpu']:.2f}x",
            )
            self.row(
                "2",
                f"{users} users: suite / bare pytest with --html",
                f"{s['wall'] / bh['wall']:.2f}x",
                "<= 1.2x",
                s["wall"] / bh["wall"] <= 1.2,
                note=f"CPU ratio {s['cpu'] / bh['cpu']:.2f}x",
            )
            self.row(
                "2",
                f"{users} users: where the time goes, suite / bare+html (s)",
                _phases(runs["suite"], runs["bare+html"]),
                note="start-up = imports and plugins; session start = the suite fetches or replays its snapshot",
            )
            report = project / "reports" / "replay.html"
            size = report.stat().st_size / 2**20
            if users >= 10_000:
                self.row(
                    "2",
                    f"{users} users: HTML report size",
                    f"{size:.1f} MB",
                    "<= 10 MB at 10,000 users",
                    size <= 10 * users / 10_000,
                )
            else:
                self.row(
                    "2",
                    f"{users} users: HTML report size",
                    f"{size:.1f} MB",
                    note=f"~{size * 10_000 / users:.0f} MB at 10,000 users if linear",
                )
            if "chromium" in a.stages:
                ok, how, took = chromium_opens(report)
                self.row(
                    "2",
                    f"{users} users: headless Chromium opens the report",
                    f"{'yes' if ok else 'no'}, {took:.1f} s",
                    "opens, <= 10 s at 10,000 users" if users >= 10_000 else "opens",
                    ok and (took <= 10 or users < 10_000),
                    note=how,
                )
            if do_xdist and runs["xdist"]:
                x = med["xdist"]
                self.row(
                    "5",
                    f"{users} users: -n 2 vs -n 0 (wall)",
                    f"{x['wall']:.1f} s vs {s['wall']:.1f} s",
                    note=f"-n 2 / -n 0 = {x['wall'] / s['wall']:.2f}x wall, {x['cpu'] / s['cpu']:.2f}x CPU; "
                    f"peak RSS {x['rss']:.0f} MB vs {s['rss']:.0f} MB; 2 cores",
                )
            if a.profile and users == max(a.replay_users):
                self.profile_replay(project, replay_args)

    def profile_replay(self, project: Path, args: list[str]) -> None:
        out = self.work / "profiles" / f"replay-{project.name}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pyinstrument", "-r", "html", "-o", str(out), "-m", "pytest", *args]
        subprocess.run(cmd, cwd=project, env=self.env(), capture_output=True, timeout=self.args.timeout * 4)
        txt = out.with_suffix(".txt")
        cmd = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(txt), "-m", "pytest", *args]
        subprocess.run(cmd, cwd=project, env=self.env(), capture_output=True, timeout=self.args.timeout * 4)
        self.say(f"    pyinstrument profile of the replay: {out} (+ {txt.name})")

    # -- 3. the 100,000-user run -------------------------------------------------------------------------
    def big(self) -> None:
        a = self.args
        n = a.big_users
        path, name, tenant_id = tenant_file(self.work, n)
        project = make_project(self.work / f"project-live-{n}", [(name, tenant_id)])
        faults = {"latency_ms": a.latency_ms, "batch_item_latency_ms": a.batch_item_latency_ms}
        self.say(f"3. {n} users: live pytest tenant_checks against the emulator, {faults}")
        with EmulatorProcess([path], seed=0, **faults) as emu:
            run = self.pytest(
                project,
                [
                    "tenant_checks",
                    "--etd-config=etd.toml",
                    f"--graph-endpoint={emu.graph_url}",
                    f"--authority={emu.authority_url}",
                    "--html=reports/big.html",
                    "--junitxml=reports/big.xml",
                ],
                extra_env={"REQUESTS_CA_BUNDLE": emu.ca_path},
            )
            requests = emu.stats().graph_requests
        report = project / "reports" / "big.html"
        size = report.stat().st_size / 2**20 if report.is_file() else 0.0
        done = not run.timed_out and run.code in (0, 1) and run.items > 0
        self.raw["big"] = asdict(run) | {"graph_requests": requests, "html_mb": size}
        phases = ", ".join(f"{k} {v:.0f} s" for k, v in run.phases().items())
        self.row(
            "3",
            f"{n} users, live run with HTML: completes",
            "yes" if done else "no",
            "completes",
            done,
            note=f"{run.wall_s:.0f} s wall ({phases}), {run.items} items {run.counts}, {requests} Graph "
            f"requests, HTML {size:.0f} MB",
        )
        self.row(
            "3",
            f"{n} users: HTML report size",
            f"{size:.1f} MB",
            "<= 25 MB at 100,000 users",
            size <= 25 * max(1, n) / 100_000,
        )
        if "chromium" in a.stages and report.is_file():
            ok, how, _ = chromium_opens(report, timeout=600)
            opened = "yes" if ok else "no"
            self.row("3", f"{n} users: headless Chromium opens the report", opened, "opens", ok, note=how)
        self.row(
            "3",
            f"{n} users: progress lines during the live fetch (every ~10 s off a terminal)",
            f"{len(run.progress)}",
            ">= 1 during a fetch over 10 s",
            bool(run.progress),
            note=(run.progress[-1][:160] if run.progress else "none"),
        )
        by_phase = ", ".join(f"{k} {v:.0f}" for k, v in run.peak_rss_by_phase().items())
        self.row(
            "3",
            f"{n} users: peak RSS of the pytest process tree",
            f"{run.peak_rss_mb:.0f} MB",
            "<= 1536 MB",
            run.peak_rss_mb <= 1536,
            note=f"peak MB by phase: {by_phase}; psutil, whole tree, every 0.1 s; emulator excluded",
        )
        if a.big_bare and done:
            bare = make_bare_project(self.work / f"bare-{run.items}", run.items)
            ref = self.pytest(bare, ["test_bare.py", "--html=report.html", "--self-contained-html"])
            self.raw["big_bare"] = asdict(ref)
            self.row(
                "3",
                f"reference: bare pytest + --html, {run.items} trivial items: peak RSS",
                f"{ref.peak_rss_mb:.0f} MB",
                note=f"{ref.wall_s:.0f} s wall; pytest and pytest-html alone; peak MB by phase: "
                + ", ".join(f"{k} {v:.0f}" for k, v in ref.peak_rss_by_phase().items()),
            )

    # -- 4. start-up --------------------------------------------------------------------------------------
    def startup(self) -> None:
        a = self.args
        users = a.startup_users
        self.say(f"4. start-up: {users} users from a cassette")
        project, _ = self.record(users)
        args = ["tenant_checks", "--etd-config=etd.toml", "--record-mode=none"]
        runs = [self.pytest(project, args, unbuffered=True) for _ in range(max(3, a.reps))]
        firsts = [r.first_result_s for r in runs if r.first_result_s is not None]
        first = statistics.median(firsts) if firsts else float("inf")
        self.raw["startup"] = [asdict(r) for r in runs]
        self.row(
            "4",
            f"{users} users from cassette: launch to first test result",
            f"{first:.2f} s",
            "<= 3 s",
            first <= 3.0,
            note=f"runs: {', '.join(f'{t:.2f}' for t in firsts)} s; whole run "
            f"{statistics.median(r.wall_s for r in runs):.2f} s",
        )

    # -- table ----------------------------------------------------------------------------------------
    def table(self) -> str:
        head = ("#", "measure", "value", "target", "met", "notes")
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in self.rows:
            met = {True: "yes", False: "**no**", None: ""}[r.met]
            lines.append(f"| {r.item} | {r.measure} | {r.value} | {r.target} | {met} | {r.note} |")
        return "\n".join(lines)


def _live(args: list[str], env: dict[str, str]) -> dict:
    res = subprocess.run([sys.executable, "-m", "bench.live", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    for line in res.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line[len("BENCH-JSON ") :])
    raise RuntimeError(f"bench.live {args[0]} exit {res.returncode}:\n{res.stdout[-2000:]}\n{res.stderr[-3000:]}")


def _phases(suite: list[PytestRun], bare: list[PytestRun]) -> str:
    """Median seconds per phase, suite/bare, e.g. 'session start 4.1/0.1; test loop 31.4/24.1'."""

    def med(runs: list[PytestRun]) -> dict[str, float]:
        all_phases = [r.phases() for r in runs if r.phases()]
        keys = all_phases[0].keys() if all_phases else ()
        return {k: statistics.median(p[k] for p in all_phases) for k in keys}

    s, b = med(suite), med(bare)
    return "; ".join(f"{k} {s[k]:.1f}/{b.get(k, 0):.1f}" for k in s)


def _median_run(runs: list[PytestRun]) -> dict:
    return {
        "wall": statistics.median(r.wall_s for r in runs),
        "cpu": statistics.median(r.cpu_s for r in runs),
        "rss": max(r.peak_rss_mb for r in runs),
        "n": len(runs),
    }


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
        ("live", bench.live_fetch),
        ("pacing", lambda: pacing_stage(bench)),
        ("e2e", lambda: e2e_stage(bench)),
        ("replay", bench.replay),  # with "chromium" and "xdist" as parts of it
        ("startup", bench.startup),
        ("big", bench.big),
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
