"""The evidence: terminal header and summary, the pytest-html report, the per-mailbox CSV, JUnit properties.

Registered in the controller only. The verdict line (run_status) is the same in the terminal (printed
last), the HTML (first) and the JUnit XML (a testsuite property).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from . import __version__, evidence, integrity
from . import report_gate as G
from . import report_html as H
from .checks.links import etd_service_principal, reached
from .gate import GATE_MEANING, Gate, exit_code
from .html_table import ResultsTable, passed_html
from .report_rows import Rows
from .report_terminal import describe_mode, header_lines
from .run_inputs import GATE_KEY, SIGNER_KEY
from .run_status import RunStatus, Tally, verdict_line
from .slim import release_snapshot

COMPACT_AFTER = 100


class ReportPlugin:
    """Tallies outcomes and mailbox rows, decides the verdict line, writes the summaries and the CSV."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.rows = Rows()
        self.table = ResultsTable()  # which rows pytest-html lists
        self.status = RunStatus()
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.csv_path = Path(config.getini("etd_report_dir")) / f"etd-readiness-{stamp}.csv"
        if config.pluginmanager.hasplugin("html") or getattr(config.option, "htmlpath", None) is not None:
            if not getattr(config.option, "htmlpath", None):
                config.option.htmlpath = str(Path(config.getini("etd_report_dir")) / f"etd-readiness-{stamp}.html")
            config.option.self_contained_html = True
            self.csv_path = Path(config.option.htmlpath).with_suffix(".csv")
        self.csv_written: Path | None = None
        self.json_path = self.csv_path.with_suffix(".json")
        self.json_written: Path | None = None
        self.junit_path = Path(config.option.xmlpath) if getattr(config.option, "xmlpath", None) else None
        self.other_failures = 0  # failed tests that are not tenant checks
        self.settled = False

    @property
    def gate(self) -> Gate:
        return self.config.stash.setdefault(GATE_KEY, Gate())

    def estate(self):
        return self._estate()

    def _compact(self, config: pytest.Config) -> bool:
        """Many findings and the user chose no traceback style or report chars of their own."""
        args = " ".join(config.invocation_params.args)
        chosen = "--tb" in args or any(
            a.startswith("-r") or a.startswith("--report-chars") for a in config.invocation_params.args
        )
        return self.rows.findings + self.rows.errors > COMPACT_AFTER and not chosen

    def _estate(self):
        from .plugin import estate_of

        return estate_of(self.config)

    # -- what ran ----------------------------------------------------------------------------
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        estate = self._estate()
        self.status.demo = bool(estate.context.get("demo"))
        self.status.phase = estate.context.get("phase", "after")
        if self.status.phase == "before":
            self.status.etd_present = [
                name for name in estate.tenants if reached(estate, name) is not None and _has_etd(estate, name)
            ]
        from .plugin import arg_path, checks_dir

        self.status.note_selection(self.config, checks_dir(self.config), lambda arg: arg_path(self.config, arg))

    def pytest_deselected(self, items) -> None:
        self.status.deselected += len(items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.status.collected = len(session.items) + self.status.deselected

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids) -> None:
        self.status.collected = max(self.status.collected, len(ids) + self.status.deselected)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not self.rows.add(report) and report.failed and not dict(report.user_properties).get("etd_check"):
            self.other_failures += 1
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            self.status.finished += 1

    def pytest_keyboard_interrupt(self, excinfo) -> None:
        self.status.interrupted = "interrupted (Ctrl-C / SIGTERM)"

    def verdict(self) -> tuple[str, str]:
        if self.settled:
            return self.gate.css, self.gate.line
        rows = self.rows
        waived_rows = {f["subject"] for f in rows.finding_items if f.get("waiver") == "waived"}
        tally = Tally(
            passed=rows.passed,
            findings=rows.findings - self.gate.waived,
            not_evaluated=rows.errors,
            mailboxes=len(rows.mailboxes),
            mailboxes_not_ready=sum(
                1 for r in rows.mailboxes if r["verdict"] == "not ready" and r["test_id"] not in waived_rows
            ),
            tenants=len(self._estate().tenants),
            waived=self.gate.waived,
            expired=self.gate.expired,
        )
        return verdict_line(self.status, tally)

    def settle(self, session: pytest.Session, exitstatus: int) -> None:
        """Waivers, baseline, the verdict line and the exit code, once."""
        self.status.note_stop(session, int(exitstatus))
        self.status.note_deselected()
        gate = self.gate
        gating = gate.settle(self.rows.finding_items, self.rows.not_evaluated_items, dt.datetime.now(dt.UTC).date())
        gate.css, gate.line = self.verdict()
        if gate.diff is not None:
            gate.line += f" [{gate.diff.summary()}; --etd-fail-on {gate.fail_on}: {len(gating)} gate]"
        gate.exit_code = exit_code(
            int(exitstatus),
            self.status,
            len(gating),
            self.rows.errors,
            self.rows.passed + self.rows.findings,
            self.other_failures,
        )
        self.settled = True

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Before pytest-html and JUnit write: settle the gate, write CSV and JSON, hand JUnit the verdict."""
        release_snapshot(self._estate())  # every test has run: the tenants' data is read no more
        self.settle(session, int(exitstatus))
        css, text = self.verdict()
        if self.rows.mailboxes:
            self.rows.write_csv(self.csv_path, run=run_kind(text))
            self.csv_written = self.csv_path
        evidence.write(evidence.build(self, evidence.now_utc()), self.json_path)
        self.json_written = self.json_path
        xml = _junit(self.config)
        if xml is not None:
            xml.add_global_property("etd_verdict", text)
            xml.add_global_property("etd_exit_code", str(self.gate.exit_code))
            xml.add_global_property("etd_suite_version", __version__)
            xml.add_global_property("etd_evidence", str(self.json_written))
            if self.csv_written:
                xml.add_global_property("etd_csv", str(self.csv_written))
        session.exitstatus = self.gate.exit_code

    def outputs(self) -> list[Path]:
        """The files of this run the manifest covers."""
        html = getattr(self.config.option, "htmlpath", None)
        paths = [Path(html)] if html else []
        paths += [p for p in (self.json_written, self.junit_path, self.csv_written) if p is not None]
        return [p for p in paths if p.is_file()]

    @property
    def manifest_path(self) -> Path:
        return self.json_path.with_suffix(".manifest.json")

    # -- terminal ----------------------------------------------------------------------------
    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        return header_lines(self._estate())

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter):
        """Our summary after pytest's own sections, the verdict line last.

        Past COMPACT_AFTER findings and errors, pytest's per-test FAILURES / ERRORS sections and the per-test
        short summary are left out (unless --tb or -r was given): the counts per root cause below, the
        HTML report and the CSV hold every one.
        """
        compact = self._compact(terminalreporter.config)
        if compact:
            terminalreporter.config.option.tbstyle = "no"
            terminalreporter.reportchars = ""
        result = yield
        if compact:
            terminalreporter.write_line(
                f"{self.rows.findings + self.rows.errors} findings / not evaluated: listed per root cause below, "
                "each one in the HTML report and the CSV (--tb=short -rfE to print them all here)"
            )
        tr = terminalreporter
        if self.rows.outcomes:
            tr.write_sep("=", "ETD remediation readiness")
            for line in G.terminal_lines(self.gate, self.rows) + G.pending_lines(self.rows):
                tr.write_line(line)
            for check, counts in sorted(self.rows.outcomes.items()):
                tr.write_line(
                    f"{check:7} {counts['passed']:6} ok {counts['failed']:6} findings {counts['error']:6} "
                    f"not evaluated  {self.rows.titles[check]}"
                )
            for cause, case, title, n in self.rows.root_cause_counts():
                tr.write_line(f"  {n:6} mailbox(es)  case {case:3} {cause}: {title}")
            for diagnosis, n in self.rows.diagnosis_counts():
                tr.write_line(f"  {n:6} error-log row(s)  {diagnosis}")
            if self.csv_written:
                tr.write_line(f"Per-mailbox CSV: {self.csv_written}")
        if self.json_written:
            tr.write_line(f"Evidence JSON: {self.json_written} (manifest {self.manifest_path.name})")
        note = self._estate().context.get("note")
        if note:
            tr.write_line(note)
        css, text = self.verdict()
        if self.settled:
            tr.write_line(f"Exit code {self.gate.exit_code}: {GATE_MEANING.get(self.gate.exit_code, 'pytest status')}")
        tr.write_line(text, bold=True, red=css != "etd-ready", green=css == "etd-ready")
        return result

    # -- pytest-html -------------------------------------------------------------------------
    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report) -> None:
        demo = "DEMO - " if self._estate().context.get("demo") else ""
        report.title = f"{demo}ETD remediation readiness - " + ", ".join(self._estate().tenants)
        self.table.report_data = report

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list) -> None:
        cells.insert(2, '<th class="sortable" data-column-type="case">Case</th>')

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report, cells: list) -> None:
        if not self.table.keep(report):  # a passed tenant check: counted, not listed
            cells.clear()
            return
        case = dict(getattr(report, "user_properties", ())).get("etd_case", "")  # a collect report has none
        cells.insert(2, f'<td class="col-case">{H.escape(str(case))}</td>')

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list, summary: list, postfix: list, session) -> None:
        estate = self._estate()
        self.table.fix_counts()
        prefix += [
            H.STYLE,
            H.verdict_html(*self.verdict()),
            G.baseline_html(self.gate),
            H.tenants_html(self.rows, list(estate.tenants)),
            G.pending_html(self.rows),
            G.waivers_html(self.gate, self.rows),
            H.root_causes_html(self.rows),
            H.mailboxes_html(self.rows),
            H.tenant_findings_html(self.rows),
            H.error_log_html(self.rows),
            H.not_evaluated_html(self.rows),
            passed_html(self.rows, self.table, self.csv_written, self.json_written),
            H.checks_html(self.rows),
            H.run_facts_html(estate, describe_mode, self.csv_written),
        ]


class ManifestWriter:
    """After every report is written (HTML, JUnit last): hash them into the manifest, set the exit code."""

    def __init__(self, report: ReportPlugin) -> None:
        self.report = report

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session):
        result = yield
        report = self.report
        if report.settled:
            integrity.write_manifest(report.manifest_path, report.outputs(), session.config.stash.get(SIGNER_KEY, None))
            session.exitstatus = report.gate.exit_code
        return result


def _has_etd(estate, tenant: str) -> bool:
    """ETD's service principal is in the tenant (enabled or not)."""
    return etd_service_principal(estate.tenant(tenant)) is not None


def run_kind(verdict: str) -> str:
    """The verdict line's kind ("READY", "DEMO PARTIAL", ...) for every CSV row."""
    demo = verdict.startswith("DEMO")
    core = verdict.split(" - ", 2)[1] if demo else verdict.split(" - ", 1)[0]
    return f"DEMO {core}" if demo else core


def _junit(config: pytest.Config):
    try:
        from _pytest.junitxml import xml_key
    except ImportError:  # pragma: no cover
        return None
    return config.stash.get(xml_key, None)
