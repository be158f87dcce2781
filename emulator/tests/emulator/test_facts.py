"""The facts files: every service plan can be served, through the SKUs that carry it."""

from __future__ import annotations

import json
from pathlib import Path

from graph_emulator import load_tenant
from graph_emulator.catalog import facts


def _tenant_with_one_user_per_sku(tmp_path: Path) -> Path:
    skus = sorted(facts().skus)
    doc = {
        "tenant": {
            "name": "every-sku",
            "id": "22222222-2222-4222-8222-222222222222",
            "displayName": "Every SKU",
            "domains": [{"name": "everysku.onmicrosoft.com", "initial": True, "default": True}],
        },
        "skus": [{"partNumber": s, "prepaid": 1} for s in skus],
        "auditor": {"appId": "aaaaaaaa-0000-4000-8000-000000000002", "displayName": "Auditor", "secret": "s"},
        "users": [{"upn": f"u{i}@everysku.onmicrosoft.com", "licenses": [s]} for i, s in enumerate(skus)],
    }
    path = tmp_path / "every-sku.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_every_service_plan_is_carried_by_some_sku() -> None:
    carried = {p for s in facts().skus.values() for p in s.exchange_plans}
    assert carried == set(facts().service_plans)


def test_a_user_holding_any_sku_gets_its_plans_and_a_mailbox_only_from_a_mailbox_plan(tmp_path: Path) -> None:
    tenant = load_tenant(_tenant_with_one_user_per_sku(tmp_path))
    plans = facts().service_plans
    for i, part in enumerate(sorted(facts().skus)):
        sku = facts().skus[part]
        user = tenant.user(f"u{i}@everysku.onmicrosoft.com")
        assert user is not None
        assert user["assignedLicenses"] == [{"disabledPlans": [], "skuId": sku.sku_id}]
        assert [p["servicePlanId"] for p in user["assignedPlans"]] == [plans[n].plan_id for n in sku.exchange_plans]
        gives = any(plans[n].gives_mailbox for n in sku.exchange_plans)
        assert tenant.mailboxes[user["id"]] == ("exchangeOnline" if gives else "none"), part
