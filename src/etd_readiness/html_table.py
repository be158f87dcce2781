"""pytest-html's results table at scale: a passed tenant check is counted, not listed.

pytest-html writes a row (cells, log, JSON) for every test: 184 MB at 100,000 mailboxes, more than
a browser opens comfortably. Every finding, every NOT EVALUATED, every skipped test and every test
that is not a tenant check keep their row; a passed tenant check loses its row (and the memory
that row would hold) and is added to pytest-html's own "Passed" count instead, so its filters and
"N tests took" line stay right. The report says so, and counts the passes per check and tenant;
the CSV (and the evidence JSON) list every mailbox with its evidence.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

from .report_rows import Rows
from .slim import is_tenant_check

PASSED_LABEL = "Passed (counted, not listed)"


class ResultsTable:
    """Decides which rows pytest-html keeps; puts the dropped ones back into its counts."""

    def __init__(self) -> None:
        self.dropped: Counter = Counter()
        self.report_data: Any = None  # pytest-html's ReportData, from pytest_html_report_title

    def keep(self, report: Any) -> bool:
        """False for a passed tenant check (each of its phase reports); counts its call once."""
        if report.outcome != "passed" or hasattr(report, "wasxfail") or not is_tenant_check(report):
            return True
        if report.when == "call":
            self.dropped["passed"] += 1
        return False

    def fix_counts(self) -> None:
        """pytest-html counts only the rows it keeps: add the dropped passes to its Passed count."""
        outcomes = getattr(self.report_data, "outcomes", None)
        passed = outcomes.get("passed") if isinstance(outcomes, dict) else None
        if passed is not None and self.dropped["passed"]:
            passed["value"] += self.dropped["passed"]
            passed["label"] = PASSED_LABEL


def passed_html(rows: Rows, table: ResultsTable, csv_path: Path | None, json_path: Path | None) -> str:
    """What the results table leaves out, where the full list is, and the counts per check and tenant."""
    evidence = f"the evidence JSON ({json_path})" if json_path else "the evidence JSON"
    if csv_path:
        where = f"Every mailbox, with its verdict and the evidence behind it, is in the per-mailbox CSV ({csv_path})"
        where += f"; every subject of every check in {evidence}."
    else:
        where = f"No mailbox was evaluated (no CSV written); every subject of every check is in {evidence}."
    note = (
        f"<p>The results table below lists every finding, every NOT EVALUATED test and every skipped test; "
        f"the {table.dropped['passed']} passed tenant check(s) are counted here, not listed. {escape(where)}</p>"
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td>{escape(str(c))}</td>" for c in (check, rows.titles.get(check, check), tenant or "-"))
        + "".join(f"<td>{n[k]}</td>" for k in ("passed", "failed", "error", "skipped"))
        + "</tr>"
        for (check, tenant), n in sorted(rows.by_tenant.items())
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("Check", "What it asks", "Tenant", "OK", "Findings", "Not evaluated", "Not applicable")
    )
    return (
        "<h2>Passed tests, counted per check and tenant</h2>"
        + note
        + f"<table class='etd-grid etd-passed'><tr>{head}</tr>{body}</table>"
    )
