"""What to check and how to sign in: from pytest options, the environment and a TOML config file.

One precedence rule for every run-wide setting: command line > environment > config file (see
docs/config.md). The tenants come from the config file when one is given, else from AZURE_TENANT_ID.
Secrets never live in the config file: a tenant names the credential *kind* and, for a client
secret, the environment variable that holds it. Keys are strict (config_schema.SCHEMA).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import addresses as addr
from .catalog import ETD_MANIFEST_READ, ETD_MANIFEST_READ_WRITE
from .config_schema import CREDENTIAL_KINDS, MODES, SCHEMA, ConfigError, check_document, check_value

__all__ = ["CREDENTIAL_KINDS", "MODES", "ConfigError", "Settings", "TenantConfig", "resolve", "with_overrides"]

PUBLIC_GRAPH = "https://graph.microsoft.com/v1.0"
PUBLIC_AUTHORITY = "https://login.microsoftonline.com"
ETD_DISPLAY_NAME = "Cisco Secure Email Threat Defense"
AUTHORITY_HOSTS = {  # Microsoft Entra sign-in per cloud (azure.identity.AzureAuthorityHosts)
    "login.microsoftonline.com": "global",
    "login.microsoftonline.us": "US Government",
    "login.chinacloudapi.cn": "China (21Vianet)",
    "login.partner.microsoftonline.cn": "China (21Vianet)",
}
GRAPH_HOSTS = {  # Microsoft Graph national cloud deployments
    "graph.microsoft.com": "global",
    "graph.microsoft.us": "US Government L4",
    "dod-graph.microsoft.us": "US Government L5 (DOD)",
    "microsoftgraph.chinacloudapi.cn": "China (21Vianet)",
}
LOOPBACK = ("127.0.0.1", "localhost", "::1")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DOMAIN = re.compile(r"^(?=.{1,253}$)((?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)+[A-Za-z]{2,63}$")
PHASES = ("after", "before")  # etd.phase: judged after onboarding ETD (default) or before it


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
    inline_addresses: tuple[str, ...] = ()  # protection.addresses alone (--protected-addresses replaces the file)
    exclude: tuple[str, ...] = ()
    include_guests: tuple[str, ...] = ()
    graph_url: str = PUBLIC_GRAPH
    authority: str = PUBLIC_AUTHORITY
    max_retries: int = 4
    backoff_seconds: float = 1.0
    max_concurrency: int = 32
    source: str = "environment"
    error_log_files: tuple[str, ...] = ()  # ETD's "Download Error Log" CSVs ([error_log] files, --etd-error-log)
    error_log: tuple[dict, ...] = ()  # their rows (error_log.ErrorLogRow.to_json()), read once per run
    phase: str = "after"
    waivers: str | None = None  # etd.waivers: a waivers TOML file, relative to the config file

    @property
    def manifest(self) -> tuple[str, ...]:
        """The Graph application permissions ETD needs in this mode (GRAPH_FACTS §2)."""
        return ETD_MANIFEST_READ_WRITE if self.etd_mode == "read-write" else ETD_MANIFEST_READ


def _default(table: str, key: str) -> Any:
    return SCHEMA[table][key].default


def check_tenant_id(value: str, where: str) -> str:
    if not (GUID.match(value) or DOMAIN.match(value)):
        raise ConfigError(
            f"{where} '{value[:80]}' is not a tenant id: use the directory (tenant) id GUID or a domain "
            "such as contoso.onmicrosoft.com (Entra admin center > Overview)"
        )
    return value


def check_client_id(value: str | None, where: str) -> str | None:
    if value is not None and not GUID.match(value):
        raise ConfigError(
            f"{where} '{value[:80]}' is not a client id: use the app registration's Application (client) ID GUID"
        )
    return value


def _url(value: str, where: str, hosts: Mapping[str, str], what: str) -> str:
    url = value if "://" in value else "https://" + value
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in LOOPBACK and parts.scheme in ("http", "https"):
        return url  # the Graph emulator
    if parts.scheme == "https" and host in hosts:
        return url
    known = ", ".join(f"https://{h} ({cloud})" for h, cloud in hosts.items())
    raise ConfigError(f"{where} '{value[:100]}' is not a known {what}; use one of {known}")


def check_authority(value: str, where: str) -> str:
    return _url(value, where, AUTHORITY_HOSTS, "Microsoft Entra authority (national cloud)")


def check_endpoint(value: str, where: str) -> str:
    return _url(value, where, GRAPH_HOSTS, "Microsoft Graph endpoint (national cloud)")


def _domain(value: str, where: str) -> str:
    norm = addr.normalize(f"x@{value.strip()}")
    if norm is None:
        raise ConfigError(f"{where} '{value[:80]}' is not a domain name (e.g. contoso.com)")
    return norm[2:]


def check_concurrency(value: int, where: str) -> int:
    """Requests in flight: at least 1; at most 256 (Graph's 130,000 requests per 10 s per app stay far off)."""
    if not 1 <= value <= 256:
        raise ConfigError(f"{where} is {value}; use a number from 1 to 256 (default 32)")
    return value


def check_group(value: str | None, where: str) -> str | None:
    if value is not None and not GUID.match(value):
        raise ConfigError(f"{where} '{value[:80]}' is not a group object id: use the group's Object ID GUID")
    return value


def _relative(base: Path, value: str | None) -> str | None:
    """Paths in the config file are relative to the config file's directory."""
    if value is None:
        return None
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else base / path)


def _tenant(table: dict[str, Any], index: int, path: Path) -> TenantConfig:
    where = f"{path}: tenants[{index}]"
    for key in ("name", "tenant_id"):
        if not table.get(key):
            raise ConfigError(f"{where}.{key} is required")
    kind = table.get("credential", _default("tenants", "credential"))
    if kind == "certificate" and not table.get("certificate_path"):
        raise ConfigError(
            f"{where}: credential 'certificate' needs certificate_path (a PEM file with key and certificate)"
        )
    return TenantConfig(
        name=table["name"],
        tenant_id=check_tenant_id(table["tenant_id"], f"{where}.tenant_id"),
        client_id=check_client_id(table.get("client_id"), f"{where}.client_id"),
        credential=kind,
        certificate_path=_relative(path.parent, table.get("certificate_path")),
        secret_env=table.get("secret_env", _default("tenants", "secret_env")),
        domains=tuple(_domain(d, f"{where}.domains[{i}]") for i, d in enumerate(table.get("domains", []))),
    )


def load_config_file(path: Path) -> Settings:
    """Settings from a TOML file (docs/config.md), every key and type checked."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"config file {path} cannot be read: {getattr(err, 'strerror', None) or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"config file {path} is not valid TOML: {err}") from None
    check_document(doc, str(path))
    etd, protection, graph = (doc.get(name, {}) for name in ("etd", "protection", "graph"))
    tenants = tuple(_tenant(t, i, path) for i, t in enumerate(doc.get("tenants", [])))
    if not tenants:
        raise ConfigError(f"{path} names no [[tenants]]; add at least one with name and tenant_id")
    if len({t.name for t in tenants}) != len(tenants):
        raise ConfigError(f"{path}: tenant names must be unique")
    error_log = doc.get("error_log", {})
    error_files = tuple(str(path.parent / f) for f in error_log.get("files", []))  # types checked by the schema
    where = f"{path}: protection."
    inline = addr.check_list(protection.get("addresses", []), where + "addresses")
    addresses = inline
    if protection.get("addresses_file"):
        addresses += addr.read_file(Path(_relative(path.parent, protection["addresses_file"]) or ""))
    return Settings(
        tenants=tenants,
        etd_app_id=check_client_id(etd.get("app_id"), f"{path}: etd.app_id"),
        etd_display_name=etd.get("display_name", _default("etd", "display_name")),
        etd_mode=etd.get("mode", _default("etd", "mode")),
        protected_group=check_group(protection.get("group"), f"{path}: protection.group"),
        protected_addresses=tuple(dict.fromkeys(addresses)),
        inline_addresses=inline,
        exclude=addr.check_list(protection.get("exclude", []), where + "exclude"),
        include_guests=addr.check_list(protection.get("include_guests", []), where + "include_guests"),
        graph_url=check_endpoint(graph.get("endpoint", _default("graph", "endpoint")), f"{path}: graph.endpoint"),
        authority=check_authority(graph.get("authority", _default("graph", "authority")), f"{path}: graph.authority"),
        max_retries=int(graph.get("max_retries", _default("graph", "max_retries"))),
        backoff_seconds=float(graph.get("backoff_seconds", _default("graph", "backoff_seconds"))),
        max_concurrency=check_concurrency(
            int(graph.get("max_concurrency", _default("graph", "max_concurrency"))), f"{path}: graph.max_concurrency"
        ),
        source=str(path),
        error_log_files=error_files,
        phase=etd.get("phase", "after"),
        waivers=str(path.parent / etd["waivers"]) if etd.get("waivers") else None,
    )


def from_environment(env: Mapping[str, str]) -> Settings | None:
    """One tenant from AZURE_TENANT_ID (+ AZURE_CLIENT_ID and a secret/certificate/...), or None."""
    tenant_id = env.get("AZURE_TENANT_ID")
    if not tenant_id:
        return None
    tenant = TenantConfig(
        name=env.get("ETD_TENANT_NAME", tenant_id),
        tenant_id=check_tenant_id(tenant_id, "AZURE_TENANT_ID"),
        client_id=check_client_id(env.get("AZURE_CLIENT_ID") or None, "AZURE_CLIENT_ID"),
    )
    return Settings(tenants=(tenant,), source="environment")


def with_environment(settings: Settings, env: Mapping[str, str]) -> Settings:
    """The environment overrides the config file: ETD_GRAPH_ENDPOINT and AZURE_AUTHORITY_HOST."""
    given: dict[str, Any] = {}
    if env.get("ETD_GRAPH_ENDPOINT"):
        given["graph_url"] = check_endpoint(env["ETD_GRAPH_ENDPOINT"], "ETD_GRAPH_ENDPOINT")
    if env.get("AZURE_AUTHORITY_HOST"):
        given["authority"] = check_authority(env["AZURE_AUTHORITY_HOST"], "AZURE_AUTHORITY_HOST")
    return replace(settings, **given)


def with_overrides(settings: Settings, **overrides: Any) -> Settings:
    """Apply command-line values that were given (None means not given); they win over everything."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if "etd_mode" in given:
        check_value(given["etd_mode"], SCHEMA["etd"]["mode"], "--etd-mode")
    if "protected_group" in given:
        check_group(given["protected_group"], "--protected-group")
    if "etd_app_id" in given:
        check_client_id(given["etd_app_id"], "--etd-app-id")
    if "graph_url" in given:
        given["graph_url"] = check_endpoint(given["graph_url"], "--graph-endpoint")
    if "authority" in given:
        given["authority"] = check_authority(given["authority"], "--authority")
    if "protected_addresses_file" in given:
        from_file = addr.read_file(Path(given.pop("protected_addresses_file")))
        given["protected_addresses"] = tuple(dict.fromkeys(settings.inline_addresses + from_file))
    return replace(settings, **given)


def resolve(config_file: str | None, env: Mapping[str, str] | None = None) -> Settings | None:
    """The settings of this run before command-line overrides, or None when no tenant is configured."""
    env = os.environ if env is None else env
    path = config_file or env.get("ETD_CONFIG")
    settings = load_config_file(Path(path)) if path else from_environment(env)
    return None if settings is None else with_environment(settings, env)
