"""Stage "pacing": the live fetch under Outlook's concurrency throttling, adaptive against fixed.

The emulator answers 429 ApplicationThrottled ("...MailboxConcurrency limit.", Retry-After 1) once the
app has more than `--pacing-app-limit` mail requests in flight (a `$batch` counts min(items, 4): Graph
dispatches 4 items of a batch at a time). The suite's adaptive reader (start 8, ceiling 32) is run beside
the same reader held at a fixed 8 (what it did before it adapted) and at a fixed 32.
"""

from __future__ import annotations

import statistics

from .emuproc import EmulatorProcess
from .harness import Bench, run_live
from .project import AUDITOR_SECRET, SECRET_ENV
from .tenants import tenant_file

VARIANTS = (("adaptive, start 8, ceiling 32", []), ("fixed 8", ["--fixed", "--concurrency", "8"]))
VARIANTS += (("fixed 32", ["--fixed", "--concurrency", "32"]),)


def pacing_stage(bench: Bench) -> None:
    """Time each variant (medians of --reps, interleaved) and add the rows."""
    a = bench.args
    n = a.live_users
    path, name, tenant_id = tenant_file(bench.work, n)
    faults = {
        "latency_ms": a.latency_ms,
        "batch_item_latency_ms": a.batch_item_latency_ms,
        "app_mail_concurrency": a.pacing_app_limit,
        "retry_after_seconds": 1.0,
    }
    bench.say(f"6. pacing: {n} users under Outlook's concurrency limit, {faults}")
    runs: dict[str, list[dict]] = {label: [] for label, _ in VARIANTS}
    with EmulatorProcess([path], seed=0, **faults) as emu:
        env = bench.env({"REQUESTS_CA_BUNDLE": emu.ca_path, SECRET_ENV: AUDITOR_SECRET})
        common = ["--graph", emu.graph_url, "--authority", emu.authority_url, "--tenant-id", tenant_id, "--name", name]
        for rep in range(a.reps):
            for label, extra in VARIANTS:
                emu.reset()
                got = run_live(["suite", *common, *extra], env)
                got["graph_requests"] = emu.stats().graph_requests
                runs[label].append(got)
                bench.say(
                    f"    {label} {rep + 1}: {got['wall_s']:.2f} s, {got['retries']} retries, "
                    f"{got['graph_requests']} requests, {got['not_answered']} probes without an answer"
                )
    med = {label: _median(r) for label, r in runs.items()}
    bench.raw["pacing"] = {"faults": faults, "runs": runs}
    adaptive, fixed = med[VARIANTS[0][0]], [med[label] for label, _ in VARIANTS[1:]]
    for label, m in med.items():
        bench.row(
            "1c",
            f"{n} users, Outlook admits {a.pacing_app_limit} mail requests in flight: {label}",
            f"{m['wall_s']:.1f} s, {m['retries']:.0f} retried, {m['graph_requests']:.0f} requests",
            note=f"every mailbox answered: {m['not_answered'] == 0}",
        )
    faster = all(adaptive["wall_s"] < f["wall_s"] for f in fixed)
    fewer = adaptive["retries"] < max(f["retries"] for f in fixed)
    bench.row(
        "1c",
        "adaptive vs fixed under 429s",
        f"{min(f['wall_s'] for f in fixed) / adaptive['wall_s']:.2f}x faster than the best fixed; "
        f"{adaptive['retries']:.0f} vs {max(f['retries'] for f in fixed):.0f} retries of the fixed that is throttled",
        "faster than each fixed, fewer retries",
        faster and fewer and adaptive["not_answered"] == 0,
        note="the fixed 8 is never throttled (0 retries) but leaves half of Outlook's capacity unused",
    )


def _median(runs: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in runs) for k in ("wall_s", "retries", "graph_requests", "not_answered")}
