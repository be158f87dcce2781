"""The diff against an earlier run's evidence JSON: which findings are new, still open or resolved.

A finding is keyed by (check id, subject); so is a NOT EVALUATED test. `--etd-fail-on` decides what
gates: `any` (every unwaived finding, the default), `new` (only findings the baseline did not have),
`none` (findings never gate; NOT EVALUATED still does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .settings import ConfigError

FAIL_ON = ("any", "new", "none")


@dataclass
class Diff:
    """The baseline diff of one run."""

    source: str
    new: list[dict] = field(default_factory=list)
    still_open: list[dict] = field(default_factory=list)
    resolved: list[dict] = field(default_factory=list)
    not_evaluated_new: list[dict] = field(default_factory=list)
    not_evaluated_gone: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"baseline {Path(self.source).name}: {len(self.new)} new, {len(self.still_open)} still open, "
            f"{len(self.resolved)} resolved finding(s); NOT EVALUATED {len(self.not_evaluated_new)} new, "
            f"{len(self.not_evaluated_gone)} no longer"
        )

    def as_dict(self) -> dict:
        def keys(items: list[dict]) -> list[dict]:
            return [{"check": i["check"], "subject": i["subject"]} for i in items]

        return {
            "source": self.source,
            "new": keys(self.new),
            "still_open": keys(self.still_open),
            "resolved": keys(self.resolved),
            "not_evaluated_new": keys(self.not_evaluated_new),
            "not_evaluated_gone": keys(self.not_evaluated_gone),
        }


def load_baseline(path: Path) -> dict:
    """An earlier evidence JSON (schema etd-readiness-evidence/1)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"baseline {path} does not exist; pass the evidence JSON of an earlier run") from None
    except (OSError, ValueError) as err:
        raise ConfigError(f"baseline {path} is not readable JSON: {err}") from None
    if not isinstance(doc, dict) or not str(doc.get("schema", "")).startswith("etd-readiness-evidence/"):
        raise ConfigError(f"baseline {path} is not an etd-readiness evidence JSON (no 'schema' field)")
    if not isinstance(doc.get("findings"), list) or not isinstance(doc.get("not_evaluated"), list):
        raise ConfigError(f"baseline {path} lacks its findings / not_evaluated lists")
    return doc


def _key(item: dict) -> tuple[str, str]:
    return (str(item.get("check", "")), str(item.get("subject", "")))


def diff(baseline: dict, source: str, findings: list[dict], not_evaluated: list[dict]) -> Diff:
    """Classify this run's findings (marking each with `baseline`) against the baseline's."""
    before = {_key(f) for f in baseline["findings"]}
    now = {_key(f) for f in findings}
    out = Diff(source=source)
    for item in findings:
        item["baseline"] = "still open" if _key(item) in before else "new"
        (out.still_open if item["baseline"] == "still open" else out.new).append(item)
    out.resolved = [f for f in baseline["findings"] if _key(f) not in now]
    ne_before = {_key(n) for n in baseline["not_evaluated"]}
    ne_now = {_key(n) for n in not_evaluated}
    out.not_evaluated_new = [n for n in not_evaluated if _key(n) not in ne_before]
    out.not_evaluated_gone = [n for n in baseline["not_evaluated"] if _key(n) not in ne_now]
    return out


def gating(findings: list[dict], fail_on: str) -> list[dict]:
    """The findings that fail the gate: unwaived (or waiver expired), filtered by --etd-fail-on."""
    live = [f for f in findings if f.get("waiver") != "waived"]
    if fail_on == "none":
        return []
    if fail_on == "new":
        return [f for f in live if f.get("baseline", "new") == "new"]
    return live
