"""The product's wheel, installed in a fresh virtual environment without the emulator, replays the demo.

Offline: the wheel is built without build isolation (setuptools comes with the test extra) and installed
with --no-deps into a new venv whose only other packages are the test venv's third-party distributions,
reached through a directory of links to them: the emulator and the editable etd-readiness are left out,
so `import graph_emulator` fails there exactly as after `pip install etd-readiness`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# What a checkout holds that the wheel is built from (copied, so the build leaves nothing in the repo).
BUILD_INPUTS = ("pyproject.toml", "README.md", "src", "tenant_checks", "cassettes")
# Distributions of the test venv the fresh venv must not see.
LEFT_OUT = ("graph_emulator", "etd_graph_emulator", "etd_readiness", "__editable__", "_distutils_hack")


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _build_wheel(tmp: Path) -> Path:
    src = tmp / "checkout"
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    dist = tmp / "dist"
    built = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-q",
        "-w",
        dist,
        src,
        cwd=tmp,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("etd_readiness-*.whl")
    return wheel


def _fresh_venv(tmp: Path, wheel: Path) -> Path:
    """A venv holding the wheel, and the test venv's third-party packages minus the emulator."""
    venv = tmp / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    deps = tmp / "deps"
    deps.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.suffix != ".pth" and not entry.name.startswith(LEFT_OUT):
            (deps / entry.name).symlink_to(entry)
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp).stdout.strip()
    (Path(site) / "test-venv-deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    installed = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel, cwd=tmp
    )
    assert installed.returncode == 0, installed.stderr
    return python


def _clean_env() -> dict[str, str]:
    """No tenant configured, nothing pointing back into the checkout."""
    drop = ("AZURE_", "ETD_", "PYTHON", "PYTEST_", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(tmp)
    return wheel, _fresh_venv(tmp, wheel)


def test_wheel_ships_the_product_checks_and_demo_and_no_emulator(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {
        f"etd_readiness/{p.relative_to(ROOT / 'src' / 'etd_readiness')}" for p in ROOT.glob("src/etd_readiness/**/*.py")
    }
    assert modules <= names, f"missing from the wheel (list the package in pyproject.toml): {modules - names}"
    checks = {f"etd_readiness/tenant_checks/{p.name}" for p in (ROOT / "tenant_checks").glob("*.py")}
    assert checks <= names
    assert {
        f"etd_readiness/demo_cassettes/{n}"
        for n in ("demo.toml", "contoso-demo.yaml", "fabrikam-demo.yaml", "northwind-demo.yaml")
    } <= names
    assert not [n for n in names if "graph_emulator" in n or n.startswith(("tests/", "bench/"))]
    meta = zipfile.ZipFile(wheel).read(f"{wheel.name.split('-py3')[0]}.dist-info/METADATA").decode()
    requires = [line for line in meta.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]
    # cryptography is the product's own (Ed25519 evidence signatures); pyjwt is only the emulator's
    assert not [r for r in requires if any(d in r.lower() for d in ("emulator", "pyjwt", "ruff"))]
    assert "Classifier: Framework :: Pytest" in meta and "Project-URL:" in meta
    assert re.search(r"^License(-Expression)?: MIT$", meta, re.MULTILINE)
    entry_points = zipfile.ZipFile(wheel).read(f"{wheel.name.split('-py3')[0]}.dist-info/entry_points.txt").decode()
    assert "[pytest11]" in entry_points and "etd_readiness.plugin" in entry_points


def test_installed_wheel_replays_the_demo_from_any_directory(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, python = installed
    env = _clean_env()
    where = _run(python, "-c", "import etd_readiness; print(etd_readiness.__file__)", cwd=tmp_path, env=env)
    assert where.returncode == 0 and str(python.parents[1]) in where.stdout, where
    run = _run(
        python,
        "-m",
        "pytest",
        "--pyargs",
        "etd_readiness.tenant_checks",
        "-p",
        "no:cacheprovider",
        cwd=tmp_path,
        env=env,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1, out  # the demo tenants have findings
    assert "replayed the bundled demo tenant" in out
    failed = [line for line in out.splitlines() if line.startswith("FAILED ")]
    assert any("[contoso-demo:" in line for line in failed) and any("[fabrikam-demo:" in line for line in failed)
    assert "passed" in out.splitlines()[-1] and "Traceback" not in out
    reports = list((tmp_path / "reports").glob("etd-readiness-*.html"))
    assert len(reports) == 1 and "contoso-demo" in reports[0].read_text(encoding="utf-8")


def test_without_the_emulator_the_demo_server_says_how_to_install_it(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, python = installed
    env = _clean_env()
    assert _run(python, "-c", "import graph_emulator", cwd=tmp_path, env=env).returncode != 0
    serve = _run(python, "-m", "etd_readiness.demo", "serve", cwd=tmp_path, env=env)
    lines = (serve.stdout + serve.stderr).strip().splitlines()
    assert serve.returncode != 0 and len(lines) == 1, lines
    assert "pip install" in lines[0] and "emulator" in lines[0]
