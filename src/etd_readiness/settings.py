"""What to check and how to sign in: from pytest options, a TOML config file and the environment.

Secrets never live in the config file: a tenant names the credential *kind* and, for a client
secret, the environment variable that holds it.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .catalog import ETD_MANIFEST_READ, ETD_MANIFEST_READ_WRITE

PUBLIC_GRAPH = "https://graph.microsoft.com/v1.0"
PUBLIC_AUTHORITY = "https://login.microsoftonline.com"
ETD_DISPLAY_NAME = "Cisco Secure Email Threat Defense"
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
PHASES = ("after", "before")  # etd.phase: judged after onboarding ETD (default) or before it
SECRET_KEYS = frozenset({"secret", "client_secret", "password", "certificate_password", "token", "access_token"})


class ConfigError(Exception):
    """A configuration problem, told in one line with what to do."""


@dataclass(frozen=True)
class TenantConfig:
    """One tenant to check and how to sign in to it."""

    name: str
    tenant_id: str
    client_id: str | None = None
    credential: str = "environment"
    certificate_path: str | None = None
    secret_env: str = "AZURE_CLIENT_SECRET"
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know, validated."""

    tenants: tuple[TenantConfig, ...] = ()
    etd_app_id: str | None = None
    etd_display_name: str = ETD_DISPLAY_NAME
    etd_mode: str = "read-write"
    protected_group: str | None = None
    protected_addresses: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    include_guests: tuple[str, ...] = ()
    graph_url: str = PUBLIC_GRAPH
    authority: str = PUBLIC_AUTHORITY
    max_retries: int = 4
    backoff_seconds: float = 1.0
    source: str = "environment"
    phase: str = "after"
    waivers: str | None = None  # etd.waivers: a waivers TOML file, relative to the config file

    @property
    def manifest(self) -> tuple[str, ...]:
        """The Graph application permissions ETD needs in this mode (GRAPH_FACTS §2)."""
        return ETD_MANIFEST_READ_WRITE if self.etd_mode == "read-write" else ETD_MANIFEST_READ


def _tuple(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def _refuse_secrets(table: Mapping[str, Any], where: str) -> None:
    for key in table:
        if key.lower() in SECRET_KEYS:
            raise ConfigError(
                f"{where}.{key}: secrets do not belong in the config file; put the secret in an environment "
                "variable and name it with secret_env"
            )


def _tenant(table: Any, index: int, path: Path) -> TenantConfig:
    where = f"{path}: tenants[{index}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    _refuse_secrets(table, where)
    for key in ("name", "tenant_id"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise ConfigError(f"{where}.{key} is required")
    kind = table.get("credential", "environment")
    if kind not in CREDENTIAL_KINDS:
        raise ConfigError(f"{where}.credential '{kind}' is not one of {', '.join(CREDENTIAL_KINDS)}")
    if kind == "certificate" and not table.get("certificate_path"):
        raise ConfigError(
            f"{where}: credential 'certificate' needs certificate_path (a PEM file with key and certificate)"
        )
    return TenantConfig(
        name=table["name"],
        tenant_id=table["tenant_id"],
        client_id=table.get("client_id"),
        credential=kind,
        certificate_path=table.get("certificate_path"),
        secret_env=table.get("secret_env", "AZURE_CLIENT_SECRET"),
        domains=tuple(d.lower() for d in _tuple(table.get("domains"), f"{where}.domains")),
    )


def _read_addresses(path: Path) -> tuple[str, ...]:
    """One address a line; blank lines and # comments ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot read protected addresses file {path}: {err.strerror}") from None
    lines = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return tuple(line for line in lines if line)


def load_config_file(path: Path) -> Settings:
    """Settings from a TOML file (see README, 'Configuration')."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"config file {path} is not valid TOML: {err}") from None
    etd = doc.get("etd", {})
    protection = doc.get("protection", {})
    graph = doc.get("graph", {})
    for name, table in (("etd", etd), ("protection", protection), ("graph", graph)):
        _refuse_secrets(table, f"{path}: [{name}]")
    tenants = tuple(_tenant(t, i, path) for i, t in enumerate(doc.get("tenants", [])))
    if not tenants:
        raise ConfigError(f"{path} names no [[tenants]]; add at least one with name and tenant_id")
    if len({t.name for t in tenants}) != len(tenants):
        raise ConfigError(f"{path}: tenant names must be unique")
    addresses = _tuple(protection.get("addresses"), f"{path}: protection.addresses")
    if protection.get("addresses_file"):
        addresses += _read_addresses(path.parent / protection["addresses_file"])
    return Settings(
        tenants=tenants,
        etd_app_id=etd.get("app_id"),
        etd_display_name=etd.get("display_name", ETD_DISPLAY_NAME),
        etd_mode=_mode(etd.get("mode", "read-write"), str(path)),
        protected_group=protection.get("group"),
        protected_addresses=tuple(a.lower() for a in addresses),
        exclude=tuple(a.lower() for a in _tuple(protection.get("exclude"), f"{path}: protection.exclude")),
        include_guests=tuple(a.lower() for a in _tuple(protection.get("include_guests"), f"{path}: include_guests")),
        graph_url=graph.get("endpoint", PUBLIC_GRAPH),
        authority=graph.get("authority", PUBLIC_AUTHORITY),
        max_retries=_number(graph, "max_retries", 4, int, path),
        backoff_seconds=_number(graph, "backoff_seconds", 1.0, float, path),
        source=str(path),
        phase=_phase(etd.get("phase", "after"), str(path)),
        waivers=str(path.parent / etd["waivers"]) if etd.get("waivers") else None,
    )


def _number(table: Mapping[str, Any], key: str, default: Any, kind: type, path: Path) -> Any:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{path}: graph.{key} must be a non-negative number")
    return kind(value)


def _mode(value: str, where: str) -> str:
    if value not in MODES:
        raise ConfigError(f"{where}: ETD mode '{value}' is not one of {', '.join(MODES)}")
    return value


def _phase(value: str, where: str) -> str:
    if value not in PHASES:
        raise ConfigError(f"{where}: etd.phase '{value}' is not one of {', '.join(PHASES)}")
    return value


def from_environment(env: Mapping[str, str]) -> Settings | None:
    """One tenant from AZURE_TENANT_ID (+ AZURE_CLIENT_ID and a secret/certificate/...), or None."""
    tenant_id = env.get("AZURE_TENANT_ID")
    if not tenant_id:
        return None
    name = env.get("ETD_TENANT_NAME", tenant_id)
    authority = env.get("AZURE_AUTHORITY_HOST", PUBLIC_AUTHORITY)
    if not authority.startswith("http"):
        authority = "https://" + authority
    return Settings(
        tenants=(TenantConfig(name=name, tenant_id=tenant_id, client_id=env.get("AZURE_CLIENT_ID")),),
        graph_url=env.get("ETD_GRAPH_ENDPOINT", PUBLIC_GRAPH),
        authority=authority,
        source="environment",
    )


def with_overrides(settings: Settings, **overrides: Any) -> Settings:
    """Apply command-line values that were given (None means not given)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if "etd_mode" in given:
        _mode(given["etd_mode"], "--etd-mode")
    if "protected_addresses_file" in given:
        given["protected_addresses"] = settings.protected_addresses + _read_addresses(
            Path(given.pop("protected_addresses_file"))
        )
    return replace(settings, **given)


def resolve(config_file: str | None, env: Mapping[str, str] | None = None) -> Settings | None:
    """The settings of this run, or None when no tenant is configured at all."""
    env = os.environ if env is None else env
    path = config_file or env.get("ETD_CONFIG")
    if path:
        return load_config_file(Path(path))
    return from_environment(env)
