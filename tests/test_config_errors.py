"""Bad input gets one clear line and exit code 4: no traceback, no report written."""

from __future__ import annotations

import textwrap

import pytest

from conftest import AUDITOR_APP_ID, SECRET_ENV, tenant_ids, write_config

HEALTHY_ID = tenant_ids("healthy")[0][1]


def _assert_one_line_error(run, *fragments: str) -> None:
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR, run.text()
    text = run.text()
    assert "Traceback" not in text and "INTERNALERROR" not in text, text
    errors = [line for line in text.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1, text
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    assert not (run.workdir / "report.html").exists()
    assert not (run.workdir / "junit.xml").exists(), "no evidence is written on a usage error"
    assert not list((run.workdir / "reports").glob("*.html")) if (run.workdir / "reports").exists() else True


def test_missing_config_file(run_suite):
    _assert_one_line_error(run_suite("--etd-config=nowhere.toml"), "config file nowhere.toml does not exist")


def test_config_is_not_toml(run_suite, suite_project):
    (suite_project / "bad.toml").write_text("[[tenants]\nname = ", encoding="utf-8")
    _assert_one_line_error(run_suite("--etd-config=bad.toml"), "is not valid TOML")


def test_secret_in_config_is_refused(run_suite, suite_project):
    (suite_project / "s.toml").write_text(
        '[[tenants]]\nname = "x"\ntenant_id = "contoso.onmicrosoft.com"\nclient_secret = "hunter2"\n', encoding="utf-8"
    )
    run = run_suite("--etd-config=s.toml")
    _assert_one_line_error(run, "secrets do not belong in the config file", "secret_env")
    assert "hunter2" not in run.text()


def test_unknown_credential_kind(run_suite, suite_project):
    (suite_project / "k.toml").write_text(
        '[[tenants]]\nname = "x"\ntenant_id = "contoso.onmicrosoft.com"\ncredential = "password"\n', encoding="utf-8"
    )
    _assert_one_line_error(run_suite("--etd-config=k.toml"), "credential 'password' is not one of")


def test_secret_variable_not_set(run_suite, suite_project, monkeypatch):
    config = write_config(suite_project / "etd.toml", tenant_ids("healthy"))
    monkeypatch.delenv("ETD_TEST_AUDITOR_SECRET", raising=False)
    _assert_one_line_error(
        run_suite(f"--etd-config={config}"), "environment variable ETD_TEST_AUDITOR_SECRET holds no client secret"
    )


def test_tenant_without_client_id(run_suite, monkeypatch):
    monkeypatch.setenv("AZURE_TENANT_ID", "bd7fa9cc-ae80-4a82-935e-af76a04bd01c")
    _assert_one_line_error(run_suite(), "no client id; set AZURE_CLIENT_ID")


def test_bad_snapshot_file(run_suite, suite_project):
    (suite_project / "snap.json").write_text("{not json", encoding="utf-8")
    _assert_one_line_error(
        run_suite("--etd-snapshot=snap.json"), "snapshot snap.json is corrupt (not valid JSON at line 1 column 2"
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"format": "something-else"}', "not a etd-readiness-snapshot/1 document"),
        ('{"format": "etd-readiness-snapshot/1", "tenants": [{"name": "x"}]}', "missing 'tenant_id'"),
    ],
)
def test_snapshot_that_is_not_a_snapshot(run_suite, suite_project, text, said):
    (suite_project / "snap.json").write_text(text, encoding="utf-8")
    _assert_one_line_error(
        run_suite("--etd-snapshot=snap.json"), "snapshot snap.json is corrupt or not a snapshot", said
    )


def test_missing_snapshot(run_suite):
    _assert_one_line_error(run_suite("--etd-snapshot=nowhere.json"), "cannot read snapshot nowhere.json")


def test_record_mode_without_a_tenant(run_suite):
    _assert_one_line_error(run_suite("--record-mode=rewrite"), "--record-mode needs a configured tenant")


def test_collected_without_naming_tenant_checks_they_skip_and_say_how(pytester, suite_project):
    result = pytester.runpytest(".", "-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=8)  # one per check: 8 checks in tenant_checks/
    assert "tenant checks run only as `pytest tenant_checks`" in result.stdout.str()
    assert not (suite_project / "reports").exists() or not list((suite_project / "reports").iterdir())


def _toml(project, name: str, text: str):
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


TENANT = f"""
[[tenants]]
name = "healthy"
tenant_id = "{HEALTHY_ID}"
client_id = "{AUDITOR_APP_ID}"
credential = "secret"
secret_env = "{SECRET_ENV}"
"""


# -- credentials -----------------------------------------------------------------------------


def test_env_tenant_and_client_without_a_credential_names_the_variables(run_suite, monkeypatch):
    monkeypatch.setenv("AZURE_TENANT_ID", HEALTHY_ID)
    monkeypatch.setenv("AZURE_CLIENT_ID", AUDITOR_APP_ID)
    run = run_suite()
    _assert_one_line_error(
        run,
        "AZURE_TENANT_ID and AZURE_CLIENT_ID are set but no credential: set AZURE_CLIENT_SECRET, "
        "AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE",
    )
    assert len(run.text().strip().splitlines()) <= 3, run.text()


def test_wrong_secret_is_said_once_with_the_aadsts_code(run_suite, emulator_for, suite_project):
    emu = emulator_for("healthy")
    config = write_config(suite_project / "etd.toml", tenant_ids("healthy"))
    run = run_suite(f"--etd-config={config}", emulator=emu, secret="wrong-secret", subprocess=True)
    _assert_one_line_error(run, "tenant healthy: sign-in failed", "AADSTS7000215", "client secret is wrong")
    assert run.text().count("AADSTS7000215") == 1, run.text()
    assert emu.stats.requests.get(("GET", "users"), 0) == 0


def test_one_tenant_rejected_others_judged_reason_said_once(run_suite, emulator_for, suite_project, monkeypatch):
    emu = emulator_for("healthy", "multi-a")
    (name_a, id_a), (name_b, id_b) = tenant_ids("healthy", "multi-a")
    monkeypatch.setenv("ETD_WRONG_SECRET", "not-the-secret")
    config = _toml(
        suite_project,
        "etd.toml",
        TENANT
        + f"""
[[tenants]]
name = "{name_b}"
tenant_id = "{id_b}"
client_id = "{AUDITOR_APP_ID}"
credential = "secret"
secret_env = "ETD_WRONG_SECRET"
""",
    )
    run = run_suite(f"--etd-config={config}", "-rE", emulator=emu)
    assert run.result.ret == 6, run.text()  # nothing gating found, something not evaluated: incomplete
    assert run.text().count("AADSTS7000215") == 1, run.text()
    outcomes = run.outcomes()
    theirs = {n: o for n, o in outcomes.items() if name_b in n}
    ours = {n: o for n, o in outcomes.items() if n not in theirs and o != "skipped"}
    assert theirs and set(theirs.values()) == {"error"}, run.text()
    assert "passed" in ours.values(), run.text()
    assert f"tenant {name_b} could not sign in; the reason is in the run header" in run.text()
    assert run.html() and "AADSTS7000215" in run.html()


def test_malformed_tenant_id(run_suite, suite_project):
    config = _toml(suite_project, "t.toml", TENANT.replace(HEALTHY_ID, "my tenant"))
    _assert_one_line_error(
        run_suite(f"--etd-config={config}"), "tenants[0].tenant_id 'my tenant' is not a tenant id", "GUID"
    )


def test_malformed_client_id_from_environment(run_suite, monkeypatch):
    monkeypatch.setenv("AZURE_TENANT_ID", "contoso.onmicrosoft.com")
    monkeypatch.setenv("AZURE_CLIENT_ID", "ETD auditor")
    _assert_one_line_error(run_suite(), "AZURE_CLIENT_ID 'ETD auditor' is not a client id")


def test_unknown_authority_is_refused(run_suite, suite_project):
    config = _toml(suite_project, "a.toml", TENANT)
    _assert_one_line_error(
        run_suite(f"--etd-config={config}", "--authority=https://login.example.com"),
        "--authority 'https://login.example.com' is not a known Microsoft Entra authority",
        "login.microsoftonline.us",
    )


def test_unknown_national_cloud_in_config(run_suite, suite_project):
    config = _toml(suite_project, "g.toml", '[graph]\nendpoint = "https://graph.microsoft.de/v1.0"\n' + TENANT)
    _assert_one_line_error(run_suite(f"--etd-config={config}"), "graph.endpoint", "not a known Microsoft Graph")


CERT_TENANT = TENANT.replace('credential = "secret"', 'credential = "certificate"\ncertificate_path = "auditor.pem"')


def test_missing_certificate_resolves_against_the_config_directory(run_suite, suite_project):
    config = _toml(suite_project, "conf/etd.toml", CERT_TENANT)
    _assert_one_line_error(
        run_suite(f"--etd-config={config}"),
        f"certificate_path {suite_project / 'conf' / 'auditor.pem'} does not exist",
    )


def test_pem_without_private_key(run_suite, suite_project):
    config = _toml(suite_project, "conf/etd.toml", CERT_TENANT)
    (suite_project / "conf" / "auditor.pem").write_text(
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", encoding="utf-8"
    )
    _assert_one_line_error(run_suite(f"--etd-config={config}"), "auditor.pem holds no private key")


def test_unreadable_certificate(run_suite, suite_project):
    import os

    config = _toml(suite_project, "conf/etd.toml", CERT_TENANT)
    pem = suite_project / "conf" / "auditor.pem"
    pem.write_text("x", encoding="utf-8")
    pem.chmod(0)
    if os.access(pem, os.R_OK):
        pytest.skip("running as a user who can read any file")
    _assert_one_line_error(run_suite(f"--etd-config={config}"), "cannot be read")


# -- strict config -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[protection]\ngruop = "x"\n', "protection.gruop is not a config key; did you mean protection.group?"),
        ('[protectoin]\ngroup = "x"\n', "[protectoin] is not a config table; did you mean protection?"),
        ('[graph]\nmax_retries = "3"\n', "graph.max_retries must be a non-negative integer, not str '3'"),
        ('[etd]\nmode = "write"\n', "etd.mode 'write' is not one of read-write, read"),
        ('[protection]\naddresses = "a@x.example"\n', "protection.addresses must be a list of strings"),
        ('[protection]\naddresses = ["not an address"]\n', "protection.addresses[0] 'not an address' is not an"),
        ('[protection]\ngroup = "Finance"\n', "protection.group 'Finance' is not a group object id"),
    ],
)
def test_strict_keys_and_types(run_suite, suite_project, text, message):
    config = _toml(suite_project, "etd.toml", text + TENANT)
    _assert_one_line_error(run_suite(f"--etd-config={config}"), f"{config}: {message}")


def test_bad_tenant_domain(run_suite, suite_project):
    config = _toml(suite_project, "etd.toml", TENANT + 'domains = ["contoso.com", "contoso com"]\n')
    _assert_one_line_error(run_suite(f"--etd-config={config}"), "tenants[0].domains[1] 'contoso com' is not a domain")


def test_misspelt_tenant_key_suggests_the_right_one(run_suite, suite_project):
    config = _toml(suite_project, "etd.toml", TENANT.replace("secret_env", "secret_evn"))
    _assert_one_line_error(
        run_suite(f"--etd-config={config}"),
        "tenants[0].secret_evn is not a config key; did you mean tenants[0].secret_env?",
    )


# -- precedence: command line > environment > config file --------------------------------------


def _env_for(monkeypatch, emu) -> None:
    monkeypatch.setenv(SECRET_ENV, "demo-auditor-secret")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", emu.ca_path)


def test_environment_overrides_the_config_file(run_suite, emulator_for, suite_project, monkeypatch):
    emu = emulator_for("healthy")
    _env_for(monkeypatch, emu)
    config = _toml(suite_project, "etd.toml", TENANT)  # the config says: public cloud
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", emu.authority_url)
    monkeypatch.setenv("ETD_GRAPH_ENDPOINT", emu.graph_url)
    run = run_suite(f"--etd-config={config}")
    assert emu.stats.requests.get(("POST", "token"), 0) >= 1, run.text()
    assert emu.stats.requests.get(("GET", "users"), 0) >= 1, run.text()
    assert f"config: {config}; Graph {emu.graph_url}" in run.text()
    assert "tenant healthy (" in run.text()


def test_command_line_overrides_the_environment(run_suite, emulator_for, suite_project, monkeypatch):
    emu = emulator_for("healthy")
    config = _toml(suite_project, "etd.toml", TENANT)
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us")
    monkeypatch.setenv("ETD_GRAPH_ENDPOINT", "https://graph.microsoft.us/v1.0")
    run = run_suite(f"--etd-config={config}", emulator=emu)  # passes --authority / --graph-endpoint
    assert emu.stats.requests.get(("GET", "users"), 0) >= 1, run.text()


# -- protected-address files -------------------------------------------------------------------


def test_junk_address_file_stops_the_run_naming_file_and_line(run_suite, suite_project):
    config = _toml(suite_project, "conf/etd.toml", '[protection]\naddresses_file = "protected.txt"\n' + TENANT)
    (suite_project / "conf" / "protected.txt").write_text(
        "alice@contoso.example\nnot an address\nghost@x, dave@x\n", encoding="utf-8"
    )
    _assert_one_line_error(
        run_suite(f"--etd-config={config}"),
        f"{suite_project / 'conf' / 'protected.txt'}: 2 line(s) are not one e-mail address",
        "line 2 'not an address', line 3 'ghost@x, dave@x'",
    )


def test_address_file_with_a_bad_byte_on_the_command_line(run_suite, suite_project):
    config = _toml(suite_project, "etd.toml", TENANT)
    (suite_project / "p.txt").write_bytes(b"b\xf6b@contoso.example\n")
    _assert_one_line_error(
        run_suite(f"--etd-config={config}", "--protected-addresses=p.txt"), "p.txt:line 1: byte 0xf6 is not valid UTF-8"
    )
