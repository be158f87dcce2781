"""Did the whole suite run? Selection, interruption and the one verdict line the terminal, HTML and JUnit share.

READY is said only when every test of the suite ran over every configured tenant with nothing NOT
EVALUATED. A narrowed run (-k, -m, --deselect, --lf, a node id or a file) is PARTIAL and names the
selection; a stopped run (Ctrl-C, -x, --maxfail) is INTERRUPTED and says how far it got.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class RunStatus:
    """What ran, counted by the report plugin."""

    selection: list[str] = field(default_factory=list)  # why the run is partial ([] = the whole suite)
    deselected: int = 0
    collected: int = 0
    finished: int = 0  # tests whose call (or failed setup) was reported
    interrupted: str = ""  # why the run stopped early ("" = it did not)
    demo: bool = False
    phase: str = "after"  # before: ETD's app is expected absent (READY TO ONBOARD / NOT READY TO ONBOARD)
    etd_present: list[str] = field(default_factory=list)  # phase before: tenants where ETD's app already is

    def note_selection(self, config: pytest.Config, checks_dir: Path, arg_path: Callable[[str], Path]) -> None:
        """Record the options and arguments that narrow the run (`arg_path` resolves an argument)."""
        opt = config.option
        if getattr(opt, "keyword", ""):
            self.selection.append(f"-k {opt.keyword!r}")
        if getattr(opt, "markexpr", ""):
            self.selection.append(f"-m {opt.markexpr!r}")
        for item in getattr(opt, "deselect", None) or ():
            self.selection.append(f"--deselect {item}")
        if getattr(opt, "lf", False):
            self.selection.append("--last-failed")
        if getattr(opt, "stepwise", False) or getattr(opt, "stepwise_skip", False):
            self.selection.append("--stepwise")
        for flag in ("ignore", "ignore_glob"):
            for item in getattr(opt, flag, None) or ():
                self.selection.append(f"--{flag.replace('_', '-')} {item}")
        for arg in config.args:
            if "::" in arg or arg_path(arg) != checks_dir.resolve():
                self.selection.append(arg)

    def note_deselected(self) -> None:
        """Tests deselected by any means (a plugin, --sw ...) make the run partial too."""
        if self.deselected and not any(
            s.startswith(("-k", "-m", "--deselect", "--last-failed")) for s in self.selection
        ):
            self.selection.append(f"{self.deselected} test(s) deselected")

    def note_stop(self, session: pytest.Session, exitstatus: int) -> None:
        """Why the session stopped early, if it did."""
        if self.interrupted:
            return
        if exitstatus == pytest.ExitCode.INTERRUPTED:
            self.interrupted = "interrupted (Ctrl-C / SIGTERM)"
        elif session.shouldfail:
            self.interrupted = f"stopped early: {session.shouldfail}"
        elif session.shouldstop:
            self.interrupted = f"stopped early: {session.shouldstop}"
        elif self.collected and self.finished < self.expected:
            self.interrupted = "stopped before every selected test ran"

    @property
    def expected(self) -> int:
        return max(0, self.collected - self.deselected)


@dataclass(frozen=True)
class Tally:
    """Outcomes over the whole run."""

    passed: int
    findings: int
    not_evaluated: int
    mailboxes: int
    mailboxes_not_ready: int
    tenants: int
    waived: int = 0  # findings a live waiver accepts (not counted in `findings`)
    expired: int = 0  # findings whose only waivers have expired (counted in `findings`)


def verdict_line(status: RunStatus, tally: Tally) -> tuple[str, str]:
    """(css class, text): the one line that answers "will ETD remediation work?"."""
    css, text = _verdict_line(status, tally)
    if status.phase == "before":
        text = _before_onboarding(text, status)
    if tally.waived:
        text += f"; {tally.waived} finding(s) waived (listed under Waivers)"
    if tally.expired:
        text += f"; {tally.expired} finding(s) gate because their waiver expired"
    return css, text


def _before_onboarding(text: str, status: RunStatus) -> str:
    """The same verdict, read before onboarding: READY TO ONBOARD / NOT READY TO ONBOARD."""
    for said, meant in (
        ("NOT READY - ETD cannot remediate", "NOT READY TO ONBOARD - once onboarded, ETD could not remediate"),
        ("READY WITH WAIVERS - ETD can remediate", "READY TO ONBOARD WITH WAIVERS - once onboarded, ETD can remediate"),
        ("READY - ETD can remediate", "READY TO ONBOARD - once onboarded, ETD can remediate"),
    ):
        if said in text:
            text = text.replace(said, meant, 1)
            break
    if status.etd_present:
        text += f"; ETD's app is already in {', '.join(status.etd_present)}: judged as onboarded there"
    return text


def _verdict_line(status: RunStatus, tally: Tally) -> tuple[str, str]:
    demo = "DEMO (synthetic tenants) - " if status.demo else ""
    found = f"{tally.findings} finding(s), {tally.not_evaluated} not evaluated"
    if status.interrupted:
        ran = f"{status.finished} of {status.expected} test(s) ran" if status.expected else "the run did not finish"
        return "etd-incomplete", f"{demo}INTERRUPTED - {status.interrupted}; {ran} ({found}): no readiness verdict"
    evaluated = tally.passed + tally.findings
    if status.selection:
        return (
            "etd-incomplete",
            f"{demo}PARTIAL - only the selected tests ran ({', '.join(status.selection)}): {evaluated} evaluated, "
            f"{found}; not a verdict for the tenant(s)",
        )
    if evaluated == 0 and tally.not_evaluated == 0:
        return "etd-incomplete", f"{demo}NOTHING EVALUATED - no test ran"
    if tally.not_evaluated:
        text = f"{demo}INCOMPLETE - {tally.not_evaluated} test(s) could not be evaluated (listed under Not evaluated)"
        if tally.findings:
            text += f"; {tally.findings} finding(s) already block remediation"
        return "etd-incomplete", text
    if tally.findings and not tally.mailboxes_not_ready:
        return (
            "etd-notready",
            f"{demo}NOT READY - {tally.findings} finding(s) (tenant-level or per cause); every one of the "
            f"{tally.mailboxes} protected mailbox(es) passed its path",
        )
    if tally.findings:
        return (
            "etd-notready",
            f"{demo}NOT READY - ETD cannot remediate {tally.mailboxes_not_ready} of {tally.mailboxes} protected "
            f"mailbox(es); {tally.findings} finding(s)",
        )
    if tally.waived:
        return (
            "etd-ready",
            f"{demo}READY WITH WAIVERS - ETD can remediate every protected mailbox not covered by a waiver "
            f"({tally.mailboxes} in {tally.tenants} tenant(s)); {tally.passed} evaluated test(s) passed",
        )
    return (
        "etd-ready",
        f"{demo}READY - ETD can remediate all {tally.mailboxes} protected mailbox(es) in {tally.tenants} tenant(s); "
        f"all {tally.passed} evaluated test(s) passed",
    )
