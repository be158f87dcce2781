"""Stages "replay", "chromium" and "xdist": the suite from a cassette beside bare pytest with as many
items, with and without --html; the report's size and whether headless Chromium opens it; -n 2."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from .harness import Bench, median_run, phases_line, record_project
from .project import PytestRun, chromium_opens, make_bare_project


def replay_stage(bench: Bench) -> None:
    a = bench.args
    for users in a.replay_users:
        bench.say(f"2. replay from a cassette: {users} users")
        project, _ = record_project(bench, users)
        replay_args = ["tenant_checks", "--etd-config=etd.toml", "--record-mode=none", "--html=reports/replay.html"]
        suite = bench.pytest(project, replay_args)
        if suite.timed_out:
            bench.row(
                "2",
                f"replay {users} users, pytest tenant_checks + HTML",
                f"> {a.timeout:.0f} s (timed out)",
                "<= 1.5x bare pytest",
                False,
                note="vcrpy's replay matching is quadratic, see RESULTS.md",
            )
            continue
        items = suite.items
        bare = make_bare_project(bench.work / f"bare-{items}", items)
        bare_args = ["test_bare.py"]
        html_args = ["test_bare.py", "--html=report.html", "--self-contained-html"]
        runs: dict[str, list[PytestRun]] = {"suite": [suite], "bare": [], "bare+html": [], "xdist": []}
        do_xdist = users == max(a.replay_users) and "xdist" in a.stages
        for rep in range(a.reps):
            if rep:
                runs["suite"].append(bench.pytest(project, replay_args))
            runs["bare"].append(bench.pytest(bare, bare_args))
            runs["bare+html"].append(bench.pytest(bare, html_args))
            if do_xdist:
                runs["xdist"].append(bench.pytest(project, [*replay_args, "-n", "2"]))
        med = {k: median_run(v) for k, v in runs.items() if v}
        bench.raw.setdefault("replay", {})[users] = {k: [asdict(r) for r in v] for k, v in runs.items()}
        s, b, bh = med["suite"], med["bare"], med["bare+html"]
        counts = runs["suite"][0].counts
        bench.row(
            "2",
            f"replay {users} users: pytest tenant_checks + HTML, {items} items",
            f"{s['wall']:.1f} s",
            note=f"{counts}; CPU {s['cpu']:.1f} s; peak RSS {s['rss']:.0f} MB; median of {s['n']}",
        )
        bench.row(
            "2",
            f"bare pytest, {items} trivial parametrized items",
            f"{b['wall']:.1f} s",
            note=f"CPU {b['cpu']:.1f} s; peak RSS {b['rss']:.0f} MB; pytest-html installed, not asked for",
        )
        bench.row(
            "2",
            f"bare pytest + --html, {items} items",
            f"{bh['wall']:.1f} s",
            note=f"CPU {bh['cpu']:.1f} s; peak RSS {bh['rss']:.0f} MB",
        )
        bench.row(
            "2",
            f"{users} users: suite / bare pytest",
            f"{s['wall'] / b['wall']:.2f}x",
            "<= 1.5x",
            s["wall"] / b["wall"] <= 1.5,
            note=f"CPU ratio {s['cpu'] / b['cpu']:.2f}x",
        )
        bench.row(
            "2",
            f"{users} users: suite / bare pytest with --html",
            f"{s['wall'] / bh['wall']:.2f}x",
            "<= 1.2x",
            s["wall"] / bh["wall"] <= 1.2,
            note=f"CPU ratio {s['cpu'] / bh['cpu']:.2f}x",
        )
        bench.row(
            "2",
            f"{users} users: where the time goes, suite / bare+html (s)",
            phases_line(runs["suite"], runs["bare+html"]),
            note="start-up = imports and plugins; session start = the suite fetches or replays its snapshot",
        )
        report = project / "reports" / "replay.html"
        size = report.stat().st_size / 2**20
        if users >= 10_000:
            bench.row(
                "2",
                f"{users} users: HTML report size",
                f"{size:.1f} MB",
                "<= 10 MB at 10,000 users",
                size <= 10 * users / 10_000,
            )
        else:
            bench.row(
                "2",
                f"{users} users: HTML report size",
                f"{size:.1f} MB",
                note=f"~{size * 10_000 / users:.0f} MB at 10,000 users if linear",
            )
        if "chromium" in a.stages:
            ok, how, took = chromium_opens(report)
            bench.row(
                "2",
                f"{users} users: headless Chromium opens the report",
                f"{'yes' if ok else 'no'}, {took:.1f} s",
                "opens, <= 10 s at 10,000 users" if users >= 10_000 else "opens",
                ok and (took <= 10 or users < 10_000),
                note=how,
            )
        if do_xdist and runs["xdist"]:
            x = med["xdist"]
            bench.row(
                "5",
                f"{users} users: -n 2 vs -n 0 (wall)",
                f"{x['wall']:.1f} s vs {s['wall']:.1f} s",
                note=f"-n 2 / -n 0 = {x['wall'] / s['wall']:.2f}x wall, {x['cpu'] / s['cpu']:.2f}x CPU; "
                f"peak RSS {x['rss']:.0f} MB vs {s['rss']:.0f} MB; 2 cores",
            )
        if a.profile and users == max(a.replay_users):
            _profile_replay(bench, project, replay_args)


def _profile_replay(bench: Bench, project: Path, args: list[str]) -> None:
    out = bench.work / "profiles" / f"replay-{project.name}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pyinstrument", "-r", "html", "-o", str(out), "-m", "pytest", *args]
    subprocess.run(cmd, cwd=project, env=bench.env(), capture_output=True, timeout=bench.args.timeout * 4)
    txt = out.with_suffix(".txt")
    cmd = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(txt), "-m", "pytest", *args]
    subprocess.run(cmd, cwd=project, env=bench.env(), capture_output=True, timeout=bench.args.timeout * 4)
    bench.say(f"    pyinstrument profile of the replay: {out} (+ {txt.name})")
