"""Check metadata is declared once: README tables, markers and emitted causes follow the declarations (issue 8)."""

from __future__ import annotations

import ast
import re

import pytest

from conftest import ROOT
from etd_readiness.checks import all_checks
from etd_readiness.checks.base import Check, Estate, Subject, make_finding
from etd_readiness.checks.causes import ALL_CASES, CAUSES
from etd_readiness.snapshot import Snapshot
from etd_readiness.testing import case_markers

SEED_ERRORS = {  # the seed document's ETD error texts, per case (Cisco's troubleshooting page)
    "1a": '"Resource is not found"',
    "1b": '"Resource is not found"',
    "2": '"Remediation Failed. Unknown Reason."',
    "3a": '"The requested user is invalid."',
    "3b": '"The requested user is invalid."',
    "4": '"The mailbox is either inactive, soft-deleted, or is hosted on-premise."',
    "4a": '"The mailbox is either inactive, soft-deleted, or is hosted on-premise."',
    "4b": '"The mailbox is either inactive, soft-deleted, or is hosted on-premise."',
}


def _readme_table(name: str) -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(rf"<!-- {name}:.*?-->\n(.*?)<!-- /{name} -->", text, re.S)
    assert block, f"README has no {name} block"
    rows = [line for line in block.group(1).splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def _test_names() -> dict[str, str]:
    """check id -> test function name, read from tenant_checks/ (the @etd_check decorators)."""
    by_var = {check_var: check for check_var, check in _check_vars().items()}
    names = {}
    for path in sorted((ROOT / "tenant_checks").glob("test_*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                for deco in node.decorator_list:
                    if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "etd_check":
                        names[by_var[deco.args[0].id].check_id] = node.name
    return names


def _check_vars() -> dict[str, Check]:
    import etd_readiness.checks.error_log as errlog
    import etd_readiness.checks.licensing as lic
    import etd_readiness.checks.mailboxes as mbx
    import etd_readiness.checks.permissions as perm
    import etd_readiness.checks.reach as reach
    import etd_readiness.checks.verdict as verdict

    return {
        name: value
        for module in (errlog, lic, mbx, perm, reach, verdict)
        for name, value in vars(module).items()
        if isinstance(value, Check)
    }


def test_readme_checks_table_matches_the_declarations():
    names = _test_names()
    rows = _readme_table("checks-table")
    declared = {c.check_id: c for c in all_checks()}
    assert [r[1] for r in rows] == [c.check_id for c in all_checks()], "one row per check, in report order"
    for test, check_id, cases in rows:
        assert test.split("[")[0].strip("`") == names[check_id], (check_id, test)
        assert cases == ", ".join(declared[check_id].cases), (check_id, cases)
    assert set(names) == set(declared), "every check has a test in tenant_checks/ and vice versa"


def test_readme_causes_table_matches_the_declarations():
    rows = _readme_table("causes-table")
    assert [r[0].strip("`") for r in rows] == list(CAUSES)
    for cause_id, case, error, title in rows:
        c = CAUSES[cause_id.strip("`")]
        assert (case, error, title) == (c.case, c.etd_error, c.title)


def test_every_cause_uses_the_seed_error_of_its_case():
    for c in CAUSES.values():
        assert c.case in ALL_CASES
        assert c.etd_error == SEED_ERRORS[c.case], c.cause_id


def test_markers_cover_the_case_family():
    assert case_markers(("4a",)) == ["case4a", "case4"]
    assert case_markers(("1b", "2")) == ["case1b", "case1", "case2"]
    verdict = next(c for c in all_checks() if c.check_id == "RDY-01")
    assert set(case_markers(verdict.cases)) >= {f"case{c}" for c in ALL_CASES if c != "1a"}


def test_a_check_cannot_emit_a_cause_it_does_not_declare():
    estate = Estate(Snapshot(tenants=[], context={}))
    subject = Subject("t", "x")
    sloppy = Check(
        check_id="X-01",
        title="declares soft-deleted only",
        cause_ids=("soft-deleted",),
        subjects=lambda estate: [subject],
        evaluate=lambda estate, s: make_finding("X-01", s, "never-licensed", "oops"),
    )
    with pytest.raises(AssertionError, match="undeclared cause 'never-licensed'"):
        sloppy.run(estate, subject)


def test_every_declared_check_names_only_declared_causes():
    for check in all_checks():
        for cause_id in check.cause_ids:
            assert cause_id in CAUSES, (check.check_id, cause_id)
