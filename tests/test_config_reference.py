"""docs/config.md lists exactly the keys the loader accepts, with the loader's types, defaults and twins."""

from __future__ import annotations

import re

from conftest import ROOT
from etd_readiness.config_schema import SCHEMA, TABLES
from etd_readiness.settings import PUBLIC_AUTHORITY, PUBLIC_GRAPH, Settings, TenantConfig


def _doc_rows() -> dict[str, list[str]]:
    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^\| `([a-z_]+\.[a-z_]+)` \|(.*)\|$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def _default(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return f'`"{value}"`'
    return "`[]`" if isinstance(value, list) else f"`{value}`"


def _code(name: str) -> str:
    return f"`{name}`" if name else ""


def test_every_key_is_documented_and_nothing_else():
    documented = _doc_rows()
    loader = {f"{table}.{key}" for table, keys in SCHEMA.items() for key in keys}
    assert set(documented) == loader
    assert set(SCHEMA) == set(TABLES)


def test_documented_type_default_and_equivalents_match_the_loader():
    documented = _doc_rows()
    for table, keys in SCHEMA.items():
        for name, key in keys.items():
            kind, default, env, cli, _meaning = documented[f"{table}.{name}"]
            assert kind.split(" (")[0] == key.type, name
            if key.choices:
                assert kind.endswith("(" + " / ".join(key.choices) + ")"), name
            assert default == _default(key.default), name
            assert (env, cli) == (_code(key.env), _code(key.cli)), name


def test_schema_defaults_are_the_settings_defaults():
    """The schema's defaults (which the docs show) are the defaults the dataclasses really use."""
    s, t = Settings(), TenantConfig(name="x", tenant_id="y")
    assert SCHEMA["graph"]["endpoint"].default == s.graph_url == PUBLIC_GRAPH
    assert SCHEMA["graph"]["authority"].default == s.authority == PUBLIC_AUTHORITY
    assert SCHEMA["graph"]["max_retries"].default == s.max_retries
    assert SCHEMA["graph"]["backoff_seconds"].default == s.backoff_seconds
    assert SCHEMA["etd"]["mode"].default == s.etd_mode
    assert SCHEMA["etd"]["display_name"].default == s.etd_display_name
    assert SCHEMA["tenants"]["credential"].default == t.credential
    assert SCHEMA["tenants"]["secret_env"].default == t.secret_env


def test_documented_command_line_options_exist(pytestconfig):
    from etd_readiness import plugin

    options = set()

    class Group:
        def addoption(self, *names, **_):
            options.update(names)

    class Parser:
        def getgroup(self, *_):
            return Group()

        def addini(self, *_, **__):
            pass

    plugin.pytest_addoption(Parser())  # type: ignore[arg-type]
    for keys in SCHEMA.values():
        for key in keys.values():
            assert not key.cli or key.cli in options, key.cli


def test_the_resolved_authority_is_passed_explicitly_so_the_environment_cannot_win_over_the_command_line(
    monkeypatch,
):
    from etd_readiness.credentials import _authority_kwargs
    from etd_readiness.settings import resolve, with_overrides

    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us")  # azure-identity reads it too
    env = {"AZURE_TENANT_ID": "contoso.onmicrosoft.com", "AZURE_AUTHORITY_HOST": "login.microsoftonline.us"}
    from_env = resolve(None, env)
    assert from_env is not None and from_env.authority == "https://login.microsoftonline.us"
    cli = with_overrides(from_env, authority=PUBLIC_AUTHORITY)
    assert _authority_kwargs(cli)["authority"] == PUBLIC_AUTHORITY
