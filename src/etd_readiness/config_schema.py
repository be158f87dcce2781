"""Every config-file key in one place: its type, default, meaning and environment / command-line twin.

`docs/config.md` is the reference for users; tests/test_config_reference.py keeps it in step with SCHEMA.
Validation is strict: an unknown key or a wrong type is an error naming the key and the closest valid one.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CREDENTIAL_KINDS = (
    "environment",
    "secret",
    "certificate",
    "workload-identity",
    "managed-identity",
    "azure-cli",
    "default",
)
MODES = ("read-write", "read")
SECRET_KEYS = frozenset({"secret", "client_secret", "password", "certificate_password", "token", "access_token"})
TYPES = ("string", "list of strings", "integer", "number")


class ConfigError(Exception):
    """A configuration problem, told in one line with what to do."""


@dataclass(frozen=True)
class Key:
    """One config-file key."""

    type: str
    default: Any
    meaning: str
    env: str = ""
    cli: str = ""
    choices: tuple[str, ...] = ()


SCHEMA: dict[str, dict[str, Key]] = {
    "etd": {
        "app_id": Key(
            "string", None, "ETD's application (client) id; default: found by display name", cli="--etd-app-id"
        ),
        "display_name": Key(
            "string", "Cisco Secure Email Threat Defense", "ETD's enterprise application name", cli="--etd-app-name"
        ),
        "mode": Key(
            "string", "read-write", "ETD's mode; decides the permission manifest", cli="--etd-mode", choices=MODES
        ),
        "phase": Key(
            "string",
            "after",
            "judge the tenant after onboarding ETD, or before it (ETD's app expected absent)",
            cli="--etd-phase",
            choices=("after", "before"),
        ),
        "waivers": Key("string", None, "waivers TOML file (relative to the config file)", cli="--etd-waivers"),
    },
    "protection": {
        "group": Key("string", None, "protect only the members of this group (object id)", cli="--protected-group"),
        "addresses": Key("list of strings", [], "addresses ETD's policy names explicitly"),
        "addresses_file": Key(
            "string",
            None,
            "file of protected addresses, one a line (relative to the config file)",
            cli="--protected-addresses",
        ),
        "exclude": Key("list of strings", [], "addresses never protected"),
        "include_guests": Key("list of strings", [], "guest accounts to protect (guests are not by default)"),
    },
    "graph": {
        "endpoint": Key(
            "string",
            "https://graph.microsoft.com/v1.0",
            "Microsoft Graph base URL (national cloud)",
            env="ETD_GRAPH_ENDPOINT",
            cli="--graph-endpoint",
        ),
        "authority": Key(
            "string",
            "https://login.microsoftonline.com",
            "Microsoft Entra sign-in authority (national cloud)",
            env="AZURE_AUTHORITY_HOST",
            cli="--authority",
        ),
        "max_retries": Key("integer", 4, "retries of a throttled or failed Graph request"),
        "backoff_seconds": Key("number", 1.0, "first retry delay when Graph sends no Retry-After"),
        "max_concurrency": Key(
            "integer",
            32,
            "most Graph requests in flight per tenant (1-256): the fetch starts at 8, grows towards this "
            "while Graph answers without 429 and is cut to 0.7 of itself on a 429",
        ),
    },
    "error_log": {
        "files": Key(
            "list of strings",
            [],
            "ETD's 'Download Error Log' CSVs to explain row by row (relative to the config file)",
            cli="--etd-error-log",
        ),
    },
    "tenants": {
        "name": Key("string", None, "required: a short unique name (cassette file name, report)"),
        "tenant_id": Key("string", None, "required: directory (tenant) id, a GUID or a domain", env="AZURE_TENANT_ID"),
        "client_id": Key(
            "string", None, "the auditor app's client id (GUID); default: AZURE_CLIENT_ID", env="AZURE_CLIENT_ID"
        ),
        "credential": Key("string", "environment", "how to sign in", choices=CREDENTIAL_KINDS),
        "certificate_path": Key(
            "string",
            None,
            "PEM with private key and certificate (relative to the config file)",
            env="AZURE_CLIENT_CERTIFICATE_PATH",
        ),
        "secret_env": Key("string", "AZURE_CLIENT_SECRET", "the environment variable holding the client secret"),
        "domains": Key("list of strings", [], "protected domains; default: every verified domain of the tenant"),
    },
}
TABLES = {"etd": "table", "protection": "table", "graph": "table", "error_log": "table", "tenants": "array of tables"}


def _suggest(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else f"; valid keys: {', '.join(valid)}"


def refuse_secrets(table: Mapping[str, Any], where: str) -> None:
    """A secret in the config file is refused before anything else, without echoing it."""
    for key in table:
        if str(key).lower() in SECRET_KEYS:
            raise ConfigError(
                f"{where}{key}: secrets do not belong in the config file; put the secret in an environment "
                "variable and name it with secret_env"
            )


def check_document(doc: Mapping[str, Any], source: str) -> None:
    """Every top-level table and key known, every value of its declared type."""
    for name, value in doc.items():
        if name not in TABLES:
            raise ConfigError(f"{source}: [{name}] is not a config table{_suggest(name, list(TABLES))}")
        if name == "tenants":
            if not isinstance(value, list):
                raise ConfigError(f"{source}: tenants must be written [[tenants]] (an array of tables)")
            for i, table in enumerate(value):
                check_table(table, "tenants", f"{source}: tenants[{i}].")
        else:
            check_table(value, name, f"{source}: {name}.")


def check_table(table: Any, name: str, where: str) -> None:
    """One table's keys and value types against SCHEMA[name]; `where` prefixes each key in messages."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where.rstrip('.')} must be a table")
    refuse_secrets(table, where)
    keys = SCHEMA[name]
    for key, value in table.items():
        if key not in keys:
            prefix = where.split(": ", 1)[-1]
            suggestion = _suggest(key, list(keys))
            if "did you mean" in suggestion:
                suggestion = suggestion.replace("mean ", f"mean {prefix}")
            raise ConfigError(f"{where}{key} is not a config key{suggestion}")
        check_value(value, keys[key], f"{where}{key}")


def check_value(value: Any, key: Key, where: str) -> None:
    """The value's type is the key's declared type (and one of its choices)."""
    ok = {
        "string": isinstance(value, str),
        "list of strings": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "integer": isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        "number": isinstance(value, int | float) and not isinstance(value, bool) and value >= 0,
    }[key.type]
    if not ok:
        kind = {"integer": "a non-negative integer", "number": "a non-negative number"}.get(key.type, f"a {key.type}")
        raise ConfigError(f"{where} must be {kind}, not {type(value).__name__} {value!r}"[:300])
    if key.choices and value not in key.choices:
        raise ConfigError(f"{where} '{value}' is not one of {', '.join(key.choices)}")
