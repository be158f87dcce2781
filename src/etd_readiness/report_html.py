"""The HTML sections of the evidence report: verdict, tenants, root causes, mailboxes not ready, run facts."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from html import escape
from pathlib import Path

from .checks.causes import CASE_TITLES
from .report_rows import Rows

MAX_ROWS = 5000
AAP_CAVEAT = (
    "Not visible through Microsoft Graph: an Exchange application access policy that scopes ETD's own app out of "
    "a mailbox (policies are per app; the auditor's answers say nothing about ETD's). Exchange Online "
    "PowerShell decides: Test-ApplicationAccessPolicy -Identity <mailbox> -AppId <ETD appId>."
)


def _table(
    head: list[str], rows: Sequence[Sequence[object]], css: str = "etd-grid", tenants: Sequence[str] | None = None
) -> str:
    """A plain table; with `tenants` (one per row) each row carries data-tenant for the tenant filter."""
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    attrs = [f' data-tenant="{escape(t)}"' for t in tenants] if tenants is not None else [""] * len(rows)
    body = "".join(
        f"<tr{attr}>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>"
        for attr, row in zip(attrs, rows, strict=True)
    )
    return f"<table class='{css}'><tr>{th}</tr>{body}</table>"


TENANT_FILTER_JS = """<script>
function etdFilterTenant(sel){var t=sel.value;document.querySelectorAll('tr[data-tenant]').forEach(function(r){
r.style.display=(t===''||r.getAttribute('data-tenant')===t)?'':'none';});}
</script>"""


def tenant_filter_html(tenant_names: list[str]) -> str:
    """A select that hides the rows of the other tenants (only with more than one tenant)."""
    if len(tenant_names) < 2:
        return ""
    options = "".join(f'<option value="{escape(n)}">{escape(n)}</option>' for n in tenant_names)
    return (
        TENANT_FILTER_JS
        + '<p class="etd-filter"><label>Show tenant: <select id="etd-tenant-filter" '
        + f'onchange="etdFilterTenant(this)"><option value="">all tenants</option>{options}</select></label></p>'
    )


def verdict_html(css: str, text: str) -> str:
    return f'<p class="etd-verdict {css}">{escape(text)}</p>'


def tenants_html(rows: Rows, tenant_names: list[str]) -> str:
    """Per tenant: mailboxes ready / not ready / not evaluated, findings and NOT EVALUATED tests; the filter."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in rows.mailboxes:
        counts[row["tenant"] or "(no tenant)"][row["verdict"]] += 1
    found = Counter(f["tenant"] or "(no tenant)" for f in rows.finding_items)
    missing = Counter(
        (n["subject"].split(":", 1)[0] if ":" in n["subject"] else "") or "(no tenant)"
        for n in rows.not_evaluated_items
    )
    names = list(tenant_names) + sorted((set(counts) | set(found) | set(missing)) - set(tenant_names))
    body = [
        [
            n,
            "not ready" if counts[n]["not ready"] or found[n] else ("incomplete" if missing[n] else "ready"),
            counts[n]["ready"],
            counts[n]["not ready"],
            counts[n]["not evaluated"],
            sum(counts[n].values()),
            found[n],
            missing[n],
        ]
        for n in names
    ]
    head = ["Tenant", "Verdict", "Ready", "Not ready", "Not evaluated", "Mailboxes", "Findings", "Not evaluated tests"]
    return "<h2>Tenants</h2>" + _table(head, body) + tenant_filter_html(list(tenant_names))


def root_causes_html(rows: Rows) -> str:
    counts = rows.root_cause_counts()
    if not counts:
        return "<h2>Root causes</h2><p>No mailbox has a broken link on ETD's path among those evaluated.</p>"
    body = [[case, cause, title, n] for cause, case, title, n in counts]
    return "<h2>Root causes</h2>" + _table(["Case", "Root cause", "What is wrong", "Mailboxes"], body)


def mailboxes_html(rows: Rows) -> str:
    """One row per mailbox that is not ready: address, tenant, root cause, ETD's error, fix."""
    bad = sorted((r for r in rows.mailboxes if r["verdict"] == "not ready"), key=lambda r: (r["tenant"], r["mailbox"]))
    if not bad:
        return ""
    waivers = {f["subject"]: f.get("waiver_note", "") for f in rows.finding_items if f["check"] == "RDY-01"}
    body = [
        [r["mailbox"], r["tenant"], f"{r['case']} {r['root_cause']}", r["problem"], r["etd_error"], r["fix"], r["also"]]
        + ([waivers.get(r["test_id"], "")] if any(waivers.values()) else [])
        for r in bad[:MAX_ROWS]
    ]
    more = f"<p>{len(bad) - MAX_ROWS} more in the CSV.</p>" if len(bad) > MAX_ROWS else ""
    head = ["Mailbox", "Tenant", "Case / root cause", "What is wrong", "ETD shows", "Fix", "Also"]
    head += ["Waiver"] if any(waivers.values()) else []
    tenants = [r["tenant"] for r in bad[:MAX_ROWS]]
    return "<h2>Mailboxes ETD cannot remediate</h2>" + _table(head, body, "etd-grid etd-findings", tenants) + more


def tenant_findings_html(rows: Rows) -> str:
    """Tenant-level findings (ETD's reach, permissions, domains), listed as such."""
    if not rows.tenant_findings:
        return ""
    ordered = sorted(rows.tenant_findings, key=lambda f: (f.get("etd_subject", ""), f.get("check", "")))
    body = [
        [
            f.get("etd_case", ""),
            f.get("check", ""),
            f.get("etd_subject", ""),
            f.get("etd_problem", ""),
            f.get("etd_fix", ""),
        ]
        for f in ordered
    ]
    tenants = [f.get("etd_subject", "").split(":", 1)[0] for f in ordered]
    head = ["Case", "Check", "Tenant / item", "What is wrong", "Fix"]
    return "<h2>Tenant-level findings</h2>" + _table(head, body, tenants=tenants)


def error_log_html(rows: Rows) -> str:
    """ETD's error log, row by row: what ETD logged, the diagnosis, the fix."""
    if not rows.error_log:
        return ""
    from .checks.error_log import BY_DESIGN

    counts = _table(["Diagnosis", "Rows"], [[d, n] for d, n in rows.diagnosis_counts()])
    body = [
        [
            r.get("etd_error_log_row", ""),
            r.get("etd_mailbox", ""),
            r.get("etd_logged_error", ""),
            r.get("etd_diagnosis_case", ""),
            r.get("etd_diagnosis_text") or r.get("etd_not_evaluated", ""),
            r.get("etd_diagnosis_fix", ""),
            r.get("etd_note", ""),
        ]
        for r in rows.error_log[:MAX_ROWS]
    ]
    head = ["Row", "Mailbox", "ETD logged", "Case", "Diagnosis", "Fix", "Note"]
    return (
        "<h2>ETD's error log, row by row</h2>"
        + counts
        + _table(head, body, "etd-grid etd-findings")
        + (
            f"<p>{len(rows.error_log) - MAX_ROWS} more row(s) are in the JSON evidence.</p>"
            if len(rows.error_log) > MAX_ROWS
            else ""
        )
        + f"<p class='etd-caveat'>{escape(BY_DESIGN)}</p>"
    )


def not_evaluated_html(rows: Rows) -> str:
    if not rows.not_evaluated:
        return ""
    reasons = Counter(reason for _, reason in rows.not_evaluated)
    body = [[n, reason] for reason, n in reasons.most_common(200)]
    return "<h2>Not evaluated (never counted as ready)</h2>" + _table(["Tests", "Reason"], body)


def checks_html(rows: Rows) -> str:
    body = [
        [c, rows.titles[c], n["passed"], n["failed"], n["error"], n["skipped"]]
        for c, n in sorted(rows.outcomes.items())
    ]
    cases = [[case, title] for case, title in CASE_TITLES.items()]
    return (
        "<h2>Per-cause checks (the evidence behind the verdicts)</h2>"
        + _table(["Check", "What it asks", "OK", "Findings", "Not evaluated", "Not applicable"], body)
        + "<h2>Documented cases</h2>"
        + _table(["Case", "ETD error"], cases)
        + f"<p class='etd-caveat'>{escape(AAP_CAVEAT)}</p>"
    )


def run_facts_html(estate, describe_mode, csv_path: Path | None) -> str:
    ctx = estate.context
    facts = [
        ("Data collected (UTC)", ", ".join(sorted({v.snap.collected_at for v in estate.tenants.values()}))),
        ("Suite run (UTC)", ctx.get("run_at")),
        ("Report written", dt.datetime.now().astimezone().replace(microsecond=0).isoformat()),
        ("Mode", describe_mode(ctx)),
        ("Suite version", f"etd-readiness {ctx.get('suite_version')}"),
        ("ETD mode / manifest", f"{ctx.get('etd_mode')}: {', '.join(ctx.get('manifest', []))}"),
        ("Graph endpoint", ctx.get("graph_url")),
        ("Per-mailbox CSV", str(csv_path) if csv_path else "not written"),
    ]
    for view in estate.tenants.values():
        aud = view.snap.auditor
        status = aud.get("error") or (
            f"missing {', '.join(aud['missing'])}" if aud.get("missing") else "least-privilege set granted"
        )
        facts.append(
            (
                f"Tenant {view.name}",
                f"{view.snap.tenant_id} - auditor {aud.get('client_id')} with "
                f"{', '.join(aud.get('roles') or []) or 'no roles'} ({status})",
            )
        )
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in facts)
    return f'<h2>Run</h2><table class="etd-facts">{body}</table>'


STYLE = """<style>
body{ display:flex; flex-direction:column } #environment-header,#environment{ order:2 }
.etd-verdict{ font-size:1.3em; font-weight:bold; padding:8px 12px; border-radius:4px; max-width:1400px }
.etd-ready{ background:#e6f4ea; color:#1e6b34 } .etd-notready{ background:#fde7e9; color:#a50e0e }
.etd-incomplete{ background:#fff4e5; color:#8a4b00 }
.etd-facts th{ text-align:left; padding:2px 12px 2px 0; vertical-align:top; white-space:nowrap }
.etd-grid{ border-collapse:collapse; margin:6px 0 14px 0; max-width:1400px }
.etd-grid th,.etd-grid td{ border:1px solid #ccc; padding:4px 8px; text-align:left; vertical-align:top }
.etd-grid th{ background:#f0f0f0 } .etd-findings td:nth-child(6){ max-width:480px }
.etd-caveat{ max-width:1400px; color:#555 }
</style>"""
