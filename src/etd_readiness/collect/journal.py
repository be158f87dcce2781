"""The fetch journal: what a live fetch already has, so an interrupted one can continue (`--etd-resume`).

One JSON-lines file per tenant, appended and flushed as answers arrive. The first line is the header:
format, tenant name and id, the auditor's client id, the Graph URL, a fingerprint of everything that
changes what is fetched, and when the fetch started. Each further line is one final answer:
`{"get": url, "n": k, "doc": {...}}` for a completed GET (a page with its nextLink) or
`{"item": url, "n": k, "answer": {...}}` for a `$batch` item whose answer is final (not 429/503/504).
`k` counts the times this fetch asked for the same URL (the mailbox probe asks twice when a mailbox does
not answer 200), so a resume answers each asking once, in the same order. Failures are never journaled:
a resume asks again. Only Graph's answers are kept: no token, secret or header of a request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..config_schema import ConfigError

FORMAT = 1
MAX_AGE = dt.timedelta(hours=24)
#: Re-read on every resume and compared with the journal: a tenant that changed is not resumed.
ORGANIZATION = "/organization?$select=id,displayName,verifiedDomains"
AFRESH = "run without --etd-resume to fetch afresh"


class JournalError(ConfigError):
    """A journal that cannot be resumed: missing, corrupt, too old, or of another config or tenant."""


def fingerprint(parts: Mapping[str, Any]) -> dict[str, str]:
    """A short digest of each part, so a mismatch can name which one changed."""
    return {
        name: hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]
        for name, value in parts.items()
    }


@dataclass
class Slot:
    """One asking for a URL: its key in the journal and, when resuming, the journaled answer."""

    kind: str
    url: str
    n: int
    answer: Any = None


class Journal:
    """Appends final answers of one tenant's fetch; when resuming, answers what was journaled before."""

    def __init__(self, path: Path, header: dict, kept: dict[tuple[str, str, int], Any] | None = None) -> None:
        self.path = path
        self.header = header
        self._kept = kept or {}
        self._asked: Counter[tuple[str, str]] = Counter()
        self.reused = 0
        self.written = 0
        self._out: IO[str] | None = None

    # -- starting and resuming ------------------------------------------------------------------------

    @classmethod
    def start(cls, path: Path, header: dict) -> Journal:
        """A new journal (an old one at `path` is replaced)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        journal = cls(path, header)
        journal._open("w")
        journal._write(header)
        return journal

    @classmethod
    def resume(cls, path: Path, header: dict, now: dt.datetime | None = None) -> Journal:
        """The journal at `path`, checked against this run's header; JournalError says why it cannot be."""
        tenant = header["tenant"]
        if not path.is_file():
            raise JournalError(
                f"--etd-resume: no interrupted fetch of tenant {tenant} to continue ({path} does not exist); "
                "run without --etd-resume"
            )
        lines, good_bytes = _read_lines(path, tenant)
        old = lines[0] if lines else None
        if not isinstance(old, dict) or old.get("format") != FORMAT or "fingerprint" not in old:
            raise JournalError(f"--etd-resume: {path} is not a fetch journal of this suite version; {AFRESH}")
        changed = _changes(old, header)
        if changed:
            raise JournalError(
                f"--etd-resume: the config changed since the interrupted fetch of tenant {tenant}: "
                f"{', '.join(changed)}; {AFRESH}"
            )
        started = _when(old.get("started"), path)
        age = (now or dt.datetime.now(dt.UTC)) - started
        if age > MAX_AGE or age < -dt.timedelta(minutes=5):
            raise JournalError(
                f"--etd-resume: the interrupted fetch of tenant {tenant} started {started.isoformat()}, more than "
                f"{MAX_AGE.total_seconds() / 3600:.0f} h ago: the tenant may have changed since; {AFRESH}"
            )
        kept: dict[tuple[str, str, int], Any] = {}
        for number, entry in enumerate(lines[1:], start=2):
            key = _key(entry)
            if key is None:
                raise JournalError(f"--etd-resume: {path} is corrupt (line {number} is not an answer); {AFRESH}")
            kept[key] = entry.get("doc", entry.get("answer"))
        journal = cls(path, old, kept)
        with path.open("r+b") as raw:  # a line cut short by a crash is dropped, then appending continues
            raw.truncate(good_bytes)
        journal._open("a")
        return journal

    # -- answering and keeping ------------------------------------------------------------------------

    def slot(self, kind: str, url: str) -> Slot:
        """The next asking for `url`; `answer` is set when the journal already holds it."""
        n = self._asked[(kind, url)]
        self._asked[(kind, url)] += 1
        answer = self._kept.pop((kind, url, n), None)
        if answer is not None:
            self.reused += 1
        return Slot(kind, url, n, answer)

    def keep(self, slot: Slot, answer: Any) -> None:
        """Journal a final answer (flushed, so an interrupt keeps it)."""
        self.keep_all([(slot, answer)])

    def keep_all(self, answers: Iterable[tuple[Slot, Any]]) -> None:
        """Journal final answers (one envelope's items), flushed together."""
        if self._out is None:
            return
        lines = [
            json.dumps(
                {slot.kind: slot.url, "n": slot.n, "doc" if slot.kind == "get" else "answer": answer},
                separators=(",", ":"),
                ensure_ascii=False,
            )
            for slot, answer in answers
        ]
        if lines:
            self._out.write("\n".join(lines) + "\n")
            self._out.flush()
            self.written += len(lines)

    def journaled(self, kind: str, url: str) -> Any:
        """What the journal holds for the first asking of `url` (without using it up)."""
        return self._kept.get((kind, url, 0))

    @property
    def entries(self) -> int:
        """Answers this journal holds: reused from before and written now."""
        return self.reused + len(self._kept) + self.written

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def remove(self) -> None:
        """The fetch completed: its snapshot is the product, the journal goes."""
        self.close()
        self.path.unlink(missing_ok=True)

    def _open(self, mode: str) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if mode == "w" else os.O_APPEND), 0o600)
        self._out = os.fdopen(fd, mode, encoding="utf-8")

    def _write(self, doc: dict) -> None:
        if self._out is None:
            return
        self._out.write(json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n")
        self._out.flush()


def header(tenant: str, tenant_id: str, client_id: str | None, graph_url: str, parts: Mapping[str, Any]) -> dict:
    """A journal's first line for a fetch starting now."""
    return {
        "format": FORMAT,
        "tenant": tenant,
        "tenant_id": tenant_id,
        "client_id": client_id,
        "graph_url": graph_url,
        "fingerprint": fingerprint(parts),
        "started": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }


def _read_lines(path: Path, tenant: str) -> tuple[list[Any], int]:
    """The parsed lines and how many bytes of the file they take (a last line without newline is dropped)."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise JournalError(f"--etd-resume: cannot read {path}: {err.strerror}; {AFRESH}") from None
    good = data.rfind(b"\n") + 1
    lines: list[Any] = []
    for number, line in enumerate(data[:good].splitlines(), start=1):
        try:
            lines.append(json.loads(line))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise JournalError(
                f"--etd-resume: the journal of tenant {tenant} ({path}) is corrupt (line {number}: {err}); {AFRESH}"
            ) from None
    return lines, good


def _changes(old: dict, new: dict) -> list[str]:
    """What differs between the journaled fetch and this run, in words."""
    said = {"tenant_id": "the tenant id", "client_id": "the auditor's client id", "graph_url": "the Graph URL"}
    changed = [what for key, what in said.items() if old.get(key) != new.get(key)]
    was, now = old.get("fingerprint") or {}, new["fingerprint"]
    changed += [name for name in now if was.get(name) != now[name]]
    return changed


def _when(value: Any, path: Path) -> dt.datetime:
    try:
        started = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise JournalError(f"--etd-resume: {path} is corrupt (its start time is '{value}'); {AFRESH}") from None
    return started if started.tzinfo else started.replace(tzinfo=dt.UTC)


def _key(entry: Any) -> tuple[str, str, int] | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("n"), int):
        return None
    for kind, field in (("get", "doc"), ("item", "answer")):
        if isinstance(entry.get(kind), str) and isinstance(entry.get(field), dict):
            return kind, entry[kind], entry["n"]
    return None
