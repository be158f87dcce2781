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
        for case in check.cases:
            fn = getattr(pytest.mark, f"case{case}")(fn)
        return fn

    return apply


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
