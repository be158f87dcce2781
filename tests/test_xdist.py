"""pytest-xdist: the controller fetches (or replays) once, workers only evaluate, one complete report."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil

from conftest import ROOT, tenant_ids, write_config

C = "contoso-demo"
F = "fabrikam-demo"


def _config(project):
    return write_config(
        project / "demo.toml",
        tenant_ids(C, F),
        protection={"addresses": ["ghost@contoso.example", "alice@contoso.example"]},
    )


RESULT = {"Passed": "passed", "Failed": "failed", "Error": "error", "Skipped": "skipped"}


def _assert_one_complete_report(run) -> None:
    """Exactly one HTML report; every test of the run that is not a passed tenant check in it exactly once,
    with its JUnit outcome, and the passes counted; the suite's run facts once; and both workers' results in
    it (so it is the merged report, not one worker's)."""
    assert sorted(p.name for p in run.workdir.rglob("*.html")) == ["report.html"], "one report"
    page = run.html()
    blob = json.loads(html.unescape(re.search(r'data-jsonblob="([^"]*)"', page).group(1)))
    rows = blob["tests"]
    assert all(len(results) == 1 for results in rows.values()), "each test reported once"
    in_report = {node.split("::")[-1]: RESULT[results[0]["result"]] for node, results in rows.items()}
    outcomes = run.outcomes()
    assert in_report == {n: o for n, o in outcomes.items() if o != "passed"}, "what needs action, with outcomes"
    passed = sum(1 for o in outcomes.values() if o == "passed")
    assert passed and f"{passed} Passed (counted, not listed)" in page, "every pass counted"
    assert page.count("<h2>Run</h2>") == 1, "the run facts once"
    workers = {m for results in rows.values() for m in re.findall(r"\[(gw\d+)\]", results[0].get("log", ""))}
    assert workers == {"gw0", "gw1"}, f"results from both workers: {workers}"


def _verdict_and_csv(run) -> tuple[str, list[dict[str, str]]]:
    """The verdict line (the last line before pytest's count) and the per-mailbox CSV rows."""
    lines = [line for line in run.text().splitlines() if line.strip()]
    rows = list(csv.DictReader((run.workdir / "report.csv").open(encoding="utf-8")))
    return lines[-2], sorted(rows, key=lambda r: (r["tenant"], r["mailbox"]))


def test_two_workers_give_the_same_outcomes_and_fetch_once(run_suite, emulator_for, suite_project):
    emu = emulator_for(C, F)
    config = _config(suite_project)
    serial = run_suite(f"--etd-config={config}", "-n", "0", emulator=emu, subprocess=True)
    serial_requests = dict(emu.stats.requests)
    assert serial_requests[("GET", "users")] == 2, "one user listing per tenant"
    emu.stats.reset()

    parallel = run_suite(f"--etd-config={config}", "-n", "2", emulator=emu, subprocess=True)
    assert parallel.outcomes() == serial.outcomes(), parallel.text()
    assert parallel.result.ret == serial.result.ret
    assert emu.stats.requests[("GET", "users")] == 2, "fetched once per run, not once per worker"
    assert emu.stats.requests[("POST", "token")] == serial_requests[("POST", "token")], "signed in once per run"
    assert dict(emu.stats.requests) == serial_requests
    _assert_one_complete_report(parallel)


def test_two_workers_replay_a_cassette(run_suite, suite_project):
    cassettes = suite_project / "cassettes"
    for name in (C, F):
        shutil.copy(ROOT / "cassettes" / f"{name}.yaml", cassettes)
    config = _config(suite_project)
    serial = run_suite(f"--etd-config={config}", "--record-mode=none", "-n", "0", subprocess=True)
    parallel = run_suite(f"--etd-config={config}", "--record-mode=none", "-n", "2", subprocess=True)
    assert parallel.outcomes() == serial.outcomes(), parallel.text()
    assert f"replayed from {C}.yaml, {F}.yaml" in parallel.text()
    _assert_one_complete_report(parallel)
    verdict, rows = _verdict_and_csv(parallel)
    assert (verdict, rows) == _verdict_and_csv(serial), "the same verdict and per-mailbox CSV with workers"
    assert verdict.startswith("INCOMPLETE - 2 test(s) could not be evaluated") and len(rows) == 23  # mallory x2
