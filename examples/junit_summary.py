"""Render an etd-readiness JUnit XML as Markdown for a CI job summary (GitHub $GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def summary(path: str) -> str:
    root = ET.parse(path).getroot()
    props = {p.get("name"): p.get("value") for p in root.iter("property") if p.get("name", "").startswith("etd_")}
    lines = ["## ETD remediation readiness", "", f"**{props.get('etd_verdict', 'no verdict')}**", ""]
    lines.append(f"Exit code: `{props.get('etd_exit_code', '?')}`")
    lines += ["", "| Test | Outcome | Detail |", "| --- | --- | --- |"]
    for case in root.iter("testcase"):
        for tag, outcome in (("failure", "finding"), ("error", "NOT EVALUATED")):
            node = case.find(tag)
            if node is not None:
                detail = (node.get("message") or "").splitlines()[0][:200].replace("|", "\\|")
                lines.append(f"| `{case.get('name')}` | {outcome} | {detail} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(summary(sys.argv[1]))
