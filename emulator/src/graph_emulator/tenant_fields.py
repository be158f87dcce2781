"""Field readers for tenant files: each failure is one TenantFileError naming the file and the field."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from . import catalog

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NS_BYTES = uuid.UUID("6f0d6a52-4a4e-4f39-9a55-1f3c2c6f2e11").bytes


class TenantFileError(ValueError):
    """A tenant file that cannot be loaded; the message is one line naming file and field."""


class Fields:
    """Reads values out of one tenant file's parsed data, raising TenantFileError on bad ones."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> TenantFileError:
        """The error to raise for `where` (a dotted field path)."""
        return TenantFileError(f"{self.path}: {where}: {problem}" if where else f"{self.path}: {problem}")

    def mapping(self, value: Any, where: str, allowed: frozenset[str] | None = None) -> dict[str, Any]:
        """A mapping, optionally with only the allowed keys."""
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, got {type(value).__name__}")
        if allowed is not None and not value.keys() <= allowed:
            for key in value:
                if key not in allowed:
                    raise self.fail(f"{where}.{key}" if where else str(key), "unknown field")
        return value

    def seq(self, data: dict[str, Any], key: str, where: str) -> list[Any]:
        """An optional list (missing or null: empty)."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", f"expected a list, got {type(value).__name__}")
        return value

    def text(self, data: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
        """A required (no default) or optional string."""
        value = data.get(key)
        if value is None:
            if default is None:
                raise self.fail(f"{where}.{key}", "required")
            return default
        if isinstance(value, (datetime, date)):
            return iso(value)
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"expected a string, got {type(value).__name__}")
        return str(value)

    def opt_text(self, data: dict[str, Any], key: str, where: str) -> str | None:
        """An optional string that may be null."""
        return None if data.get(key) is None else self.text(data, key, where)

    def flag(self, data: dict[str, Any], key: str, where: str, default: bool | None) -> bool | None:
        """An optional boolean."""
        value = data.get(key, default)
        if value is not None and not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"expected true or false, got {value!r}")
        return value

    def count(self, data: dict[str, Any], key: str, where: str) -> int:
        """An optional non-negative integer (default 0)."""
        value = data.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(f"{where}.{key}", f"expected a non-negative integer, got {value!r}")
        return value

    def guid(self, data: dict[str, Any], key: str, where: str, derive: str | None = None) -> str:
        """A GUID (lower-cased); when missing, derived from `derive` or required."""
        value = data.get(key)
        if value is None:
            if derive is None:
                raise self.fail(f"{where}.{key}", "required")
            return derived_id(derive)
        if not isinstance(value, str) or not _GUID.match(value):
            raise self.fail(f"{where}.{key}", f"not a GUID: {value!r}")
        return value.lower()

    def choice(self, data: dict[str, Any], key: str, where: str, choices: frozenset[str], default: str) -> str:
        """A string that must be one of `choices`."""
        value = data.get(key, default)
        if value not in choices:
            raise self.fail(f"{where}.{key}", f"{value!r} is not one of {', '.join(sorted(choices))}")
        return value

    def permissions(self, value: Any, where: str, kind: str) -> tuple[str, ...]:
        """A list of catalogue permission names usable as `kind` ("application" or "delegated")."""
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(where, "expected a list of permission names")
        out = []
        for i, name in enumerate(value):
            perm = catalog.facts().permissions.get(name) if isinstance(name, str) else None
            if perm is None:
                raise self.fail(f"{where}[{i}]", f"unknown permission {name!r}")
            if (perm.app_role_id if kind == "application" else perm.scope_id) is None:
                raise self.fail(f"{where}[{i}]", f"{name} is not a {kind} permission")
            out.append(name)
        return tuple(out)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects (much faster loads)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def derived_id(key: str) -> str:
    """A deterministic GUID for an object the file gives no id (equal to uuid5, computed faster)."""
    h = hashlib.sha1(_NS_BYTES + key.encode()).hexdigest()
    variant = "89ab"[int(h[16], 16) & 0x3]
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


def iso(value: datetime | date) -> str:
    """A YAML date/datetime as Graph's ISO 8601 UTC text."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T00:00:00Z"
