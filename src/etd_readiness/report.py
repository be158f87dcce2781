"""The evidence: terminal header/summary and the pytest-html report (run facts, per-case counts, fixes)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from html import escape
from pathlib import Path

import pytest

from . import __version__

CASE_TITLES = {
    "1b": "Resource is not found: account never licensed, mailbox not provisioned",
    "1b/4a": "No Exchange Online licence, so no mailbox",
    "2": "Remediation Failed. Unknown Reason: ETD app permissions",
    "3a": "The requested user is invalid: address resolves to no user",
    "3b": "The requested user is invalid: ETD does not reach the tenant",
    "4": "Mailbox inactive or soft-deleted",
    "4a": "Mailbox missing: no valid Exchange Online licence",
    "4b": "Mailbox hosted on-premises (hybrid)",
}
MAX_SUMMARY_FINDINGS = 1000


def _props(report: pytest.TestReport) -> dict:
    return dict(report.user_properties)


class ReportPlugin:
    """Registered in the controller only; tallies outcomes per check and writes the summaries."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.outcomes: dict[str, Counter] = defaultdict(Counter)
        self.titles: dict[str, str] = {}
        self.findings: list[dict] = []
        self.finding_count = 0
        self.affected: dict[str, set[str]] = defaultdict(set)
        if config.pluginmanager.hasplugin("html") or config.option.__dict__.get("htmlpath") is not None:
            self._default_html(config)

    @staticmethod
    def _default_html(config: pytest.Config) -> None:
        """Write the self-contained evidence report to reports/ unless --html was given."""
        if not getattr(config.option, "htmlpath", None):
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            config.option.htmlpath = str(Path(config.getini("etd_report_dir")) / f"etd-readiness-{stamp}.html")
        config.option.self_contained_html = True

    def _estate(self):
        from .plugin import estate_of

        return estate_of(self.config)

    # -- terminal -------------------------------------------------------------------------
    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        estate = self._estate()
        ctx = estate.context
        lines = [f"etd-readiness {__version__}: {describe_mode(ctx)}; ETD mode {ctx.get('etd_mode')}"]
        lines.append(f"  config: {ctx.get('config_source')}; Graph {ctx.get('graph_url')}")
        for view in estate.tenants.values():
            aud = view.snap.auditor
            roles = "unknown (not an app token)" if aud.get("roles") is None else ", ".join(aud["roles"]) or "none"
            lines.append(
                f"  tenant {view.name} ({view.snap.tenant_id}): auditor {aud.get('client_id')} roles [{roles}]"
            )
            if aud.get("error"):
                lines.append(f"  !! {view.name}: {aud['error']}")
            elif aud.get("missing"):
                lines.append(
                    f"  !! {view.name}: the auditor lacks {', '.join(aud['missing'])}: grant these Microsoft Graph "
                    "Application permissions (admin consent) or the checks that need them will error"
                )
        if ctx.get("note"):
            lines.append(f"  {ctx['note']}")
        return lines

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = _props(report)
        check = props.get("etd_check")
        if not check:
            return
        self.titles.setdefault(check, props.get("etd_check_title", check))
        if report.when == "setup" and report.failed:
            self.outcomes[check]["error"] += 1
        elif report.when == "setup" and report.skipped:
            self.outcomes[check]["skipped"] += 1
        elif report.when == "call":
            self.outcomes[check][report.outcome] += 1
            if report.failed and "etd_case" in props:
                self.finding_count += 1
                if len(self.findings) < MAX_SUMMARY_FINDINGS:
                    self.findings.append(props)
            if report.failed and "etd_case" in props:
                self.affected[props["etd_case"]].add(str(props.get("etd_subject")))

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.outcomes:
            return
        terminalreporter.write_sep("=", "ETD remediation readiness")
        for check, counts in sorted(self.outcomes.items()):
            terminalreporter.write_line(
                f"{check:8} {counts['passed']:6} ok {counts['failed']:6} findings {counts['error']:6} not evaluated"
                f"  {self.titles[check]}"
            )
        for case, subjects in sorted(self.affected.items()):
            terminalreporter.write_line(f"  case {case}: {len(subjects)} affected - {CASE_TITLES.get(case, '')}")
        note = self._estate().context.get("note")
        if note:
            terminalreporter.write_line(note)

    # -- pytest-html ----------------------------------------------------------------------
    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report) -> None:
        report.title = "ETD remediation readiness - " + ", ".join(self._estate().tenants)

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list) -> None:
        cells.insert(2, '<th class="sortable" data-column-type="case">Case</th>')

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report, cells: list) -> None:
        props = _props(report)
        cells.insert(2, f'<td class="col-case">{escape(str(props.get("etd_case", "")))}</td>')

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list, summary: list, postfix: list, session) -> None:
        prefix.append(STYLE)
        prefix.append(self._verdict_html())
        prefix.append(self._run_facts_html())
        prefix.append(self._checks_html())
        prefix.append(self._findings_html())

    def _verdict_html(self) -> str:
        """One line a reader can act on: ready, not ready, or not fully evaluated."""
        failed = sum(n["failed"] for n in self.outcomes.values())
        errors = sum(n["error"] for n in self.outcomes.values())
        passed = sum(n["passed"] for n in self.outcomes.values())
        if errors:
            css, text = "etd-incomplete", f"INCOMPLETE - {errors} test(s) could not be evaluated (data not fetched)"
            if failed:
                text += f"; {failed} finding(s) already block remediation"
        elif failed:
            css, text = "etd-notready", f"NOT READY - {failed} finding(s) will make ETD remediation fail"
        else:
            css, text = "etd-ready", f"READY - all {passed} evaluated test(s) show ETD remediation will work"
        return f'<p class="etd-verdict {css}">{escape(text)}</p>'

    def _run_facts_html(self) -> str:
        estate = self._estate()
        ctx = estate.context
        rows = [
            ("Data collected (UTC)", ", ".join(sorted({v.snap.collected_at for v in estate.tenants.values()}))),
            ("Suite run (UTC)", ctx.get("run_at")),
            ("Report written", dt.datetime.now().astimezone().replace(microsecond=0).isoformat()),
            ("Mode", describe_mode(ctx)),
            ("Suite version", f"etd-readiness {ctx.get('suite_version')}"),
            ("ETD mode / manifest", f"{ctx.get('etd_mode')}: {', '.join(ctx.get('manifest', []))}"),
            ("Graph endpoint", ctx.get("graph_url")),
        ]
        for view in estate.tenants.values():
            aud = view.snap.auditor
            status = aud.get("error") or (
                f"missing {', '.join(aud['missing'])}" if aud.get("missing") else "least-privilege set granted"
            )
            rows.append(
                (
                    f"Tenant {view.name}",
                    f"{view.snap.tenant_id} - auditor {aud.get('client_id')} with "
                    f"{', '.join(aud.get('roles') or []) or 'no roles'} ({status})",
                )
            )
        body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
        return f'<h2>Run</h2><table class="etd-facts">{body}</table>'

    def _checks_html(self) -> str:
        rows = "".join(
            f"<tr><td>{escape(c)}</td><td>{escape(self.titles[c])}</td><td class='n ok'>{n['passed']}</td>"
            f"<td class='n bad'>{n['failed']}</td><td class='n err'>{n['error']}</td></tr>"
            for c, n in sorted(self.outcomes.items())
        )
        cases = (
            "".join(
                f"<tr><td>{escape(case)}</td><td>{escape(CASE_TITLES.get(case, ''))}</td>"
                f"<td class='n bad'>{len(subjects)}</td></tr>"
                for case, subjects in sorted(self.affected.items())
            )
            or "<tr><td colspan=3>No finding: every evaluated subject is ready for ETD remediation.</td></tr>"
        )
        return (
            "<h2>Checks</h2><table class='etd-grid'><tr><th>Check</th><th>What it asks</th><th>OK</th>"
            f"<th>Findings</th><th>Not evaluated</th></tr>{rows}</table>"
            "<h2>Findings per documented case</h2><table class='etd-grid'><tr><th>Case</th><th>ETD error</th>"
            f"<th>Affected subjects</th></tr>{cases}</table>"
        )

    def _findings_html(self) -> str:
        if not self.findings:
            return ""
        rows = "".join(
            f"<tr><td>{escape(str(f.get('etd_case')))}</td><td>{escape(str(f.get('etd_subject')))}</td>"
            f"<td>{escape(str(f.get('etd_problem')))}<br><em>ETD shows {escape(str(f.get('etd_etd_error')))}</em></td>"
            f"<td>{escape(str(f.get('etd_fix')))}</td></tr>"
            for f in sorted(self.findings, key=lambda f: (str(f.get("etd_case")), str(f.get("etd_subject"))))
        )
        more = self.finding_count - len(self.findings)
        tail = f"<p>{more} more finding(s) are in the results table below.</p>" if more > 0 else ""
        return (
            "<h2>Findings and fixes</h2><table class='etd-grid etd-findings'><tr><th>Case</th><th>Who</th>"
            f"<th>What is wrong</th><th>Fix</th></tr>{rows}</table>{tail}"
        )


def describe_mode(ctx: dict) -> str:
    if ctx.get("mode") == "replay":
        return "replayed from " + ", ".join(f"{Path(p).name}" for p in (ctx.get("cassettes") or {}).values())
    return f"live ({ctx.get('requests', 0)} Graph requests, {ctx.get('retries', 0)} retries)"


STYLE = """<style>
.etd-verdict{ font-size:1.3em; font-weight:bold; padding:8px 12px; border-radius:4px; max-width:1400px }
.etd-ready{ background:#e6f4ea; color:#1e6b34 } .etd-notready{ background:#fde7e9; color:#a50e0e }
.etd-incomplete{ background:#fff4e5; color:#8a4b00 }
.etd-facts th{ text-align:left; padding:2px 12px 2px 0; vertical-align:top; white-space:nowrap }
.etd-grid{ border-collapse:collapse; margin:6px 0 14px 0; max-width:1400px }
.etd-grid th,.etd-grid td{ border:1px solid #ccc; padding:4px 8px; text-align:left; vertical-align:top }
.etd-grid th{ background:#f0f0f0 } .etd-grid td.n{ text-align:right }
.etd-grid td.bad{ color:#b00020; font-weight:bold } .etd-grid td.err{ color:#8a6d00 }
.etd-findings td:nth-child(4){ max-width:520px }
</style>"""
