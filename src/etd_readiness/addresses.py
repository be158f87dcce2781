"""Protected-address lists: read a file in any common encoding, accept addresses, reject the rest by line.

A line that is not one address makes the run a usage error naming file:line and the text: a typo that
silently shrank the protected scope (or became a false finding) would be worse than stopping.
Addresses compare case-insensitively; internationalised domains compare in Unicode form, so
`user@bücher.de` and `user@xn--bcher-kva.de` are the same address.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from pathlib import Path

from .config_schema import ConfigError

MAX_ADDRESS = 254  # RFC 5321 path limit
SHOWN = 5  # rejected lines named in the error
LOCAL = re.compile(r"^[^\s@,;<>()\[\]\\\"]+$")
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _domain(domain: str) -> str | None:
    """The domain in lower-case Unicode form, or None when it is not a valid (IDNA) domain name."""
    labels = domain.rstrip(".").split(".")
    if len(labels) < 2:
        return None
    out = []
    for label in labels:
        try:
            ascii_label = label.encode("idna").decode("ascii").lower()
            unicode_label = ascii_label.encode("ascii").decode("idna")
        except UnicodeError:
            return None
        if not LABEL.match(ascii_label):
            return None
        out.append(unicode_label.lower())
    return ".".join(out)


def canonical(address: str) -> str:
    """An address as Graph returns it, in comparison form (fast path for plain ASCII domains)."""
    lowered = address.lower()
    local, at, domain = lowered.rpartition("@")
    if not at or (domain.isascii() and "xn--" not in domain):
        return lowered
    return f"{local}@{_domain(domain) or domain}"


def normalize(text: str) -> str | None:
    """One address in its comparison form (lower case, Unicode domain), or None if `text` is not one."""
    if len(text) > MAX_ADDRESS or text.count("@") != 1:
        return None
    local, _, domain = text.partition("@")
    if not local or not LOCAL.match(local):
        return None
    norm = _domain(domain)
    return f"{local.lower()}@{norm}" if norm else None


def check_list(values: Iterable[str], where: str) -> tuple[str, ...]:
    """Addresses from the config file (protection.addresses, ...): each must be one address."""
    out: list[str] = []
    for i, value in enumerate(values):
        norm = normalize(value.strip())
        if norm is None:
            raise ConfigError(f"{where}[{i}] '{_shown(value)}' is not an e-mail address")
        if norm not in out:
            out.append(norm)
    return tuple(out)


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; anything else is one clear line."""
    encoding = next((enc for bom, enc in BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1 if encoding == "utf-8" else None
        at = f"line {line}" if line else f"byte {err.start}"
        raise ConfigError(
            f"{path}:{at}: byte 0x{data[err.start]:02x} is not valid {encoding.upper()}; "
            "save the file as UTF-8 (or UTF-16 with a byte-order mark)"
        ) from None


def read_file(path: Path) -> tuple[str, ...]:
    """One address a line; blank lines and # comments ignored, duplicates kept once."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"cannot read protected addresses file {path}: {err.strerror}") from None
    found: list[str] = []
    seen: set[str] = set()
    rejected: list[str] = []
    for number, line in enumerate(_decode(path, data).splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        norm = normalize(text)
        if norm is None:
            rejected.append(f"line {number} '{_shown(text)}'")
        elif norm not in seen:
            seen.add(norm)
            found.append(norm)
    if rejected:
        more = f" and {len(rejected) - SHOWN} more" if len(rejected) > SHOWN else ""
        raise ConfigError(
            f"{path}: {len(rejected)} line(s) are not one e-mail address: {', '.join(rejected[:SHOWN])}{more}; "
            "write one address a line (# starts a comment)"
        )
    return tuple(found)
