"""A pseudonymised recording's protected scope: the run's pseudonym key, the scope as the cassette
stores it (no real address), and the scope a replay of such cassettes evaluates with."""

from __future__ import annotations

import os
import secrets
from dataclasses import replace

from .pseudonymize import Pseudonymizer
from .recording import CassetteError
from .settings import Settings


def run_pseudonymizer(settings: Settings) -> Pseudonymizer:
    """One key for the whole run, so an address gets the same pseudonym in every tenant.

    Keyed by ETD_PSEUDONYM_KEY when set (stable across recordings), else a fresh random key.
    """
    key = os.environ.get("ETD_PSEUDONYM_KEY", "").encode() or secrets.token_bytes(32)
    keep = [t.tenant_id for t in settings.tenants] + ([settings.etd_app_id] if settings.etd_app_id else [])
    return Pseudonymizer(key, keep=keep)


def pseudonymized_scope(settings: Settings, pseudonyms: Pseudonymizer) -> dict:
    """The configured protected scope as the pseudonymised cassette knows it (no real address in it)."""
    return {
        "protected_addresses": sorted({pseudonyms.text(a) for a in settings.protected_addresses}),
        "exclude": sorted({pseudonyms.text(a) for a in settings.exclude}),
        "include_guests": sorted({pseudonyms.text(a) for a in settings.include_guests}),
        "protected_group": pseudonyms.guid(settings.protected_group) if settings.protected_group else None,
        "error_log": [
            {**row, "mailbox": pseudonyms.text(row["mailbox"]), "message_id": pseudonyms.text(row["message_id"])}
            for row in settings.error_log
        ],
    }


def with_scope(settings: Settings, scope: dict | None) -> Settings:
    """A pseudonymised cassette replays with the protected scope pseudonymised when it was recorded."""
    if scope is None:
        return settings
    return replace(
        settings,
        protected_addresses=tuple(scope["protected_addresses"]),
        exclude=tuple(scope["exclude"]),
        include_guests=tuple(scope["include_guests"]),
        protected_group=scope["protected_group"],
        error_log=tuple(scope.get("error_log", settings.error_log)),
    )


def one_scope(scopes: dict[str, dict]) -> dict | None:
    """Pseudonymised cassettes replayed together must come from one recording (one key)."""
    distinct = {repr(sorted(s.items())) for s in scopes.values()}
    if len(distinct) > 1:
        raise CassetteError(
            f"cassettes {', '.join(sorted(scopes))} were pseudonymised in different recordings and do not "
            "agree on the protected addresses; re-record them together with --record-mode=rewrite "
            "--pseudonymize (set ETD_PSEUDONYM_KEY to keep pseudonyms stable across recordings)"
        )
    return next(iter(scopes.values()), None)
