"""What a check reports: a finding says who, what is wrong, which ETD error follows, and the fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Finding:
    """One reason ETD remediation will fail (or cannot be shown to work) for one subject."""

    check_id: str
    case: str
    subject: str
    problem: str
    etd_error: str
    fix: str
    evidence: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def render(self) -> str:
        """The clean multi-line text a failing test shows."""
        lines = [
            f"{self.subject}: {self.problem}",
            f"ETD error (case {self.case}): {self.etd_error}",
            f"Fix: {self.fix}",
        ]
        lines += [f"Evidence - {key}: {value}" for key, value in self.evidence]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready form for the HTML/JUnit reports."""
        data = asdict(self)
        data["evidence"] = dict(self.evidence)
        return data


class SectionUnavailable(Exception):
    """Data a check needs was not fetched; the test must error, never pass or fail."""

    def __init__(self, tenant: str, section: str, reason: str) -> None:
        super().__init__(f"{tenant}: {section} was not fetched - {reason}")
        self.tenant = tenant
        self.section = section
        self.reason = reason
