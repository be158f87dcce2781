"""A tenant as the server sees it: indexes, the derived directory JSON, cached filter results."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from . import directory
from .jsontext import shared_fragments
from .mailstore import MailStore
from .odata import Entity, Query, compile_query_filter
from .tenant_fields import gc_paused
from .tenant_model import Group, Tenant

_FILTER_CACHE_SIZE = 32


class TenantStore:
    """Read-mostly state for one tenant; safe to use from many server threads."""

    def __init__(self, tenant: Tenant) -> None:
        with gc_paused():
            self._build(tenant)

    def _build(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.users = tenant.users
        self.deleted_users = tenant.deleted_users
        self.user_by_id: dict[str, dict[str, Any]] = {}
        self.user_by_upn: dict[str, dict[str, Any]] = {}
        self._by_value: dict[str, dict[str, list[dict[str, Any]]]] = {"mail": {}, "proxyAddresses": {}}
        for u in self.users:
            self.user_by_id[u["id"]] = u
            self.user_by_upn[u["userPrincipalName"].lower()] = u
            if u.get("mail"):
                self._by_value["mail"].setdefault(u["mail"].lower(), []).append(u)
            for p in u.get("proxyAddresses") or ():
                self._by_value["proxyAddresses"].setdefault(p.lower(), []).append(u)
        self.deleted_by_key: dict[str, dict[str, Any]] = {}
        for u in self.deleted_users:
            self.deleted_by_key[u["id"]] = u
            self.deleted_by_key[u["userPrincipalName"].lower()] = u
        self.graph_sp_id = directory.graph_sp_id(tenant)
        self.service_principals = directory.service_principals(tenant)
        self.sp_by_id = {sp["id"]: sp for sp in self.service_principals}
        self.assignments = directory.app_role_assignments(tenant)
        upn_ids = {k: v["id"] for k, v in self.user_by_upn.items()}
        self.grants = directory.oauth2_grants(tenant, upn_ids)
        self.applications = directory.applications(tenant)
        self.organization = directory.organization(tenant)
        self.domains = directory.domains(tenant)
        self.skus = directory.subscribed_skus(tenant)
        self.groups: dict[str, Group] = {g.id: g for g in tenant.groups}
        self.group_json = [
            {
                "id": g.id,
                "displayName": g.display_name,
                "mailEnabled": g.mail_enabled,
                "securityEnabled": g.security_enabled,
                "groupTypes": [],
                "mail": None,
            }
            for g in tenant.groups
        ]
        self.mail = MailStore(tenant)
        self.shared_json = shared_fragments(
            (*self.users, *self.deleted_users), ("assignedLicenses", "assignedPlans", "licenseAssignmentStates")
        )
        self._cache: OrderedDict[tuple[str, str, bool], list[dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def find_user(self, key: str) -> dict[str, Any] | None:
        """An active user by id or UPN (case-insensitive)."""
        k = key.lower()
        return self.user_by_id.get(k) or self.user_by_upn.get(k)

    def filtered(
        self, name: str, items: list[dict[str, Any]], entity: Entity, q: Query, indexed: bool = False
    ) -> list[dict[str, Any]]:
        """The items matching the query's `$filter` (all items without one); results are cached."""
        compiled = compile_query_filter(entity, q)
        if compiled is None:
            return items
        key = (name, q.filter or "", q.eventual)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        pool = self._candidates(compiled.hint) if indexed and compiled.hint else None
        if pool is None:
            pool = items
        result = [item for item in pool if compiled.predicate(item)]
        if len(pool) > 1000:
            with self._lock:
                self._cache[key] = result
                while len(self._cache) > _FILTER_CACHE_SIZE:
                    self._cache.popitem(last=False)
        return result

    def _candidates(self, hint: tuple[str, str]) -> list[dict[str, Any]] | None:
        """Users that may match an equality filter, from an index (None: no index for it)."""
        prop, value = hint
        if prop in ("id", "userPrincipalName"):
            index = self.user_by_id if prop == "id" else self.user_by_upn
            found = index.get(value)
            return [found] if found is not None else []
        by_value = self._by_value.get(prop)
        return None if by_value is None else by_value.get(value, [])

    def group_users(self, group_id: str, transitive: bool) -> list[dict[str, Any]]:
        """The users in a group (following nested groups when `transitive`), in file order."""
        out: dict[str, dict[str, Any]] = {}
        seen: set[str] = set()
        todo = [group_id.lower()]
        while todo:
            gid = todo.pop(0)
            if gid in seen or gid not in self.groups:
                continue
            seen.add(gid)
            for m in self.groups[gid].members:
                user = self.user_by_upn.get(m.lower())
                if user is not None:
                    out.setdefault(user["id"], user)
                elif transitive:
                    todo.append(m.lower())
        return list(out.values())
