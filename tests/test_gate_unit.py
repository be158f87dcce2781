"""Waivers, baseline diff and exit codes as pure functions (the pytester tests cover them end to end)."""

from __future__ import annotations

import datetime as dt

import pytest

from etd_readiness.baseline import diff, gating
from etd_readiness.gate import GateCode, exit_code
from etd_readiness.run_status import RunStatus
from etd_readiness.settings import ConfigError
from etd_readiness.waivers import apply_waivers, load_waivers, unused

TODAY = dt.date(2026, 12, 4)


def _file(tmp_path, text: str):
    path = tmp_path / "w.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _finding(check: str, subject: str) -> dict:
    return {"check": check, "subject": subject}


def test_glob_and_exact_subjects_and_expiry_through_the_day(tmp_path):
    waivers = load_waivers(
        _file(
            tmp_path,
            '[[waiver]]\ncheck = "C4A-*"\nsubject = "contoso:room-*"\nreason = "r"\nowner = "o"\nexpires = 2026-12-04\n'
            '[[waiver]]\ncheck = "RDY-01"\nsubject = "Contoso:Frank@contoso.example"\nreason = "r"\nowner = "o"\n'
            "expires = 2026-12-03\n"
            '[[waiver]]\ncheck = "*"\nsubject = "nobody"\nreason = "r"\nowner = "o"\nexpires = 2030-01-01\n',
        )
    )
    found = [
        _finding("C4A-01", "contoso:room-1@contoso.example"),
        _finding("RDY-01", "contoso:frank@contoso.example"),
        _finding("RDY-01", "contoso:room-1@contoso.example"),
    ]
    apply_waivers(found, waivers, TODAY)
    assert [f["waiver"] for f in found] == ["waived", "expired", ""]  # expires today: still holds
    assert found[1]["waiver_note"].startswith("waiver expired on 2026-12-03")
    assert [w.subject for w in unused(waivers)] == ["nobody"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[[waiver]]\ncheck = "x"\nsubject = "y"\nreason = "r"\nowner = "o"\nexpires = "2027-01-01"\n', "TOML date"),
        ('[[waiver]]\ncheck = "x"\nsubject = "y"\nreason = "r"\nowner = "o"\n', "lacks expires"),
        ('[[waiver]]\ncheck = "x"\nsubject = "y"\nreason = "r"\nowner = "o"\nexpires = 2027-01-01\nwho = 1\n', "who"),
        ('[waiver]\ncheck = "x"\n', "[[waiver]]"),
        ("[[waiver]\n", "not valid TOML"),
    ],
)
def test_a_bad_waivers_file_is_one_line(tmp_path, text, says):
    with pytest.raises(ConfigError) as err:
        load_waivers(_file(tmp_path, text))
    assert says in str(err.value) and "\n" not in str(err.value)


def test_diff_and_fail_on():
    base = {"findings": [_finding("A", "1"), _finding("A", "2")], "not_evaluated": [_finding("B", "9")]}
    now = [_finding("A", "2"), _finding("A", "3"), {**_finding("A", "4"), "waiver": "waived"}]
    d = diff(base, "prev.json", now, [_finding("B", "8")])
    assert [f["subject"] for f in d.new] == ["3", "4"] and [f["subject"] for f in d.still_open] == ["2"]
    assert [f["subject"] for f in d.resolved] == ["1"]
    assert [n["subject"] for n in d.not_evaluated_new] == ["8"] and [n["subject"] for n in d.not_evaluated_gone] == [
        "9"
    ]
    assert [f["subject"] for f in gating(now, "any")] == ["2", "3"]  # the waived one never gates
    assert [f["subject"] for f in gating(now, "new")] == ["3"]
    assert gating(now, "none") == []


@pytest.mark.parametrize(
    ("pytest_status", "interrupted", "selection", "gate", "not_evaluated", "evaluated", "code"),
    [
        (0, "", [], 0, 0, 5, GateCode.READY),
        (1, "", [], 1, 0, 5, GateCode.FINDINGS),
        (1, "", [], 0, 0, 5, GateCode.READY),  # every finding waived
        (1, "", [], 0, 1, 5, GateCode.INCOMPLETE),
        (1, "", [], 2, 1, 5, GateCode.FINDINGS),
        (0, "", ["-k x"], 0, 0, 5, GateCode.INCOMPLETE),
        (1, "", ["-k x"], 1, 0, 5, GateCode.FINDINGS),
        (0, "", [], 0, 0, 0, GateCode.INCOMPLETE),
        (1, "stopped early", [], 1, 0, 5, GateCode.INTERRUPTED),
        (2, "", [], 0, 0, 5, GateCode.INTERRUPTED),
        (3, "", [], 0, 0, 5, GateCode.INTERNAL_ERROR),
        (4, "", [], 0, 0, 0, GateCode.USAGE_ERROR),
        (5, "", [], 0, 0, 0, GateCode.NO_TESTS),
    ],
)
def test_exit_codes(pytest_status, interrupted, selection, gate, not_evaluated, evaluated, code):
    status = RunStatus(selection=list(selection), interrupted=interrupted)
    assert exit_code(pytest_status, status, gate, not_evaluated, evaluated) == code


def test_a_failing_test_that_is_no_tenant_check_fails_the_gate():
    assert exit_code(1, RunStatus(), 0, 0, 5, other_failures=1) == GateCode.FINDINGS
