"""The bench harness still runs end to end: its quick mode on a 20-user tenant (bench/run.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_mode_prints_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    cmd = [
        sys.executable,
        "-m",
        "bench.run",
        "--quick",
        "--users",
        "20",
        "--stages",
        "live,replay",
        "--sdk-sample",
        "2",
        "--latency-ms",
        "5",
        "--batch-item-latency-ms",
        "1",
        "--workdir",
        str(tmp_path / "work"),
        "--json",
        str(out),
    ]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "| # | measure | value | target | met | notes |" in res.stdout
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    measures = " / ".join(r["measure"] for r in rows)
    for expected in ("naive msgraph-sdk script", "requests / minimum", "suite / bare pytest", "HTML report size"):
        assert expected in measures, measures
    minimum = next(r for r in rows if r["measure"] == "requests / minimum")
    assert minimum["met"] is True, minimum  # the suite's request count is at its floor on any tenant
    replay = next(r for r in rows if r["measure"].startswith("replay 20 users"))
    assert "'passed'" in replay["note"], replay
