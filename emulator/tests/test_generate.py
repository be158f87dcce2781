"""The synthetic tenant generator and the hand-written tenant files, checked against the loader."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from graph_emulator import generate as gen
from graph_emulator.generate import AUDITOR_ROLES, ETD_MANIFEST_READ_WRITE
from graph_emulator.tenant import load_tenant, load_tenants

ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = ROOT / "emulator" / "src" / "graph_emulator" / "tenants"
TEST_DIR = ROOT / "tests" / "tenants"
TENANT_FILES = sorted(DEMO_DIR.glob("*.yaml")) + sorted(TEST_DIR.glob("*.yaml"))

MIX = {
    "none": 0.05,
    "foundationOnly": 0.02,
    "licenseError": 0.01,
    "exchangeDisabled": 0.01,
    "inactive": 0.02,
    "onPremises": 0.03,
    "notDiscoverable": 0.01,
    "flapping": 0.005,
    "accessPolicyDenied": 0.005,
    "shared": 0.02,
    "room": 0.01,
    "equipment": 0.01,
    "guest": 0.02,
    "disabled": 0.01,
    "kiosk": 0.04,
}


def kind_of(user: dict[str, Any]) -> str:
    """Recover the generator kind of a generated user from its fields."""
    own = {k: v for k, v in user.items() if k not in ("upn", "displayName", "mail", "messages")}
    for kind, fields in gen.KINDS.items():
        if own == fields:
            return kind
    raise AssertionError(f"no kind matches {user}")


def test_same_arguments_give_the_same_tenant() -> None:
    a = gen.generate_tenant(500, seed=11, mix=MIX, deleted=3, messages=1)
    b = gen.generate_tenant(500, seed=11, mix=MIX, deleted=3, messages=1)
    assert a == b
    assert json.dumps(a) == json.dumps(b)


def test_another_seed_gives_another_tenant() -> None:
    a = gen.generate_tenant(500, seed=1, mix=MIX)
    b = gen.generate_tenant(500, seed=2, mix=MIX)
    assert a["tenant"]["id"] != b["tenant"]["id"]
    assert [kind_of(u) for u in a["users"]] != [kind_of(u) for u in b["users"]]


@pytest.mark.parametrize("users", [0, 1, 1000, 3333])
def test_counts_per_kind_are_exact(users: int) -> None:
    tenant = gen.generate_tenant(users, seed=4, mix=MIX)
    counts = Counter(kind_of(u) for u in tenant["users"])
    expected = {kind: round(users * fraction) for kind, fraction in MIX.items()}
    expected["ok"] = users - sum(expected.values())
    assert {k: counts.get(k, 0) for k in expected} == expected
    assert len(tenant["users"]) == users
    assert len({u["upn"] for u in tenant["users"]}) == users


def test_conventions_match_the_demo_tenants() -> None:
    tenant = gen.generate_tenant(10)
    assert tenant["auditor"] == {
        "appId": gen.AUDITOR_APP_ID,
        "displayName": "ETD Readiness Auditor",
        "secret": "demo-auditor-secret",
        "roles": list(AUDITOR_ROLES),
    }
    (etd,) = tenant["servicePrincipals"]
    assert etd["appId"] == gen.ETD_APP_ID
    assert etd["applicationPermissions"] == list(ETD_MANIFEST_READ_WRITE)
    contoso = load_tenant(DEMO_DIR / "contoso-demo.yaml")
    assert contoso.id == gen.ETD_HOME_TENANT_ID
    assert contoso.auditor.app_id == gen.AUDITOR_APP_ID
    assert contoso.auditor.secret == gen.AUDITOR_SECRET
    assert [a.app_id for a in contoso.applications] == [gen.ETD_APP_ID]


def test_etd_missing_permission_is_left_out() -> None:
    tenant = gen.generate_tenant(5, etd_missing_permissions=["Mail.ReadWrite", "Organization.Read.All"])
    perms = tenant["servicePrincipals"][0]["applicationPermissions"]
    assert "Mail.ReadWrite" not in perms and "Organization.Read.All" not in perms
    assert set(perms) == set(ETD_MANIFEST_READ_WRITE) - {"Mail.ReadWrite", "Organization.Read.All"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mix": {"nonsense": 0.1}}, "unknown mix kind 'nonsense'"),
        ({"mix": {"none": 0.7, "shared": 0.5}}, "more than all"),
        ({"mix": {"none": 1.5}}, "between 0 and 1"),
        ({"name": "Bad Name"}, "--name"),
        ({"deleted": -1}, "negative"),
        ({"etd_missing_permissions": ["Mail.Send"]}, "not in ETD's manifest"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gen.generate_tenant(10, **kwargs)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_written_tenant_loads_with_the_loader(tmp_path: Path, suffix: str) -> None:
    tenant = gen.generate_tenant(400, seed=9, mix=MIX, name="gen-test", deleted=4, messages=2)
    path = tmp_path / f"gen{suffix}"
    gen.write_tenant(tenant, path)
    loaded = load_tenant(path)
    assert loaded.name == "gen-test" and loaded.id == tenant["tenant"]["id"]
    assert len(loaded.users) == 400 and len(loaded.deleted_users) == 4
    by_upn = {u["userPrincipalName"]: u for u in loaded.users}
    for raw in tenant["users"]:
        user = by_upn[raw["upn"]]
        assert loaded.mailboxes[user["id"]] == raw["mailbox"]
        assert len(loaded.messages.get(user["id"], ())) == len(raw.get("messages", ()))
    for raw, user in zip(tenant["deletedUsers"], loaded.deleted_users, strict=True):
        assert user["id"] == raw["id"] and user["mail"] == raw["mail"]
    assert {s.part_number for s in loaded.skus} == {"ENTERPRISEPACK", "SPE_F1", "M365_F1"}
    assert loaded.service_principals[0].application_permissions == ETD_MANIFEST_READ_WRITE


def test_license_error_leaves_enterprisepack_exactly_full() -> None:
    tenant = gen.generate_tenant(200, mix={"licenseError": 0.05})
    (sku,) = tenant["skus"]
    assert sku == {"partNumber": "ENTERPRISEPACK", "prepaid": 190}


def test_write_tenant_rejects_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=".json, .yaml or .yml"):
        gen.write_tenant(gen.generate_tenant(1), tmp_path / "t.txt")


def test_cli_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "t.json"
    argv = [
        "--users",
        "50",
        "--seed",
        "3",
        "--mix",
        "none=0.1,shared=0.1",
        "--deleted",
        "2",
        "--out",
        str(out),
    ]
    assert gen.main(argv) == 0
    assert "wrote" in capsys.readouterr().out
    data = json.loads(out.read_text())
    assert data == gen.generate_tenant(50, 3, {"none": 0.1, "shared": 0.1}, deleted=2)
    assert load_tenant(out).name == "synthetic"


@pytest.mark.parametrize(
    "argv",
    [
        ["--users", "10", "--mix", "none=abc", "--out", "x.json"],
        ["--users", "10", "--mix", "bogus=0.1", "--out", "x.json"],
        ["--users", "10", "--out", "x.csv"],
        ["--users", "ten", "--out", "x.json"],
        ["--users", "10", "--etd-missing-permission", "Nope", "--out", "x.json"],
        ["--out", "x.json"],
    ],
)
def test_cli_bad_arguments_are_one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        gen.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err


def test_module_runs_as_a_script_without_traceback(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "graph_emulator.generate", "--users", "5", "--mix", "x=1"]
    proc = subprocess.run([*cmd, "--out", str(tmp_path / "t.json")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "unknown mix kind 'x'" in proc.stderr


@pytest.mark.parametrize("path", TENANT_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_tenant_file_loads(path: Path) -> None:
    tenant = load_tenant(path)
    assert tenant.name == path.stem
    assert tenant.auditor.app_id == gen.AUDITOR_APP_ID
    assert tenant.auditor.secret == gen.AUDITOR_SECRET
    assert all(sp.app_id == gen.ETD_APP_ID for sp in tenant.service_principals)
    assert all(d.name.endswith((".example", ".onmicrosoft.com")) for d in tenant.domains)


def test_tenant_files_have_unique_names_and_ids_and_are_documented() -> None:
    tenants = load_tenants(list(TENANT_FILES))
    assert len(tenants) == len(TENANT_FILES)
    expected_md = (TEST_DIR / "EXPECTED.md").read_text()
    for name, tenant in tenants.items():
        assert name in expected_md and tenant.id in expected_md
