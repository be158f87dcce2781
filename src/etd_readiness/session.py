"""One run's snapshot: settings resolved, tenants collected (live or from cassettes), context recorded."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import __version__
from .collect.run import collect_all
from .credentials import build_credential
from .settings import Settings
from .snapshot import Snapshot


@dataclass
class RunInfo:
    """How the snapshot was obtained, for the report header and the terminal."""

    mode: str
    settings: Settings
    cassettes: dict[str, str] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    note: str | None = None


def run_context(settings: Settings, info: RunInfo) -> dict[str, Any]:
    """What checks and the report need to know about the run, stored inside the snapshot."""
    return {
        "suite_version": __version__,
        "collected_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "mode": info.mode,
        "cassettes": info.cassettes,
        "note": info.note,
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
        "requests": info.requests,
        "retries": info.retries,
    }


def collect_live(settings: Settings) -> Snapshot:
    """Sign in to every tenant and collect it now."""
    credentials = {t.name: build_credential(t, settings) for t in settings.tenants}
    tenants, stats = asyncio.run(collect_all(settings, lambda t: credentials[t.name]))
    info = RunInfo(mode="live", settings=settings, requests=stats.requests, retries=stats.retries)
    return Snapshot(tenants=tenants, context=run_context(settings, info))
