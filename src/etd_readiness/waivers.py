"""Waivers: a known finding, accepted for a while by a named owner, that does not fail the gate.

A waivers file is TOML with one `[[waiver]]` table per waiver:

    [[waiver]]
    check = "RDY-01"                           # check id, exact or a glob ("C4A-*", "*")
    subject = "contoso:frank@contoso.example"  # the test's subject, exact or a glob ("contoso:room-*")
    reason = "leaver, mailbox removed on 2027-01-31"
    owner = "it-ops@contoso.example"
    expires = 2027-01-31                       # a TOML date; the waiver holds through that day
    ticket = "CHG-1234"                        # optional

A finding matched by a waiver that has not expired is *waived*; matched only by expired waivers it
still gates, saying "waiver expired on <date>". NOT EVALUATED is never waived (nothing was judged).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from .settings import ConfigError

REQUIRED = ("check", "subject", "reason", "owner", "expires")
KNOWN = frozenset(REQUIRED + ("ticket",))


@dataclass
class Waiver:
    """One accepted finding (or a glob of them) with who accepted it, why, and until when."""

    check: str
    subject: str
    reason: str
    owner: str
    expires: dt.date
    ticket: str = ""
    used: int = field(default=0, compare=False)

    def matches(self, check: str, subject: str) -> bool:
        return fnmatchcase(check, self.check) and fnmatchcase(subject.lower(), self.subject.lower())

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def as_dict(self) -> dict[str, object]:
        return {
            "check": self.check,
            "subject": self.subject,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
            "ticket": self.ticket,
            "used": self.used,
        }


def load_waivers(path: Path) -> list[Waiver]:
    """The waivers of a file; one clear ConfigError line when the file is wrong."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"waivers file {path} does not exist") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"waivers file {path} is not valid TOML: {err}") from None
    unknown = set(doc) - {"waiver"}
    if unknown:
        raise ConfigError(f"waivers file {path}: unknown top-level key(s) {', '.join(sorted(unknown))}; use [[waiver]]")
    tables = doc.get("waiver", [])
    if not isinstance(tables, list):
        raise ConfigError(f"waivers file {path}: write each waiver as a [[waiver]] table")
    return [_waiver(t, i, path) for i, t in enumerate(tables)]


def _waiver(table: object, index: int, path: Path) -> Waiver:
    where = f"waivers file {path}: waiver[{index}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    missing = [k for k in REQUIRED if not table.get(k)]
    if missing:
        raise ConfigError(f"{where} lacks {', '.join(missing)} (every waiver needs {', '.join(REQUIRED)})")
    unknown = set(table) - KNOWN
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    expires = table["expires"]
    if isinstance(expires, dt.datetime):
        expires = expires.date()
    if not isinstance(expires, dt.date):
        raise ConfigError(f"{where}.expires must be a TOML date such as 2027-01-31 (no quotes)")
    for key in ("check", "subject", "reason", "owner", "ticket"):
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f"{where}.{key} must be a string")
    return Waiver(
        check=table["check"],
        subject=table["subject"],
        reason=table["reason"],
        owner=table["owner"],
        expires=expires,
        ticket=table.get("ticket", ""),
    )


def apply_waivers(findings: list[dict], waivers: list[Waiver], today: dt.date) -> None:
    """Mark each finding in place: `waiver` = "waived" | "expired" | "" with the waiver's details.

    A live waiver wins over an expired one for the same finding; each waiver counts the findings it matched.
    """
    for item in findings:
        matched = [w for w in waivers if w.matches(item["check"], item["subject"])]
        for w in matched:
            w.used += 1
        live = [w for w in matched if not w.expired(today)]
        if live:
            item["waiver"] = "waived"
            item["waiver_detail"] = live[0].as_dict()
            item["waiver_note"] = f"waived by {live[0].owner} until {live[0].expires}: {live[0].reason}"
        elif matched:
            latest = max(matched, key=lambda w: w.expires)
            item["waiver"] = "expired"
            item["waiver_detail"] = latest.as_dict()
            item["waiver_note"] = f"waiver expired on {latest.expires} ({latest.owner}: {latest.reason})"
        else:
            item["waiver"] = ""


def unused(waivers: list[Waiver]) -> list[Waiver]:
    return [w for w in waivers if not w.used]
