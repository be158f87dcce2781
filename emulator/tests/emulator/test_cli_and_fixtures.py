"""The command line (`python -m graph_emulator`) and the pytest fixture helpers."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from graph_emulator import Emulator
from graph_emulator.fixtures import bundled_tenant, emulator_env

from .conftest import ALPHA, BETA


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "graph_emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_cli_serves_until_interrupted() -> None:
    proc = _cli("--tenant", str(ALPHA), "--tenant", str(BETA), "--port", "0", "--seed", "3", "--throttle", "users=0")
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line.rstrip())
            if line.startswith("Serving"):
                break
        info = dict(line.split(": ", 1) for line in lines if ": " in line and not line.startswith("Tenant"))
        graph = info["Graph URL"].strip()
        assert graph.startswith("http://127.0.0.1:") and graph.endswith("/v1.0")
        assert info["Authority URL"].strip().startswith("https://127.0.0.1:")
        assert Path(info["CA certificate"].strip()).is_file()
        assert any(line.startswith("Tenant alpha: id 11111111-1111-4111-8111-111111111111") for line in lines)
        assert any("auditor appId bbbbbbbb-0000-4000-8000-000000000002" in line for line in lines)
        assert httpx.get(f"{graph}/users").status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_cli_bad_tenant_file_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("tenant: {name: x}\n", encoding="utf-8")
    proc = _cli("--tenant", str(bad), "--port", "0")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and out == ""
    assert err.count("\n") == 1 and "bad.yaml: tenant.id: required" in err and "Traceback" not in err
    proc = _cli("--tenant", str(ALPHA), "--throttle", "users")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "FAMILY=PROBABILITY" in err


def test_fixture_helpers(graph_emulator: Callable[..., Emulator]) -> None:
    emu = graph_emulator(ALPHA)
    env = emulator_env(emu, "alpha")
    assert env == {
        "AZURE_TENANT_ID": "11111111-1111-4111-8111-111111111111",
        "AZURE_CLIENT_ID": "aaaaaaaa-0000-4000-8000-000000000001",
        "AZURE_CLIENT_SECRET": "alpha-secret",
        "AZURE_AUTHORITY_HOST": emu.authority_url,
        "REQUESTS_CA_BUNDLE": emu.ca_path,
    }
    assert emu.graph_url.endswith("/v1.0") and not emu.graph_url.endswith("/")
    assert set(emu.tenants) == {"alpha"}
    assert bundled_tenant("contoso-demo").is_file()


def test_emulator_lifecycle_and_stats_reset(tmp_path: Path) -> None:
    emu = Emulator([ALPHA])
    with emu:
        httpx.get(f"{emu.graph_url}/users")
        assert emu.stats.requests[("GET", "users")] == 1
        counter = emu.stats.requests
        emu.stats.reset()
        assert emu.stats.requests is counter and not counter and emu.stats.writes == []
    emu.stop()  # a second stop is harmless


def test_bundled_demo_tenants_load(graph_emulator: Callable[..., Emulator]) -> None:
    emu = graph_emulator(bundled_tenant("contoso-demo"), bundled_tenant("fabrikam-demo"))
    assert {"contoso-demo", "fabrikam-demo"} == set(emu.tenants)
