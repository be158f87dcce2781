"""The pipeline examples (issue 12) validate against GitHub's and Azure Pipelines' published schemas.

check-jsonschema (PyPI) ships both schemas vendored (SchemaStore's github-workflow.json and Microsoft's
azure-pipelines-vscode service-schema.json), so this runs with no network: the proxy is pointed at a
closed port so any download attempt would fail the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

CHECK = Path(sys.executable).parent / "check-jsonschema"
SCHEMAS = {
    "github-actions.yml": ["--builtin-schema", "vendor.github-workflows"],
    # the Azure Pipelines schema's patterns use escapes the default (ECMA) regex engine rejects
    "azure-pipelines.yml": ["--regex-variant", "python", "--builtin-schema", "vendor.azure-pipelines"],
}


def _check(path: Path, args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    return subprocess.run([str(CHECK), *args, str(path)], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_example_validates_against_its_ci_schema(name):
    done = _check(ROOT / "examples" / name, SCHEMAS[name])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_the_schema_check_catches_a_broken_pipeline(name, tmp_path):
    doc = yaml.safe_load((ROOT / "examples" / name).read_text(encoding="utf-8"))
    target = doc["jobs"]["replay"] if "jobs" in doc else doc["stages"][0]["jobs"][0]
    target["stepz"] = target.pop("steps")
    broken = tmp_path / name
    broken.write_text(yaml.safe_dump(doc), encoding="utf-8")
    done = _check(broken, SCHEMAS[name])
    assert done.returncode == 1 and "stepz" in done.stdout


def test_github_workflow_uses_federation_replays_prs_and_keeps_the_evidence():
    text = (ROOT / "examples" / "github-actions.yml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    triggers = doc[True]  # YAML 1.1 reads the key `on` as True
    assert {"pull_request", "schedule"} <= set(triggers)
    live = doc["jobs"]["live"]
    assert live["permissions"]["id-token"] == "write" and "AZURE_FEDERATED_TOKEN_FILE" in live["env"]
    assert "SECRET" not in text.upper().replace("NO CLIENT SECRET", "").replace("NO SECRET", "")
    assert "--record-mode none" in str(doc["jobs"]["replay"]["steps"])
    assert "--etd-baseline" in text and "gh run download" in text
    uploads = [s for s in live["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    paths = uploads[0]["with"]["path"]
    assert all(f"*.{ext}" in paths for ext in ("html", "json", "csv", "xml"))
    assert "GITHUB_STEP_SUMMARY" in text


def test_azure_pipeline_uses_federation_and_the_baseline():
    text = (ROOT / "examples" / "azure-pipelines.yml").read_text(encoding="utf-8")
    assert "AZURE_FEDERATED_TOKEN_FILE" in text and "addSpnToEnvironment" in text and "$idToken" in text
    assert "--etd-baseline" in text and "DownloadPipelineArtifact@2" in text and "PublishTestResults@2" in text


def test_junit_summary_renders_the_verdict_and_findings(run_suite, suite_project):
    shutil.rmtree(suite_project / "cassettes")
    shutil.copytree(ROOT / "cassettes", suite_project / "cassettes")
    run_suite()
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "junit_summary.py"), str(suite_project / "junit.xml")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "**DEMO (synthetic tenants) - INCOMPLETE" in done.stdout and "Exit code: `1`" in done.stdout
    assert "| NOT EVALUATED |" in done.stdout and "frank@contoso.example" in done.stdout
