"""The bench harness still runs end to end: its quick mode on a 20-user tenant (bench/run.py)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from bench.tenants import tenant_file

ROOT = Path(__file__).resolve().parents[1]
PAGE = 999  # Graph's largest $top for /users (GRAPH_FACTS)
BATCH = 20  # requests per JSON $batch (GRAPH_FACTS)
# What README's permission table says the suite reads once per tenant besides user pages and probes:
DIRECTORY_READS = (
    "GET /organization",  # verified domains
    "GET /subscribedSkus",
    "GET /directory/deletedItems/microsoft.graph.user",  # soft-deleted users (fewer than 999 here)
    "GET /servicePrincipals (ETD's)",
    "GET /servicePrincipals (Microsoft Graph's, to name the app roles)",
    "GET /servicePrincipals/{id}/appRoleAssignments",
    "GET /oauth2PermissionGrants",
    "GET /applications (ETD's registration)",
)


def _minimum_from_the_tenant(tmp_path: Path, users: int) -> int:
    """The fewest Graph requests that read this tenant: computed from the tenant file the bench generates,
    not from the suite's own counts. Every member with an address in a tenant domain is protected by
    default and needs one mailbox probe."""
    path, _, _ = tenant_file(tmp_path / "work", users)
    doc = json.loads(path.read_text(encoding="utf-8"))
    domains = {d["name"].lower() for d in doc["tenant"]["domains"]}
    members = [u for u in doc["users"] if u.get("userType", "Member") != "Guest"]
    protected = [u for u in members if u["upn"].rpartition("@")[2].lower() in domains]
    return math.ceil(len(doc["users"]) / PAGE) + math.ceil(len(protected) / BATCH) + len(DIRECTORY_READS)


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
        "live,pacing,e2e,replay",
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
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "| # | measure | value | target | met | notes |" in res.stdout
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    measures = " / ".join(r["measure"] for r in rows)
    for expected in (
        "naive msgraph-sdk script",
        "requests / minimum",
        "suite / bare pytest",
        "HTML report size",
        "adaptive vs fixed under 429s",
        "end to end / (fetch alone + bare pytest, same items)",
    ):
        assert expected in measures, measures
    minimum = _minimum_from_the_tenant(tmp_path, 20)
    requests = float(next(r for r in rows if r["measure"].startswith("Graph requests of the suite"))["value"])
    assert minimum <= requests <= 1.05 * minimum, (requests, minimum)  # emulator's count, at the floor
    replay = next(r for r in rows if r["measure"].startswith("replay 20 users"))
    assert "'passed'" in replay["note"], replay
