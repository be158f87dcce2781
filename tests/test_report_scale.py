"""The report at scale: passed tenant checks counted (not listed) in the HTML, what pytest keeps of a
passed test, and JUnit written from a spool file the same as pytest writes it."""

from __future__ import annotations

import csv
import html as htmllib
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from conftest import write_config
from graph_emulator.generate import generate_tenant, write_tenant

MIX = {"none": 0.05, "onPremises": 0.03, "shared": 0.03}

# dumps, at the very end of the run, what the reporters still hold (read by the tests below)
PROBE = """
import json, pytest

ITEMS = {}

def pytest_sessionfinish(session):
    ITEMS.update((i.nodeid, len(i.user_properties) + len(i.extra_keyword_matches)) for i in session.items)

@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    tr = config.pluginmanager.get_plugin("terminalreporter")
    html = [p for p in config.pluginmanager.get_plugins() if type(p).__module__.startswith("pytest_html.")]
    def rep(r):
        return {"nodeid": r.nodeid, "when": r.when, "outcome": r.outcome, "keywords": len(r.keywords),
                "props": len(r.user_properties)}
    out = {k: [rep(r) for r in v if hasattr(r, "when")] for k, v in tr.stats.items()}
    out["items"] = ITEMS
    out["html_cache"] = [len(p._reports) for p in html if hasattr(p, "_reports")]
    out["html_rows"] = [list(p._report.data["tests"]) for p in html if hasattr(p, "_report")]
    with open("reporters.json", "w") as fh:
        json.dump(out, fh)
"""


def _tenant(tmp_path, users=80):
    doc = generate_tenant(users, seed=5, mix=MIX, name="scaled", deleted=2)
    path = tmp_path / "scaled.json"
    write_tenant(doc, path)
    return doc, path


def _junit(suite_project) -> dict[str, tuple[str, dict[str, str]]]:
    """testcase name -> (outcome, properties)."""
    out = {}
    for case in ET.parse(suite_project / "junit.xml").iter("testcase"):
        kind = next((k for k in ("failure", "error", "skipped") if case.find(k) is not None), "passed")
        out[case.get("name")] = (kind, {p.get("name"): p.get("value") for p in case.iter("property")})
    return out


def _html_rows(page: str) -> dict[str, list[dict]]:
    blob = re.search(r'data-jsonblob="([^"]*)"', page).group(1)
    return json.loads(htmllib.unescape(blob))["tests"]


def test_html_lists_what_needs_action_and_counts_the_passes(run_suite, emulator_for, suite_project, tmp_path):
    doc, path = _tenant(tmp_path)
    emu = emulator_for(files=[path])
    config = write_config(suite_project / "etd.toml", [("scaled", doc["tenant"]["id"])])
    (suite_project / "conftest.py").write_text(
        (suite_project / "conftest.py").read_text(encoding="utf-8") + PROBE, encoding="utf-8"
    )
    run = run_suite(f"--etd-config={config}", emulator=emu)
    junit = _junit(suite_project)
    outcomes = Counter(kind for kind, _ in junit.values())
    assert outcomes["passed"] > 100 and outcomes["failure"] > 5 and outcomes["skipped"], outcomes
    page = run.html()

    # the results table: every finding, error and skip has its row, no passed tenant check has one
    rows = _html_rows(page)
    listed = {nodeid.split("::")[-1]: [r["result"] for r in got] for nodeid, got in rows.items()}
    expected = {name: kind for name, (kind, _) in junit.items() if kind != "passed"}
    assert set(listed) == set(expected), run.text()[-2000:]
    results = {"failure": "Failed", "error": "Error", "skipped": "Skipped"}
    assert all(listed[name] == [results[kind]] for name, kind in expected.items())

    # pytest-html's own counts stay right, and say that the passes are counted, not listed
    assert f"{outcomes['passed']} Passed (counted, not listed)" in page
    assert f"{outcomes['failure']} Failed" in page
    assert f"{outcomes['passed'] + outcomes['failure']} tests took" in page  # pytest-html counts these two

    # the note says where the full list is; the counts per check and tenant add up to JUnit's
    section = page.split("Passed tests, counted per check and tenant", 1)[1].split("</table>", 1)[0]
    csv_path = suite_project / "report.csv"
    assert f"{outcomes['passed']} passed tenant check(s) are counted here, not listed" in section
    assert str(csv_path) in section and "report.json" in section
    per_check = Counter((props["etd_check"], kind) for kind, props in junit.values() if "etd_check" in props)
    cells = re.findall(r"<tr><td>([^<]+)</td><td>[^<]*</td><td>scaled</td>((?:<td>\d+</td>){4})</tr>", section)
    assert cells, section[:1000]
    for check, counts in cells:
        ok, failed, error, skipped = (int(n) for n in re.findall(r"\d+", counts))
        assert (ok, failed, error, skipped) == (
            per_check[(check, "passed")],
            per_check[(check, "failure")],
            per_check[(check, "error")],
            per_check[(check, "skipped")],
        ), check
    assert {c for c, _ in cells} == {c for c, _ in per_check}

    # the CSV still lists every mailbox, ready or not, with its evidence
    mailboxes = [n for n in junit if n.startswith("test_etd_can_remediate_mailbox[")]
    sheet = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert len(sheet) == len(mailboxes)
    ready = [r for r in sheet if r["verdict"] == "ready"]
    assert ready and all(r["exchange_plan"] and r["mailbox_probe"] == "200" for r in ready)

    # JUnit: every test a testcase, passed ones with their properties
    passed_verdicts = [props for n, (kind, props) in junit.items() if kind == "passed" and n in mailboxes]
    assert passed_verdicts and all(p["etd_check"] == "RDY-01" and p["etd_exchange_plan"] for p in passed_verdicts)

    # what the reporters still hold at the end: no passed tenant check's setup / teardown report, the
    # passed call reports without keywords and properties, pytest-html's cache empty, rows only for
    # what is listed
    held = json.loads((suite_project / "reporters.json").read_text(encoding="utf-8"))
    assert len(held["passed"]) == outcomes["passed"]
    assert all(r["keywords"] == 0 and r["props"] == 0 for r in held["passed"])
    assert all(r["keywords"] > 0 and r["props"] > 0 for r in held["failed"])
    failed_ids = {r["nodeid"] for r in held["failed"]}
    passed_ids = {r["nodeid"] for r in held["passed"]}
    assert not [r for r in held[""] if r["nodeid"] in passed_ids], "a pass's setup / teardown report is forgotten"
    assert {r["nodeid"] for r in held[""] if r["when"] == "teardown"} >= failed_ids, "a failure's teardown is kept"
    assert not [r for r in held[""] if r["when"] == "setup" and r["nodeid"] in failed_ids]
    assert held["html_cache"] == [0]
    assert held["items"] and set(held["items"].values()) == {0}, "a finished item keeps no properties"
    assert len(held["html_rows"][0]) == len(expected)


def test_passes_output_asked_for_keeps_their_teardown_reports(run_suite, emulator_for, suite_project, tmp_path):
    doc, path = _tenant(tmp_path, users=20)
    emu = emulator_for(files=[path])
    config = write_config(suite_project / "etd.toml", [("scaled", doc["tenant"]["id"])])
    (suite_project / "conftest.py").write_text(
        (suite_project / "conftest.py").read_text(encoding="utf-8") + PROBE, encoding="utf-8"
    )
    run_suite(f"--etd-config={config}", "-rP", emulator=emu)
    held = json.loads((suite_project / "reporters.json").read_text(encoding="utf-8"))
    passed = {r["nodeid"] for r in held["passed"]}
    teardowns = {r["nodeid"] for r in held[""] if r["when"] == "teardown"}
    assert passed and passed <= teardowns, "-rP prints each pass's teardown output: those reports stay"


PLAIN_TESTS = """
import pytest

@pytest.fixture
def broken():
    raise RuntimeError("setup fails")

def test_ok(record_property):
    record_property("etd_check", "X-01")
    record_property("note", "caf\\u00e9 <&> \\"quoted\\" 'single'")
    record_property("lines", "one\\ntwo\\tthree\\rfour\\x00 nul")

def test_fails(record_property):
    record_property("etd_check", "X-02")
    print("captured output")
    assert 1 == 2

def test_skips():
    pytest.skip("not applicable")

def test_errors(broken):
    pass

@pytest.mark.parametrize("n", [1, 2])
def test_param(n, record_xml_attribute):
    record_xml_attribute("extra", str(n))
"""


def _normalised(path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r' (time|timestamp|hostname)="[^"]*"', r' \1=""', text)  # the values vary, not where they are
    return re.sub(r"0x[0-9a-f]+", "0x...", text)  # object addresses in captured reprs


@pytest.mark.parametrize("family", ["xunit2", "xunit1"])
def test_spooled_junit_is_the_document_pytest_writes(pytester, family):
    pytester.makepyfile(test_plain=PLAIN_TESTS)
    options = ["-p", "no:cacheprovider", "-o", "junit_logging=all", "-o", f"junit_family={family}"]
    pytester.runpytest(*options, "--junitxml=stock.xml")
    pytester.makeconftest(
        "from etd_readiness.junit_spool import spool_junit\n\ndef pytest_sessionstart(session):\n"
        "    spool_junit(session.config)\n"
    )
    result = pytester.runpytest(*options, "--junitxml=spooled.xml")
    result.assert_outcomes(passed=3, failed=1, skipped=1, errors=1)
    stock, spooled = _normalised(pytester.path / "stock.xml"), _normalised(pytester.path / "spooled.xml")
    assert "café" in spooled and "captured output" in spooled and "test_param[2]" in spooled
    assert ('extra="2"' in spooled) == (family == "xunit1")  # xunit2 drops custom attributes
    assert spooled == stock


@pytest.mark.parametrize(
    "attrs, properties",
    [
        ({}, []),
        ({"extra": "a&b <c> \"d\" 'e'\r\n\t"}, []),
        ({"{urn:example}x": "1"}, [("p", "v")]),
        ({"time": "user's own"}, [("caf\u00e9 & <n>", 'v\n"w"\t\x01')]),
    ],
)
def test_serialised_testcase_is_what_elementtree_writes(attrs, properties):
    from _pytest.junitxml import LogXML, _NodeReporter

    from etd_readiness.junit_spool import serialise_testcase

    reporter = _NodeReporter("t.py::test", LogXML("unused.xml", None, family="xunit1"))
    reporter.attrs = {"classname": "t", "name": "test", **attrs}
    reporter.duration = 0.1234
    for name, value in properties:
        reporter.add_property(name, value)
    if attrs.get("time"):
        reporter.nodes.append(ET.Element("skipped", message="why <not>"))
    assert serialise_testcase(reporter) == ET.tostring(reporter.to_xml(), encoding="unicode")


def test_released_snapshot_says_so_and_keeps_the_run_facts():
    import pytest

    from etd_readiness.checks.base import Estate
    from etd_readiness.findings import NotEvaluated
    from etd_readiness.slim import RELEASED, release_snapshot
    from etd_readiness.snapshot import Section, Snapshot, TenantSnapshot

    users = [{"id": "u1", "userPrincipalName": "a@x.example"}]
    snap = TenantSnapshot("t", "tid", auditor={"client_id": "c"}, sections={"users": Section(True, users)})
    estate = Estate(Snapshot([snap], context={"mode": "replay"}))
    view = estate.tenants["t"]
    assert view.users_by_id == {"u1": users[0]}
    estate.memo["x"] = 1
    release_snapshot(estate)
    assert "users_by_id" not in vars(view) and estate.memo == {}
    with pytest.raises(NotEvaluated, match=re.escape(RELEASED)):
        view.section("users")
    assert (view.snap.tenant_id, view.snap.auditor, estate.context) == ("tid", {"client_id": "c"}, {"mode": "replay"})


def test_evidence_json_is_the_document_with_one_record_per_line():
    from etd_readiness.evidence import render

    doc = {
        "schema": "etd-readiness-evidence/1",
        "run": {"line": "two\nlines", "nested": {"list": [1, 2.5, None, True]}, "empty": []},
        "mailboxes": [{"mailbox": f"user{i}@example.com", "fix": 'caf\u00e9 "quoted" \t tab'} for i in range(3)],
        "subjects": [],
        "findings": [{"check": "C4A-01", "note": "a\nb"}],
        "baseline": None,
    }
    out = io.StringIO()
    render(doc | {"mailboxes": iter(doc["mailboxes"])}, out)  # record lists may be generators
    text = out.getvalue()
    assert json.loads(text) == doc
    lines = [line.strip().rstrip(",") for line in text.splitlines()]
    for record in [*doc["mailboxes"], *doc["findings"]]:
        assert json.dumps(record) in lines  # each record whole on its own line
    for empty in (None, [], iter(())):
        out = io.StringIO()
        render({"findings": empty, "counts": {"a": 1}}, out)
        assert json.loads(out.getvalue()) == {"findings": None if empty is None else [], "counts": {"a": 1}}


def test_evidence_json_that_fails_to_render_leaves_no_file(tmp_path):
    from etd_readiness.evidence import write

    with pytest.raises(TypeError):
        write({"mailboxes": [{"ok": 1}, {("not", "a str key"): 1}]}, tmp_path / "e.json")
    assert list(tmp_path.iterdir()) == []


HEAP_PROBE = """
import gc

seen = []


def pytest_runtest_call(item):
    seen.append(gc.get_freeze_count())


def pytest_unconfigure(config):
    registered = config.pluginmanager.get_plugin("etd-readiness-heap") is not None
    with open("heap-probe.txt", "w") as fh:
        fh.write(f"{min(seen, default=0)} {registered}")
"""


def test_tenant_run_tests_with_the_heap_frozen_and_leaves_it_unfrozen(run_suite, pytester):
    import gc

    pytester.makepyfile(heap_probe=HEAP_PROBE)
    pytester.syspathinsert()
    before = gc.get_freeze_count()
    run = run_suite("-p", "heap_probe")  # the bundled demo tenant, in this process
    assert run.result.ret in (0, 1), run.result.stdout.str()[-2000:]
    frozen, registered = (pytester.path / "heap-probe.txt").read_text().split()
    assert registered == "True" and int(frozen) > 0  # every test ran with the long-lived heap frozen
    assert gc.get_freeze_count() == before


def test_heap_plugin_stays_out_of_runs_without_tenant_checks(pytester):
    pytester.makepyfile(heap_probe=HEAP_PROBE, test_plain="def test_ok():\n    pass\n")
    pytester.syspathinsert()
    pytester.runpytest("-p", "heap_probe", "-p", "no:cacheprovider", "test_plain.py").assert_outcomes(passed=1)
    assert (pytester.path / "heap-probe.txt").read_text().split() == ["0", "False"]
