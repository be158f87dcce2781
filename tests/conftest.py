"""Fixtures for the project's own tests: run `pytest tenant_checks` (pytester) against the emulator."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph_emulator import Emulator, Faults

ROOT = Path(__file__).resolve().parents[1]
DEMO_TENANTS = ROOT / "emulator" / "src" / "graph_emulator" / "tenants"
TEST_TENANTS = ROOT / "tests" / "tenants"
AUDITOR_APP_ID = "2b998cf7-3ffa-4e58-9dd3-b3d23f2e584b"
AUDITOR_SECRET = "demo-auditor-secret"
SECRET_ENV = "ETD_TEST_AUDITOR_SECRET"


@pytest.fixture(autouse=True)
def _no_network(loopback_only: None) -> None:
    """No test may reach a real Graph or login endpoint (graph_emulator's loopback guard)."""


def tenant_file(name: str) -> Path:
    """A demo tenant (contoso-demo, fabrikam-demo) or a purpose-built one from tests/tenants/."""
    for base in (DEMO_TENANTS, TEST_TENANTS):
        if (base / f"{name}.yaml").is_file():
            return base / f"{name}.yaml"
    raise FileNotFoundError(name)


@dataclass
class SuiteRun:
    """The outcome of one `pytest tenant_checks` run: per-test outcomes plus the raw result."""

    result: pytest.RunResult
    emulator: Emulator | None
    workdir: Path

    def outcomes(self) -> dict[str, str]:
        """nodeid-ish test id -> passed / failed / error / skipped, from the JUnit XML."""
        import xml.etree.ElementTree as ET

        tree = ET.parse(self.workdir / "junit.xml")
        out: dict[str, str] = {}
        for case in tree.iter("testcase"):
            name = case.get("name", "")
            if case.find("error") is not None:
                out[name] = "error"
            elif case.find("failure") is not None:
                out[name] = "failed"
            elif case.find("skipped") is not None:
                out[name] = "skipped"
            else:
                out[name] = "passed"
        return out

    def with_outcome(self, outcome: str) -> set[str]:
        return {name for name, got in self.outcomes().items() if got == outcome}

    def text(self) -> str:
        return self.result.stdout.str() + self.result.stderr.str()

    def html(self) -> str:
        return (self.workdir / "report.html").read_text(encoding="utf-8")

    def junit(self) -> str:
        return (self.workdir / "junit.xml").read_text(encoding="utf-8")


def write_config(path: Path, tenants: list[tuple[str, str]], **sections: dict) -> Path:
    """A suite config naming `tenants` (name, tenant id) signed in with the auditor's secret from env."""
    lines: list[str] = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {_toml(value)}" for key, value in values.items()]
    for name, tenant_id in tenants:
        lines += [
            "[[tenants]]",
            f'name = "{name}"',
            f'tenant_id = "{tenant_id}"',
            f'client_id = "{AUDITOR_APP_ID}"',
            'credential = "secret"',
            f'secret_env = "{SECRET_ENV}"',
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


@pytest.fixture
def suite_project(pytester: pytest.Pytester) -> Path:
    """A fresh project checkout in a temp dir: tenant_checks/ and the one-line root conftest."""
    shutil.copytree(
        ROOT / "tenant_checks", pytester.path / "tenant_checks", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "conftest.py", pytester.path / "conftest.py")
    (pytester.path / "cassettes").mkdir()
    return pytester.path


@pytest.fixture
def emulator_for() -> Iterator[Callable[..., Emulator]]:
    """Start an emulator on tenant names; every one started is checked for writes at teardown."""
    started: list[Emulator] = []

    def start(*names: str, faults: Faults | None = None, files: list[Path] | None = None) -> Emulator:
        emu = Emulator(tenant_files=[*(tenant_file(n) for n in names), *(files or [])], faults=faults, seed=7)
        emu.start()
        started.append(emu)
        return emu

    yield start
    for emu in started:
        writes = list(emu.stats.writes)
        emu.stop()
        assert writes == [], f"the suite wrote to the tenant: {writes}"


@pytest.fixture
def run_suite(
    pytester: pytest.Pytester, suite_project: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., SuiteRun]:
    """Run `pytest tenant_checks` in-process with JUnit XML and HTML, against an emulator if given."""
    for var in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "ETD_CONFIG", "AZURE_AUTHORITY_HOST"):
        monkeypatch.delenv(var, raising=False)

    def run(
        *args: str,
        emulator: Emulator | None = None,
        subprocess: bool = False,
        secret: str = AUDITOR_SECRET,
        html: bool = True,
        **runner_kwargs: object,
    ) -> SuiteRun:
        base = ["tenant_checks", "-p", "no:cacheprovider", "-p", "no:randomly"]
        base += [f"--junitxml={suite_project / 'junit.xml'}"]
        base += [f"--html={suite_project / 'report.html'}"] if html else []
        if emulator is not None:
            monkeypatch.setenv(SECRET_ENV, secret)
            monkeypatch.setenv("REQUESTS_CA_BUNDLE", emulator.ca_path)
            base += [f"--graph-endpoint={emulator.graph_url}", f"--authority={emulator.authority_url}"]
        runner = pytester.runpytest_subprocess if subprocess else pytester.runpytest
        result = runner(*base, *args, **runner_kwargs)
        return SuiteRun(result=result, emulator=emulator, workdir=suite_project)

    return run


def tenant_ids(*names: str) -> list[tuple[str, str]]:
    """(name, tenant id) pairs read from the tenant files."""
    import yaml

    out = []
    for name in names:
        doc = yaml.safe_load(tenant_file(name).read_text(encoding="utf-8"))
        out.append((doc["tenant"]["name"], doc["tenant"]["id"]))
    return out
