"""What the report plugin keeps of each test: outcome tallies, one row per mailbox, findings, NOT EVALUATED.

Built from the test reports' user properties only, so it works the same under xdist (reports travel
to the controller with their properties).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .checks.causes import CAUSES
from .checks.links import PENDING_PREFIX

VERDICT_CHECK = "RDY-01"
ERROR_LOG_CHECK = "ERR-01"
SUBJECT_OUTCOMES = {"passed": "ok", "failed": "finding", "error": "not evaluated", "skipped": "not applicable"}
CSV_COLUMNS = (
    "tenant",
    "mailbox",
    "verdict",
    "root_cause",
    "case",
    "etd_error",
    "problem",
    "fix",
    "also",
    "exchange_plan",
    "mailbox_probe",
    "recipient_type",
    "notes",
    "not_evaluated_reason",
    "test_id",
    "run",
)


@dataclass
class Rows:
    """Everything the summaries and the CSV need, accumulated test by test."""

    outcomes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    titles: dict[str, str] = field(default_factory=dict)
    mailboxes: list[dict[str, str]] = field(default_factory=list)  # RDY-01: one row per mailbox
    tenant_findings: list[dict[str, str]] = field(default_factory=list)  # tenant-level per-cause findings
    not_evaluated: list[tuple[str, str]] = field(default_factory=list)  # (test id, reason)
    error_log: list[dict[str, str]] = field(default_factory=list)  # ERR-01: one row per error-log row
    finding_items: list[dict[str, Any]] = field(default_factory=list)  # every finding: check, subject, cause, fix
    not_evaluated_items: list[dict[str, str]] = field(default_factory=list)  # check, subject, test id, reason
    pending: list[dict[str, str]] = field(default_factory=list)  # --etd-phase before: check, subject, reason
    subjects: list[tuple[str, str, str]] = field(default_factory=list)  # every tenant test: (check, subject, outcome)
    by_tenant: dict[tuple[str, str], Counter] = field(default_factory=lambda: defaultdict(Counter))  # (check, tenant)

    def add(self, report: pytest.TestReport) -> bool:
        """Take one phase report; True when it completed a test (its call, or a failed/skipped setup)."""
        props = {k: str(v) for k, v in report.user_properties}
        check = props.get("etd_check")
        if not check:
            return False
        self.titles.setdefault(check, props.get("etd_check_title", check))
        if report.when == "setup" and report.failed:
            outcome = "error"
        elif report.when == "setup" and report.skipped:
            outcome = "skipped"
        elif report.when == "call":
            outcome = report.outcome
        else:
            return False
        self.outcomes[check][outcome] += 1
        test_id = props.get("etd_subject", report.nodeid)
        self.by_tenant[(check, props.get("etd_tenant") or _tenant_of(test_id))][outcome] += 1
        self.subjects.append((check, test_id, SUBJECT_OUTCOMES[outcome]))  # a tuple: 200,000 of them at 100,000 users
        if outcome == "error":
            reason = props.get("etd_not_evaluated") or _first_line(report)
            self.not_evaluated.append((report.nodeid, reason))
            self.not_evaluated_items.append(
                {"check": check, "subject": test_id, "test_id": report.nodeid, "reason": reason}
            )
        elif outcome == "skipped" and _skip_reason(report).startswith(PENDING_PREFIX):
            self.pending.append({"check": check, "subject": test_id, "reason": _skip_reason(report)})
            self.subjects[-1] = (check, test_id, "pending onboarding")
        elif outcome == "failed":
            self.finding_items.append(_finding_item(props, check, test_id, report.nodeid))
        if check == VERDICT_CHECK and outcome != "skipped":
            self.mailboxes.append(_mailbox_row(props, outcome, test_id))
        elif check == ERROR_LOG_CHECK and outcome != "skipped":
            self.error_log.append({**props, "outcome": outcome})
        elif outcome == "failed" and check.startswith(("C2-", "C3B-")):
            self.tenant_findings.append({**props, "check": check})
        return True

    @property
    def findings(self) -> int:
        return sum(n["failed"] for n in self.outcomes.values())

    @property
    def errors(self) -> int:
        return sum(n["error"] for n in self.outcomes.values())

    @property
    def passed(self) -> int:
        return sum(n["passed"] for n in self.outcomes.values())

    def root_cause_counts(self) -> list[tuple[str, str, str, int]]:
        """(root cause, case, problem title, mailboxes) for not-ready mailboxes, most frequent first."""
        counts: Counter = Counter()
        cases: dict[str, str] = {}
        for row in self.mailboxes:
            if row["verdict"] == "not ready":
                counts[row["root_cause"]] += 1
                cases[row["root_cause"]] = row["case"]
        return [
            (cause, cases[cause], CAUSES[cause].title if cause in CAUSES else cause, n)
            for cause, n in counts.most_common()
        ]

    def diagnosis_counts(self) -> list[tuple[str, int]]:
        """(diagnosis, rows) over the error log, most frequent first; 'not evaluated' counted too."""
        counts: Counter = Counter(
            r.get("etd_diagnosis") or ("not evaluated" if r["outcome"] == "error" else "?") for r in self.error_log
        )
        return counts.most_common()

    def write_csv(self, path: Path, run: str = "") -> None:
        """Every evaluated protected mailbox, one row each, written atomically; `run` says what kind of run
        it came from on every row (READY, PARTIAL, INTERRUPTED, DEMO ...), so a filtered sheet still says it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".etd-csv-", suffix=".csv")
        try:  # streamed into the temporary file (not built in memory first), then renamed into place
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
                writer.writeheader()
                for row in sorted(self.mailboxes, key=lambda r: (r["tenant"], r["mailbox"])):
                    writer.writerow({**row, "run": run})
        except BaseException:
            os.unlink(tmp)
            raise
        os.replace(tmp, path)


def _mailbox_row(props: dict[str, str], outcome: str, test_id: str) -> dict[str, str]:
    verdict = {"passed": "ready", "failed": "not ready", "error": "not evaluated"}.get(outcome, outcome)
    return {
        "tenant": props.get("etd_tenant", test_id.split(":", 1)[0] if ":" in test_id else ""),
        "mailbox": props.get("etd_mailbox", test_id.rsplit(":", 1)[-1]),
        "verdict": verdict,
        "root_cause": props.get("etd_root_cause", ""),
        "case": props.get("etd_case", ""),
        "etd_error": props.get("etd_remediation_error", "").strip('"'),
        "problem": props.get("etd_problem", ""),
        "fix": props.get("etd_fix", ""),
        "also": props.get("etd_also", ""),
        "exchange_plan": props.get("etd_exchange_plan", ""),
        "mailbox_probe": props.get("etd_probe", ""),
        "recipient_type": props.get("etd_recipient_type", ""),
        "notes": props.get("etd_notes", ""),
        "not_evaluated_reason": props.get("etd_not_evaluated", ""),
        "test_id": test_id,
    }


def _finding_item(props: dict[str, str], check: str, subject: str, nodeid: str) -> dict[str, str]:
    """One finding as the gate, the evidence JSON and the baseline diff know it."""
    return {
        "check": check,
        "subject": subject,
        "test_id": nodeid,
        "tenant": props.get("etd_tenant", subject.split(":", 1)[0] if ":" in subject else ""),
        "case": props.get("etd_case", ""),
        "root_cause": props.get("etd_root_cause", ""),
        "problem": props.get("etd_problem", ""),
        "etd_error": props.get("etd_remediation_error", "").strip('"'),
        "fix": props.get("etd_fix", ""),
    }


def _tenant_of(subject: str) -> str:
    return subject.split(":", 1)[0] if ":" in subject else ""


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr or "")
    return text.removeprefix("Skipped: ")


def _first_line(report: pytest.TestReport) -> str:
    text = str(report.longrepr or "")
    return text.strip().splitlines()[-1][:400] if text.strip() else "error"
