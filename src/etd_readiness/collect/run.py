"""Collect every configured tenant: sign in, pre-flight the auditor's permissions, fetch."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from azure.core.credentials import TokenCredential
from azure.core.exceptions import AzureError

from ..catalog import AUDITOR_ROLES
from ..credentials import granted_roles, sign_in_failure
from ..settings import Settings, TenantConfig
from ..snapshot import Section, TenantSnapshot
from .graph_client import open_graph
from .journal import AFRESH, ORGANIZATION, Journal, JournalError
from .progress import Progress, ticking
from .reader import FetchError, GraphReader, ReadStats, RetryPolicy, Sleep
from .tenant import ETD_SECTIONS, SECTION_ROLES, TenantCollector

SIGN_IN_FAILED = "sign-in failed: "
ALL_SECTIONS = ("organization", "subscribedSkus", "users", "deletedUsers", "mailboxes", *ETD_SECTIONS)


@dataclass
class Auditor:
    """Who the suite signed in as, and what it may read."""

    client_id: str | None
    roles: list[str] | None
    error: str | None = None

    @property
    def missing(self) -> list[str]:
        """Least-privilege roles not granted (Directory.Read.All counts for the directory ones)."""
        if self.roles is None:
            return []
        have = set(self.roles)
        return [r for r in AUDITOR_ROLES if r not in have and not _covered(r, have)]

    def to_json(self) -> dict:
        return {
            "client_id": self.client_id,
            "roles": self.roles,
            "missing": self.missing,
            "error": self.error,
        }


def _covered(role: str, have: set[str]) -> bool:
    return any(role in options and have & set(options) for options in SECTION_ROLES.values())


def preflight(credential: TokenCredential, graph_url: str) -> Auditor:
    """Sign in once and read the token's roles; a sign-in failure is recorded, not raised.

    azure-identity raises ClientAuthenticationError (with Entra ID's AADSTS code) when the authority
    says no, and other AzureErrors / OSErrors when it cannot be reached.
    """
    try:
        client_id, roles = granted_roles(credential, graph_url)
    except (AzureError, OSError, ValueError) as err:
        return Auditor(client_id=None, roles=None, error=SIGN_IN_FAILED + sign_in_failure(err))
    return Auditor(client_id=client_id, roles=roles)


def not_signed_in(tenant: str) -> str:
    """What each of a tenant's tests says when it could not sign in (the reason is said once, in the header)."""
    return f"tenant {tenant} could not sign in; the reason is in the run header"


async def collect_tenant(
    tenant: TenantConfig,
    settings: Settings,
    credential: TokenCredential,
    *,
    auditor: Auditor | None = None,
    sleep: Sleep = asyncio.sleep,
    policy: RetryPolicy | None = None,
    progress: Progress | None = None,
    journal: Journal | None = None,
) -> tuple[TenantSnapshot, ReadStats]:
    """One tenant's snapshot. `auditor` given = replay (no sign-in, roles as recorded).

    With a `journal` every final answer is journaled; one being resumed answers what it holds
    once the tenant's organization reads as it did when the journal began.
    """
    if auditor is None:
        auditor = await asyncio.to_thread(preflight, credential, settings.graph_url)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    snap = TenantSnapshot(name=tenant.name, tenant_id=tenant.tenant_id, auditor=auditor.to_json(), collected_at=now)
    if auditor.error:
        reason = not_signed_in(tenant.name) if auditor.error.startswith(SIGN_IN_FAILED) else auditor.error
        snap.sections = {name: Section.failed(reason) for name in ALL_SECTIONS}
        return snap, ReadStats()
    conn = open_graph(credential, settings.graph_url, connections=settings.max_concurrency)
    try:
        policy = policy or RetryPolicy(max_retries=settings.max_retries, backoff_s=settings.backoff_seconds)
        reader = GraphReader(conn, sleep=sleep, policy=policy, max_concurrency=settings.max_concurrency)
        if journal is not None:
            await unchanged(reader, journal)
            reader.journal = journal
        roles = None if auditor.roles is None else set(auditor.roles)
        if progress is not None:
            progress.readers.append(reader.stats)
        snap.sections = await TenantCollector(reader, tenant, settings, roles, progress).collect()
    finally:
        await conn.close()
    return snap, reader.stats


async def unchanged(reader: GraphReader, journal: Journal) -> None:
    """A resumed fetch continues only while the tenant's organization (id, name, domains) is as journaled."""
    was = journal.journaled("get", ORGANIZATION)
    if was is None:
        return
    tenant = journal.header["tenant"]
    try:
        now = await reader.get(ORGANIZATION)
    except FetchError as err:
        raise JournalError(
            f"--etd-resume: cannot check that tenant {tenant} is unchanged since the interrupted fetch: {err}; "
            "try --etd-resume again, or run without it"
        ) from None
    if now.get("value") != was.get("value"):
        raise JournalError(
            f"--etd-resume: tenant {tenant} changed since the interrupted fetch (its organization's id, name or "
            f"verified domains differ); {AFRESH}"
        )


async def collect_all(
    settings: Settings,
    credential_for: Callable[[TenantConfig], TokenCredential],
    *,
    auditors: dict[str, Auditor] | None = None,
    sleep: Sleep = asyncio.sleep,
    policy: RetryPolicy | None = None,
    progress: Progress | None = None,
    journals: dict[str, Journal] | None = None,
) -> tuple[list[TenantSnapshot], ReadStats]:
    """Every configured tenant, concurrently; the combined request statistics."""
    everyone = asyncio.gather(
        *(
            collect_tenant(
                t,
                settings,
                credential_for(t),
                auditor=(auditors or {}).get(t.name),
                sleep=sleep,
                policy=policy,
                progress=progress,
                journal=(journals or {}).get(t.name),
            )
            for t in settings.tenants
        )
    )
    results = await ticking(everyone, progress)
    total = ReadStats()
    for _, stats in results:
        total.requests += stats.requests
        total.retries += stats.retries
        total.batch_items += stats.batch_items
        total.notes += stats.notes
    return [snap for snap, _ in results], total
