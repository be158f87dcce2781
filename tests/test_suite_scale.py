"""A generated tenant of a few thousand users: paging, batching and per-item throttling end to end."""

from __future__ import annotations

from collections import Counter

from conftest import write_config
from graph_emulator import Faults
from graph_emulator.generate import generate_tenant, write_tenant

MIX = {"none": 0.01, "onPremises": 0.01, "notDiscoverable": 0.005, "shared": 0.01, "guest": 0.01, "kiosk": 0.01}
MAILBOX_FAULTS = {"none", "onPremises", "notDiscoverable"}
LICENCE_FAULTS = {"none"}


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
    mailbox = Counter(o for n, o in outcomes.items() if n.startswith("test_protected_mailbox_answers"))
    licence = Counter(o for n, o in outcomes.items() if n.startswith("test_protected_user_holds"))
    members = sum(1 for u in doc["users"] if u.get("userType", "Member") == "Member")
    expected_mailbox_failures = (
        round(users * MIX["none"]) + round(users * MIX["onPremises"]) + round(users * MIX["notDiscoverable"])
    )
    assert mailbox == {"passed": members - expected_mailbox_failures, "failed": expected_mailbox_failures}, run.text()
    assert licence == {"passed": members - round(users * MIX["none"]), "failed": round(users * MIX["none"])}
    assert emu.stats.requests[("GET", "users")] == 3, "999 users a page"
    batches = emu.stats.requests[("POST", "batch")]
    probes = -(-members // 20)
    assert probes <= batches <= probes * 1.5, "20 probes a batch; throttled items retried in later batches"
    assert sum(emu.stats.batch_items.values()) > members, "some probes were throttled and retried"
