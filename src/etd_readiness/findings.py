"""What a check reports: a finding says who, what is wrong, which ETD error follows, and the fix."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """One reason ETD remediation will fail for one subject, built from a declared cause."""

    check_id: str
    case: str
    subject: str
    problem: str
    etd_error: str
    fix: str
    evidence: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    root_cause: str = ""
    also: tuple[str, ...] = ()

    def render(self) -> str:
        """The clean multi-line text a failing test shows."""
        lines = [
            f"{self.subject}: {self.problem}",
            f"ETD error (case {self.case}): {self.etd_error}",
            f"Fix: {self.fix}",
        ]
        lines += [f"Also: {item}" for item in self.also]
        lines += [f"Evidence - {key}: {value}" for key, value in self.evidence]
        return "\n".join(lines)

    def properties(self) -> list[tuple[str, str]]:
        """The documented JUnit / report properties (README, 'JUnit properties')."""
        props = [
            ("etd_case", self.case),
            ("etd_subject", self.subject),
            ("etd_root_cause", self.root_cause),
            ("etd_problem", self.problem),
            ("etd_remediation_error", self.etd_error),
            ("etd_fix", self.fix),
        ]
        if self.also:
            props.append(("etd_also", " | ".join(self.also)))
        return props


class NotEvaluated(Exception):
    """The subject cannot be judged; the test errors ("NOT EVALUATED - reason"), never passes or fails."""


class SectionUnavailable(NotEvaluated):
    """Data a check needs was not fetched."""

    def __init__(self, tenant: str, section: str, reason: str) -> None:
        super().__init__(f"{tenant}: {section} was not fetched - {reason}")
        self.tenant = tenant
        self.section = section
        self.reason = reason


class NotApplicable(Exception):
    """The subject is out of this check's question (another check reports its fact); the test skips."""
