"""The gate's sections of the HTML report and terminal: baseline diff (shown first) and waivers."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from .gate import Gate
from .report_rows import Rows
from .waivers import unused

MAX_ROWS = 2000


def _table(head: list[str], rows: Sequence[Sequence[object]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table class='etd-grid'><tr>{th}</tr>{body}</table>"


def baseline_html(gate: Gate) -> str:
    """New / resolved findings and NOT EVALUATED changes against the baseline."""
    d = gate.diff
    if d is None:
        return ""
    parts = [f"<h2>Since the baseline</h2><p>{escape(d.summary())}; --etd-fail-on {escape(gate.fail_on)}</p>"]
    for title, items in (
        ("New findings", d.new),
        ("Resolved findings", d.resolved),
        ("Newly NOT EVALUATED", d.not_evaluated_new),
        ("No longer NOT EVALUATED", d.not_evaluated_gone),
    ):
        if items:
            body = [[i.get("check", ""), i.get("subject", ""), i.get("root_cause", i.get("reason", ""))] for i in items]
            parts.append(f"<h3>{escape(title)} ({len(items)})</h3>" + _table(["Check", "Subject", "Cause"], body))
    return "".join(parts)


def waivers_html(gate: Gate, rows: Rows) -> str:
    """Waived and expired findings with reason and owner; waivers that matched nothing."""
    if not gate.waivers_source:
        return ""
    marked = [f for f in rows.finding_items if f.get("waiver")]
    body = [
        [
            "waived" if f["waiver"] == "waived" else "GATES: waiver expired",
            f["check"],
            f["subject"],
            f.get("root_cause", ""),
            f["waiver_detail"]["reason"],
            f["waiver_detail"]["owner"],
            f["waiver_detail"]["expires"],
            f["waiver_detail"]["ticket"],
        ]
        for f in marked[:MAX_ROWS]
    ]
    html = f"<h2>Waivers ({escape(gate.waivers_source)})</h2>"
    html += (
        _table(["State", "Check", "Subject", "Root cause", "Reason", "Owner", "Expires", "Ticket"], body)
        if body
        else "<p>No finding is covered by a waiver.</p>"
    )
    idle = unused(gate.waivers)
    if idle:
        html += "<h3>Unused waivers (match no finding of this run)</h3>" + _table(
            ["Check", "Subject", "Reason", "Owner", "Expires"],
            [[w.check, w.subject, w.reason, w.owner, w.expires] for w in idle],
        )
    return html


def terminal_lines(gate: Gate, rows: Rows) -> list[str]:
    """The diff first, then waived / expired / unused waivers, for the terminal summary."""
    lines: list[str] = []
    if gate.diff is not None:
        d = gate.diff
        lines.append(d.summary())
        lines += [f"  NEW       {f['check']} {f['subject']}: {f.get('root_cause', '')}" for f in d.new]
        lines += [f"  RESOLVED  {f['check']} {f['subject']}" for f in d.resolved]
        lines += [f"  NEWLY NOT EVALUATED  {f['check']} {f['subject']}" for f in d.not_evaluated_new]
        lines += [f"  NO LONGER NOT EVALUATED  {f['check']} {f['subject']}" for f in d.not_evaluated_gone]
    for f in rows.finding_items:
        if f.get("waiver"):
            lines.append(f"  {f['waiver'].upper():8} {f['check']} {f['subject']}: {f['waiver_note']}")
    for w in unused(gate.waivers):
        lines.append(f"  UNUSED waiver {w.check} {w.subject} ({w.owner}, expires {w.expires}): matches no finding")
    return lines


def pending_html(rows: Rows) -> str:
    """--etd-phase before: what waits for onboarding, with the consent steps (neither pass nor fail)."""
    if not rows.pending:
        return ""
    body = [[p["check"], p["subject"], p["reason"]] for p in rows.pending[:MAX_ROWS]]
    return "<h2>Pending onboarding (neither pass nor fail)</h2>" + _table(["Check", "Subject", "What to do"], body)


def pending_lines(rows: Rows) -> list[str]:
    if not rows.pending:
        return []
    reasons = sorted({p["reason"] for p in rows.pending if p["check"] == "C2-01"}) or [rows.pending[0]["reason"]]
    return [f"Pending onboarding: {len(rows.pending)} test(s) neither pass nor fail"] + [f"  {r}" for r in reasons]
