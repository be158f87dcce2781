"""The exit code a pipeline gates on: "the tenant is broken" (1) apart from "we could not look" (6).

0  READY: everything ran, nothing NOT EVALUATED, no finding gates (waived ones do not)
1  findings that gate (unwaived, or a waiver expired; narrowed by --etd-fail-on)
2  interrupted (Ctrl-C, -x / --maxfail, a run that stopped early)          - pytest's code
3  internal error                                                          - pytest's code
4  usage error (bad option, config, waivers file, baseline)                - pytest's code
5  no tests collected                                                      - pytest's code
6  INCOMPLETE: something NOT EVALUATED, or a PARTIAL (narrowed) run, or nothing evaluated,
   and no finding gates. NOT EVALUATED never lets the gate pass; a narrowed run is no
   evidence that the tenant is ready.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

import pytest

from .baseline import FAIL_ON, Diff, diff, gating, load_baseline
from .run_status import RunStatus
from .settings import PHASES, ConfigError, Settings
from .waivers import Waiver, apply_waivers, load_waivers, unused


class GateCode(IntEnum):
    READY = 0
    FINDINGS = 1
    INTERRUPTED = 2
    INTERNAL_ERROR = 3
    USAGE_ERROR = 4
    NO_TESTS = 5
    INCOMPLETE = 6


GATE_MEANING = {
    0: "ready, nothing gates",
    1: "findings that gate",
    2: "interrupted",
    3: "internal error",
    4: "usage error",
    5: "no tests collected",
    6: "incomplete: something NOT EVALUATED or a narrowed run, nothing gating",
}


def exit_code(
    pytest_status: int, status: RunStatus, gating: int, not_evaluated: int, evaluated: int, other_failures: int = 0
) -> int:
    """The run's exit code from pytest's own status and the gate's counts.

    `other_failures` counts failed tests that are not tenant checks (a broken conftest, a user test):
    those fail the run as pytest would.
    """
    if pytest_status in (
        pytest.ExitCode.INTERNAL_ERROR,
        pytest.ExitCode.USAGE_ERROR,
        pytest.ExitCode.NO_TESTS_COLLECTED,
    ):
        return int(pytest_status)
    if status.interrupted or pytest_status == pytest.ExitCode.INTERRUPTED:
        return GateCode.INTERRUPTED
    if gating or other_failures:
        return GateCode.FINDINGS
    if not_evaluated or status.selection or evaluated == 0:
        return GateCode.INCOMPLETE
    return GateCode.READY


@dataclass
class Gate:
    """What decides the gate (waivers, baseline, --etd-fail-on, phase) and what it decided."""

    waivers: list[Waiver] = field(default_factory=list)
    waivers_source: str = ""
    baseline: dict | None = None
    baseline_source: str = ""
    fail_on: str = "any"
    phase: str = "after"
    # decided at the end of the run
    diff: Diff | None = None
    gating: int = 0
    waived: int = 0
    expired: int = 0
    exit_code: int = 0
    css: str = ""
    line: str = ""

    def settle(self, findings: list[dict], not_evaluated: list[dict], today: dt.date) -> list[dict]:
        """Mark findings waived / expired and new / still open; return the ones that gate."""
        apply_waivers(findings, self.waivers, today)
        if self.baseline is not None:
            self.diff = diff(self.baseline, self.baseline_source, findings, not_evaluated)
        gate = gating(findings, self.fail_on)
        self.gating = len(gate)
        self.waived = sum(1 for f in findings if f.get("waiver") == "waived")
        self.expired = sum(1 for f in findings if f.get("waiver") == "expired")
        return gate

    def waivers_doc(self) -> dict | None:
        if not self.waivers_source:
            return None
        return {
            "source": self.waivers_source,
            "waivers": [w.as_dict() for w in self.waivers],
            "unused": [w.as_dict() for w in unused(self.waivers)],
        }


def load_gate(opt, settings: Settings | None) -> Gate:
    """The gate's inputs from the options (they win) and the config file; ConfigError when one is wrong."""
    waivers_file = getattr(opt, "etd_waivers", None) or (settings.waivers if settings else None)
    fail_on = getattr(opt, "etd_fail_on", None) or "any"
    phase = getattr(opt, "etd_phase", None) or (settings.phase if settings else "after")
    if fail_on not in FAIL_ON:
        raise ConfigError(f"--etd-fail-on {fail_on!r} is not one of {', '.join(FAIL_ON)}")
    if phase not in PHASES:
        raise ConfigError(f"phase {phase!r} is not one of {', '.join(PHASES)}")
    gate = Gate(fail_on=fail_on, phase=phase)
    if waivers_file:
        gate.waivers = load_waivers(Path(waivers_file))
        gate.waivers_source = str(waivers_file)
    baseline_file = getattr(opt, "etd_baseline", None)
    if baseline_file:
        gate.baseline = load_baseline(Path(baseline_file))
        gate.baseline_source = str(baseline_file)
    return gate
