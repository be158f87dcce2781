"""The snapshot: everything collected from the tenants, and which fetches failed and why.

Collect once, evaluate many: checks read only this. A section that failed carries its reason so
every test that depends on it errors with that reason instead of passing or failing falsely.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .findings import SectionUnavailable

SNAPSHOT_FORMAT = "etd-readiness-snapshot/1"


@dataclass
class Section:
    """One fetched part of a tenant: its data, or the reason it could not be fetched."""

    ok: bool
    data: Any = None
    error: str | None = None

    @classmethod
    def failed(cls, reason: str) -> Section:
        return cls(ok=False, error=reason)

    def to_json(self) -> dict:
        return {"ok": self.ok, "data": self.data, "error": self.error}


@dataclass
class TenantSnapshot:
    """What was collected from one tenant."""

    name: str
    tenant_id: str
    auditor: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    collected_at: str = ""

    def section(self, name: str) -> Any:
        """The data of a section, or SectionUnavailable with the reason it was not fetched."""
        sec = self.sections.get(name)
        if sec is None:
            raise SectionUnavailable(self.name, name, "it was never collected")
        if not sec.ok:
            raise SectionUnavailable(self.name, name, sec.error or "unknown reason")
        return sec.data

    def is_ok(self, name: str) -> bool:
        sec = self.sections.get(name)
        return bool(sec and sec.ok)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "tenant_id": self.tenant_id,
            "auditor": self.auditor,
            "collected_at": self.collected_at,
            "sections": {k: v.to_json() for k, v in self.sections.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> TenantSnapshot:
        return cls(
            name=data["name"],
            tenant_id=data["tenant_id"],
            auditor=data.get("auditor", {}),
            collected_at=data.get("collected_at", ""),
            sections={
                k: Section(ok=v["ok"], data=v.get("data"), error=v.get("error")) for k, v in data["sections"].items()
            },
        )


@dataclass
class Snapshot:
    """All tenants of one run plus the run's context (mode, manifest, protection settings)."""

    tenants: list[TenantSnapshot]
    context: dict[str, Any] = field(default_factory=dict)

    def tenant(self, name: str) -> TenantSnapshot:
        for t in self.tenants:
            if t.name == name:
                return t
        raise KeyError(name)

    def to_json(self) -> dict:
        return {
            "format": SNAPSHOT_FORMAT,
            "context": self.context,
            "tenants": [t.to_json() for t in self.tenants],
        }

    @classmethod
    def from_json(cls, data: dict) -> Snapshot:
        if data.get("format") != SNAPSHOT_FORMAT:
            raise ValueError(f"not a {SNAPSHOT_FORMAT} document")
        return cls(tenants=[TenantSnapshot.from_json(t) for t in data["tenants"]], context=data.get("context", {}))

    def save(self, path: Path) -> None:
        """Write atomically: a reader never sees half a snapshot."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".snapshot-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(self.to_json(), separators=(",", ":")))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Snapshot:
        with open(path, encoding="utf-8") as fh:
            return cls.from_json(json.load(fh))
