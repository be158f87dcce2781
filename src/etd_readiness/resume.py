"""Fetch journals of a live run: one per signed-in tenant, kept when interrupted, resumed by `--etd-resume`.

README, "Resuming an interrupted fetch". The journal format is collect/journal.py's; this module decides
where journals live, what must match for a resume, and what an interrupted run says.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure.core.credentials import TokenCredential

from . import __version__
from .collect.journal import MAX_AGE, Journal, header
from .collect.run import Auditor
from .settings import ConfigError, Settings, TenantConfig

RESUME_DIR = ".etd-resume"


@dataclass(frozen=True)
class Journaling:
    """Where a live fetch journals (under the report directory), and whether this run resumes."""

    directory: Path
    resume: bool = False

    def path(self, tenant: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in tenant)
        return self.directory / f"{safe}.jsonl"


def check_resumable(journaling: Journaling | None, configured: bool, record_mode: str | None) -> None:
    """--etd-resume continues a live fetch of a configured tenant, nothing else."""
    if journaling is None or not journaling.resume:
        return
    if not configured:
        raise ConfigError(
            "--etd-resume continues an interrupted live fetch of a configured tenant, and none is configured "
            "(set AZURE_TENANT_ID/AZURE_CLIENT_ID or --etd-config, as for the interrupted run)"
        )
    if record_mode is not None:
        raise ConfigError(
            "--etd-resume continues an interrupted live fetch; a recording (--record-mode) is not resumed, since "
            "its cassette must hold every answer of one fetch: record again without --etd-resume"
        )


def fetch_parts(settings: Settings, tenant: TenantConfig, auditor: Auditor) -> dict[str, Any]:
    """Everything that changes what is fetched from a tenant, named as a refusal says it."""
    return {
        "the suite version": __version__,
        "the protected scope": {
            "domains": sorted(tenant.domains),
            "addresses": sorted(set(settings.protected_addresses)),
            "exclude": sorted(set(settings.exclude)),
            "include_guests": sorted(set(settings.include_guests)),
            "group": settings.protected_group,
        },
        "ETD's app id or name": [settings.etd_app_id, settings.etd_display_name],
        "the error log": list(settings.error_log),
        "the auditor's permissions": None if auditor.roles is None else sorted(auditor.roles),
    }


def open_journals(
    settings: Settings,
    signed_in: Mapping[str, tuple[TokenCredential, Auditor]],
    journaling: Journaling,
) -> dict[str, Journal]:
    """A journal per signed-in tenant: new ones, or (resuming) the interrupted ones, every one checked first."""
    headers = {}
    for tenant in settings.tenants:
        auditor = signed_in[tenant.name][1]
        if auditor.error:
            continue  # not signed in: nothing is fetched, nothing journaled
        parts = fetch_parts(settings, tenant, auditor)
        headers[tenant.name] = header(
            tenant.name, tenant.tenant_id, auditor.client_id, settings.graph_url.rstrip("/"), parts
        )
    if journaling.resume:
        return {name: Journal.resume(journaling.path(name), head) for name, head in headers.items()}
    return {name: Journal.start(journaling.path(name), head) for name, head in headers.items()}


@contextlib.contextmanager
def journals_of(
    settings: Settings,
    signed_in: Mapping[str, tuple[TokenCredential, Auditor]],
    journaling: Journaling | None,
) -> Iterator[dict[str, Journal]]:
    """The journals of one live fetch: removed when it completes, kept (and said) when it is interrupted."""
    if journaling is None:
        yield {}
        return
    journals = open_journals(settings, signed_in, journaling)
    try:
        yield journals
    except (KeyboardInterrupt, BaseExceptionGroup) as err:
        _close(journals)
        if isinstance(err, BaseExceptionGroup) and not err.subgroup(KeyboardInterrupt):
            raise
        raise KeyboardInterrupt(interrupted(journals, journaling)) from None
    except BaseException:
        _close(journals)
        raise
    for journal in journals.values():
        journal.remove()


def _close(journals: Mapping[str, Journal]) -> None:
    for journal in journals.values():
        journal.close()


def interrupted(journals: Mapping[str, Journal], journaling: Journaling) -> str:
    """What an interrupted live fetch says: nothing written, what it kept and how to continue."""
    said = "interrupted while collecting: no cassette, report or snapshot was written"
    kept = sum(j.entries for j in journals.values())
    if not journals:
        return said
    hours = f"{MAX_AGE.total_seconds() / 3600:.0f} h"
    return (
        f"{said}; the {kept:,} answers fetched so far are kept in {journaling.directory}: continue with "
        f"`pytest tenant_checks --etd-resume` (same config and options, within {hours})"
    )


def resumed_note(journals: Mapping[str, Journal], journaling: Journaling | None) -> str | None:
    """What the run header and summary say of a resumed fetch: how much came from before, and from when."""
    if not journals or journaling is None or not journaling.resume:
        return None
    reused = sum(j.reused for j in journals.values())
    started = min(str(j.header.get("started")) for j in journals.values())
    return (
        f"Resumed an interrupted live fetch: {reused:,} answers reused from its journal (that fetch started "
        f"{started}), the rest fetched now."
    )
