"""What the suite adds to pytest's terminal header, and how it names the run's mode."""

from __future__ import annotations

from pathlib import Path

from . import __version__
from .collect.messages import MESSAGE_ROLES


def header_lines(estate) -> list[str]:
    """pytest's header lines: the suite, the mode, the config and Graph, each tenant's auditor and what it lacks."""
    ctx = estate.context
    lines = [f"etd-readiness {__version__}: {describe_mode(ctx)}; ETD mode {ctx.get('etd_mode')}"]
    lines.append(f"  config: {ctx.get('config_source')}; Graph {ctx.get('graph_url')}")
    for view in estate.tenants.values():
        aud = view.snap.auditor
        roles = "unknown (not an app token)" if aud.get("roles") is None else ", ".join(aud["roles"]) or "none"
        lines.append(f"  tenant {view.name} ({view.snap.tenant_id}): auditor {aud.get('client_id')} roles [{roles}]")
        if aud.get("error"):
            lines.append(f"  !! {view.name}: {aud['error']}")
        elif aud.get("missing"):
            lines.append(
                f"  !! {view.name}: the auditor lacks {', '.join(aud['missing'])}: grant these Microsoft Graph "
                "Application permissions (admin consent) or the checks that need them will error"
            )
        if ctx.get("error_log") and aud.get("roles") is not None and not set(aud["roles"]) & set(MESSAGE_ROLES):
            lines.append(
                f"  !! {view.name}: the error log's messages cannot be looked up: the auditor lacks "
                "Mail.ReadBasic.All (or Mail.Read); those rows will not be evaluated"
            )
    if ctx.get("note"):
        lines.append(f"  {ctx['note']}")
    return lines


def describe_mode(ctx: dict) -> str:
    if ctx.get("mode") == "replay":
        return "replayed from " + ", ".join(f"{Path(p).name}" for p in (ctx.get("cassettes") or {}).values())
    return f"live ({ctx.get('requests', 0)} Graph requests, {ctx.get('retries', 0)} retries)"
