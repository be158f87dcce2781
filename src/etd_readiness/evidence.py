"""The evidence JSON written next to the HTML (same stem, `.json`): schema etd-readiness-evidence/1.

The schema is `schema/evidence-1.schema.json` (shipped with the package). A later incompatible change
gets a new number; added optional fields keep it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import IO, Any

from . import __version__

SCHEMA_ID = "etd-readiness-evidence/1"
SCHEMA_FILE = Path(__file__).parent / "schema" / "evidence-1.schema.json"
MAILBOX_FIELDS = ("tenant", "mailbox", "verdict", "root_cause", "case", "etd_error", "problem", "fix", "test_id")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cassettes(ctx: dict) -> list[dict[str, str]]:
    out = []
    for tenant, path in sorted((ctx.get("cassettes") or {}).items()):
        p = Path(path)
        out.append({"tenant": tenant, "file": p.name, "sha256": sha256_file(p) if p.is_file() else ""})
    return out


def _tenants(estate, mailboxes: list[dict], findings: list[dict], not_evaluated: list[dict]) -> list[dict]:
    verdicts: dict[str, Counter] = defaultdict(Counter)
    for row in mailboxes:
        verdicts[row["tenant"]][row["verdict"]] += 1
    found = Counter(f["tenant"] for f in findings)
    missing = Counter(n["subject"].split(":", 1)[0] if ":" in n["subject"] else "" for n in not_evaluated)
    out = []
    for view in estate.tenants.values():
        aud = view.snap.auditor
        v = verdicts[view.name]
        out.append(
            {
                "name": view.name,
                "tenant_id": view.snap.tenant_id,
                "collected_at": view.snap.collected_at,
                "auditor": {
                    "client_id": aud.get("client_id"),
                    "roles": aud.get("roles"),
                    "missing": list(aud.get("missing") or []),
                    "error": aud.get("error"),
                },
                "mailboxes": {
                    "ready": v["ready"],
                    "not_ready": v["not ready"],
                    "not_evaluated": v["not evaluated"],
                    "total": sum(v.values()),
                },
                "findings": found[view.name],
                "not_evaluated": missing[view.name],
            }
        )
    return out


def build(plugin, finished_at: str) -> dict[str, Any]:
    """The whole evidence document of a run, from the report plugin's state (written once: its
    mailbox records are made as `render` writes them)."""
    estate = plugin.estate()
    ctx = estate.context
    rows = plugin.rows
    gate = plugin.gate
    findings = [
        {k: v for k, v in f.items() if k != "waiver_detail"}
        | {"waiver": f.get("waiver", ""), "waiver_detail": f.get("waiver_detail")}
        for f in rows.finding_items
    ]
    mailboxes = ({k: r.get(k, "") for k in MAILBOX_FIELDS} for r in rows.mailboxes)  # made as written
    skipped = sum(n["skipped"] for n in rows.outcomes.values())
    return {
        "schema": SCHEMA_ID,
        "suite_version": __version__,
        "run": {
            "mode": ctx.get("mode"),
            "demo": bool(ctx.get("demo")),
            "phase": gate.phase,
            "etd_already_present": list(plugin.status.etd_present),
            "started_at": ctx.get("run_at"),
            "finished_at": finished_at,
            "selection": list(plugin.status.selection),
            "interrupted": plugin.status.interrupted,
            "cassettes": _cassettes(ctx) if ctx.get("mode") != "live" else [],
            "config_source": ctx.get("config_source"),
            "graph_url": ctx.get("graph_url"),
            "etd_mode": ctx.get("etd_mode"),
            "manifest": list(ctx.get("manifest") or []),
            "requests": ctx.get("requests", 0),
        },
        "tenants": _tenants(estate, rows.mailboxes, rows.finding_items, rows.not_evaluated_items),
        "verdict": {
            "css": gate.css,
            "line": gate.line,
            "exit_code": gate.exit_code,
            "fail_on": gate.fail_on,
        },
        "counts": {
            "passed": rows.passed,
            "findings": rows.findings,
            "gating": gate.gating,
            "waived": gate.waived,
            "not_evaluated": rows.errors,
            "not_applicable": skipped,
            "pending_onboarding": len(rows.pending),
            "mailboxes": len(rows.mailboxes),
            "mailboxes_ready": sum(1 for r in rows.mailboxes if r["verdict"] == "ready"),
            "mailboxes_not_ready": sum(1 for r in rows.mailboxes if r["verdict"] == "not ready"),
            "mailboxes_not_evaluated": sum(1 for r in rows.mailboxes if r["verdict"] == "not evaluated"),
        },
        "mailboxes": mailboxes,
        "subjects": ({"check": c, "subject": s, "outcome": o} for c, s, o in rows.subjects),
        "findings": findings,
        "not_evaluated": list(rows.not_evaluated_items),
        "pending_onboarding": list(rows.pending),
        "waivers": gate.waivers_doc(),
        "baseline": gate.diff.as_dict() if gate.diff else None,
    }


RECORD_LISTS = ("mailboxes", "subjects", "findings", "not_evaluated", "pending_onboarding")


def render(doc: dict[str, Any], out: IO[str]) -> None:
    """Write the document as JSON: its sections indented, each record of a record list on one line.

    One line per mailbox, subject or finding keeps the file greppable and diffable, lets the C
    encoder write it (json's indenting encoder is pure Python) and streams: at 100,000 users the
    document is never held as one string.
    """
    out.write("{")
    for n, (key, value) in enumerate(doc.items()):
        out.write(",\n " if n else "\n ")
        out.write(f"{json.dumps(str(key))}: ")
        if key in RECORD_LISTS and not isinstance(value, dict | str | None):  # a list or a generator
            out.write("[")
            m = -1
            for m, record in enumerate(value):
                out.write(",\n  " if m else "\n  ")
                out.write(json.dumps(record, default=str))
            out.write("\n ]" if m >= 0 else "]")
        else:  # JSON strings hold no raw newline: every newline here is indentation
            out.write(json.dumps(value, indent=1, default=str).replace("\n", "\n "))
    out.write("\n}\n")


def write(doc: dict[str, Any], path: Path) -> None:
    """Written atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".etd-json-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            render(doc, fh)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
