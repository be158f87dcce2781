"""What test files in `tenant_checks/` use: the decorator that binds a check, and the assertion."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest
from _pytest.outcomes import Failed

from .checks.base import Check
from .findings import Finding

F = TypeVar("F", bound=Callable)


def etd_check(check: Check) -> Callable[[F], F]:
    """Parametrize a test over the check's subjects and mark it with its documented cases."""

    def apply(fn: F) -> F:
        fn = pytest.mark.etd_check(check)(fn)
        for marker in case_markers(check.cases):
            fn = getattr(pytest.mark, marker)(fn)
        return fn

    return apply


def case_markers(cases: tuple[str, ...]) -> list[str]:
    """`case4a` also carries `case4`: `-m case4` selects every item that can report any of case 4."""
    return list(dict.fromkeys(m for case in cases for m in (f"case{case}", f"case{case.rstrip('ab')}")))


class FindingFailed(Failed):
    """A test failed because of a finding; shown as the finding's text, never a traceback."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.render(), pytrace=False)
        self.finding = finding


def assert_no_finding(finding: Finding | None) -> None:
    """Pass when the check found nothing; otherwise fail with who, what, which ETD error, and the fix."""
    __tracebackhide__ = True
    if finding is not None:
        raise FindingFailed(finding)
