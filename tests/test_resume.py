"""`--etd-resume`: an interrupted live fetch continues from its journal, and refuses when it should.

Through `pytest tenant_checks` (the real msgraph-sdk and azure-identity) against the emulator; what is
fetched again is counted by the emulator, not by the suite.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import AUDITOR_SECRET, SECRET_ENV, write_config
from etd_readiness.collect.journal import Journal
from graph_emulator import Emulator, Faults
from graph_emulator.generate import generate_tenant, write_tenant

USERS = 2500  # three pages of 999 users, 125 probe envelopes of 20
MIX = {"none": 0.01, "onPremises": 0.01, "shared": 0.01, "guest": 0.01}
NOT_GRAPH = ("authority", "token")


@pytest.fixture
def scale(tmp_path: Path) -> tuple[Path, dict]:
    doc = generate_tenant(USERS, seed=5, mix=MIX, name="scale")
    path = tmp_path / "scale.json"
    write_tenant(doc, path)
    return path, doc


def _journal(project: Path) -> Path:
    return project / "reports" / ".etd-resume" / "scale.jsonl"


def _graph(emu: Emulator) -> tuple[Counter, int]:
    """Graph requests by method (sign-in not counted), and batch items."""
    gets = Counter(m for (m, fam), n in emu.stats.requests.items() for _ in range(n) if fam not in NOT_GRAPH)
    return gets, sum(emu.stats.batch_items.values())


def _kept(path: Path) -> Counter:
    """What a journal holds: header, GETs and batch items."""
    kinds: Counter = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        kinds["header" if "format" in doc else "get" if "get" in doc else "item"] += 1
    return kinds


def _sigint_when(emu: Emulator, project: Path, config: Path, items: int, sig: int = signal.SIGINT) -> tuple[int, str]:
    """Run `pytest tenant_checks` live in a subprocess; Ctrl-C (or `sig`) once `items` batch items were asked."""
    env = {**os.environ, SECRET_ENV: AUDITOR_SECRET, "REQUESTS_CA_BUNDLE": emu.ca_path}
    for var in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "ETD_CONFIG", "AZURE_AUTHORITY_HOST", "ETD_GRAPH_ENDPOINT"):
        env.pop(var, None)
    cmd = [
        sys.executable, "-m", "pytest", "tenant_checks", "-p", "no:cacheprovider", f"--etd-config={config}",
        f"--graph-endpoint={emu.graph_url}", f"--authority={emu.authority_url}",
        f"--junitxml={project / 'junit.xml'}",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while sum(emu.stats.batch_items.values()) < items and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # polling for an event, not asserting on time
    assert proc.poll() is None, "the fetch ended before it could be interrupted"
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=60)
    return proc.returncode, out.decode("utf-8", "replace")


def test_interrupted_fetch_resumes_without_fetching_again_and_gives_the_same_verdicts(
    run_suite, emulator_for, suite_project, scale
):
    path, doc = scale
    emu = emulator_for(files=[path], faults=Faults(latency_ms=20, batch_item_latency_ms=15))
    config = write_config(suite_project / "etd.toml", [("scale", doc["tenant"]["id"])])

    full = run_suite(f"--etd-config={config}", emulator=emu, html=False)
    assert full.result.ret == pytest.ExitCode.TESTS_FAILED, full.text()
    expected, (full_gets, full_items) = full.outcomes(), _graph(emu)
    assert not _journal(suite_project).exists(), "a completed fetch leaves no journal"
    assert full_gets["GET"] > 3 and full_items > 2000

    emu.stats.reset()
    (suite_project / "junit.xml").unlink()
    code, out = _sigint_when(emu, suite_project, config, items=full_items // 3)
    assert code == pytest.ExitCode.INTERRUPTED, out
    assert "continue with `pytest tenant_checks --etd-resume`" in out, out
    assert "Traceback" not in out and not (suite_project / "junit.xml").exists()
    journal = _journal(suite_project)
    kept = _kept(journal)
    assert kept["header"] == 1 and kept["get"] >= 2 and 0 < kept["item"] < full_items, kept
    text = journal.read_text(encoding="utf-8")
    assert AUDITOR_SECRET not in text and "Bearer" not in text and "eyJ" not in text, "no secret or token"
    assert oct(journal.stat().st_mode & 0o777) == "0o600", "tenant data: readable by its owner only"

    emu.stats.reset()
    resumed = run_suite(f"--etd-config={config}", "--etd-resume", emulator=emu, html=False, subprocess=True)
    assert resumed.result.ret == full.result.ret, resumed.text()
    assert resumed.outcomes() == expected, "the same verdicts as the uninterrupted fetch"
    reused = kept["get"] + kept["item"]  # every journaled answer is used
    assert f"Resumed an interrupted live fetch: {reused:,} answers reused from its journal" in resumed.text()
    gets, items = _graph(emu)
    assert items == full_items - kept["item"], "no journaled batch item is asked again; every other one is"
    assert gets["GET"] == full_gets["GET"] - kept["get"] + 1, "journaled GETs are not sent (one re-reads the org)"
    assert not journal.exists(), "the resumed fetch completed: its journal is gone"


def test_sigterm_keeps_the_journal_like_ctrl_c(emulator_for, suite_project, scale):
    path, doc = scale
    emu = emulator_for(files=[path], faults=Faults(latency_ms=20, batch_item_latency_ms=15))
    config = write_config(suite_project / "etd.toml", [("scale", doc["tenant"]["id"])])
    code, out = _sigint_when(emu, suite_project, config, items=500, sig=signal.SIGTERM)
    assert code == pytest.ExitCode.INTERRUPTED, out
    journal = _journal(suite_project)
    kept = _kept(journal)
    assert f"the {kept['get'] + kept['item']:,} answers fetched so far are kept in reports/.etd-resume" in out, out
    assert "Traceback" not in out and kept["item"] > 0


def _interrupt_in_process(run_suite, emu, config, monkeypatch, after: int, *args: str):
    """A live run Ctrl-C'd (in-process) once `after` answers were journaled; the journal is left."""
    keep_all = Journal.keep_all

    def keep_then_interrupt(self, answers):
        keep_all(self, answers)
        if self.written >= after:
            raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Journal, "keep_all", keep_then_interrupt)
        run = run_suite(f"--etd-config={config}", *args, emulator=emu, html=False, no_reraise_ctrlc=True)
    assert run.result.ret == pytest.ExitCode.INTERRUPTED, run.text()
    return run


def _refused(run, emu: Emulator, project: Path, line: str) -> None:
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR, run.text()
    assert line in run.text(), run.text()
    assert "Traceback" not in run.text()
    assert not (project / "junit.xml").exists(), "nothing written"
    gets, items = _graph(emu)
    assert gets["POST"] == 0 and items == 0, "no mailbox was probed"


@pytest.fixture
def interrupted(run_suite, emulator_for, suite_project, scale, monkeypatch):
    """An emulator, a config and a journal of a fetch interrupted after 300 answers."""
    path, doc = scale
    emu = emulator_for(files=[path])
    config = write_config(suite_project / "etd.toml", [("scale", doc["tenant"]["id"])])
    _interrupt_in_process(run_suite, emu, config, monkeypatch, after=300)
    assert _kept(_journal(suite_project))["item"] > 0
    emu.stats.reset()
    return emu, config, doc


def test_a_changed_config_refuses_to_resume(run_suite, suite_project, interrupted):
    emu, config, doc = interrupted
    write_config(config, [("scale", doc["tenant"]["id"])], protection={"exclude": ["someone@example.com"]})
    run = run_suite(f"--etd-config={config}", "--etd-resume", emulator=emu, html=False)
    _refused(
        run,
        emu,
        suite_project,
        "the config changed since the interrupted fetch of tenant scale: the protected scope; "
        "run without --etd-resume to fetch afresh",
    )
    assert _journal(suite_project).exists(), "a refusal keeps the journal (the old config can still resume)"


@pytest.mark.parametrize("damage", ["garbage", "header"])
def test_a_corrupt_journal_refuses_to_resume(run_suite, suite_project, interrupted, damage):
    emu, config, _ = interrupted
    journal = _journal(suite_project)
    lines = journal.read_text(encoding="utf-8").splitlines()
    if damage == "garbage":
        lines[2] = lines[2][: len(lines[2]) // 2]
    else:
        lines[0] = json.dumps({"tenant": "scale"})
    journal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = run_suite(f"--etd-config={config}", "--etd-resume", emulator=emu, html=False)
    said = "is corrupt (line 3:" if damage == "garbage" else "is not a fetch journal of this suite version"
    _refused(run, emu, suite_project, said)


def test_a_journal_older_than_a_day_refuses_to_resume(run_suite, suite_project, interrupted):
    emu, config, _ = interrupted
    journal = _journal(suite_project)
    lines = journal.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])
    head["started"] = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)).isoformat()
    journal.write_text("\n".join([json.dumps(head), *lines[1:]]) + "\n", encoding="utf-8")
    run = run_suite(f"--etd-config={config}", "--etd-resume", emulator=emu, html=False)
    _refused(run, emu, suite_project, "more than 24 h ago: the tenant may have changed since")


def test_a_line_cut_short_by_a_crash_is_dropped_and_fetched_again(run_suite, suite_project, interrupted):
    emu, config, _ = interrupted
    journal = _journal(suite_project)
    data = journal.read_bytes()
    journal.write_bytes(data[: len(data) - 40])  # the last answer half-written (a kill -9 or a full disk)
    kept = _kept_complete(journal)
    run = run_suite(f"--etd-config={config}", "--etd-resume", emulator=emu, html=False)
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED, run.text()
    _, items = _graph(emu)
    assert not journal.exists()
    outcomes = run.outcomes()
    emu.stats.reset()
    full = run_suite(f"--etd-config={config}", emulator=emu, html=False)
    assert full.outcomes() == outcomes, "the same verdicts as an uninterrupted fetch"
    assert kept["item"] > 0 and items == _graph(emu)[1] - kept["item"], "the cut answer was asked again"


def test_a_resumed_fetch_interrupted_again_resumes_again(run_suite, suite_project, interrupted, monkeypatch):
    emu, config, _ = interrupted
    journal = _journal(suite_project)
    first = _kept(journal)
    run = _interrupt_in_process(run_suite, emu, config, monkeypatch, 200, "--etd-resume")
    assert "continue with `pytest tenant_checks --etd-resume`" in run.text()
    second = _kept(journal)
    assert second["header"] == 1 and second["item"] > first["item"], (first, second)
    emu.stats.reset()
    resumed = run_suite(f"--etd-config={config}", "--etd-resume", emulator=emu, html=False)
    _, items = _graph(emu)
    assert not journal.exists()
    emu.stats.reset()
    full = run_suite(f"--etd-config={config}", emulator=emu, html=False)
    assert resumed.outcomes() == full.outcomes()
    assert items == _graph(emu)[1] - second["item"], "both runs' answers were reused"


def _kept_complete(path: Path) -> Counter:
    text = path.read_text(encoding="utf-8")
    whole = text[: text.rfind("\n") + 1]
    cut = path.with_suffix(".whole")
    cut.write_text(whole, encoding="utf-8")
    try:
        return _kept(cut)
    finally:
        cut.unlink()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_changed_tenant_refuses_to_resume(run_suite, suite_project, scale, monkeypatch, tmp_path):
    path, doc = scale
    ports = {"port": _free_port(), "auth_port": _free_port()}
    config = write_config(suite_project / "etd.toml", [("scale", doc["tenant"]["id"])])
    with Emulator([path], seed=7, **ports) as before:
        _interrupt_in_process(run_suite, before, config, monkeypatch, after=300)
    doc["tenant"]["displayName"] = "Renamed since"
    changed = tmp_path / "changed.json"
    write_tenant(doc, changed)
    with Emulator([changed], seed=7, **ports) as after:  # the same Graph URL, the tenant renamed
        run = run_suite(f"--etd-config={config}", "--etd-resume", emulator=after, html=False)
        _refused(run, after, suite_project, "--etd-resume: tenant scale changed since the interrupted fetch")


def test_resume_without_a_journal_or_with_a_recording_is_a_usage_error(
    run_suite, emulator_for, suite_project, scale, tmp_path
):
    path, doc = scale
    emu = emulator_for(files=[path])
    config = write_config(suite_project / "etd.toml", [("scale", doc["tenant"]["id"])])
    run = run_suite(f"--etd-config={config}", "--etd-resume", emulator=emu, html=False)
    _refused(run, emu, suite_project, "--etd-resume: no interrupted fetch of tenant scale to continue")
    run = run_suite(
        f"--etd-config={config}", "--etd-resume", "--record-mode=rewrite", f"--cassette-dir={tmp_path}", emulator=emu
    )
    _refused(run, emu, suite_project, "a recording (--record-mode) is not resumed")
    assert not list(tmp_path.glob("*.yaml"))
