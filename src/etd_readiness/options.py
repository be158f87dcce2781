"""The plugin's command-line options and ini keys (group etd-readiness); README, "Options"."""

from __future__ import annotations

import pytest

from .baseline import FAIL_ON
from .recording import RECORD_MODES
from .settings import PHASES


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("etd-readiness", "Cisco Secure Email Threat Defense remediation readiness")
    group.addoption(
        "--etd-config",
        help="TOML config naming the tenants to check (default: $ETD_CONFIG, else AZURE_* env)",
    )
    group.addoption("--etd-app-id", help="ETD's application (client) id; default: find it by display name")
    group.addoption("--etd-app-name", help="ETD's enterprise application display name to look for")
    group.addoption("--etd-mode", choices=("read-write", "read"), help="ETD's mode; decides the permission manifest")
    group.addoption("--protected-addresses", metavar="FILE", help="file of protected addresses, one a line")
    group.addoption("--protected-group", metavar="GROUP_ID", help="protect the members of this group")
    group.addoption("--graph-endpoint", help="Microsoft Graph base URL (national clouds, or the emulator)")
    group.addoption("--authority", help="login authority (national clouds, or the emulator)")
    group.addoption(
        "--record-mode",
        choices=RECORD_MODES,
        help="cassettes (pytest-recording's names): none = replay only; once = record if missing; "
        "new_episodes/all/rewrite = record. Default: live without recording, or the demo replay when no tenant",
    )
    group.addoption(
        "--pseudonymize",
        action="store_true",
        help="when recording, replace user ids, e-mail local parts and names with stable pseudonyms "
        "(cassette and report can then be shared)",
    )
    group.addoption(
        "--etd-error-log",
        action="append",
        metavar="CSV",
        help="ETD's 'Download Error Log' (repeatable): explain each row (case 1a and the mailbox causes)",
    )
    group.addoption(
        "--etd-resume",
        action="store_true",
        help="continue an interrupted live fetch from the answers it journaled (same config, within 24 h); "
        "a changed config or tenant refuses",
    )
    group.addoption("--cassette-dir", help="where tenant cassettes live (default: ini etd_cassette_dir)")
    group.addoption("--etd-snapshot", metavar="FILE", help="evaluate a saved snapshot instead of fetching")
    group.addoption("--etd-save-snapshot", metavar="FILE", help="also keep the collected snapshot as JSON")
    group.addoption(
        "--etd-phase",
        choices=PHASES,
        help="after (default): ETD is onboarded and judged; before: ETD's app is expected absent, its checks "
        "report pending onboarding (config: etd.phase)",
    )
    group.addoption(
        "--etd-waivers", metavar="FILE", help="TOML [[waiver]] file: accepted findings that do not fail the gate"
    )
    group.addoption(
        "--etd-baseline", metavar="PREVIOUS.json", help="an earlier run's evidence JSON: findings new / still open"
    )
    group.addoption(
        "--etd-fail-on",
        choices=FAIL_ON,
        help="which findings set exit code 1: any (default), new (not in the baseline), none",
    )
    group.addoption(
        "--etd-sign-key",
        metavar="FILE",
        help="Ed25519 private key (PEM) to sign the manifest of the outputs (or $ETD_SIGNING_KEY: the PEM itself)",
    )
    parser.addini("etd_checks_dir", "directory holding the tenant checks", default="tenant_checks")
    parser.addini("etd_cassette_dir", "one cassette per tenant lives here", default="cassettes")
    parser.addini("etd_report_dir", "where the HTML evidence report goes by default", default="reports")
