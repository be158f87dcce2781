"""The product's Graph catalog and the emulator's own cited facts agree, both ways.

The checks judge a tenant by `etd_readiness.catalog`; the emulator answers from its data files in
`graph_emulator/facts/`, each checked against Microsoft's published reference. A wrong id in either copy
would let every emulator-driven test pass while real tenants fail, so any difference fails here.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from etd_readiness import catalog as product
from graph_emulator import catalog as emulator

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def differences(perms: dict, plans: dict, skus: dict, facts: emulator.Facts) -> list[str]:
    """Every disagreement between the product's tables and the emulator's facts, one line each."""
    out: list[str] = []
    for name, p in perms.items():
        f = facts.permissions.get(name)
        if f is None:
            out.append(f"permission {name}: unknown to the emulator's facts")
            continue
        for kind, mine, theirs in (
            ("Application", p.app_role_id, f.app_role_id),
            ("Delegated", p.scope_id, f.scope_id),
        ):
            if mine != theirs:
                out.append(f"permission {name} ({kind}): product {mine}, emulator {theirs}")
    out += [
        f"permission {n}: in the emulator's facts, unknown to the product" for n in facts.permissions.keys() - perms
    ]
    for name, p in plans.items():
        f = facts.service_plans.get(name)
        if f is None:
            out.append(f"service plan {name}: unknown to the emulator's facts")
        elif (p.plan_id, p.gives_mailbox) != (f.plan_id, f.gives_mailbox):
            out.append(
                f"service plan {name}: product ({p.plan_id}, mailbox={p.gives_mailbox}), "
                f"emulator ({f.plan_id}, mailbox={f.gives_mailbox})"
            )
    out += [
        f"service plan {n}: in the emulator's facts, unknown to the product" for n in facts.service_plans.keys() - plans
    ]
    for part, s in skus.items():
        f = facts.skus.get(part)
        if f is None:
            out.append(f"SKU {part}: unknown to the emulator's facts")
        elif (s.sku_id, s.exchange_plans) != (f.sku_id, f.exchange_plans):
            out.append(
                f"SKU {part}: product ({s.sku_id}, {s.exchange_plans}), emulator ({f.sku_id}, {f.exchange_plans})"
            )
    out += [f"SKU {n}: in the emulator's facts, unknown to the product" for n in facts.skus.keys() - skus]
    return out


def _product() -> tuple[dict, dict, dict]:
    return product.PERMISSIONS, product.SERVICE_PLANS, product.SKUS


def test_product_catalog_and_emulator_facts_agree() -> None:
    assert differences(*_product(), emulator.facts()) == []


def test_every_id_is_a_lowercase_guid_and_unique() -> None:
    perms, plans, skus = _product()
    for kind, ids in (
        ("Application", [p.app_role_id for p in perms.values() if p.app_role_id]),
        ("Delegated", [p.scope_id for p in perms.values() if p.scope_id]),
        ("plan", [p.plan_id for p in plans.values()]),
        ("SKU", [s.sku_id for s in skus.values()]),
    ):
        assert all(GUID.match(i) for i in ids), kind
        assert len(set(ids)) == len(ids), f"duplicate {kind} id"
    assert all(name in plans for s in skus.values() for name in s.exchange_plans)


def test_mailbox_plans_are_the_exchange_online_mailbox_plans() -> None:
    """The rule in the data files: mailbox plans are Exchange Online Plan 1/2, Kiosk, Essentials and their kin."""
    gives = {name for name, p in product.SERVICE_PLANS.items() if p.gives_mailbox}
    assert {product.SERVICE_PLANS[n].plan_id for n in gives} == product.MAILBOX_PLAN_IDS
    assert {"EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_DESKLESS", "EXCHANGE_S_ESSENTIALS"} <= gives
    assert {"EXCHANGE_S_STANDARD_GOV", "EXCHANGE_S_ENTERPRISE_GOV", "EXCHANGE_S_DESKLESS_GOV"} <= gives
    assert not gives & {"EXCHANGE_S_FOUNDATION", "EXCHANGE_S_ARCHIVE_ADDON", "EOP_ENTERPRISE", "ATP_ENTERPRISE"}


def test_every_facts_file_names_its_public_source() -> None:
    sources = emulator.facts().sources
    assert "permissions-ids.md" in sources["permissions"]
    assert "licensing-service-plan-reference" in sources["service_plans"]
    assert "licensing-service-plan-reference" in sources["skus"]


def _altered(facts: emulator.Facts, table: str, key: str, value=None, **changes) -> emulator.Facts:
    """A copy of the facts with one entry changed (changes), removed (nothing given) or added (value)."""
    entries = dict(getattr(facts, table))
    if value is not None:
        entries[key] = value
    elif changes:
        entries[key] = dataclasses.replace(entries[key], **changes)
    else:
        del entries[key]
    return dataclasses.replace(facts, **{table: entries})


ALTERATIONS = {
    "application id": (
        ("permissions", "GroupMember.Read.All"),
        {"app_role_id": "00000000-0000-0000-0000-000000000001"},
        "permission GroupMember.Read.All (Application): product 98830695-27a2-44f7-8c18-0c3ebc9698f6",
    ),
    "delegated id": (
        ("permissions", "User.Read"),
        {"scope_id": None},
        "permission User.Read (Delegated): product e1fe6dd8-ba31-4d61-89e7-88639da4683d, emulator None",
    ),
    "plan id": (
        ("service_plans", "EXCHANGE_S_STANDARD_GOV"),
        {"plan_id": "00000000-0000-0000-0000-000000000002"},
        "service plan EXCHANGE_S_STANDARD_GOV: product (e9b4930a",
    ),
    "gives mailbox": (
        ("service_plans", "EXCHANGE_S_ARCHIVE_ADDON"),
        {"gives_mailbox": True},
        "service plan EXCHANGE_S_ARCHIVE_ADDON: product (176a09a6-7ec5-4039-ac02-b2791c6ba793, mailbox=False), "
        "emulator (176a09a6-7ec5-4039-ac02-b2791c6ba793, mailbox=True)",
    ),
    "plan missing": (("service_plans", "EXCHANGE_B_STANDARD"), {}, "service plan EXCHANGE_B_STANDARD: unknown to the"),
    "sku plans": (
        ("skus", "SPE_E3"),
        {"exchange_plans": ("EXCHANGE_S_STANDARD",)},
        "SKU SPE_E3: product (05e9a617-0261-4cee-bb44-138d3ef5d965, ('EXCHANGE_S_ENTERPRISE',))",
    ),
}


@pytest.mark.parametrize("what", ALTERATIONS)
def test_a_deliberately_altered_fact_is_reported(what: str) -> None:
    (table, key), changes, expected = ALTERATIONS[what]
    found = differences(*_product(), _altered(emulator.facts(), table, key, **changes))
    assert len(found) == 1 and found[0].startswith(expected), found


def test_a_fact_only_the_emulator_knows_is_reported() -> None:
    extra = emulator.Permission("Mail.ReadWrite.Shared", None, "5df07973-7d5d-46ed-9847-1271055cbd51")
    found = differences(*_product(), _altered(emulator.facts(), "permissions", extra.name, extra))
    assert found == ["permission Mail.ReadWrite.Shared: in the emulator's facts, unknown to the product"]
