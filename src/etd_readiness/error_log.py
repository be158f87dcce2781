"""ETD's "Download Error Log": read it row by row, whatever its delimiter, encoding and header names.

Cisco does not document the columns (GRAPH_FACTS §11), so they are found by header name, case-,
space- and punctuation-insensitive, with synonyms. A plain list of addresses (as copied from ETD's
mailbox list) is accepted too. A file with no recognisable mailbox column is one clear error naming the
headers it found; a bad row keeps its line number and a reason, and the rest is judged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

COLUMNS: dict[str, tuple[str, ...]] = {
    "mailbox": (
        "mailbox",
        "recipient",
        "email",
        "user",
        "address",
        "emailaddress",
        "mailboxaddress",
        "recipientaddress",
        "recipientemail",
        "useraddress",
        "userprincipalname",
        "upn",
    ),
    "message_id": ("messageid", "internetmessageid", "msgid"),
    "error": ("error", "remediationerror", "status", "reason", "errormessage", "remediationstatus", "details"),
    "time": ("time", "date", "timestamp", "datetime", "remediationtime"),
}
DELIMITERS = (",", ";", "\t")
ADDRESS = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")


class ErrorLogError(Exception):
    """An error log that cannot be read at all, in one line."""


@dataclass(frozen=True)
class ErrorLogRow:
    """One (message, mailbox) row of ETD's error log; `problem` says why a row cannot be judged."""

    file: str
    line: int
    mailbox: str
    message_id: str = ""
    error: str = ""
    time: str = ""
    problem: str = ""

    @property
    def label(self) -> str:
        return f"{self.file}:{self.line}:{self.mailbox or 'no-mailbox'}"

    def to_json(self) -> dict:
        return asdict(self)


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _decode(raw: bytes, path: Path) -> str:
    """UTF-8 with or without BOM, or UTF-16 as Excel saves it ("Unicode text")."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ErrorLogError(
            f"error log {path}: line {line} is not UTF-8 or UTF-16 text; save it again as 'CSV UTF-8'"
        ) from None


def normalise_message_id(value: str) -> str:
    """`<id@host>` and `id@host` are the same Internet message id."""
    value = value.strip()
    if not value:
        return ""
    return value if value.startswith("<") and value.endswith(">") else f"<{value.strip('<>')}>"


def read_error_log(path: Path) -> list[ErrorLogRow]:
    """Every row of one error log file."""
    try:
        text = _decode(path.read_bytes(), path)
    except OSError as err:
        raise ErrorLogError(f"cannot read error log {path}: {err.strerror or err}") from None
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ErrorLogError(f"error log {path} is empty")
    header_line = lines[first]
    delimiter = max(DELIMITERS, key=header_line.count)
    if header_line.count(delimiter) == 0 and _key(header_line) not in COLUMNS["mailbox"]:
        return _plain_list(path, lines)  # no delimiter and no mailbox header: one address a line
    reader = csv.reader(io.StringIO("\n".join(lines[first:])), delimiter=delimiter)
    header = next(reader)
    columns = _columns(header)
    if "mailbox" not in columns:
        found = ", ".join(repr(h.strip()) for h in header if h.strip()) or "none"
        raise ErrorLogError(
            f"error log {path} has no mailbox column (headers found: {found}); name one of: mailbox, recipient, "
            "email, user, address"
        )
    rows = []
    for offset, cells in enumerate(reader, start=first + 2):
        if not any(c.strip() for c in cells):
            continue
        rows.append(_row(path, offset, cells, columns))
    return rows


def _columns(header: list[str]) -> dict[str, int]:
    """Which cell holds which field (the first matching header wins)."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _key(name)
        for field, synonyms in COLUMNS.items():
            if field not in found and key in synonyms:
                found[field] = index
    return found


def _row(path: Path, line: int, cells: list[str], columns: dict[str, int]) -> ErrorLogRow:
    def cell(field: str) -> str:
        index = columns.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    mailbox = cell("mailbox").lower()
    problem = ""
    if not mailbox:
        problem = "the mailbox cell is empty"
    elif not ADDRESS.match(mailbox):
        problem = f"{mailbox!r} is not an e-mail address"
    return ErrorLogRow(
        file=path.name,
        line=line,
        mailbox=mailbox if not problem else mailbox[:80],
        message_id=normalise_message_id(cell("message_id")),
        error=cell("error"),
        time=cell("time"),
        problem=problem,
    )


def _plain_list(path: Path, lines: list[str]) -> list[ErrorLogRow]:
    """One address a line (ETD's mailbox list copied out); blank lines and # comments skipped."""
    rows = []
    for number, raw in enumerate(lines, start=1):
        text = raw.split("#", 1)[0].strip().lower()
        if not text:
            continue
        problem = "" if ADDRESS.match(text) else f"{text[:80]!r} is not an e-mail address"
        rows.append(ErrorLogRow(file=path.name, line=number, mailbox=text[:80], problem=problem))
    if rows and all(r.problem for r in rows):
        raise ErrorLogError(f"error log {path} has no header naming a mailbox column and no line is an address")
    return rows


def read_error_logs(paths: Iterable[Path]) -> list[ErrorLogRow]:
    """The rows of every file, in order."""
    rows: list[ErrorLogRow] = []
    for path in paths:
        rows.extend(read_error_log(Path(path)))
    return rows
