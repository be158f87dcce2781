"""Record / replay with vcrpy cassettes: same outcomes offline, clear cassette errors, no secret recorded.

Every recording here is made live against the emulator; every replay runs with the emulator stopped (or
never started), so a replay that still needed the network could not pass.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from vcr.cassette import Cassette
from vcr.serialize import deserialize
from vcr.serializers import yamlserializer

from conftest import AUDITOR_APP_ID, ROOT, SECRET_ENV, tenant_file, tenant_ids, write_config
from etd_readiness import session
from graph_emulator import Faults
from graph_emulator.certs import generate_app_certificate

C = "contoso-demo"
F = "fabrikam-demo"
N = "northwind-demo"
DEMO_ADDRESSES = ["ghost@contoso.example", "alice@contoso.example"]
USAGE_ERROR = pytest.ExitCode.USAGE_ERROR  # 4
# the auditor app is scoped out of mallory's mailbox by an access policy: NOT EVALUATED in every demo run
MALLORY = "test_etd_can_remediate_mailbox[contoso-demo:mallory@contoso.example]"
MALLORY_LICENCE = "test_protected_user_holds_exchange_online_licence[contoso-demo:mallory@contoso.example]"
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")


def _demo_config(project: Path, **protection) -> Path:
    return write_config(project / "demo.toml", tenant_ids(C, F), protection={"addresses": DEMO_ADDRESSES, **protection})


def _load(path: Path) -> tuple[list, list, dict]:
    """A cassette as vcrpy itself reads it: requests, responses and metadata."""
    requests, responses, *metadata = deserialize(path.read_text(encoding="utf-8"), yamlserializer)
    return requests, responses, (metadata[0] if metadata else {})


def _record(run_suite, emu, config: Path, cassettes: Path, *args: str, mode: str = "rewrite"):
    return run_suite(
        f"--etd-config={config}", f"--record-mode={mode}", f"--cassette-dir={cassettes}", *args, emulator=emu
    )


def _replay(run_suite, config: Path, cassettes: Path, *args: str, **kwargs):
    return run_suite(f"--etd-config={config}", "--record-mode=none", f"--cassette-dir={cassettes}", *args, **kwargs)


# -- record, then replay offline ----------------------------------------------------------------------


def test_record_then_replay_gives_the_same_outcomes(run_suite, emulator_for, suite_project, tmp_path):
    emu = emulator_for(C, F)
    config, cassettes = _demo_config(suite_project), tmp_path / "cassettes"
    recorded = _record(run_suite, emu, config, cassettes)
    assert recorded.result.ret == pytest.ExitCode.TESTS_FAILED, recorded.text()
    assert recorded.with_outcome("failed") and recorded.with_outcome("passed")
    emu.stop()

    assert sorted(p.name for p in cassettes.iterdir()) == [f"{C}.yaml", f"{F}.yaml"], "one cassette per tenant"
    for name in (C, F):
        requests, responses, metadata = _load(cassettes / f"{name}.yaml")
        assert requests and len(requests) == len(responses)
        assert all(r.uri.startswith("https://graph.microsoft.com/v1.0/") for r in requests), "canonical Graph host"
        assert metadata["etd_readiness"]["tenant"] == name
        assert len(Cassette.load(path=str(cassettes / f"{name}.yaml"), record_mode="none")) == len(requests)
    assert any(r.uri.endswith("/$batch") for r in _load(cassettes / f"{C}.yaml")[0]), "mailbox probes recorded"

    replayed = _replay(run_suite, config, cassettes)
    assert replayed.outcomes() == recorded.outcomes(), replayed.text()
    assert replayed.result.ret == recorded.result.ret
    assert f"replayed from {C}.yaml, {F}.yaml" in replayed.text()
    assert f"replayed from {C}.yaml, {F}.yaml" in replayed.html()
    recorded_at = _load(cassettes / f"{C}.yaml")[2]["etd_readiness"]["recorded_at"]
    assert recorded_at in replayed.html(), "the report dates the data to the recording, not to the replay"


def test_live_run_records_nothing(run_suite, emulator_for, suite_project, tmp_path):
    emu = emulator_for(C, F)
    run = run_suite(f"--etd-config={_demo_config(suite_project)}", f"--cassette-dir={tmp_path}", emulator=emu)
    assert run.with_outcome("failed") and "live (" in run.text()
    assert list(tmp_path.iterdir()) == [] and list((suite_project / "cassettes").iterdir()) == []


def test_record_mode_once_records_when_missing_then_replays(run_suite, emulator_for, suite_project, tmp_path):
    emu = emulator_for(C, F)
    config, cassettes = _demo_config(suite_project), tmp_path / "cassettes"
    first = _record(run_suite, emu, config, cassettes, mode="once")
    assert (cassettes / f"{C}.yaml").is_file() and (cassettes / f"{F}.yaml").is_file()
    assert emu.stats.requests[("GET", "users")] == 2, "one user listing per tenant"
    emu.stats.reset()

    second = _record(run_suite, emu, config, cassettes, mode="once")
    assert emu.stats.total_requests() == 0, f"a present cassette is replayed, not re-fetched: {emu.stats.requests}"
    assert second.outcomes() == first.outcomes()
    assert "replayed from" in second.text()


def test_new_episodes_and_all_are_accepted(run_suite, emulator_for, suite_project, tmp_path):
    emu = emulator_for(C, F)
    config, cassettes = _demo_config(suite_project), tmp_path / "cassettes"
    baseline = _record(run_suite, emu, config, cassettes).outcomes()
    count = {name: len(_load(cassettes / f"{name}.yaml")[0]) for name in (C, F)}

    emu.stats.reset()
    episodes = _record(run_suite, emu, config, cassettes, mode="new_episodes")
    assert episodes.outcomes() == baseline, episodes.text()
    graph = {key: n for key, n in emu.stats.requests.items() if key[1] not in ("token", "authority")}
    assert graph == {}, f"new_episodes replays the requests it already has: {graph}"
    assert {name: len(_load(cassettes / f"{name}.yaml")[0]) for name in (C, F)} == count

    emu.stats.reset()
    everything = _record(run_suite, emu, config, cassettes, mode="all")
    assert everything.outcomes() == baseline, everything.text()
    assert emu.stats.requests[("GET", "users")] == 2, "all re-records every request"
    assert {name: len(_load(cassettes / f"{name}.yaml")[0]) for name in (C, F)} == count, (
        "re-recorded, not doubled (the re-probe batch of the non-200 mailboxes must list them in a fixed order, "
        "not in the order the first batch's answers arrived)"
    )


# -- cassette errors: one clear line, exit code 4, nothing written ---------------------------------------


def _demo_cassettes(tmp_path: Path) -> Path:
    """A copy of the committed demo cassettes (they match the demo config)."""
    cassettes = tmp_path / "cassettes"
    cassettes.mkdir()
    for name in (C, F, N):
        shutil.copy(ROOT / "cassettes" / f"{name}.yaml", cassettes)
    return cassettes


def _drop_interaction(path: Path, uri_part: str) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    kept = [i for i in doc["interactions"] if uri_part not in i["request"]["uri"]]
    assert len(kept) == len(doc["interactions"]) - 1
    doc["interactions"] = kept
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")


def _assert_one_clear_error(run, *expected: str) -> None:
    assert run.result.ret == USAGE_ERROR, run.text()
    text = run.text()
    assert "Traceback" not in text and "INTERNALERROR" not in text, text
    errors = [line for line in text.splitlines() if line.strip()]
    assert len(errors) == 1, f"one line, not:\n{text}"
    for part in expected:
        assert part in errors[0], errors[0]
    assert "--record-mode=rewrite" in errors[0] and "python -m etd_readiness.demo record" in errors[0]
    assert not (run.workdir / "report.html").exists(), "no half-written HTML report"
    assert not (run.workdir / "snapshot.json").exists(), "no snapshot"


def test_missing_cassette_is_one_clear_error(run_suite, suite_project, tmp_path):
    cassettes = _demo_cassettes(tmp_path)
    (cassettes / f"{F}.yaml").unlink()
    run = _replay(
        run_suite, _demo_config(suite_project), cassettes, f"--etd-save-snapshot={suite_project / 'snapshot.json'}"
    )
    _assert_one_clear_error(run, str(cassettes / f"{F}.yaml"), "does not exist")


@pytest.mark.parametrize(
    "garbage",
    [
        "interactions: [\n  - {{{ : not yaml",
        "just a string",
        "\udcff",  # not UTF-8 (written with surrogateescape)
        "interactions:\n- request: {uri: x}\nmetadata: {etd_readiness: {}}\n",
        "version: 1\ninteractions: []\nmetadata: {etd_readiness: {tenant: contoso-demo}}\n",
    ],
    ids=["bad-yaml", "not-a-mapping", "not-utf8", "bad-interaction", "no-auditor"],
)
def test_corrupt_cassette_is_one_clear_error(run_suite, suite_project, tmp_path, garbage):
    cassettes = _demo_cassettes(tmp_path)
    (cassettes / f"{C}.yaml").write_bytes(garbage.encode("utf-8", "surrogateescape"))
    run = _replay(
        run_suite, _demo_config(suite_project), cassettes, f"--etd-save-snapshot={suite_project / 'snapshot.json'}"
    )
    _assert_one_clear_error(run, str(cassettes / f"{C}.yaml"))


def test_request_missing_from_the_cassette_is_named(run_suite, suite_project, tmp_path):
    """In a subprocess, so stray 'Task exception was never retrieved' noise on stderr would show."""
    cassettes = _demo_cassettes(tmp_path)
    _drop_interaction(cassettes / f"{C}.yaml", "/subscribedSkus")
    run = _replay(
        run_suite,
        _demo_config(suite_project),
        cassettes,
        f"--etd-save-snapshot={suite_project / 'snapshot.json'}",
        subprocess=True,
    )
    _assert_one_clear_error(run, "GET https://graph.microsoft.com/v1.0/subscribedSkus", str(cassettes / f"{C}.yaml"))


def test_config_asking_for_more_than_was_recorded_is_named(run_suite, suite_project, tmp_path):
    """ETD's app id given after the recording: ETD is looked up by id, a request the cassette lacks."""
    app_id = "d5be90f8-3d42-4d66-bf70-77a9473a67ab"
    run = _replay(run_suite, _demo_config(suite_project), _demo_cassettes(tmp_path), f"--etd-app-id={app_id}")
    _assert_one_clear_error(run, f"appId%20eq%20'{app_id}'", f"{C}.yaml")


# -- throttling: recorded 429s replay without waiting ----------------------------------------------------


def test_replay_does_not_sleep_on_recorded_throttling(run_suite, emulator_for, suite_project, tmp_path, monkeypatch):
    faults = Faults(throttle={"users": 1.0}, max_faults=1, retry_after="int", retry_after_seconds=0)
    emu = emulator_for("healthy", faults=faults)
    config = write_config(suite_project / "etd.toml", tenant_ids("healthy"))
    cassettes = tmp_path / "cassettes"
    recorded = _record(run_suite, emu, config, cassettes)
    assert emu.stats.requests[("GET", "users")] == 2, "throttled once, then retried"
    emu.stop()

    path = cassettes / "healthy.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    throttled = [i["response"] for i in doc["interactions"] if i["response"]["status"]["code"] == 429]
    assert len(throttled) == 1 and throttled[0]["headers"]["retry-after"] == ["0"], "429 and Retry-After recorded"
    throttled[0]["headers"]["retry-after"] = ["60"]
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")

    asked: list[float] = []
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def replay_sleep(seconds: float) -> None:
        asked.append(seconds)

    async def counting_sleep(seconds: float, *args, **kwargs):
        if seconds >= 1:
            slept.append(seconds)
        return await real_sleep(0, *args, **kwargs)

    monkeypatch.setattr(session, "_no_sleep", replay_sleep)
    monkeypatch.setattr(asyncio, "sleep", counting_sleep)
    replayed = _replay(run_suite, config, cassettes)  # in-process: the patched functions are the ones used
    assert replayed.outcomes() == recorded.outcomes(), replayed.text()
    assert replayed.with_outcome("error") == set()
    # the recorded Retry-After is read (the 429 replayed, then its retry); requests sent while it holds
    # wait out what is left of it (in replay: no time)
    assert asked and asked[0] == 60 and all(0 < s <= 60 for s in asked), asked
    assert slept == [], f"replay waited on a recorded Retry-After: {slept}"


# -- secrets are never recorded ---------------------------------------------------------------------------

CANARY = "CANARY-SECRET-7f3a9c"


def _canary_tenant(tmp_path: Path) -> tuple[Path, bytes]:
    """contoso-demo whose auditor signs in with a canary secret or a freshly generated certificate."""
    bundle = generate_app_certificate()
    pem = tmp_path / "auditor.pem"
    pem.write_bytes(bundle.combined_pem)
    doc = yaml.safe_load(tenant_file(C).read_text(encoding="utf-8"))
    doc["auditor"]["secret"] = CANARY
    doc["auditor"]["certificate"] = str(pem)
    path = tmp_path / "canary-tenant.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path, bundle.key_pem


def _certificate_config(path: Path, pem: Path) -> Path:
    tenant_id = tenant_ids(C)[0][1]
    path.write_text(
        textwrap.dedent(
            f"""
            [protection]
            addresses = {DEMO_ADDRESSES!r}

            [[tenants]]
            name = "{C}"
            tenant_id = "{tenant_id}"
            client_id = "{AUDITOR_APP_ID}"
            credential = "certificate"
            certificate_path = "{pem}"
            """
        ).replace("'", '"'),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("credential", ["secret", "certificate"])
def test_no_secret_token_or_assertion_is_ever_written(run_suite, emulator_for, suite_project, tmp_path, credential):
    tenant, key_pem = _canary_tenant(tmp_path)
    emu = emulator_for(files=[tenant])
    if credential == "secret":
        config = write_config(suite_project / "etd.toml", tenant_ids(C), protection={"addresses": DEMO_ADDRESSES})
    else:
        config = _certificate_config(suite_project / "etd.toml", tmp_path / "auditor.pem")
    cassettes, log, snapshot = tmp_path / "cassettes", tmp_path / "run.log", tmp_path / "snapshot.json"
    run = run_suite(
        f"--etd-config={config}",
        "--record-mode=rewrite",
        f"--cassette-dir={cassettes}",
        f"--etd-save-snapshot={snapshot}",
        f"--log-file={log}",
        "--log-file-level=DEBUG",
        "--log-level=DEBUG",
        emulator=emu,
        secret=CANARY,
        subprocess=True,
    )
    assert emu.stats.requests[("POST", "token")] >= 1, "signed in through the real credential"
    assert emu.stats.requests[("GET", "users")] == 1
    assert run.with_outcome("failed") and run.with_outcome("error") == {MALLORY, MALLORY_LICENCE}, run.text()
    assert log.stat().st_size > 0, "the DEBUG log was written"

    key_lines = [line for line in key_pem.decode().splitlines() if line and not line.startswith("-----")]
    written = {str(p): p.read_text(encoding="utf-8", errors="replace") for p in cassettes.iterdir()}
    written |= {"report.html": run.html(), "junit.xml": run.junit(), "run.log": log.read_text(encoding="utf-8")}
    written |= {"snapshot": snapshot.read_text(encoding="utf-8")}
    written |= {"stdout": run.result.stdout.str(), "stderr": run.result.stderr.str()}
    for where, text in written.items():
        for needle in (CANARY, "PRIVATE KEY", key_lines[1], key_lines[-1], "client_assertion", "Bearer "):
            assert needle not in text, f"{needle!r} written to {where}"
        assert not JWT.search(text), f"a JWT in {where}: {JWT.search(text).group(0)[:40]}..."
    for path in cassettes.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "authorization" not in text.lower(), f"an Authorization header in {path}"
        uris = [r.uri for r in _load(path)[0]]
        assert uris and not [u for u in uris if "/oauth2/" in u or "/token" in u], "token traffic recorded"


# -- the demo tenant is the default -------------------------------------------------------------------------


def _copy_demo(project: Path) -> None:
    shutil.rmtree(project / "cassettes")
    shutil.copytree(ROOT / "cassettes", project / "cassettes", ignore=shutil.ignore_patterns("*.html"))


def test_no_tenant_configured_replays_the_demo_without_network(run_suite, suite_project, monkeypatch):
    _copy_demo(suite_project)

    def no_network(*args, **kwargs):
        raise OSError("the demo replay must not open any connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    run = run_suite()
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED, run.text()
    text = run.text()
    assert "replayed the bundled demo tenant" in text
    assert "AZURE_TENANT_ID" in text and "--etd-config" in text, "says how to point the suite at a real tenant"
    html = run.html()
    assert f"replayed from {C}.yaml, {F}.yaml, {N}.yaml" in html
    assert "DEMO - ETD remediation readiness - contoso-demo, fabrikam-demo, northwind-demo" in html
    verdict = "DEMO (synthetic tenants) - INCOMPLETE - 3 test(s) could not be evaluated"  # mallory x2, a junk row
    assert verdict in html and verdict in [line for line in text.splitlines() if line.strip()][-2]
    assert run.with_outcome("error") == {
        MALLORY,
        MALLORY_LICENCE,
        "test_remediation_error_is_explained[demo-error-log.csv:12:not an address]",
    }
    failed = run.with_outcome("failed")
    assert f"test_etd_can_remediate_mailbox[{C}:frank@contoso.example]" in failed
    assert f"test_etd_can_remediate_mailbox[{N}:xavier@northwind.example]" in failed
    assert len(failed) == 28 + 5, (
        "the demo's findings and the error log's 5 broken mailboxes (test_suite_demo names each)"
    )


def test_committed_demo_cassettes_are_up_to_date(run_suite, suite_project, pytester, monkeypatch, tmp_path):
    """Re-record with the documented command and compare with what is committed."""
    _copy_demo(suite_project)
    committed = tmp_path / "committed"
    shutil.copytree(ROOT / "cassettes", committed)
    monkeypatch.delenv(SECRET_ENV, raising=False)
    result = pytester.run(
        sys.executable,
        "-m",
        "etd_readiness.demo",
        "record",
        f"--root={suite_project}",
        timeout=120,
    )
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    fresh = suite_project / "cassettes"
    assert sorted(p.name for p in fresh.glob("*.yaml")) == [f"{C}.yaml", f"{F}.yaml", f"{N}.yaml"]
    for name in (C, F, N):
        old, new = _load(committed / f"{name}.yaml")[0], _load(fresh / f"{name}.yaml")[0]
        assert sorted((r.method, r.uri, r.body) for r in new) == sorted((r.method, r.uri, r.body) for r in old), (
            f"cassettes/{name}.yaml is stale: re-record it with python -m etd_readiness.demo record"
        )
    config = committed / "demo.toml"
    assert _replay(run_suite, config, fresh).outcomes() == _replay(run_suite, config, committed).outcomes()


# -- corrupt bodies, deterministic order, interrupts --------------------------------------------------


def test_a_response_body_that_is_not_json_is_a_corrupt_cassette_named_by_interaction(
    run_suite, suite_project, tmp_path
):
    cassettes = _demo_cassettes(tmp_path)
    path = cassettes / f"{C}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    index = next(i for i, item in enumerate(doc["interactions"]) if "/subscribedSkus" in item["request"]["uri"])
    doc["interactions"][index]["response"]["body"]["string"] = '{"value": [{"skuId": '
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    run = _replay(run_suite, _demo_config(suite_project), cassettes)
    _assert_one_clear_error(
        run,
        f"cassette {path} is corrupt: interaction {index} (GET https://graph.microsoft.com/v1.0/subscribedSkus",
        "has a response body that is not valid JSON",
    )
    assert "is not in cassette" not in run.text()


def test_re_recording_writes_the_same_bytes_in_a_sorted_order(
    run_suite, emulator_for, suite_project, tmp_path, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # what `python -m etd_readiness.demo record` sets
    config = _demo_config(suite_project)
    first, second = tmp_path / "first", tmp_path / "second"
    _record(run_suite, emulator_for(C, F), config, first)  # a fresh emulator, same seed: the same tenant data
    _record(run_suite, emulator_for(C, F), config, second)  # (it varies e.g. which 404 an unlicensed user gets)
    for name in (C, F):
        assert (first / f"{name}.yaml").read_bytes() == (second / f"{name}.yaml").read_bytes(), name
        requests = _load(first / f"{name}.yaml")[0]
        keys = [(r.method, r.uri, r.body or b"") for r in requests]
        assert keys == sorted(keys), "interactions sorted by method, URL, body"
    assert not [p for p in first.iterdir() if p.name.startswith(".")], "no temporary file left behind"
    assert _load(first / f"{C}.yaml")[2]["etd_readiness"]["recorded_at"] == "2026-01-01T00:00:00+00:00"


def test_throttled_repeats_keep_their_recorded_order_and_replay(run_suite, emulator_for, suite_project, tmp_path):
    emu = emulator_for(C, F, faults=Faults(throttle={"users": 1.0}, max_faults=1, retry_after_seconds=0))
    config, cassettes = _demo_config(suite_project), tmp_path / "cassettes"
    recorded = _record(run_suite, emu, config, cassettes)
    requests, responses, _ = _load(cassettes / f"{C}.yaml")
    users = [resp["status"]["code"] for req, resp in zip(requests, responses, strict=True) if "/users?" in req.uri]
    assert users == [429, 200], "the throttled answer first, then the one that was retried"
    emu.stop()
    assert _replay(run_suite, config, cassettes).outcomes() == recorded.outcomes()


def _interrupt_recording(emu, suite_project: Path, cassettes: Path, sig: int, mode: str | None):
    import os
    import signal as _signal
    import subprocess

    config = _demo_config(suite_project)
    env = {**os.environ, SECRET_ENV: "demo-auditor-secret", "REQUESTS_CA_BUNDLE": emu.ca_path}
    for var in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "ETD_CONFIG", "AZURE_AUTHORITY_HOST", "ETD_GRAPH_ENDPOINT"):
        env.pop(var, None)
    cmd = [
        sys.executable, "-m", "pytest", "tenant_checks", "-p", "no:cacheprovider", f"--etd-config={config}",
        *([f"--record-mode={mode}"] if mode else []), f"--cassette-dir={cassettes}",
        f"--graph-endpoint={emu.graph_url}",
        f"--authority={emu.authority_url}", f"--html={suite_project / 'report.html'}",
        f"--junitxml={suite_project / 'junit.xml'}", f"--etd-save-snapshot={suite_project / 'snapshot.json'}",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=suite_project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while emu.stats.requests.get(("GET", "users"), 0) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # polling for an event, not asserting on time
    assert proc.poll() is None, "the collection ended before it could be interrupted"
    proc.send_signal(_signal.SIGINT if sig == 2 else _signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    return proc.returncode, out.decode("utf-8", "replace")


@pytest.mark.parametrize("sig", [2, 15], ids=["ctrl-c", "sigterm"])
def test_interrupted_rewrite_keeps_the_previous_cassette(emulator_for, suite_project, tmp_path, sig):
    cassettes = _demo_cassettes(tmp_path)
    before = {p.name: p.read_bytes() for p in cassettes.iterdir()}
    emu = emulator_for(C, F, faults=Faults(latency_ms=400))
    code, out = _interrupt_recording(emu, suite_project, cassettes, sig, "rewrite")
    assert code == pytest.ExitCode.INTERRUPTED, out
    assert f"interrupted while recording tenant {C}: {cassettes / f'{C}.yaml'} is as it was before this run" in out
    assert "INTERNALERROR" not in out and "Traceback" not in out
    assert {p.name: p.read_bytes() for p in cassettes.iterdir()} == before, "nothing half-written, nothing left over"
    assert not any((suite_project / n).exists() for n in ("report.html", "junit.xml", "snapshot.json")), out


def test_interrupted_first_recording_writes_no_cassette(emulator_for, suite_project, tmp_path):
    cassettes = tmp_path / "cassettes"
    emu = emulator_for(C, F, faults=Faults(latency_ms=400))
    code, out = _interrupt_recording(emu, suite_project, cassettes, 2, "once")
    assert code == pytest.ExitCode.INTERRUPTED, out
    assert f"{cassettes / f'{C}.yaml'} was not written" in out
    assert not cassettes.exists() or list(cassettes.iterdir()) == [], "the next --record-mode=once records afresh"


def test_sigterm_during_a_live_fetch_writes_nothing_and_says_so(emulator_for, suite_project, tmp_path):
    emu = emulator_for(C, F, faults=Faults(latency_ms=400))
    code, out = _interrupt_recording(emu, suite_project, tmp_path / "cassettes", 15, None)
    assert code == pytest.ExitCode.INTERRUPTED, out
    assert "interrupted while collecting: no cassette, report or snapshot was written" in out
    assert "INTERNALERROR" not in out and "Traceback" not in out
    assert not any((suite_project / n).exists() for n in ("report.html", "junit.xml", "snapshot.json")), out
