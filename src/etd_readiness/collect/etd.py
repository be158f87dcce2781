"""Find ETD's enterprise app (by app id, else by display name) and Microsoft Graph's own service principal."""

from __future__ import annotations

from ..catalog import GRAPH_APP_ID
from ..settings import Settings
from .reader import FetchError, GraphReader


async def graph_service_principal(reader: GraphReader) -> dict:
    """Microsoft Graph's own service principal in the tenant (ETD's app roles point at it)."""
    found = await reader.get_all(f"/servicePrincipals?$filter=appId eq '{GRAPH_APP_ID}'&$select=id,appId,displayName")
    if not found:
        raise FetchError("Microsoft Graph's service principal was not found in this tenant")
    return found[0]


async def find_etd(reader: GraphReader, s: Settings) -> dict:
    """By app id when configured, else by display name; ambiguous names are an error."""
    select = "$select=id,appId,displayName,accountEnabled,appOwnerOrganizationId,servicePrincipalType"
    if s.etd_app_id:
        found = await reader.get_all(f"/servicePrincipals?$filter=appId eq '{s.etd_app_id}'&{select}")
        return {
            "found": bool(found),
            "lookup": f"appId {s.etd_app_id}",
            "servicePrincipal": found[0] if found else None,
        }
    name = s.etd_display_name.replace("'", "''")
    found = await reader.get_all(f"/servicePrincipals?$filter=displayName eq '{name}'&{select}")
    if len(found) > 1:
        listed = "; ".join(f"{c['displayName']} (appId {c['appId']})" for c in found)
        raise FetchError(
            f"{len(found)} service principals are named '{s.etd_display_name}': {listed}. "
            "Set etd.app_id (or --etd-app-id) to the one ETD uses"
        )
    similar: list[dict] = []
    if not found:
        prefix = name.split()[0] if name.split() else name
        similar = await reader.get_all(f"/servicePrincipals?$filter=startswith(displayName,'{prefix}')&{select}")
    return {
        "found": bool(found),
        "lookup": f"display name '{s.etd_display_name}'",
        "servicePrincipal": found[0] if found else None,
        "candidates": [{"displayName": c["displayName"], "appId": c["appId"]} for c in similar],
    }
