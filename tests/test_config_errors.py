"""Bad input gets one clear line and exit code 4: no traceback, no report written."""

from __future__ import annotations

import pytest

from conftest import tenant_ids, write_config


def _assert_one_line_error(run, *fragments: str) -> None:
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR, run.text()
    text = run.text()
    assert "Traceback" not in text and "INTERNALERROR" not in text, text
    errors = [line for line in text.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1, text
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    assert not (run.workdir / "report.html").exists()
    assert not list((run.workdir / "reports").glob("*.html")) if (run.workdir / "reports").exists() else True


def test_missing_config_file(run_suite):
    _assert_one_line_error(run_suite("--etd-config=nowhere.toml"), "config file nowhere.toml does not exist")


def test_config_is_not_toml(run_suite, suite_project):
    (suite_project / "bad.toml").write_text("[[tenants]\nname = ", encoding="utf-8")
    _assert_one_line_error(run_suite("--etd-config=bad.toml"), "is not valid TOML")


def test_secret_in_config_is_refused(run_suite, suite_project):
    (suite_project / "s.toml").write_text(
        '[[tenants]]\nname = "x"\ntenant_id = "t"\nclient_secret = "hunter2"\n', encoding="utf-8"
    )
    run = run_suite("--etd-config=s.toml")
    _assert_one_line_error(run, "secrets do not belong in the config file", "secret_env")
    assert "hunter2" not in run.text()


def test_unknown_credential_kind(run_suite, suite_project):
    (suite_project / "k.toml").write_text(
        '[[tenants]]\nname = "x"\ntenant_id = "t"\ncredential = "password"\n', encoding="utf-8"
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
    _assert_one_line_error(run_suite("--etd-snapshot=snap.json"), "cannot read snapshot snap.json")


def test_record_mode_without_a_tenant(run_suite):
    _assert_one_line_error(run_suite("--record-mode=rewrite"), "--record-mode needs a configured tenant")


def test_collected_without_naming_tenant_checks_they_skip_and_say_how(pytester, suite_project):
    result = pytester.runpytest(".", "-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=7)  # one per check: 7 checks in tenant_checks/
    assert "tenant checks run only as `pytest tenant_checks`" in result.stdout.str()
    assert not (suite_project / "reports").exists() or not list((suite_project / "reports").iterdir())
