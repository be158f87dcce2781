"""The gate a pipeline lives with (issue 12): exit codes, waivers, baseline diff, evidence JSON, verify."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT, tenant_ids, write_config
from etd_readiness.cli import main as cli_main

SCHEMA = json.loads((ROOT / "src/etd_readiness/schema/evidence-1.schema.json").read_text(encoding="utf-8"))
FRANK = "contoso-demo:frank@contoso.example"
MALLORY = "contoso-demo:mallory@contoso.example"  # the demo's one NOT EVALUATED mailbox
JUNK_ROW = "demo-error-log.csv:12:not an address"  # and its error log's one unreadable row
DEMO_FINDINGS = 28 + 5  # 28 per-mailbox and per-cause findings, 5 error-log rows whose mailbox is broken


@pytest.fixture
def demo_project(suite_project):
    shutil.rmtree(suite_project / "cassettes")
    shutil.copytree(ROOT / "cassettes", suite_project / "cassettes")
    return suite_project


def evidence(run) -> dict:
    doc = json.loads((run.workdir / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA, format_checker=jsonschema.FormatChecker())
    return doc


def waivers(path: Path, *tables: dict) -> Path:
    lines = []
    for table in tables:
        lines.append("[[waiver]]")
        for key, value in table.items():
            lines.append(f"{key} = {value}" if key == "expires" else f"{key} = {json.dumps(value)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def waiver(check: str, subject: str, expires: str = "2999-12-31", **extra) -> dict:
    return {"check": check, "subject": subject, "reason": "leaver", "owner": "it-ops", "expires": expires, **extra}


# -- exit codes ------------------------------------------------------------------------------
def test_healthy_tenant_exits_0_and_its_evidence_verifies(run_suite, emulator_for, suite_project, capsys):
    emu = emulator_for("healthy")
    config = write_config(suite_project / "etd.toml", tenant_ids("healthy"))
    run = run_suite(f"--etd-config={config}", emulator=emu)
    assert run.result.ret == 0, run.text()
    doc = evidence(run)
    assert doc["verdict"]["exit_code"] == 0 and doc["verdict"]["line"].startswith("READY - ")
    assert doc["run"]["mode"] == "live" and doc["run"]["phase"] == "after"
    tenant = doc["tenants"][0]
    assert tenant["name"] == "healthy" and tenant["auditor"]["client_id"] and tenant["auditor"]["roles"]
    assert doc["counts"]["findings"] == 0 and doc["counts"]["mailboxes"] == len(doc["mailboxes"]) > 0
    assert "Exit code 0: ready" in run.text()
    assert cli_main(["verify", str(suite_project)]) == 0
    assert "4 file(s) unchanged" in capsys.readouterr().out


def test_demo_findings_exit_1_with_the_evidence_of_every_subject(run_suite, demo_project):
    run = run_suite()
    assert run.result.ret == 1
    doc = evidence(run)
    assert doc["verdict"]["exit_code"] == 1 and doc["run"]["mode"] == "replay" and doc["run"]["demo"]
    frank = next(f for f in doc["findings"] if f["check"] == "RDY-01" and f["subject"] == FRANK)
    assert frank["root_cause"] == "on-premises" and frank["case"] == "4b" and frank["fix"]
    # mallory twice: her verdict and her licence test (whether it applies is her mailbox's answer)
    assert sorted(n["subject"] for n in doc["not_evaluated"]) == sorted([MALLORY, MALLORY, JUNK_ROW])
    assert all(n["reason"] for n in doc["not_evaluated"])
    assert {m["verdict"] for m in doc["mailboxes"]} == {"ready", "not ready", "not evaluated"}
    outcomes = {"passed": "ok", "failed": "finding", "error": "not evaluated", "skipped": "not applicable"}
    assert sorted(s["outcome"] for s in doc["subjects"]) == sorted(outcomes[o] for o in run.outcomes().values())
    for cas in doc["run"]["cassettes"]:
        data = (demo_project / "cassettes" / cas["file"]).read_bytes()
        assert cas["sha256"] == hashlib.sha256(data).hexdigest()
    assert len(doc["run"]["cassettes"]) == len(doc["tenants"]) == 3
    junit = run.junit()
    assert 'name="etd_exit_code" value="1"' in junit and 'name="etd_evidence"' in junit


def test_only_not_evaluated_left_exits_6_and_not_evaluated_cannot_be_waived(run_suite, demo_project):
    file = waivers(demo_project / "waivers.toml", waiver("*", "*"))
    run = run_suite(f"--etd-waivers={file}")
    assert run.result.ret == 6, run.text()
    doc = evidence(run)
    assert doc["counts"]["gating"] == 0 and doc["counts"]["waived"] == doc["counts"]["findings"] == DEMO_FINDINGS
    assert doc["counts"]["not_evaluated"] == 3 and doc["verdict"]["line"].startswith("DEMO (synthetic tenants) - INC")
    assert run.with_outcome("error") == {
        f"test_etd_can_remediate_mailbox[{MALLORY}]",
        f"test_protected_user_holds_exchange_online_licence[{MALLORY}]",
        f"test_remediation_error_is_explained[{JUNK_ROW}]",
    }


def test_a_partial_run_without_findings_exits_6_never_0(run_suite, demo_project):
    run = run_suite("-k", "alice")
    assert run.result.ret == 6, run.text()
    assert evidence(run)["run"]["selection"] == ["-k 'alice'"]


def test_a_stopped_run_exits_2(run_suite, demo_project):
    run = run_suite("-x")
    assert run.result.ret == 2
    assert evidence(run)["verdict"]["line"].startswith("DEMO (synthetic tenants) - INTERRUPTED")


def test_a_bad_waivers_file_is_a_usage_error_in_one_line(run_suite, demo_project):
    (demo_project / "bad.toml").write_text('[[waiver]]\ncheck = "RDY-01"\n', encoding="utf-8")
    run = run_suite(f"--etd-waivers={demo_project / 'bad.toml'}")
    assert run.result.ret == 4
    assert "waiver[0] lacks subject, reason, owner, expires" in run.text()
    assert not (demo_project / "report.json").exists()


# -- waivers ---------------------------------------------------------------------------------
def test_waived_finding_still_fails_in_pytest_but_does_not_gate(run_suite, demo_project):
    everything_but_frank = [waiver("*", "*", reason="known")]
    file = waivers(demo_project / "w.toml", *everything_but_frank)
    base = evidence(run_suite(f"--etd-waivers={file}"))
    assert base["counts"]["gating"] == 0
    file = waivers(
        demo_project / "w.toml",
        waiver("*", "contoso-demo:*", ticket="CHG-1"),
        waiver("*", "fabrikam-demo:*"),
        waiver("*", "northwind-demo:*"),
        waiver("C3A-01", "ghost@contoso.example"),
        waiver("ERR-01", "demo-error-log.csv:*"),
    )
    run = run_suite(f"--etd-waivers={file}")
    assert f"test_etd_can_remediate_mailbox[{FRANK}]" in run.with_outcome("failed")  # the finding is real
    assert run.result.ret == 6  # mallory is NOT EVALUATED; nothing gates
    frank = next(f for f in evidence(run)["findings"] if f["subject"] == FRANK and f["check"] == "RDY-01")
    assert frank["waiver"] == "waived" and frank["waiver_detail"]["owner"] == "it-ops"
    assert frank["waiver_detail"]["ticket"] == "CHG-1"
    assert "Waivers (" in run.html() and "CHG-1" in run.html()
    assert "waived by it-ops until 2999-12-31: leaver" in run.html()  # the mailbox row says so too
    assert f"WAIVED   RDY-01 {FRANK}: waived by it-ops until 2999-12-31: leaver" in run.text()


def test_expired_waiver_gates_and_says_when_it_expired(run_suite, demo_project):
    file = waivers(demo_project / "w.toml", waiver("*", "*"), waiver("RDY-01", FRANK, expires="2020-01-31"))
    run = run_suite(f"--etd-waivers={file}")
    assert run.result.ret == 6  # the live "*" waiver wins over the expired one
    file = waivers(
        demo_project / "w.toml",
        waiver("*", "contoso-demo:[a-eg-z]*"),  # every contoso subject but frank
        waiver("C*", "*"),
        waiver("RDY-01", "fabrikam-demo:*"),
        waiver("RDY-01", "northwind-demo:*"),
        waiver("ERR-01", "demo-error-log.csv:*"),
        waiver("RDY-01", FRANK, expires="2020-01-31"),
    )
    run = run_suite(f"--etd-waivers={file}")
    assert run.result.ret == 1, run.text()
    doc = evidence(run)
    assert doc["counts"]["gating"] == 1
    frank = next(f for f in doc["findings"] if f["subject"] == FRANK and f["check"] == "RDY-01")
    assert frank["waiver"] == "expired" and "waiver expired on 2020-01-31" in frank["waiver_note"]
    assert "waiver expired on 2020-01-31" in run.text()
    assert "GATES: waiver expired" in run.html()
    assert "1 finding(s) gate because their waiver expired" in doc["verdict"]["line"]


def test_unused_waiver_is_listed(run_suite, demo_project):
    file = waivers(demo_project / "w.toml", waiver("RDY-01", "contoso-demo:nobody@contoso.example"))
    run = run_suite(f"--etd-waivers={file}")
    assert run.result.ret == 1
    doc = evidence(run)
    assert [w["subject"] for w in doc["waivers"]["unused"]] == ["contoso-demo:nobody@contoso.example"]
    assert "UNUSED waiver RDY-01 contoso-demo:nobody@contoso.example" in run.text()
    assert "Unused waivers" in run.html()


def test_waivers_from_the_config_file(run_suite, emulator_for, suite_project):
    emu = emulator_for("no-etd")
    waivers(suite_project / "w.toml", waiver("*", "no-etd:*"))
    config = write_config(suite_project / "etd.toml", tenant_ids("no-etd"), etd={"waivers": "w.toml"})
    run = run_suite(f"--etd-config={config}", emulator=emu)
    doc = evidence(run)
    assert doc["waivers"]["source"].endswith("w.toml") and doc["counts"]["waived"] >= 1
    assert doc["counts"]["gating"] == 0 and run.result.ret in (0, 6)


# -- baseline --------------------------------------------------------------------------------
def _baseline(run_suite, project: Path) -> Path:
    """A baseline from a real run, edited: frank's findings dropped (-> new), a stale one added (-> resolved)."""
    doc = evidence(run_suite())
    doc["findings"] = [f for f in doc["findings"] if f["subject"] != FRANK]
    doc["findings"].append({"check": "RDY-01", "subject": "contoso-demo:left@contoso.example"})
    doc["not_evaluated"] = []
    path = project / "previous.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(("fail_on", "code"), [("any", 1), ("new", 1), ("none", 6)])
def test_baseline_new_and_resolved_under_each_fail_on(run_suite, demo_project, fail_on, code):
    base = _baseline(run_suite, demo_project)
    run = run_suite(f"--etd-baseline={base}", f"--etd-fail-on={fail_on}")
    assert run.result.ret == code, run.text()
    doc = evidence(run)
    assert {(f["check"], f["subject"]) for f in doc["baseline"]["new"]} == {("RDY-01", FRANK)}
    assert doc["baseline"]["resolved"] == [{"check": "RDY-01", "subject": "contoso-demo:left@contoso.example"}]
    assert sorted(n["subject"] for n in doc["baseline"]["not_evaluated_new"]) == sorted([MALLORY, MALLORY, JUNK_ROW])
    assert doc["counts"]["gating"] == {"any": DEMO_FINDINGS, "new": 1, "none": 0}[fail_on]
    text = run.text()
    assert f"NEW       RDY-01 {FRANK}: on-premises" in text and "RESOLVED  RDY-01 contoso-demo:left" in text
    assert text.index("NEW       RDY-01") < text.index("RDY-01       7 ok")  # the diff first
    html = run.html()
    assert html.index("Since the baseline") < html.index("<h2>Tenants</h2>")


def test_fail_on_new_with_nothing_new_does_not_fail_for_findings(run_suite, demo_project):
    first = run_suite()
    base = demo_project / "previous.json"
    shutil.copy(first.workdir / "report.json", base)
    run = run_suite(f"--etd-baseline={base}", "--etd-fail-on=new")
    assert run.result.ret == 6  # the known findings do not gate; mallory is still NOT EVALUATED
    assert evidence(run)["baseline"]["new"] == []


def test_a_baseline_that_is_no_evidence_is_a_usage_error(run_suite, demo_project):
    (demo_project / "x.json").write_text("{}", encoding="utf-8")
    run = run_suite(f"--etd-baseline={demo_project / 'x.json'}")
    assert run.result.ret == 4 and "is not an etd-readiness evidence JSON" in run.text()


# -- integrity -------------------------------------------------------------------------------
@pytest.mark.parametrize("victim", ["report.html", "report.json", "junit.xml", "report.csv"])
def test_verify_names_the_tampered_file(run_suite, demo_project, capsys, victim):
    run_suite()
    assert cli_main(["verify", str(demo_project)]) == 0
    with (demo_project / victim).open("a", encoding="utf-8") as fh:
        fh.write(" ")
    assert cli_main(["verify", str(demo_project)]) == 1
    out = capsys.readouterr().out
    assert f"{victim}: CHANGED" in out and out.count("CHANGED") == 1


def test_verify_as_a_module_and_console_script(run_suite, demo_project):
    run_suite()
    (demo_project / "report.csv").unlink()
    done = subprocess.run(
        [sys.executable, "-m", "etd_readiness", "verify", str(demo_project)], capture_output=True, text=True
    )
    assert done.returncode == 1 and "report.csv: missing" in done.stdout
    script = Path(sys.executable).parent / "etd-readiness"
    done = subprocess.run([str(script), "verify", str(demo_project)], capture_output=True, text=True)
    assert done.returncode == 1 and "report.csv: missing" in done.stdout


def _keypair(tmp: Path, name: str) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = tmp / f"{name}.pem"
    private.write_bytes(key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()))
    public = tmp / f"{name}.pub.pem"
    public.write_bytes(key.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def test_signed_manifest_verifies_with_the_public_key_only(run_suite, demo_project, tmp_path, capsys, monkeypatch):
    private, public = _keypair(tmp_path, "etd")
    _, other = _keypair(tmp_path, "other")
    run_suite(f"--etd-sign-key={private}")
    assert (demo_project / "report.manifest.json.sig").is_file()
    assert cli_main(["verify", str(demo_project), "--public-key", str(public)]) == 0
    assert "signature valid" in capsys.readouterr().out
    assert cli_main(["verify", str(demo_project), "--public-key", str(other)]) == 1
    assert "signature does NOT match" in capsys.readouterr().out
    # rewrite a file AND its manifest entry consistently: the hashes agree, the signature does not
    html = demo_project / "report.html"
    html.write_text(html.read_text(encoding="utf-8").replace("INCOMPLETE", "READY"), encoding="utf-8")
    manifest = demo_project / "report.manifest.json"
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    for entry in doc["files"]:
        if entry["path"] == "report.html":
            entry["sha256"] = hashlib.sha256(html.read_bytes()).hexdigest()
    manifest.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    monkeypatch.setenv("ETD_VERIFY_KEY", public.read_text(encoding="ascii"))
    assert cli_main(["verify", str(demo_project)]) == 1
    assert "signature does NOT match" in capsys.readouterr().out


def test_signing_key_from_the_environment(run_suite, demo_project, tmp_path, capsys, monkeypatch):
    private, public = _keypair(tmp_path, "etd")
    monkeypatch.setenv("ETD_SIGNING_KEY", private.read_text(encoding="ascii"))
    run_suite()
    assert cli_main(["verify", str(demo_project), "--public-key", str(public)]) == 0


def test_a_key_that_is_not_ed25519_is_a_usage_error(run_suite, demo_project, tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key", encoding="ascii")
    run = run_suite(f"--etd-sign-key={bad}")
    assert run.result.ret == 4 and "is not an unencrypted PEM private key" in run.text()


# -- many tenants ----------------------------------------------------------------------------
def test_per_tenant_summary_and_tenant_filter(run_suite, demo_project):
    import html.parser

    run = run_suite()
    page = run.html()

    class Rows(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.tenants: list[str] = []
            self.options: list[str] = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "tr" and "data-tenant" in attrs:
                self.tenants.append(attrs["data-tenant"])
            if tag == "option":
                self.options.append(attrs["value"])

    parser = Rows()
    parser.feed(page)
    doc = evidence(run)
    not_ready = [m["tenant"] for m in doc["mailboxes"] if m["verdict"] == "not ready"]
    assert sorted(set(parser.tenants)) == ["contoso-demo", "fabrikam-demo", "northwind-demo"]
    assert parser.tenants.count("contoso-demo") >= not_ready.count("contoso-demo") > 0
    assert parser.options == ["", "contoso-demo", "fabrikam-demo", "northwind-demo"]
    assert "function etdFilterTenant" in page
    summary = page[page.index("<h2>Tenants</h2>") :].split("</table>", 1)[0]
    contoso = next(t for t in doc["tenants"] if t["name"] == "contoso-demo")
    row = summary.split("<td>contoso-demo</td>", 1)[1].split("</tr>", 1)[0]
    cells = [c.split("</td>", 1)[0] for c in row.split("<td>")[1:]]
    assert cells == [
        "not ready",
        str(contoso["mailboxes"]["ready"]),
        str(contoso["mailboxes"]["not_ready"]),
        str(contoso["mailboxes"]["not_evaluated"]),
        str(contoso["mailboxes"]["total"]),
        str(contoso["findings"]),
        str(contoso["not_evaluated"]),
    ]
    assert contoso["findings"] == sum(1 for f in doc["findings"] if f["subject"].startswith("contoso-demo:"))


def test_readme_documents_every_exit_code():
    from etd_readiness.gate import GateCode

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Gating in CI") :].split("\n## ", 1)[0]
    documented = {int(line.split("|")[1]) for line in section.splitlines() if line[:4].strip("| ").isdigit()}
    assert documented == {int(code) for code in GateCode}


def test_under_xdist_the_gate_and_evidence_are_the_same(run_suite, demo_project):
    file = waivers(demo_project / "w.toml", waiver("*", "*"))
    serial = evidence(run_suite(f"--etd-waivers={file}"))
    run = run_suite(f"--etd-waivers={file}", "-n", "2", subprocess=True)
    assert run.result.ret == 6, run.text()
    doc = evidence(run)
    assert doc["counts"] == serial["counts"] and doc["verdict"]["line"] == serial["verdict"]["line"]
    key = lambda f: (f["check"], f["subject"])  # noqa: E731
    assert sorted(map(key, doc["findings"])) == sorted(map(key, serial["findings"]))
