"""Directory endpoints: users, deleted users, service principals, consent, apps, organization, groups."""

from __future__ import annotations

from typing import Any

from . import entities as e
from .errors import GraphError, bad_request, not_found
from .graph_types import GraphRequest, GraphResponse
from .jsontext import item_encoder
from .odata import (
    Entity,
    collection_body,
    decode_skiptoken,
    next_link,
    page_size,
    projector,
    select_pairs,
)


def _response(status: int, body: Any) -> GraphResponse:
    return GraphResponse(status, body)


def collection(
    req: GraphRequest,
    cache_name: str,
    items: list[dict[str, Any]],
    entity: Entity,
    context: str,
    indexed: bool = False,
    extra_default: tuple[str, ...] = (),
) -> GraphResponse:
    """A paged, `$select`ed, `$filter`ed collection answer."""
    q = req.query
    if any(k.lower() == "$skip" for k, _ in q.pairs):
        raise bad_request("'$skip' is not supported by the service.", "Request_BadRequest")
    size = page_size(entity, q)
    encode = item_encoder(select_pairs(entity, q.select, extra_default), req.store.shared_json)
    matches = req.store.filtered(cache_name, items, entity, q, indexed)
    offset = decode_skiptoken(req.path, q)
    ctx = f"{req.base_url}/$metadata#{context}" + (f"({q.select})" if q.select else "")
    body = collection_body(ctx, matches, offset, size, encode, lambda end: next_link(req.base_url, req.path, q, end))
    return _response(200, body)


def entity_response(req: GraphRequest, item: dict[str, Any], entity: Entity, context: str) -> GraphResponse:
    """A single object answer with `$select` honoured."""
    body = {"@odata.context": f"{req.base_url}/$metadata#{context}/$entity"}
    body.update(projector(entity, req.query.select)(item))
    return _response(200, body)


def _by_key(items: list[dict[str, Any]], key: str, alt: str = "appId") -> dict[str, Any]:
    low = key.lower()
    if low.startswith(f"{alt.lower()}="):
        value = low.split("=", 1)[1]
        found = next((i for i in items if str(i.get(alt, "")).lower() == value), None)
    else:
        found = next((i for i in items if str(i["id"]).lower() == low), None)
    if found is None:
        raise not_found(key)
    return found


# -- users -------------------------------------------------------------------------------------------


def list_users(req: GraphRequest, _: list[str]) -> GraphResponse:
    return collection(req, "users", req.store.users, e.USER, "users", indexed=True)


def get_user(req: GraphRequest, params: list[str]) -> GraphResponse:
    user = req.store.find_user(params[0])
    if user is None:
        raise not_found(params[0])
    return entity_response(req, user, e.USER, "users")


def list_deleted_users(req: GraphRequest, _: list[str]) -> GraphResponse:
    return collection(
        req, "deleted", req.store.deleted_users, e.DELETED_USER, "directory/deletedItems/microsoft.graph.user"
    )


def deleted_items_without_cast(req: GraphRequest, _: list[str]) -> GraphResponse:
    raise GraphError(
        400,
        "Request_BadRequest",
        "Unsupported request: a type cast segment such as microsoft.graph.user is required to list deleted items.",
    )


def get_deleted_item(req: GraphRequest, params: list[str]) -> GraphResponse:
    user = req.store.deleted_by_key.get(params[0].lower())
    if user is None:
        raise not_found(params[0])
    resp = entity_response(req, user, e.DELETED_USER, "directory/deletedItems")
    resp.body = {"@odata.type": "#microsoft.graph.user", **resp.body}
    return resp


# -- applications and consent ------------------------------------------------------------------------


def list_service_principals(req: GraphRequest, _: list[str]) -> GraphResponse:
    return collection(req, "sp", req.store.service_principals, e.SERVICE_PRINCIPAL, "servicePrincipals")


def get_service_principal(req: GraphRequest, params: list[str]) -> GraphResponse:
    sp = _by_key(req.store.service_principals, params[0])
    return entity_response(req, sp, e.SERVICE_PRINCIPAL, "servicePrincipals")


def list_app_role_assignments(req: GraphRequest, params: list[str]) -> GraphResponse:
    sp = _by_key(req.store.service_principals, params[0])
    items = req.store.assignments.get(sp["id"], [])
    ctx = f"servicePrincipals('{sp['id']}')/appRoleAssignments"
    return collection(req, f"ara/{sp['id']}", items, e.APP_ROLE_ASSIGNMENT, ctx)


def list_app_role_assigned_to(req: GraphRequest, params: list[str]) -> GraphResponse:
    sp = _by_key(req.store.service_principals, params[0])
    items = [a for lst in req.store.assignments.values() for a in lst if a["resourceId"] == sp["id"]]
    ctx = f"servicePrincipals('{sp['id']}')/appRoleAssignedTo"
    return collection(req, f"arat/{sp['id']}", items, e.APP_ROLE_ASSIGNMENT, ctx)


def list_grants(req: GraphRequest, _: list[str]) -> GraphResponse:
    return collection(req, "grants", req.store.grants, e.OAUTH2_GRANT, "oauth2PermissionGrants")


def list_applications(req: GraphRequest, _: list[str]) -> GraphResponse:
    return collection(req, "apps", req.store.applications, e.APPLICATION, "applications")


def get_application(req: GraphRequest, params: list[str]) -> GraphResponse:
    app = _by_key(req.store.applications, params[0])
    return entity_response(req, app, e.APPLICATION, "applications")


# -- organization --------------------------------------------------------------------------------------


def list_organization(req: GraphRequest, _: list[str]) -> GraphResponse:
    return collection(req, "org", req.store.organization, e.ORGANIZATION, "organization")


def get_organization(req: GraphRequest, params: list[str]) -> GraphResponse:
    return entity_response(req, _by_key(req.store.organization, params[0]), e.ORGANIZATION, "organization")


def list_domains(req: GraphRequest, _: list[str]) -> GraphResponse:
    return collection(req, "domains", req.store.domains, e.DOMAIN, "domains")


def get_domain(req: GraphRequest, params: list[str]) -> GraphResponse:
    return entity_response(req, _by_key(req.store.domains, params[0]), e.DOMAIN, "domains")


def list_skus(req: GraphRequest, _: list[str]) -> GraphResponse:
    return collection(req, "skus", req.store.skus, e.SUBSCRIBED_SKU, "subscribedSkus")


# -- groups --------------------------------------------------------------------------------------------


def list_groups(req: GraphRequest, _: list[str]) -> GraphResponse:
    return collection(req, "groups", req.store.group_json, e.GROUP, "groups")


def get_group(req: GraphRequest, params: list[str]) -> GraphResponse:
    return entity_response(req, _by_key(req.store.group_json, params[0], alt="displayName"), e.GROUP, "groups")


def _group_members(req: GraphRequest, params: list[str], transitive: bool) -> GraphResponse:
    group = _by_key(req.store.group_json, params[0], alt="displayName")
    users = req.store.group_users(group["id"], transitive)
    kind = "transitiveMembers" if transitive else "members"
    return collection(req, f"{kind}/{group['id']}", users, e.USER, "users")


def list_transitive_members(req: GraphRequest, params: list[str]) -> GraphResponse:
    return _group_members(req, params, transitive=True)


def list_members(req: GraphRequest, params: list[str]) -> GraphResponse:
    return _group_members(req, params, transitive=False)
