"""Loading tenant files: defaults, derived licences and mailbox states, one-line errors, speed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from graph_emulator import TenantFileError, load_tenant, load_tenants
from graph_emulator.catalog import facts

from .conftest import ALPHA, BETA

E3 = facts().skus["ENTERPRISEPACK"]
EXO_P2 = facts().service_plans["EXCHANGE_S_ENTERPRISE"].plan_id


def _user(tenant, upn):
    u = tenant.user(upn)
    assert u is not None, upn
    return u


def test_alpha_loads_with_defaults() -> None:
    t = load_tenant(ALPHA)
    assert (t.name, t.id, t.display_name) == ("alpha", "11111111-1111-4111-8111-111111111111", "Alpha Test")
    assert [d.name for d in t.domains if d.default] == ["alpha.example"]
    ann = _user(t, "ann@alpha.example")
    assert ann["mail"] == "ann@alpha.example" and ann["accountEnabled"] is True and ann["userType"] == "Member"
    assert ann["assignedLicenses"] == [{"disabledPlans": [], "skuId": E3.sku_id}]
    assert ann["assignedPlans"][0]["servicePlanId"] == EXO_P2
    assert ann["assignedPlans"][0]["capabilityStatus"] == "Enabled"
    assert t.mailboxes[ann["id"]] == "exchangeOnline"
    assert [m.id for m in t.messages[ann["id"]]] == ["AAMk-ann-1", "AAMk-ann-2", "AAMk-ann-3"]
    nomail = _user(t, "nomail@alpha.example")
    assert nomail["mail"] is None and nomail["proxyAddresses"] == []
    assert "onPremisesSyncEnabled" not in ann
    assert _user(t, "hybrid@alpha.example")["onPremisesSyncEnabled"] is True


@pytest.mark.parametrize(
    ("upn", "mailbox"),
    [
        ("nolicence@alpha.example", "none"),
        ("foundation@alpha.example", "none"),  # EXCHANGE_S_FOUNDATION gives no mailbox
        ("disabledplan@alpha.example", "none"),
        ("licerror@alpha.example", "none"),  # a failed (group) assignment is not a licence
        ("suspended@alpha.example", "none"),
        ("hybrid@alpha.example", "onPremises"),
        ("shared@alpha.example", "shared"),
    ],
)
def test_default_mailbox_follows_the_licences(upn: str, mailbox: str) -> None:
    t = load_tenant(ALPHA)
    assert t.mailboxes[_user(t, upn)["id"]] == mailbox


def test_licence_details() -> None:
    t = load_tenant(ALPHA)
    off = _user(t, "disabledplan@alpha.example")
    assert off["assignedLicenses"][0]["disabledPlans"] == [EXO_P2]
    assert off["assignedPlans"][0]["capabilityStatus"] == "Deleted"
    err = _user(t, "licerror@alpha.example")
    assert err["assignedLicenses"] == []
    (state,) = err["licenseAssignmentStates"]
    assert (state["state"], state["error"], state["skuId"]) == ("Error", "CountViolation", E3.sku_id)
    assert state["assignedByGroup"]
    assert _user(t, "suspended@alpha.example")["assignedPlans"][0]["capabilityStatus"] == "Suspended"


def test_ids_are_derived_deterministically_and_deleted_ids_from_the_upn() -> None:
    a, b = load_tenant(ALPHA), load_tenant(ALPHA)
    assert [u["id"] for u in a.users] == [u["id"] for u in b.users]
    (gone,) = a.deleted_users
    assert gone["id"] == "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9"
    assert gone["deletedDateTime"] == "2026-11-20T08:00:00Z"


def test_several_tenants_and_duplicates(tmp_path: Path) -> None:
    assert set(load_tenants([ALPHA, BETA])) == {"alpha", "beta"}
    with pytest.raises(TenantFileError, match="tenant.name: 'alpha' is also the name in"):
        load_tenants([ALPHA, ALPHA])


def _write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = """
tenant: {name: t, id: 33333333-3333-4333-8333-333333333333, domains: [{name: t.example}]}
auditor: {appId: 44444444-4444-4444-8444-444444444444, secret: s, roles: [User.Read.All]}
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("users: [{upn: a@t.example, licenses: [NOPE]}]", r"users\[0\]\.licenses\[0\]\.sku: unknown SKU 'NOPE'"),
        ("users: [{upn: a@t.example, mailbox: cloud}]", r"users\[0\]\.mailbox: 'cloud' is not one of"),
        ("users: [{upn: a@t.example, colour: red}]", r"users\[0\]\.colour: unknown field"),
        ("users: [{upn: a@t.example}, {upn: A@t.example}]", r"users\[1\]\.upn: 'a@t.example' is already used"),
        ("users: [{displayName: x}]", r"users\[0\]\.upn: required"),
        ("users: [{upn: a@t.example, id: not-a-guid}]", r"users\[0\]\.id: not a GUID"),
        ("skus: [{partNumber: E99}]", r"skus\[0\]\.partNumber: unknown SKU 'E99'"),
        (
            "servicePrincipals: [{appId: 55555555-5555-4555-8555-555555555555, applicationPermissions: [User.Read]}]",
            r"servicePrincipals\[0\]\.applicationPermissions\[0\]: User.Read is not a application permission",
        ),
        ("groups: [{displayName: g, members: [nobody@t.example]}]", r"groups\[0\]\.members\[0\]: 'nobody@t.example'"),
        ("users: [{upn: a@t.example, messages: [{id: m, folder: attic}]}]", r"messages\[0\]\.folder: 'attic'"),
    ],
)
def test_errors_are_one_line_and_name_file_and_field(tmp_path: Path, extra: str, message: str) -> None:
    path = _write(tmp_path, BASE + extra + "\n")
    with pytest.raises(TenantFileError, match=message) as info:
        load_tenant(path)
    text = str(info.value)
    assert text.startswith(str(path)) and "\n" not in text


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ("tenant: [unclosed", "t.yaml", "invalid YAML at line"),
        ("{", "t.json", "invalid JSON at line 1"),
        ("a = 1", "t.toml", "unsupported file type '.toml'"),
        ("tenant: {name: t}\n", "t.yaml", "tenant.id: required"),
        (BASE.replace("secret: s, ", ""), "t.yaml", "auditor: needs a secret or a certificate"),
    ],
)
def test_unreadable_files(tmp_path: Path, text: str, name: str, message: str) -> None:
    with pytest.raises(TenantFileError, match=message):
        load_tenant(_write(tmp_path, text, name))
    with pytest.raises(TenantFileError, match="cannot read"):
        load_tenant(tmp_path / "missing.yaml")


def test_groups_and_consent_load() -> None:
    t = load_tenant(ALPHA)
    assert [g.display_name for g in t.groups] == ["Protected", "Protected nested"]
    (sp,) = t.service_principals
    assert sp.application_permissions == ("Mail.ReadWrite", "Organization.Read.All")
    assert [g.consent_type for g in sp.delegated_grants] == ["AllPrincipals", "Principal"]
    assert t.applications[0].sign_in_audience == "AzureADMultipleOrgs"


def big_tenant(path: Path, users: int) -> Path:
    """A generated-style JSON tenant with `users` licensed users."""
    doc = json.loads(json.dumps(__import__("yaml").safe_load(BASE)))
    doc["skus"] = [{"partNumber": "ENTERPRISEPACK", "prepaid": users}]
    doc["users"] = [
        {"upn": f"user{i:06d}@t.example", "displayName": f"User {i}", "licenses": ["ENTERPRISEPACK"]}
        for i in range(users)
    ]
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_large_json_tenant_loads_fast(tmp_path: Path) -> None:
    path = big_tenant(tmp_path / "big.json", 20_000)
    start = time.perf_counter()
    t = load_tenant(path)
    elapsed = time.perf_counter() - start
    assert len(t.users) == 20_000
    assert elapsed < 3.0, f"20,000 users took {elapsed:.2f}s"
    # licence lists are shared, not copied per user
    assert t.users[0]["assignedPlans"] is t.users[-1]["assignedPlans"]


def test_provisioning_errors_become_service_provisioning_xml_errors(tmp_path: Path) -> None:
    text = BASE + (
        "users:\n"
        "  - {upn: a@t.example, provisioningErrors: [exchange/NAMPRD09-001-01]}\n"
        "  - {upn: b@t.example, provisioningErrors: [{serviceInstance: exchange/X, detail: clash, isResolved: true}]}\n"
    )
    t = load_tenant(_write(tmp_path, text))
    (a,) = _user(t, "a@t.example")["serviceProvisioningErrors"]
    assert a["@odata.type"] == "#microsoft.graph.serviceProvisioningXmlError"
    assert a["serviceInstance"] == "exchange/NAMPRD09-001-01" and a["isResolved"] is False
    assert a["errorDetail"].startswith("<ServiceInstance")
    (b,) = _user(t, "b@t.example")["serviceProvisioningErrors"]
    assert b["isResolved"] is True and "clash" in b["errorDetail"]
    with pytest.raises(TenantFileError, match=r"provisioningErrors\[0\]\.colour"):
        load_tenant(_write(tmp_path, BASE + "users: [{upn: c@t.example, provisioningErrors: [{colour: red}]}]\n"))


def test_a_key_written_twice_is_a_load_error(tmp_path: Path) -> None:
    text = BASE + "users:\n  - upn: a@t.example\n    mailbox: none\n    mailbox: shared\n"
    with pytest.raises(TenantFileError, match=r"invalid YAML at line \d+ .*'mailbox' is written twice"):
        load_tenant(_write(tmp_path, text))
