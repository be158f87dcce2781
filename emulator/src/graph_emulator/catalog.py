"""The emulator's own Microsoft Graph facts, read from the cited data files in `facts/`.

Each file names its public source (Microsoft's generated permission-id table; the licensing
service-plan reference). The emulator never imports the product: these facts are what a real
tenant would answer with, so the product's own tables can be checked against them.
The files are read on first use (no import-time I/O) and cached on the returned object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
GRAPH_DISPLAY_NAME = "Microsoft Graph"


@dataclass(frozen=True)
class Permission:
    """One Microsoft Graph permission: its name and its application / delegated ids."""

    name: str
    app_role_id: str | None
    scope_id: str | None


@dataclass(frozen=True)
class ServicePlan:
    """A service plan, the service it belongs to, and whether it gives the user a mailbox."""

    name: str
    plan_id: str
    gives_mailbox: bool
    service: str = "exchange"


@dataclass(frozen=True)
class Sku:
    """A licence SKU and the Exchange service plans it carries."""

    part_number: str
    sku_id: str
    exchange_plans: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    """Every fact file, indexed by name."""

    permissions: dict[str, Permission]
    service_plans: dict[str, ServicePlan]
    skus: dict[str, Sku]
    sources: dict[str, str]


def _read(name: str) -> dict[str, Any]:
    return json.loads((resources.files("graph_emulator") / "facts" / name).read_text(encoding="utf-8"))


@cache
def facts() -> Facts:
    """The emulator's Graph facts (read once per process)."""
    perms, plans, skus = _read("permissions.json"), _read("service_plans.json"), _read("skus.json")
    return Facts(
        permissions={
            p["name"]: Permission(p["name"], p.get("application"), p.get("delegated")) for p in perms["permissions"]
        },
        service_plans={
            p["name"]: ServicePlan(p["name"], p["id"], bool(p["givesMailbox"]), p.get("service", "exchange"))
            for p in plans["servicePlans"]
        },
        skus={s["skuPartNumber"]: Sku(s["skuPartNumber"], s["skuId"], tuple(s["exchangePlans"])) for s in skus["skus"]},
        sources={"permissions": perms["source"], "service_plans": plans["source"], "skus": skus["source"]},
    )
