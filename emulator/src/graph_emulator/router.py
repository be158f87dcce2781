"""Requests, responses and the route table: which handler, endpoint family and roles a path has.

Families (used by accounting and faults) are listed in `families.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from . import routes_directory as d
from . import routes_mail as m
from .errors import GraphError, directory_denied, mail_denied, method_not_allowed, segment_not_found
from .families import MAIL_FAMILIES
from .graph_types import GraphRequest, GraphResponse

_DIR = "Directory.Read.All"
USERS = frozenset({"User.Read.All", _DIR})
APPS = frozenset({"Application.Read.All", _DIR})
ORG = frozenset({"Organization.Read.All", _DIR})
DOMAINS = frozenset({"Domain.Read.All", _DIR})
GROUPS = frozenset({"GroupMember.Read.All", "Group.Read.All", _DIR})
MAIL_FOLDERS = frozenset({"Mail.ReadBasic.All", "Mail.Read", "Mail.ReadWrite"})
MAIL_WRITE = frozenset({"Mail.ReadWrite"})
MAILBOX_SETTINGS = frozenset({"MailboxSettings.Read", "MailboxSettings.ReadWrite"})


Handler = Callable[[GraphRequest, list[str]], GraphResponse]


@dataclass(frozen=True)
class Route:
    """A path pattern ("{}" matches any segment) with its handler per method."""

    pattern: tuple[str, ...]
    family: str
    handlers: dict[str, tuple[Handler, frozenset[str]]]  # method -> (handler, roles that cover it)

    @property
    def mail(self) -> bool:
        return self.family in MAIL_FAMILIES


def _r(
    pattern: str, family: str, get: Handler | None = None, roles: frozenset[str] = frozenset(), **more: Any
) -> Route:
    handlers: dict[str, tuple[Handler, frozenset[str]]] = {}
    if get is not None:
        handlers["GET"] = (get, roles)
    for method, spec in more.items():
        handlers[method.upper()] = spec
    return Route(tuple(pattern.lower().split("/")), family, handlers)


ROUTES: tuple[Route, ...] = (
    _r("users", "users", d.list_users, USERS),
    _r("users/{}", "users", d.get_user, USERS),
    _r("users/{}/mailboxsettings", "mailboxSettings", m.get_mailbox_settings, MAILBOX_SETTINGS),
    _r("users/{}/mailfolders", "mailFolders", m.list_folders, MAIL_FOLDERS),
    _r("users/{}/mailfolders/{}", "mailFolders", m.get_folder, MAIL_FOLDERS),
    _r("users/{}/mailfolders/{}/messages", "messages", m.list_folder_messages, MAIL_FOLDERS),
    _r("users/{}/messages", "messages", m.list_messages, MAIL_FOLDERS),
    _r("users/{}/messages/{}", "messages", m.get_message, MAIL_FOLDERS, delete=(m.delete_message, MAIL_WRITE)),
    _r("users/{}/messages/{}/move", "move", post=(m.move_message, MAIL_WRITE)),
    _r("directory/deleteditems/microsoft.graph.user", "deletedItems", d.list_deleted_users, USERS),
    _r("directory/deleteditems", "deletedItems", d.deleted_items_without_cast, USERS),
    _r("directory/deleteditems/{}", "deletedItems", d.get_deleted_item, USERS),
    _r("serviceprincipals", "servicePrincipals", d.list_service_principals, APPS),
    _r("serviceprincipals/{}", "servicePrincipals", d.get_service_principal, APPS),
    _r("serviceprincipals/{}/approleassignments", "appRoleAssignments", d.list_app_role_assignments, APPS),
    _r("serviceprincipals/{}/approleassignedto", "appRoleAssignments", d.list_app_role_assigned_to, APPS),
    _r("oauth2permissiongrants", "oauth2PermissionGrants", d.list_grants, APPS),
    _r("applications", "applications", d.list_applications, APPS),
    _r("applications/{}", "applications", d.get_application, APPS),
    _r("organization", "organization", d.list_organization, ORG),
    _r("organization/{}", "organization", d.get_organization, ORG),
    _r("domains", "domains", d.list_domains, DOMAINS),
    _r("domains/{}", "domains", d.get_domain, DOMAINS),
    _r("subscribedskus", "subscribedSkus", d.list_skus, ORG),
    _r("groups", "groups", d.list_groups, GROUPS),
    _r("groups/{}", "groups", d.get_group, GROUPS),
    _r("groups/{}/transitivemembers", "groups", d.list_transitive_members, GROUPS),
    _r("groups/{}/transitivemembers/microsoft.graph.user", "groups", d.list_transitive_members, GROUPS),
    _r("groups/{}/members", "groups", d.list_members, GROUPS),
    _r("groups/{}/members/microsoft.graph.user", "groups", d.list_members, GROUPS),
)
BATCH_PATH = ("$batch",)
_KEY_SEGMENT = re.compile(r"^([A-Za-z0-9]+)\((?:([A-Za-z]+)=)?'(.*)'\)$")


def split_path(raw_path: str) -> tuple[str, list[str]]:
    """(normalised raw path, decoded segments); empty segments (doubled slashes) are dropped and
    key syntax `servicePrincipals(appId='x')` becomes two segments `servicePrincipals`, `appId=x`."""
    raw_parts = [p for p in raw_path.split("/") if p]
    segments: list[str] = []
    for part in raw_parts:
        seg = unquote(part)
        key = _KEY_SEGMENT.match(seg)
        if key:
            segments.append(key.group(1))
            segments.append(f"{key.group(2)}={key.group(3)}" if key.group(2) else key.group(3))
        else:
            segments.append(seg)
    return "/" + "/".join(raw_parts), segments


def resolve(segments: list[str]) -> tuple[Route | None, list[str], GraphError | None]:
    """The route for these segments and its parameters, or an error (unknown path)."""
    lowered = [s.lower() for s in segments]
    best_depth = 0
    for route in ROUTES:
        if len(route.pattern) != len(lowered):
            continue
        params: list[str] = []
        for i, (pat, seg) in enumerate(zip(route.pattern, lowered, strict=True)):
            if pat == "{}":
                params.append(segments[i])
            elif pat != seg:
                best_depth = max(best_depth, i)
                break
        else:
            return route, params, None
    bad = segments[min(best_depth, len(segments) - 1)] if segments else ""
    return None, [], segment_not_found(bad)


def family_of(segments: list[str]) -> str:
    """The endpoint family of a path (for accounting and faults)."""
    if [s.lower() for s in segments] == ["$batch"]:
        return "batch"
    route, _, _ = resolve(segments)
    return route.family if route else "other"


def dispatch(route: Route, params: list[str], req: GraphRequest, roles: frozenset[str]) -> GraphResponse:
    """Check the method and the token's roles, then run the handler."""
    spec = route.handlers.get(req.method)
    if spec is None:
        raise method_not_allowed()
    handler, needed = spec
    if not (needed & roles):
        raise mail_denied() if route.mail else directory_denied()
    req.roles = roles
    return handler(req, params)
