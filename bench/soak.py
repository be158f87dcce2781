"""Soak: a generated tenant under injected network faults gives the clean run's verdicts, or NOT EVALUATED.

python -m bench.soak [--users 10000] [--levels 0.3,0.8,0.8:users+organization]

Live runs of `pytest tenant_checks` against the emulator (in its own process): clean, then at each
level a mix of every failure shape (429 with integer, fractional and missing Retry-After, per-item
429s, JSON 503/504, HTML 502 pages, empty 503/504, non-JSON or wrongly-typed 200s, damaged gzip,
resets mid-body, dropped connections, slow bodies, `$batch` answers with items missing, duplicated or
foreign) whose probabilities add up to the level per request (a level may spare families: with
`0.8:users+organization` the user list and the protected domains come whole, so the per-subject
narrowness of lost probes shows). Below 50 % the faults are transient (each exact
request fails at most its first 3 times, within the 4-retry budget); above, they persist. Prints wall
time, Graph requests and outcomes of each beside the clean run, and the properties the suite
promises: at a transient level the same verdicts with 0 NOT EVALUATED; at any level 0 false passes
and no verdict that differs from the clean run's (a subject is either judged as in the clean run or
NOT EVALUATED). Figures, not a timed test; exit code 0 unless a property does not hold.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .emuproc import EmulatorProcess
from .project import make_project, run_pytest
from .tenants import tenant_file

#: Shares of the fault level, in the order the emulator decides them (network shapes first, in
#: `shapes.SHAPES` order, then 429, then JSON 503/504); the $batch envelope trades some 429s for
#: its own shapes. Each share is turned into a conditional probability so that a request meets
#: exactly one fault with the level's probability (not the sum of independent draws).
SHAPE_SHARES = {
    "html502": 0.10,
    "empty503": 0.07,
    "empty504": 0.07,
    "nonjson200": 0.07,
    "wrongtype200": 0.05,
    "gzip": 0.06,
    "reset": 0.06,
    "drop": 0.06,
    "slow": 0.06,
}
BATCH_SHARES = {"batch_missing": 0.03, "batch_duplicate": 0.02, "batch_foreign": 0.01}
THROTTLE, UNAVAILABLE = 0.30, 0.10
TRANSIENT_BELOW = 0.5


def _conditional(shares: list[tuple[str, float]], level: float) -> dict[str, float]:
    """P(fault k | no earlier fault) so that P(fault k) = share_k * level; shares add up to 1."""
    out, left = {}, 1.0
    for name, share in shares:
        out[name] = min(1.0, share * level / left) if left > 0 else 0.0
        left -= share * level
    return out


def faults_at(level: float, latency_ms: float, spare: tuple[str, ...] = ()) -> dict[str, Any]:
    """The emulator's Faults (as keyword arguments) for a fault level in [0, 1]; `spare` families get none."""
    if abs(sum(SHAPE_SHARES.values()) + THROTTLE + UNAVAILABLE - 1.0) > 1e-9:
        raise ValueError("the shares must add up to 1")
    common = list(SHAPE_SHARES.items())
    batch_throttle = THROTTLE - sum(BATCH_SHARES.values())
    every = _conditional([*common, ("throttle", THROTTLE), ("unavailable", UNAVAILABLE)], level)
    batch = _conditional(
        [*common, *BATCH_SHARES.items(), ("throttle", batch_throttle), ("unavailable", UNAVAILABLE)], level
    )
    item = _conditional([("throttle", 0.75), ("unavailable", 0.25)], level)  # per $batch item: 429 / 503
    shapes = {k: {"*": round(every[k], 5), "batch": round(batch[k], 5)} for k in SHAPE_SHARES}
    shapes.update({k: {"batch": round(batch[k], 5)} for k in BATCH_SHARES})
    throttle = {"*": every["throttle"], "batch": batch["throttle"], "mailFolders": item["throttle"]}
    unavailable = {"*": every["unavailable"], "batch": batch["unavailable"], "mailFolders": item["unavailable"]}
    for table in (*shapes.values(), throttle, unavailable):
        table.update(dict.fromkeys(spare, 0.0))
    return {
        "latency_ms": latency_ms,
        "batch_item_latency_ms": latency_ms / 2,
        "throttle": throttle,
        "unavailable": unavailable,
        "retry_after": "mixed",
        "retry_after_seconds": 0.2,
        "shapes": shapes,
        "slow_body_s": 0.3,
        "max_faults": 3 if level < TRANSIENT_BELOW else None,
    }


@dataclass
class SoakRun:
    label: str
    wall_s: float
    code: int
    requests: int
    outcomes: dict[str, str]

    def counts(self) -> Counter[str]:
        return Counter(self.outcomes.values())


def _outcomes(junit: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not junit.is_file():
        return out
    for case in ET.parse(junit).iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        if case.find("error") is not None:
            out[name] = "error"
        elif case.find("failure") is not None:
            out[name] = "failed"
        elif case.find("skipped") is not None:
            out[name] = "skipped"
        else:
            out[name] = "passed"
    return out


def run_once(project: Path, tenant: Path, label: str, faults: dict[str, Any], timeout: float) -> SoakRun:
    junit = project / "reports" / f"{label}.xml"
    with EmulatorProcess([tenant], seed=1, **faults) as emu:
        run = run_pytest(
            project,
            [
                "tenant_checks",
                "--etd-config=etd.toml",
                f"--graph-endpoint={emu.graph_url}",
                f"--authority={emu.authority_url}",
                f"--junitxml={junit}",
                "-p",
                "no:cacheprovider",
                "-q",
            ],
            env=_env(emu.ca_path),
            timeout=timeout,
        )
        requests = emu.stats().graph_requests
    if run.code not in (0, 1):
        print(f"  {label}: pytest exited {run.code}\n{run.tail}", file=sys.stderr)
    return SoakRun(label, run.wall_s, run.code, requests, _outcomes(junit))


def _env(ca_path: str) -> dict[str, str]:
    from .project import base_env

    return base_env({"REQUESTS_CA_BUNDLE": ca_path})


def compare(clean: SoakRun, run: SoakRun) -> dict[str, int]:
    """Verdict changes against the clean run: false passes, other changed verdicts, NOT EVALUATED."""
    false_pass = changed = not_evaluated = 0
    for name, got in run.outcomes.items():
        want = clean.outcomes.get(name)
        if got == "error":
            not_evaluated += 1
        elif want is None or got != want:
            changed += 1
            false_pass += got == "passed"
    return {"not_evaluated": not_evaluated, "false_passes": false_pass, "changed": changed}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=10_000)
    p.add_argument(
        "--levels",
        default="0.3,0.8,0.8:users+organization",
        help="comma-separated fault levels, each optionally :FAMILY+FAMILY spared (default %(default)s)",
    )
    p.add_argument("--latency-ms", type=float, default=2.0, help="emulator latency per request (default 2)")
    p.add_argument("--timeout", type=float, default=900.0)
    p.add_argument("--workdir", help="where the tenant and project go (default: a temp dir)")
    args = p.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="etd-soak-")).resolve()
    tenant, name, tenant_id = tenant_file(work, args.users)
    project = make_project(work / f"project-soak-{args.users}", [(name, tenant_id)])
    with (project / "etd.toml").open("a", encoding="utf-8") as fh:
        fh.write("[graph]\nbackoff_seconds = 0.05\n")
    print(f"soak: {args.users} users, workdir {work}")
    clean = run_once(project, tenant, "clean", faults_at(0.0, args.latency_ms), args.timeout)
    rows = [(clean, {"not_evaluated": clean.counts()["error"], "false_passes": 0, "changed": 0})]
    ok = clean.code == 1 and clean.counts()["error"] == 0
    for spec in [x for x in args.levels.split(",") if x]:
        text, _, spared = spec.partition(":")
        level, spare = float(text), tuple(f for f in spared.split("+") if f)
        label = f"faults{round(level * 100)}" + (f"-{'+'.join(spare)}-spared" if spare else "")
        run = run_once(project, tenant, label, faults_at(level, args.latency_ms, spare), args.timeout)
        diff = compare(clean, run)
        rows.append((run, diff))
        ok &= run.code in (0, 1) and diff["false_passes"] == 0 and diff["changed"] == 0
        if level < TRANSIENT_BELOW:
            ok &= diff["not_evaluated"] == 0 and run.outcomes == clean.outcomes
    print(
        f"\n{'run':<36} {'wall':>8} {'Graph requests':>15} {'passed':>7} {'failed':>7} {'NOT EVAL':>8} "
        f"{'false pass':>10} {'changed':>8}  exit"
    )
    for run, diff in rows:
        c = run.counts()
        print(
            f"{run.label:<36} {run.wall_s:>7.1f}s {run.requests:>15,} {c['passed']:>7,} {c['failed']:>7,} "
            f"{diff['not_evaluated']:>8,} {diff['false_passes']:>10} {diff['changed']:>8}  {run.code}"
        )
    print("\nproperties hold" if ok else "\nA PROPERTY DOES NOT HOLD (see the table)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
