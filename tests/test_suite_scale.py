"""A generated tenant of a few thousand users: paging, batching and per-item throttling end to end."""

from __future__ import annotations

import csv
from collections import Counter

from conftest import write_config
from graph_emulator import Faults
from graph_emulator.generate import generate_tenant, write_tenant

MIX = {"none": 0.01, "onPremises": 0.01, "notDiscoverable": 0.005, "shared": 0.01, "guest": 0.01, "kiosk": 0.01}
# the generator's kinds (tests/tenants/EXPECTED.md, 'Generated tenants') -> the verdict's root cause
ROOT_CAUSE = {"none": "never-licensed", "onPremises": "on-premises", "notDiscoverable": "not-provisioned-yet"}


def test_generated_tenant_every_fault_found_through_paging_and_throttled_batches(
    run_suite, emulator_for, suite_project, tmp_path
):
    users = 2500
    doc = generate_tenant(users, seed=3, mix=MIX, name="scale")
    path = tmp_path / "scale.json"
    write_tenant(doc, path)
    kinds = Counter(u.get("mailbox", "exchangeOnline") for u in doc["users"])
    assert kinds["none"] > 0 and kinds["onPremises"] > 0

    faults = Faults(throttle={"mailFolders": 0.2}, retry_after="fractional", retry_after_seconds=0.01, max_faults=1)
    emu = emulator_for(files=[path], faults=faults)
    config = write_config(suite_project / "etd.toml", [("scale", doc["tenant"]["id"])])
    run = run_suite(f"--etd-config={config}", "-p", "no:html", emulator=emu, html=False, subprocess=True)

    outcomes = run.outcomes()
    verdict = Counter(o for n, o in outcomes.items() if n.startswith("test_etd_can_remediate_mailbox"))
    licence = Counter(o for n, o in outcomes.items() if n.startswith("test_protected_user_holds"))
    members = sum(1 for u in doc["users"] if u.get("userType", "Member") == "Member")
    faults = {k: round(users * MIX[k]) for k in ROOT_CAUSE}
    assert verdict == {"passed": members - sum(faults.values()), "failed": sum(faults.values())}, run.text()
    # licence: only the never-licensed fail; on-premises and not-yet-provisioned are not a licence question
    not_licence = faults["onPremises"] + faults["notDiscoverable"]
    assert licence == {"passed": members - sum(faults.values()), "failed": faults["none"], "skipped": not_licence}
    # each faulty user gets exactly its root cause, in the per-mailbox CSV
    (report,) = (suite_project / "reports").glob("etd-readiness-*.csv")
    got = {r["mailbox"]: r["root_cause"] for r in csv.DictReader(report.open(encoding="utf-8")) if r["root_cause"]}
    expected = {
        u["upn"].lower(): ROOT_CAUSE[u["mailbox"]]
        for u in doc["users"]
        if u.get("mailbox") in ROOT_CAUSE and u.get("userType") != "Guest"
    }
    assert got == expected
    assert emu.stats.requests[("GET", "users")] == 3, "999 users a page"
    batches = emu.stats.requests[("POST", "batch")]
    probes = -(-members // 20)
    again = -(-sum(faults.values()) // 20)  # every non-200 answer is probed once more
    assert probes + again <= batches <= probes * 1.5, "20 probes a batch; throttled items retried in later batches"
    assert sum(emu.stats.batch_items.values()) > members, "some probes were throttled and retried"
