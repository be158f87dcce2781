"""One run's snapshot: live, recorded into cassettes, or replayed from them (the demo by default)."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from azure.core.credentials import TokenCredential

from . import __version__
from .collect.progress import Progress, ticking
from .collect.reader import ReadStats
from .collect.run import SIGN_IN_FAILED, Auditor, collect_all, collect_tenant, preflight
from .credentials import StaticTokenCredential, build_credential
from .error_log import ErrorLogError, read_error_logs
from .pseudonymize import Pseudonymizer
from .pseudonymized_scope import one_scope, pseudonymized_scope, run_pseudonymizer, with_scope
from .recording import CANONICAL_GRAPH, Scrubber, cassette, cassette_path, check_cassette
from .resume import Journaling, check_resumable, journals_of, resumed_note
from .settings import ConfigError, Settings, TenantConfig, load_config_file
from .snapshot import Snapshot, TenantSnapshot

DEMO_CONFIG = "demo.toml"
DEMO_NOTE = (
    "No tenant configured: replayed the bundled demo tenant (synthetic). To check your own tenant set "
    "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a certificate), or pass --etd-config FILE."
)


@dataclass
class RunInfo:
    """How the snapshot was obtained, for the report header and the terminal."""

    mode: str
    cassettes: dict[str, str] = field(default_factory=dict)
    stats: ReadStats = field(default_factory=ReadStats)
    note: str | None = None
    demo: bool = False


def run_context(settings: Settings, info: RunInfo) -> dict[str, Any]:
    """What checks and the report need to know about the run, stored inside the snapshot."""
    return {
        "suite_version": __version__,
        "run_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "mode": info.mode,
        "cassettes": info.cassettes,
        "note": info.note,
        "demo": info.demo,
        "graph_url": settings.graph_url,
        "config_source": settings.source,
        "etd_mode": settings.etd_mode,
        "etd_app_id": settings.etd_app_id,
        "etd_display_name": settings.etd_display_name,
        "manifest": list(settings.manifest),
        "protected_addresses": sorted(set(settings.protected_addresses)),
        "exclude": sorted(set(settings.exclude)),
        "include_guests": sorted(set(settings.include_guests)),
        "protected_group": settings.protected_group,
        "tenant_domains": {t.name: list(t.domains) for t in settings.tenants},
        "error_log": list(settings.error_log),
        "error_log_files": [Path(f).name for f in settings.error_log_files],
        "requests": info.stats.requests,
        "retries": info.stats.retries,
    }


def recorded_at(env: Mapping[str, str]) -> str:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible recordings: the demo cassettes)."""
    epoch = env.get("SOURCE_DATE_EPOCH", "")
    when = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit() else dt.datetime.now(dt.UTC)
    return when.replace(microsecond=0).isoformat()


async def _no_sleep(_: float) -> None:
    """Replayed 429s are not waited for."""


def demo_cassette_dir(cassette_dir: Path) -> Path:
    """Where the demo replays from: the cassette dir when it holds demo.toml (a checkout), else the copy
    packaged as etd_readiness.demo_cassettes (an installed wheel run from any directory)."""
    if (cassette_dir / DEMO_CONFIG).is_file():
        return cassette_dir
    spec = importlib.util.find_spec("etd_readiness.demo_cassettes")
    for location in (spec.submodule_search_locations or ()) if spec else ():
        if (Path(location) / DEMO_CONFIG).is_file():
            return Path(location)
    return cassette_dir


def demo_settings(cassette_dir: Path) -> Settings:
    """The bundled demo configuration (synthetic tenants, replayed from committed cassettes)."""
    path = cassette_dir / DEMO_CONFIG
    if not path.is_file():
        raise ConfigError(
            f"no tenant configured and no demo config at {path}; set AZURE_TENANT_ID/AZURE_CLIENT_ID or --etd-config"
        )
    return load_config_file(path)


def acquire(
    settings: Settings | None,
    record_mode: str | None,
    cassette_dir: Path,
    pseudonymize: bool = False,
    error_logs: tuple[str, ...] = (),
    progress: Progress | None = None,
    journaling: Journaling | None = None,
) -> Snapshot:
    """The snapshot for this run. No settings: replay the demo. No record mode: live, nothing recorded
    (journaled for --etd-resume when `journaling` says where)."""
    check_resumable(journaling, settings is not None, record_mode)
    note = None
    if settings is None:
        if record_mode not in (None, "none", "once"):
            raise ConfigError("--record-mode needs a configured tenant to record from (AZURE_* or --etd-config)")
        cassette_dir = demo_cassette_dir(cassette_dir)
        settings, record_mode, note = demo_settings(cassette_dir), "none", DEMO_NOTE
    settings = with_error_log(settings, error_logs)
    if record_mode is None:
        return collect_live(settings, progress, journaling)
    live = [t for t in settings.tenants if not _replays(t, record_mode, cassette_dir)]
    auditors = sign_in(settings, live)
    info = RunInfo(mode="replay", note=note, demo=note == DEMO_NOTE)
    tenants: list[TenantSnapshot] = []
    pseudonyms = run_pseudonymizer(settings) if pseudonymize else None
    scopes: dict[str, dict] = {}
    written: list[str] = []
    for tenant in settings.tenants:
        path = cassette_path(cassette_dir, tenant.name)
        mode = record_mode
        if mode == "once" and path.exists():
            mode = "none"
        existed = path.exists()
        try:
            snap, stats, scope = _through_cassette(
                settings, tenant, path, mode, pseudonyms, auditors.get(tenant.name), progress
            )
        except (KeyboardInterrupt, BaseExceptionGroup) as err:
            if mode == "none" or (isinstance(err, BaseExceptionGroup) and not err.subgroup(KeyboardInterrupt)):
                raise
            raise KeyboardInterrupt(_interrupted(tenant.name, path, existed, written)) from None
        if mode != "none" and not (snap.auditor.get("error") or "").startswith(SIGN_IN_FAILED):
            written.append(str(path))
        tenants.append(snap)
        if scope is not None:
            scopes[str(path)] = scope
        if path.exists():
            info.cassettes[tenant.name] = str(path)
        info.stats.requests += stats.requests
        info.stats.retries += stats.retries
        if mode != "none":
            info.mode = "recorded"
    if info.mode == "replay":
        settings = replace(settings, graph_url=CANONICAL_GRAPH)
    settings = with_scope(settings, one_scope(scopes))
    return Snapshot(tenants=tenants, context=run_context(settings, info))


def with_error_log(settings: Settings, extra: tuple[str, ...] = ()) -> Settings:
    """Read ETD's error logs (config files + --etd-error-log) once; their rows travel in the settings."""
    files = (*settings.error_log_files, *extra)
    if not files:
        return settings
    try:
        rows = read_error_logs(Path(f) for f in files)
    except ErrorLogError as err:
        raise ConfigError(str(err)) from None
    return replace(settings, error_log_files=files, error_log=tuple(r.to_json() for r in rows))


def _interrupted(tenant: str, path: Path, existed: bool, written: list[str]) -> str:
    """What an interrupted recording kept: the interrupted cassette is untouched, earlier ones are complete."""
    kept = f"{path} is as it was before this run" if existed else f"{path} was not written"
    done = f"; complete: {', '.join(written)}" if written else ""
    return f"interrupted while recording tenant {tenant}: {kept}{done}; no report or snapshot was written"


def _replays(tenant: TenantConfig, record_mode: str, cassette_dir: Path) -> bool:
    return record_mode == "none" or (record_mode == "once" and cassette_path(cassette_dir, tenant.name).exists())


def sign_in(settings: Settings, tenants: Sequence[TenantConfig]) -> dict[str, tuple[TokenCredential, Auditor]]:
    """Build each tenant's credential and sign in, concurrently.

    A credential that cannot be built is a ConfigError. When no tenant could sign in the run stops with
    one line per reason (ConfigError: exit 4, nothing written); when some did, the others are collected
    as not signed in (their tests error, the reason is said once in the header).
    """
    credentials = {t.name: build_credential(t, settings) for t in tenants}

    async def all_of() -> list[Auditor]:
        return list(
            await asyncio.gather(
                *(asyncio.to_thread(preflight, credentials[t.name], settings.graph_url) for t in tenants)
            )
        )

    auditors = dict(zip(credentials, asyncio.run(all_of()) if tenants else [], strict=True))
    failed = {name: a.error for name, a in auditors.items() if a.error and a.error.startswith(SIGN_IN_FAILED)}
    if tenants and len(failed) == len(tenants):
        raise ConfigError("; ".join(f"tenant {name}: {reason}" for name, reason in failed.items()))
    return {name: (credentials[name], auditors[name]) for name in credentials}


def _through_cassette(
    settings: Settings,
    tenant: TenantConfig,
    path: Path,
    mode: str,
    pseudonyms: Pseudonymizer | None,
    signed_in: tuple[TokenCredential, Auditor] | None = None,
    progress: Progress | None = None,
) -> tuple[TenantSnapshot, ReadStats, dict | None]:
    """Collect one tenant inside its cassette: replay with no sign-in, or record a live collection.

    A pseudonymised recording is replayed straight away, so this run's report is pseudonymised too.
    Returns the pseudonymised protected scope when the cassette holds one.
    """
    if mode == "none":
        meta, loaded = check_cassette(path, tenant.name)
        scope = meta.get("pseudonymized_scope")
        auditor = Auditor(**meta["auditor"])
        replay = with_scope(replace(settings, graph_url=CANONICAL_GRAPH), scope)
        with cassette(path, "none", Scrubber(CANONICAL_GRAPH), tenant.name, loaded):
            snap, stats = asyncio.run(
                collect_tenant(tenant, replay, StaticTokenCredential(), auditor=auditor, sleep=_no_sleep)
            )
        snap.collected_at = meta.get("recorded_at", "")
        return snap, stats, scope
    credential, auditor = signed_in or sign_in(settings, [tenant])[tenant.name]
    if auditor.error:  # not signed in: nothing to record, the cassette on disk (if any) is kept
        return asyncio.run(collect_tenant(tenant, settings, credential, auditor=auditor)) + (None,)
    with cassette(path, mode, Scrubber(settings.graph_url, pseudonyms), tenant.name) as cas:
        snap, stats = asyncio.run(
            ticking(collect_tenant(tenant, settings, credential, auditor=auditor, progress=progress), progress)
        )
        meta = cas.get_metadata("etd_readiness", {})
        meta.clear()
        meta.update(
            tenant=tenant.name,
            tenant_id=tenant.tenant_id,
            recorded_at=recorded_at(os.environ),
            suite_version=__version__,
            auditor={k: snap.auditor.get(k) for k in ("client_id", "roles", "error")},
            pseudonymized=pseudonyms is not None,
        )
        if pseudonyms is not None:
            meta["pseudonymized_scope"] = pseudonymized_scope(settings, pseudonyms)
        cas.dirty = True
    if pseudonyms is not None:
        replayed, _, scope = _through_cassette(settings, tenant, path, "none", None)
        return replayed, stats, scope
    return snap, stats, None


def collect_live(
    settings: Settings, progress: Progress | None = None, journaling: Journaling | None = None
) -> Snapshot:
    """Sign in to every tenant and collect it now, concurrently; nothing is recorded.

    With `journaling` each tenant's answers are journaled as they come: an interrupted fetch keeps its
    journals (and says how to continue), a completed one removes them.
    """
    signed_in = sign_in(settings, settings.tenants)
    with journals_of(settings, signed_in, journaling) as journals:
        tenants, stats = asyncio.run(
            collect_all(
                settings,
                lambda t: signed_in[t.name][0],
                auditors={name: auditor for name, (_, auditor) in signed_in.items()},
                progress=progress,
                journals=journals,
            )
        )
    note = resumed_note(journals, journaling)
    return Snapshot(tenants=tenants, context=run_context(settings, RunInfo(mode="live", stats=stats, note=note)))
