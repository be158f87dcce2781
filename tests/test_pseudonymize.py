"""Pseudonymised recordings: no person in the cassette or the report, and the same verdicts as without."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import yaml

from conftest import tenant_file, tenant_ids, write_config
from etd_readiness.catalog import GRAPH_APP_ID, PERMISSIONS, SERVICE_PLANS, SKUS
from etd_readiness.pseudonymize import Pseudonymizer
from graph_emulator import load_tenant

C = "contoso-demo"
F = "fabrikam-demo"
KEY = b"test-pseudonym-key"
ALICE_ID = "15198fa4-f254-5e08-9067-862c51cf8bc8"
TENANT_ID = "477e12be-e484-4305-a010-d60130983488"
LICENCE = "test_protected_user_holds_exchange_online_licence"
ADDRESS = "test_protected_address_resolves_to_a_user"

# -- the Pseudonymizer ----------------------------------------------------------------------------------


def test_same_key_gives_the_same_pseudonyms():
    one, two = Pseudonymizer(KEY), Pseudonymizer(KEY)
    assert one.guid(ALICE_ID) == two.guid(ALICE_ID) == one.guid(ALICE_ID.upper())
    assert one.text("alice@contoso.example") == two.text("ALICE@contoso.example")
    assert one.name("Alice Example") == two.name("Alice Example")
    pseudonym = one.guid(ALICE_ID)
    assert pseudonym != ALICE_ID and str(uuid.UUID(pseudonym)) == pseudonym, "still a GUID"


def test_another_key_gives_other_pseudonyms():
    one, other = Pseudonymizer(KEY), Pseudonymizer(b"another key")
    assert one.guid(ALICE_ID) != other.guid(ALICE_ID)
    assert one.text("alice@contoso.example") != other.text("alice@contoso.example")
    assert one.name("Alice Example") != other.name("Alice Example")


def test_addresses_lose_the_local_part_and_keep_the_domain():
    p = Pseudonymizer(KEY)
    out = p.text("SMTP:alice@contoso.example; smtp:Alice.Example@contoso.example")
    assert "alice" not in out.lower() and out.count("@contoso.example") == 2
    assert re.fullmatch(r"SMTP:u-[0-9a-f]{10}@contoso\.example; smtp:u-[0-9a-f]{10}@contoso\.example", out)
    assert p.text("mail eq 'alice@contoso.example'") == f"mail eq '{p.text('alice@contoso.example')}'", (
        "a quote around an address is not part of it"
    )
    guest = p.text("partner_fabrikam.example#EXT#@contosodemo.onmicrosoft.com")
    assert "partner" not in guest and guest.endswith("@contosodemo.onmicrosoft.com")


def test_catalog_and_kept_guids_stay():
    p = Pseudonymizer(KEY, keep=[TENANT_ID])
    catalog = [
        GRAPH_APP_ID,
        PERMISSIONS["Mail.ReadWrite"].app_role_id,
        PERMISSIONS["Mail.ReadWrite"].scope_id,
        SKUS["ENTERPRISEPACK"].sku_id,
        SERVICE_PLANS["EXCHANGE_S_ENTERPRISE"].plan_id,
    ]
    for value in [*catalog, TENANT_ID, TENANT_ID.upper()]:
        assert p.guid(value) == value
    assert p.guid(ALICE_ID) != ALICE_ID


def test_user_objects_lose_their_names_other_objects_keep_theirs():
    p = Pseudonymizer(KEY)
    doc = {
        "value": [
            {"id": ALICE_ID, "userPrincipalName": "alice@contoso.example", "displayName": "Alice Example"},
            {"id": "e1945cf8-684c-4f70-9e6d-47a64a7e944f", "displayName": "Cisco Secure Email Threat Defense"},
        ]
    }
    out = p.json(doc)["value"]
    assert out[0]["displayName"] == p.name("Alice Example") != "Alice Example"
    assert out[0]["id"] == p.guid(ALICE_ID) and out[0]["userPrincipalName"] == p.text("alice@contoso.example")
    assert out[1]["displayName"] == "Cisco Secure Email Threat Defense", "an app's name is configuration"
    assert p.body(b'{"a": "alice@contoso.example"}') == f'{{"a":"{p.text("alice@contoso.example")}"}}'.encode()
    assert p.body(b"not json alice@contoso.example") == f"not json {p.text('alice@contoso.example')}".encode()


def test_percent_encoded_address_in_a_url_keeps_its_encoding():
    p = Pseudonymizer(KEY)
    alice = p.text("alice@contoso.example")
    encoded = "https://graph.microsoft.com/v1.0/users/alice%40contoso.example/mailFolders/inbox?$select=id"
    out = p.url(encoded)
    assert out == f"https://graph.microsoft.com/v1.0/users/{alice.replace('@', '%40')}/mailFolders/inbox?$select=id"
    assert unquote(out) == p.text(unquote(encoded)), "the same pseudonym as the address in a body"
    assert p.url(encoded.replace("%40", "@")) == unquote(out)
    guest = "https://graph.microsoft.com/v1.0/users/partner_fabrikam.example%23EXT%23%40contosodemo.onmicrosoft.com"
    upn = p.text("partner_fabrikam.example#EXT#@contosodemo.onmicrosoft.com")
    assert p.url(guest) == f"https://graph.microsoft.com/v1.0/users/{upn.replace('@', '%40')}"
    query = "https://graph.microsoft.com/v1.0/users?$filter=mail%20eq%20%27alice%40contoso.example%27&$top=1"
    assert p.url(query) == query.replace("alice%40contoso.example", alice.replace("@", "%40"))
    by_id = f"https://graph.microsoft.com/v1.0/users/{ALICE_ID}/mailFolders/inbox"
    assert p.url(by_id) == by_id.replace(ALICE_ID, p.guid(ALICE_ID))
    untouched = "https://graph.microsoft.com/v1.0/servicePrincipals?$filter=displayName%20eq%20'Cisco%20Secure'"
    assert p.url(untouched) == untouched


# -- recording with --pseudonymize ------------------------------------------------------------------------


def _pattern(outcomes: dict[str, str]) -> Counter:
    """How many passed / failed / errored per test function, whatever the subjects are called."""
    return Counter((name.split("[")[0], outcome) for name, outcome in outcomes.items())


def _root_causes(csv_path) -> Counter:
    """(tenant, verdict, root cause) counts of the per-mailbox CSV, whatever the mailboxes are called."""
    import csv

    return Counter(
        (r["tenant"], r["verdict"], r["root_cause"]) for r in csv.DictReader(csv_path.open(encoding="utf-8"))
    )


def test_pseudonymised_recording_hides_people_and_keeps_the_verdicts(
    run_suite, emulator_for, suite_project, tmp_path, monkeypatch
):
    monkeypatch.setenv("ETD_PSEUDONYM_KEY", KEY.decode())
    p = Pseudonymizer(KEY)
    emu = emulator_for(C, F)
    config = write_config(
        suite_project / "demo.toml",
        tenant_ids(C, F),
        protection={"addresses": ["ghost@contoso.example", "alice@contoso.example"]},
    )
    plain = run_suite(f"--etd-config={config}", emulator=emu).outcomes()
    plain_causes = _root_causes(suite_project / "report.csv")

    cassettes = tmp_path / "cassettes"
    recorded = run_suite(
        f"--etd-config={config}", "--record-mode=rewrite", "--pseudonymize", f"--cassette-dir={cassettes}", emulator=emu
    )
    emu.stop()
    replayed = run_suite(f"--etd-config={config}", "--record-mode=none", f"--cassette-dir={cassettes}")

    people = [u for name in (C, F) for u in load_tenant(tenant_file(name)).users]
    people += [u for name in (C, F) for u in load_tenant(tenant_file(name)).deleted_users]
    for name in (C, F):
        text = (cassettes / f"{name}.yaml").read_text(encoding="utf-8")
        for user in people:
            assert user["id"] not in text, f"{user['userPrincipalName']}'s id in {name}.yaml"
            assert user["displayName"] not in text, f"{user['displayName']} in {name}.yaml"
            local = user["userPrincipalName"].split("@")[0]
            assert not re.search(rf"\b{re.escape(local)}@", text, re.I), f"{local}@ in {name}.yaml"
        assert "u-" in text and "@contoso.example" in (cassettes / f"{C}.yaml").read_text(encoding="utf-8")
        meta = yaml.safe_load(text)["metadata"]["etd_readiness"]
        assert meta["pseudonymized"] is True
        assert meta["pseudonymized_scope"]["protected_addresses"] == sorted(
            p.text(a) for a in ("alice@contoso.example", "ghost@contoso.example")
        )
    assert TENANT_ID in (cassettes / f"{C}.yaml").read_text(encoding="utf-8"), "tenant ids are kept"
    assert SKUS["ENTERPRISEPACK"].sku_id in (cassettes / f"{C}.yaml").read_text(encoding="utf-8")

    assert _pattern(recorded.outcomes()) == _pattern(plain), "the same verdicts, under pseudonyms"
    assert replayed.outcomes() == recorded.outcomes(), "a later replay gives this run's report"
    alice = p.text("alice@contoso.example")
    for run in (recorded, replayed):
        assert run.outcomes()[f"{LICENCE}[{C}:{alice}]"] == "passed"
        assert run.outcomes()[f"{ADDRESS}[{alice}]"] == "passed", "the configured address is pseudonymised too"
        assert run.outcomes()[f"{ADDRESS}[{p.text('ghost@contoso.example')}]"] == "failed"
        assert _root_causes(run.workdir / "report.csv") == plain_causes, "the same root cause per mailbox"
        for shared in (run.html(), run.junit(), run.text(), (run.workdir / "report.csv").read_text(encoding="utf-8")):
            assert "alice" not in shared.lower() and "Alice Example" not in shared
            assert ALICE_ID not in shared
        # alice passes: counted in the HTML, listed (under her pseudonym) in the CSV and the JUnit XML
        assert f"{C}:{alice}" in run.junit() and alice in (run.workdir / "report.csv").read_text(encoding="utf-8")


def test_pseudonymised_cassettes_from_different_recordings_are_refused(
    run_suite, emulator_for, suite_project, tmp_path, monkeypatch
):
    """Two random keys: the same address has two pseudonyms, so the tenants cannot be judged together."""
    monkeypatch.delenv("ETD_PSEUDONYM_KEY", raising=False)
    emu = emulator_for(C, F)
    cassettes = tmp_path / "cassettes"
    for name in (C, F):
        config = write_config(
            suite_project / f"{name}.toml", tenant_ids(name), protection={"addresses": ["a@x.example"]}
        )
        run_suite(
            f"--etd-config={config}",
            "--record-mode=rewrite",
            "--pseudonymize",
            f"--cassette-dir={cassettes}",
            emulator=emu,
        )
    emu.stop()
    (suite_project / "report.html").unlink()
    both = write_config(suite_project / "both.toml", tenant_ids(C, F), protection={"addresses": ["a@x.example"]})
    run = run_suite(f"--etd-config={both}", "--record-mode=none", f"--cassette-dir={cassettes}")
    assert run.result.ret == 4, run.text()
    assert "pseudonymised in different recordings" in run.text() and "ETD_PSEUDONYM_KEY" in run.text()
    assert "Traceback" not in run.text()
    assert not Path(run.workdir / "report.html").exists()


def test_pseudonymised_error_log_hides_mailboxes_and_message_ids_and_keeps_the_diagnoses(
    run_suite, emulator_for, suite_project, tmp_path, monkeypatch
):
    monkeypatch.setenv("ETD_PSEUDONYM_KEY", KEY.decode())
    emu = emulator_for(C)
    log = suite_project / "log.csv"
    log.write_text(
        "Recipient,Message-ID,Error\n"
        "alice@contoso.example,<payroll-0002@hr-portal.example>,Resource is not found\n"
        "alice@contoso.example,<purged-0004@phish.example>,Resource is not found\n"
        "bob@contoso.example,<promo-0005@phish.example>,Resource is not found\n",
        encoding="utf-8",
    )
    config = write_config(suite_project / "c.toml", tenant_ids(C), error_log={"files": ["log.csv"]})

    def diagnoses(run) -> list[tuple[str, str]]:
        import xml.etree.ElementTree as ET

        out = []
        for case in ET.parse(run.workdir / "junit.xml").iter("testcase"):
            if case.get("name", "").startswith("test_remediation_error_is_explained"):
                props = {p.get("name"): p.get("value") for p in case.iter("property")}
                out.append((props.get("etd_error_log_row"), props.get("etd_diagnosis")))
        return sorted(out)

    plain = diagnoses(run_suite(f"--etd-config={config}", emulator=emu))
    assert plain == [("log.csv:2", "message-moved"), ("log.csv:3", "message-deleted"), ("log.csv:4", "never-licensed")]
    cassettes = tmp_path / "cassettes"
    recorded = run_suite(
        f"--etd-config={config}", "--record-mode=rewrite", "--pseudonymize", f"--cassette-dir={cassettes}", emulator=emu
    )
    assert recorded.result.ret == 1, recorded.text()
    emu.stop()
    replayed = run_suite(f"--etd-config={config}", "--record-mode=none", f"--cassette-dir={cassettes}")
    assert replayed.result.ret == 1, replayed.text()
    assert diagnoses(replayed) == plain, "the same diagnoses, under pseudonyms"
    text = (cassettes / f"{C}.yaml").read_text(encoding="utf-8")
    html = replayed.html()
    for secret in ("payroll-0002", "purged-0004", "promo-0005"):
        assert secret not in text and secret not in html, secret
    assert "alice@contoso.example" not in html.split("<h2>ETD's error log")[1].split("</table>")[1]
