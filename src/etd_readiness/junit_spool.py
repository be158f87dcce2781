"""pytest's JUnit writer with each finished testcase spooled to a temporary file (controller only).

pytest keeps an element tree of every testcase until the end; at 100,000 mailboxes that is
~26 elements per tenant check. `SpoolingLogXML` serialises each testcase when it finishes, into a
temporary file, and copies them into pytest's own document at the end: the same bytes, not held
in memory. A testcase and its properties are written as strings (`serialise_testcase`), with
ElementTree's own escaping rules; its child elements (failure, skipped, system-out) are rare and
go through ElementTree.
"""

from __future__ import annotations

import os
import platform
import tempfile
import xml.etree.ElementTree as ET
from typing import IO, Any

import pytest
from _pytest.junitxml import LogXML, xml_key  # pytest's own JUnit writer (importable with -p no:junitxml)

SPOOL_MARK = "etd-spooled-testcases"


def _attr(text: str) -> str:
    """An attribute value escaped as ElementTree escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def serialise_testcase(reporter: Any) -> str:
    """`ET.tostring(reporter.to_xml(), encoding="unicode")` for pytest's _NodeReporter, without the tree."""
    attrs = {**reporter.attrs, "time": f"{reporter.duration:.3f}"}
    if any(name.startswith("{") for name in attrs):  # a namespaced attribute: ElementTree declares it
        return ET.tostring(reporter.to_xml(), encoding="unicode")
    out = ["<testcase", *(f' {name}="{_attr(value)}"' for name, value in attrs.items())]
    if not reporter.properties and not reporter.nodes:
        out.append(" />")
        return "".join(out)
    out.append(">")
    if reporter.properties:
        out.append("<properties>")
        out.extend(f'<property name="{_attr(n)}" value="{_attr(v)}" />' for n, v in reporter.properties)
        out.append("</properties>")
    out.extend(ET.tostring(node, encoding="unicode") for node in reporter.nodes)
    out.append("</testcase>")
    return "".join(out)


def spool_junit(config: pytest.Config) -> None:
    """Swap pytest's JUnit writer of this run for the spooling one (same hooks, same document)."""
    xml = config.stash.get(xml_key, None)
    if xml is None or type(xml) is not LogXML:
        return
    config.pluginmanager.unregister(xml)
    xml.__class__ = SpoolingLogXML
    config.pluginmanager.register(xml)


class SpoolingLogXML(LogXML):
    """pytest's LogXML with each finished testcase written to a temporary file instead of kept as a tree."""

    _etd_spool: IO[bytes] | None = None

    def finalize(self, report: pytest.TestReport) -> None:
        reporter = self.node_reporters.pop((report.id, getattr(report, "node", None)))
        for name, value in report.user_properties:
            reporter.add_property(name, str(value))
        data = serialise_testcase(reporter).encode("utf-8")
        if self._etd_spool is None:
            self._etd_spool = tempfile.TemporaryFile(prefix="etd-junit-")  # noqa: SIM115 - closed at sessionfinish
        offset = self._etd_spool.seek(0, os.SEEK_END)
        self._etd_spool.write(data)
        reporter.__dict__.clear()
        reporter.__dict__["etd_span"] = (offset, len(data))

    def pytest_sessionfinish(self) -> None:
        """pytest's own document, with the spooled testcases copied in where its tree would have them."""
        os.makedirs(os.path.dirname(os.path.abspath(self.logfile)), exist_ok=True)
        numtests = sum(self.stats[k] for k in ("passed", "failure", "skipped", "error")) - self.cnt_double_fail_tests
        suite = ET.Element(
            "testsuite",
            name=self.suite_name,
            errors=str(self.stats["error"]),
            failures=str(self.stats["failure"]),
            skipped=str(self.stats["skipped"]),
            tests=str(numtests),
            time=f"{self.suite_start.elapsed().seconds:.3f}",
            timestamp=self.suite_start.as_utc().astimezone().isoformat(),
            hostname=platform.node(),
        )
        global_properties = self._get_global_properties_node()
        if global_properties is not None:
            suite.append(global_properties)
        ET.SubElement(suite, SPOOL_MARK)
        root = ET.Element("testsuites")
        root.set("name", "pytest tests")
        root.append(suite)
        head, tail = ET.tostring(root, encoding="unicode").split(f"<{SPOOL_MARK} />")
        spool = self._etd_spool
        with open(self.logfile, "w", encoding="utf-8") as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>')
            out.write(head)
            for reporter in self.node_reporters_ordered:
                span = reporter.__dict__.get("etd_span")
                if span is not None and spool is not None:
                    spool.seek(span[0])
                    out.write(spool.read(span[1]).decode("utf-8"))
                else:  # not finished (an interrupted run): as pytest writes it
                    out.write(ET.tostring(reporter.to_xml(), encoding="unicode"))
            out.write(tail)
        if spool is not None:
            spool.close()
            self._etd_spool = None
