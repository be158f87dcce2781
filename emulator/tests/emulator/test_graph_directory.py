"""Directory endpoints over real HTTP (httpx): shapes, $select, $top, $filter, paging, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from graph_emulator import Emulator
from graph_emulator.app import JSON_TYPE
from graph_emulator.catalog import GRAPH_APP_ID, facts
from graph_emulator.entities import USER_DEFAULT_SELECT

from .conftest import graph_client
from .test_tenant_file import big_tenant

ETD_APP = "eeeeeeee-0000-4000-8000-00000000e7d0"
ETD_SP = "eeeeeeee-1111-4111-8111-00000000e7d0"


def _error(resp: httpx.Response, status: int, code: str) -> str:
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["code"] == code, resp.text
    return resp.json()["error"]["message"]


def test_graph_headers_and_error_body(emu: Emulator, alpha: httpx.Client) -> None:
    resp = alpha.get("/users", headers={"client-request-id": "abc-123"})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == JSON_TYPE
    assert resp.headers["client-request-id"] == "abc-123"
    assert resp.headers["request-id"] and "ServerInfo" in resp.headers["x-ms-ags-diagnostic"]
    assert int(resp.headers["content-length"]) == len(resp.content)
    resp = alpha.get("/users/nobody@alpha.example")
    msg = _error(resp, 404, "Request_ResourceNotFound")
    assert msg == (
        "Resource 'nobody@alpha.example' does not exist or one of its queried reference-property objects"
        " are not present."
    )
    inner = resp.json()["error"]["innerError"]
    assert set(inner) == {"date", "request-id", "client-request-id"}
    assert inner["request-id"] == resp.headers["request-id"]


def test_401_without_or_with_a_bad_token(emu: Emulator) -> None:
    resp = httpx.get(f"{emu.graph_url}/users")
    assert _error(resp, 401, "InvalidAuthenticationToken") == "Access token is empty."
    resp = httpx.get(f"{emu.graph_url}/users", headers={"Authorization": "Bearer eyJ0eXAi.forged.x"})
    assert _error(resp, 401, "InvalidAuthenticationToken").startswith("Access token validation failure.")


def test_403_when_roles_do_not_cover_the_call(beta: httpx.Client) -> None:
    for path in ("/users", "/organization", "/servicePrincipals", "/domains", "/subscribedSkus"):
        assert _error(beta.get(path), 403, "Authorization_RequestDenied") == (
            "Insufficient privileges to complete the operation."
        )
    move = beta.post(
        "/users/bert@betatest.onmicrosoft.com/messages/AAMk-bert-1/move", json={"destinationId": "junkemail"}
    )
    assert _error(move, 403, "ErrorAccessDenied") == "Access is denied. Check credentials and try again."
    assert beta.get("/users/bert@betatest.onmicrosoft.com/mailFolders/inbox").status_code == 200
    # Mail.ReadBasic.All reads messages' basic properties, never their body (permissions reference)
    listed = beta.get("/users/bert@betatest.onmicrosoft.com/messages").json()["value"]
    assert listed and all("bodyPreview" not in m and "internetMessageId" in m for m in listed)


def test_default_select_and_explicit_select(alpha: httpx.Client) -> None:
    body = alpha.get("/users").json()
    assert body["@odata.context"].endswith("/$metadata#users")
    assert all(set(u) == set(USER_DEFAULT_SELECT) for u in body["value"])
    body = alpha.get("/users", params={"$select": "id,userprincipalname,onPremisesSyncEnabled"}).json()
    assert all(set(u) == {"id", "userPrincipalName", "onPremisesSyncEnabled"} for u in body["value"])
    hybrid = next(u for u in body["value"] if u["userPrincipalName"] == "hybrid@alpha.example")
    assert hybrid["onPremisesSyncEnabled"] is True
    assert _error(alpha.get("/users", params={"$select": "id,shoeSize"}), 400, "BadRequest").startswith(
        "Could not find a property named 'shoeSize'"
    )


@pytest.mark.parametrize("top", ["1000", "0"])
def test_top_out_of_range(alpha: httpx.Client, top: str) -> None:
    msg = _error(alpha.get("/users", params={"$top": top}), 400, "Request_UnsupportedQuery")
    assert msg == f"Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive."


def test_paging_with_absolute_next_links(graph_emulator: Callable[..., Emulator], tmp_path: Path) -> None:
    emu = graph_emulator(big_tenant(tmp_path / "big.json", 250))
    with graph_client(emu, "t") as client:
        first = client.get("/users").json()
        assert len(first["value"]) == 100  # Graph's default page
        link = first["@odata.nextLink"]
        assert link.startswith(emu.graph_url + "/users?") and "$skiptoken=" in link
        url, pages, seen = f"{emu.graph_url}/users?$select=id&$top=60", 0, []
        while url:
            page = client.get(url).json()
            seen += [u["id"] for u in page["value"]]
            assert all(set(u) == {"id"} for u in page["value"])
            url, pages = page.get("@odata.nextLink"), pages + 1
        assert len(seen) == len(set(seen)) == 250 and pages == 5
        assert parse_qs(urlsplit(link).query)["$skiptoken"][0].startswith("RFNwdA")
        bad = client.get("/users", params={"$skiptoken": "garbage"})
        _error(bad, 400, "Directory_ExpiredPageToken")
        assert _error(client.get("/users", params={"$skip": "5"}), 400, "Request_BadRequest")


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ("userType eq 'Guest'", ["guest_other.example#EXT#@alphatest.onmicrosoft.com"]),
        ("accountEnabled eq false", ["shared@alpha.example"]),
        ("mail eq 'ANN@alpha.example'", ["ann@alpha.example"]),
        ("userPrincipalName eq 'fenced@alpha.example'", ["fenced@alpha.example"]),
        ("proxyAddresses/any(p:p eq 'smtp:ANNIE@alpha.example')", ["ann@alpha.example"]),
        ("startswith(userPrincipalName,'fl')", ["flappy@alpha.example"]),
        ("userType eq 'Member' and accountEnabled eq false", ["shared@alpha.example"]),
    ],
)
def test_user_filters(alpha: httpx.Client, flt: str, expected: list[str]) -> None:
    resp = alpha.get("/users", params={"$filter": flt, "$select": "userPrincipalName"})
    assert resp.status_code == 200, resp.text
    assert [u["userPrincipalName"] for u in resp.json()["value"]] == expected


def test_unsupported_filters(alpha: httpx.Client) -> None:
    _error(alpha.get("/users", params={"$filter": "shoeSize eq '9'"}), 400, "Request_UnsupportedQuery")
    _error(alpha.get("/users", params={"$filter": "userType eq"}), 400, "BadRequest")
    _error(alpha.get("/users", params={"$filter": "onPremisesSyncEnabled eq true"}), 400, "Request_UnsupportedQuery")
    resp = alpha.get(
        "/users", params={"$filter": "onPremisesSyncEnabled eq true"}, headers={"ConsistencyLevel": "eventual"}
    )
    assert [u["userPrincipalName"] for u in resp.json()["value"]] == ["hybrid@alpha.example"]


def test_single_user_doubled_slash_and_percent_encoded_upn(emu: Emulator, alpha: httpx.Client) -> None:
    token = alpha.headers["Authorization"]
    resp = httpx.get(f"{emu.graph_url}//users/ann%40alpha.example?$select=id,mail", headers={"Authorization": token})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["mail"] == "ann@alpha.example" and set(body) == {"@odata.context", "id", "mail"}
    assert alpha.get(f"/users/{body['id']}").json()["userPrincipalName"] == "ann@alpha.example"
    guest = "guest_other.example%23EXT%23@alphatest.onmicrosoft.com"
    assert alpha.get(f"/users/{guest}").json()["mail"] == "guest@other.example"


def test_deleted_users_need_the_cast(alpha: httpx.Client) -> None:
    body = alpha.get("/directory/deletedItems/microsoft.graph.user").json()
    (gone,) = body["value"]
    assert gone["deletedDateTime"] == "2026-11-20T08:00:00Z" and gone["mail"] == "gone@alpha.example"
    assert body["@odata.context"].endswith("#directory/deletedItems/microsoft.graph.user")
    _error(alpha.get("/directory/deletedItems"), 400, "Request_BadRequest")


def test_service_principals_and_consent(alpha: httpx.Client) -> None:
    sps = alpha.get("/servicePrincipals").json()["value"]
    graph = next(sp for sp in sps if sp["appId"] == GRAPH_APP_ID)
    roles = {r["value"]: r for r in graph["appRoles"]}
    for perm in facts().permissions.values():
        if perm.app_role_id:
            assert roles[perm.name]["id"] == perm.app_role_id
            assert roles[perm.name]["allowedMemberTypes"] == ["Application"] and roles[perm.name]["isEnabled"]
    assert {s["value"] for s in graph["oauth2PermissionScopes"]} >= {"User.Read", "Mail.ReadWrite"}
    by_app = alpha.get("/servicePrincipals", params={"$filter": f"appId eq '{ETD_APP}'"}).json()["value"]
    assert [sp["id"] for sp in by_app] == [ETD_SP]
    by_name = alpha.get("/servicePrincipals", params={"$filter": "startswith(displayName,'cisco')"}).json()
    assert [sp["id"] for sp in by_name["value"]] == [ETD_SP]
    assignments = alpha.get(f"/servicePrincipals/{ETD_SP}/appRoleAssignments").json()["value"]
    assert {a["appRoleId"] for a in assignments} == {
        facts().permissions["Mail.ReadWrite"].app_role_id,
        facts().permissions["Organization.Read.All"].app_role_id,
    }
    for a in assignments:
        assert (a["principalId"], a["principalType"], a["resourceId"]) == (ETD_SP, "ServicePrincipal", graph["id"])
        assert a["resourceDisplayName"] == "Microsoft Graph" and a["createdDateTime"]
    grants = alpha.get("/oauth2PermissionGrants", params={"$filter": f"clientId eq '{ETD_SP}'"}).json()["value"]
    ann = alpha.get("/users/ann@alpha.example").json()
    assert [(g["consentType"], g["principalId"], g["scope"]) for g in grants] == [
        ("AllPrincipals", None, "User.Read"),
        ("Principal", ann["id"], "Mail.Read"),
    ]
    assert all(g["resourceId"] == graph["id"] for g in grants)
    (app,) = alpha.get("/applications", params={"$filter": f"appId eq '{ETD_APP}'"}).json()["value"]
    assert app["signInAudience"] == "AzureADMultipleOrgs"
    (rra,) = app["requiredResourceAccess"]
    assert rra["resourceAppId"] == GRAPH_APP_ID
    assert {(r["id"], r["type"]) for r in rra["resourceAccess"]} == {
        (facts().permissions["Mail.ReadWrite"].app_role_id, "Role"),
        (facts().permissions["Organization.Read.All"].app_role_id, "Role"),
        (facts().permissions["User.Read"].scope_id, "Scope"),
    }
    assert alpha.get(f"/servicePrincipals(appId='{ETD_APP}')").json()["id"] == ETD_SP


def test_organization_domains_and_skus(alpha: httpx.Client) -> None:
    (org,) = alpha.get("/organization").json()["value"]
    assert org["id"] == "11111111-1111-4111-8111-111111111111" and org["displayName"] == "Alpha Test"
    assert [d["name"] for d in org["verifiedDomains"]] == ["alphatest.onmicrosoft.com", "alpha.example"]
    assert org["verifiedDomains"][0] == {
        "capabilities": "Email, OfficeCommunicationsOnline",
        "isDefault": False,
        "isInitial": True,
        "name": "alphatest.onmicrosoft.com",
        "type": "Managed",
    }
    domains = {d["id"]: d for d in alpha.get("/domains").json()["value"]}
    assert domains["pending.example"]["isVerified"] is False
    assert domains["alpha.example"]["isDefault"] and domains["alpha.example"]["supportedServices"] == ["Email"]
    skus = {s["skuPartNumber"]: s for s in alpha.get("/subscribedSkus").json()["value"]}
    e3 = skus["ENTERPRISEPACK"]
    assert e3["skuId"] == facts().skus["ENTERPRISEPACK"].sku_id and e3["capabilityStatus"] == "Enabled"
    assert e3["consumedUnits"] == 7 and e3["prepaidUnits"]["enabled"] == 10
    assert e3["servicePlans"] == [
        {
            "servicePlanId": facts().service_plans["EXCHANGE_S_ENTERPRISE"].plan_id,
            "servicePlanName": "EXCHANGE_S_ENTERPRISE",
            "provisioningStatus": "Success",
            "appliesTo": "User",
        }
    ]
    assert skus["M365_F1"]["consumedUnits"] == 1 and skus["M365_F1"]["prepaidUnits"]["warning"] == 1


def test_group_transitive_members(alpha: httpx.Client) -> None:
    gid = "99999999-0000-4000-8000-000000000001"
    body = alpha.get(f"/groups/{gid}/transitiveMembers/microsoft.graph.user", params={"$select": "mail"}).json()
    assert [u["mail"] for u in body["value"]] == ["ann@alpha.example", "hybrid@alpha.example"]
    direct = alpha.get(f"/groups/{gid}/members").json()["value"]
    assert [u["userPrincipalName"] for u in direct] == ["ann@alpha.example"]
    _error(alpha.get("/groups/99999999-0000-4000-8000-00000000ffff/transitiveMembers"), 404, "Request_ResourceNotFound")


def test_unknown_paths_and_methods(emu: Emulator, alpha: httpx.Client) -> None:
    assert _error(alpha.get("/shoes"), 400, "BadRequest") == "Resource not found for the segment 'shoes'."
    _error(alpha.delete("/users"), 405, "Request_BadRequest")
    reads = sum(emu.stats.requests.values())
    assert emu.stats.writes == [("DELETE", "/users")] and reads >= 2
