"""Stage "e2e": a live `pytest tenant_checks` of the live-fetch tenant, end to end, against its parts.

The issue's yardstick: a live run should take no more than 1.2x (the fetch alone + bare pytest over the
same number of items). The fetch is `bench.live suite` (the collection the suite runs at session start);
bare pytest is one trivial parametrized test with as many items as the suite ran, no plugins asked for.
The suite run writes every evidence output (HTML, CSV, JUnit XML, evidence JSON).
"""

from __future__ import annotations

import statistics

from .emuproc import EmulatorProcess
from .harness import Bench, run_live
from .project import AUDITOR_SECRET, SECRET_ENV, make_bare_project, make_project
from .tenants import tenant_file


def e2e_stage(bench: Bench) -> None:
    """Time the three (interleaved, medians of --reps) and add the rows."""
    a = bench.args
    n = a.live_users
    path, name, tenant_id = tenant_file(bench.work, n)
    project = make_project(bench.work / f"project-e2e-{n}", [(name, tenant_id)])
    faults = {"latency_ms": a.latency_ms, "batch_item_latency_ms": a.batch_item_latency_ms}
    bench.say(f"7. end to end: live pytest tenant_checks, {n} users, {faults}")
    suite, fetch, bare = [], [], []
    with EmulatorProcess([path], seed=0, **faults) as emu:
        env = bench.env({"REQUESTS_CA_BUNDLE": emu.ca_path, SECRET_ENV: AUDITOR_SECRET})
        common = ["--graph", emu.graph_url, "--authority", emu.authority_url, "--tenant-id", tenant_id, "--name", name]
        args = [
            "tenant_checks",
            "--etd-config=etd.toml",
            f"--graph-endpoint={emu.graph_url}",
            f"--authority={emu.authority_url}",
            "--junitxml=reports/junit.xml",
        ]
        for _ in range(a.reps):
            suite.append(bench.pytest(project, args, extra_env={"REQUESTS_CA_BUNDLE": emu.ca_path}))
            fetch.append(run_live(["suite", *common], env)["wall_s"])
            items = suite[-1].items
            bare_project = make_bare_project(bench.work / f"bare-e2e-{items}", items)
            bare.append(bench.pytest(bare_project, ["test_bare.py"]))
    wall = statistics.median(r.wall_s for r in suite)
    parts = statistics.median(fetch) + statistics.median(r.wall_s for r in bare)
    html = sorted((project / "reports").glob("*.html"))
    size = html[-1].stat().st_size / 2**20 if html else 0.0
    bench.raw["e2e"] = {"suite_wall_s": [r.wall_s for r in suite], "fetch_s": fetch, "bare_s": [r.wall_s for r in bare]}
    phases = ", ".join(f"{k} {v:.1f}" for k, v in suite[len(suite) // 2].phases().items())
    bench.row(
        "1d",
        f"live pytest tenant_checks, {n} users, all evidence outputs, end to end",
        f"{wall:.1f} s",
        note=f"{suite[0].items} items {suite[0].counts}; phases (s): {phases}; HTML {size:.1f} MB; "
        f"peak RSS {statistics.median(r.peak_rss_mb for r in suite):.0f} MB",
    )
    bench.row(
        "1d",
        "end to end / (fetch alone + bare pytest, same items)",
        f"{wall / parts:.2f}x",
        "<= 1.2x",
        wall / parts <= 1.2,
        note=f"fetch {statistics.median(fetch):.1f} s + bare {statistics.median(r.wall_s for r in bare):.1f} s",
    )
