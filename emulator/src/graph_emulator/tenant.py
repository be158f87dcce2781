"""Load and validate a tenant file (YAML or JSON; schema: docs/tenant-file.md).

`load_tenant(path)` returns a `Tenant`; any problem is a one-line `TenantFileError` naming the file
and the field. JSON is parsed with `json`, YAML with libyaml's CSafeLoader when available, so a
generated 100,000-user JSON file loads in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from . import catalog
from .tenant_fields import Fields, TenantFileError, gc_paused
from .tenant_model import (
    Application,
    Auditor,
    DelegatedGrant,
    Domain,
    Group,
    ServicePrincipal,
    SubscribedSku,
    Tenant,
)
from .tenant_users import load_users

__all__ = ["TenantFileError", "load_tenant", "load_tenants"]

_TOP = frozenset({"tenant", "skus", "auditor", "servicePrincipals", "applications", "users", "deletedUsers", "groups"})
_TENANT = frozenset({"name", "id", "displayName", "domains"})
_DOMAIN = frozenset({"name", "initial", "default", "verified"})
_SKU = frozenset({"partNumber", "prepaid", "suspended", "warning", "capabilityStatus"})
_AUDITOR = frozenset({"appId", "displayName", "objectId", "secret", "certificate", "roles"})
_SP = frozenset(
    {
        "appId",
        "displayName",
        "objectId",
        "accountEnabled",
        "appOwnerOrganizationId",
        "applicationPermissions",
        "delegatedPermissions",
    }
)
_GRANT = frozenset({"scope", "consentType", "principal"})
_APP = frozenset({"appId", "displayName", "objectId", "signInAudience", "requiredResourceAccess"})
_RRA = frozenset({"application", "delegated"})
_GROUP = frozenset({"id", "displayName", "members", "mailEnabled", "securityEnabled"})
_SKU_STATUS = frozenset({"Enabled", "Warning", "Suspended", "Deleted", "LockedOut"})
_AUDIENCES = frozenset(
    {"AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"}
)


def load_tenants(paths: list[str | Path]) -> dict[str, Tenant]:
    """Several tenant files, by tenant name; names and ids must be unique across them."""
    tenants: dict[str, Tenant] = {}
    ids: dict[str, Path] = {}
    for p in paths:
        t = load_tenant(p)
        if t.name in tenants:
            raise TenantFileError(f"{t.path}: tenant.name: {t.name!r} is also the name in {tenants[t.name].path}")
        if t.id in ids:
            raise TenantFileError(f"{t.path}: tenant.id: {t.id} is also the id in {ids[t.id]}")
        tenants[t.name] = t
        ids[t.id] = t.path
    return tenants


def load_tenant(path: str | Path) -> Tenant:
    """Read and validate one tenant file."""
    with gc_paused():
        return _load(Path(path))


def _load(path: Path) -> Tenant:
    f = Fields(path)
    data = _parse(path, f)
    f.mapping(data, "", _TOP)
    head = f.mapping(data.get("tenant"), "tenant", _TENANT)
    tenant_id = f.guid(head, "id", "tenant")
    name = f.text(head, "name", "tenant")
    domains = _domains(f, head)
    auditor = _auditor(f, data, tenant_id)
    users, deleted, mailboxes, messages = load_users(f, data, tenant_id)
    return Tenant(
        path=path,
        name=name,
        id=tenant_id,
        display_name=f.text(head, "displayName", "tenant", default=name),
        domains=domains,
        skus=_skus(f, data),
        auditor=auditor,
        service_principals=_service_principals(f, data, tenant_id),
        applications=_applications(f, data, tenant_id),
        users=users,
        deleted_users=deleted,
        groups=_groups(f, data, tenant_id, {u["userPrincipalName"].lower() for u in users}),
        mailboxes=mailboxes,
        messages=messages,
    )


def _strict_loader() -> type:
    """A safe YAML loader that refuses a key written twice in one mapping (YAML keeps the last silently)."""
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def mapping(loader, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is written twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return base.construct_mapping(loader, node, deep)

    class StrictLoader(base):  # type: ignore[misc, valid-type]
        pass

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    return StrictLoader


def _parse(path: Path, f: Fields) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise f.fail("", f"cannot read: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            return json.loads(raw)
        if suffix in (".yaml", ".yml"):
            return yaml.load(raw, Loader=_strict_loader())  # noqa: S506 - a safe loader
    except json.JSONDecodeError as exc:
        raise f.fail("", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise f.fail("", f"invalid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    raise f.fail("", f"unsupported file type {suffix!r} (use .yaml, .yml or .json)")


def _domains(f: Fields, head: dict[str, Any]) -> tuple[Domain, ...]:
    items = f.seq(head, "domains", "tenant")
    if not items:
        raise f.fail("tenant.domains", "at least one domain is required")
    out = []
    for i, d in enumerate(items):
        w = f"tenant.domains[{i}]"
        f.mapping(d, w, _DOMAIN)
        out.append(
            Domain(
                name=f.text(d, "name", w).lower(),
                verified=bool(f.flag(d, "verified", w, True)),
                default=bool(f.flag(d, "default", w, False)),
                initial=bool(f.flag(d, "initial", w, False)),
            )
        )
    if not any(d.default for d in out):
        out[0] = Domain(out[0].name, out[0].verified, True, out[0].initial)
    return tuple(out)


def _skus(f: Fields, data: dict[str, Any]) -> tuple[SubscribedSku, ...]:
    out = []
    for i, s in enumerate(f.seq(data, "skus", "")):
        w = f"skus[{i}]"
        f.mapping(s, w, _SKU)
        part = f.text(s, "partNumber", w)
        sku = catalog.facts().skus.get(part)
        if sku is None:
            raise f.fail(f"{w}.partNumber", f"unknown SKU {part!r}")
        plans = tuple((catalog.facts().service_plans[p].plan_id, p) for p in sku.exchange_plans)
        out.append(
            SubscribedSku(
                part_number=part,
                sku_id=sku.sku_id,
                plans=plans,
                prepaid=f.count(s, "prepaid", w),
                suspended=f.count(s, "suspended", w),
                warning=f.count(s, "warning", w),
                capability_status=f.choice(s, "capabilityStatus", w, _SKU_STATUS, "Enabled"),
            )
        )
    return tuple(out)


def _auditor(f: Fields, data: dict[str, Any], tenant_id: str) -> Auditor:
    a = f.mapping(data.get("auditor"), "auditor", _AUDITOR)
    app_id = f.guid(a, "appId", "auditor")
    cert_pem = None
    cert = f.opt_text(a, "certificate", "auditor")
    if cert is not None:
        cert_path = (f.path.parent / cert).resolve()
        try:
            cert_pem = cert_path.read_bytes()
        except OSError as exc:
            raise f.fail("auditor.certificate", f"cannot read {cert_path}: {exc.strerror or exc}") from None
        if b"-----BEGIN CERTIFICATE-----" not in cert_pem:
            raise f.fail("auditor.certificate", f"{cert_path} holds no PEM certificate")
    secret = f.opt_text(a, "secret", "auditor")
    if secret is None and cert_pem is None:
        raise f.fail("auditor", "needs a secret or a certificate")
    return Auditor(
        app_id=app_id,
        display_name=f.text(a, "displayName", "auditor", default="ETD Readiness Auditor"),
        object_id=f.guid(a, "objectId", "auditor", derive=f"{tenant_id}/sp/{app_id}"),
        secret=secret,
        certificate_pem=cert_pem,
        roles=f.permissions(a.get("roles"), "auditor.roles", "application"),
    )


def _service_principals(f: Fields, data: dict[str, Any], tenant_id: str) -> tuple[ServicePrincipal, ...]:
    out = []
    for i, s in enumerate(f.seq(data, "servicePrincipals", "")):
        w = f"servicePrincipals[{i}]"
        f.mapping(s, w, _SP)
        app_id = f.guid(s, "appId", w)
        grants = []
        for j, g in enumerate(f.seq(s, "delegatedPermissions", w)):
            gw = f"{w}.delegatedPermissions[{j}]"
            f.mapping(g, gw, _GRANT)
            consent = f.choice(g, "consentType", gw, frozenset({"AllPrincipals", "Principal"}), "AllPrincipals")
            principal = f.opt_text(g, "principal", gw)
            if consent == "Principal" and principal is None:
                raise f.fail(f"{gw}.principal", "required when consentType is Principal (a user's UPN)")
            grants.append(DelegatedGrant(f.permissions(g.get("scope"), f"{gw}.scope", "delegated"), consent, principal))
        out.append(
            ServicePrincipal(
                app_id=app_id,
                display_name=f.text(s, "displayName", w, default=app_id),
                object_id=f.guid(s, "objectId", w, derive=f"{tenant_id}/sp/{app_id}"),
                account_enabled=bool(f.flag(s, "accountEnabled", w, True)),
                app_owner_organization_id=tenant_id
                if s.get("appOwnerOrganizationId") is None
                else f.guid(s, "appOwnerOrganizationId", w),
                application_permissions=f.permissions(
                    s.get("applicationPermissions"), f"{w}.applicationPermissions", "application"
                ),
                delegated_grants=tuple(grants),
            )
        )
    return tuple(out)


def _applications(f: Fields, data: dict[str, Any], tenant_id: str) -> tuple[Application, ...]:
    out = []
    for i, a in enumerate(f.seq(data, "applications", "")):
        w = f"applications[{i}]"
        f.mapping(a, w, _APP)
        app_id = f.guid(a, "appId", w)
        rra = f.mapping(a.get("requiredResourceAccess") or {}, f"{w}.requiredResourceAccess", _RRA)
        out.append(
            Application(
                app_id=app_id,
                display_name=f.text(a, "displayName", w, default=app_id),
                object_id=f.guid(a, "objectId", w, derive=f"{tenant_id}/app/{app_id}"),
                sign_in_audience=f.choice(a, "signInAudience", w, _AUDIENCES, "AzureADMyOrg"),
                required_application=f.permissions(
                    rra.get("application"), f"{w}.requiredResourceAccess.application", "application"
                ),
                required_delegated=f.permissions(
                    rra.get("delegated"), f"{w}.requiredResourceAccess.delegated", "delegated"
                ),
            )
        )
    return tuple(out)


def _groups(f: Fields, data: dict[str, Any], tenant_id: str, upns: set[str]) -> tuple[Group, ...]:
    raw = f.seq(data, "groups", "")
    out = []
    for i, g in enumerate(raw):
        w = f"groups[{i}]"
        f.mapping(g, w, _GROUP)
        name = f.text(g, "displayName", w)
        members = tuple(str(m) for m in f.seq(g, "members", w))
        out.append(
            Group(
                id=f.guid(g, "id", w, derive=f"{tenant_id}/group/{name}"),
                display_name=name,
                members=members,
                mail_enabled=bool(f.flag(g, "mailEnabled", w, False)),
                security_enabled=bool(f.flag(g, "securityEnabled", w, True)),
            )
        )
    group_ids = {g.id for g in out}
    for i, g in enumerate(out):
        for j, m in enumerate(g.members):
            if m.lower() not in upns and m.lower() not in group_ids:
                raise f.fail(f"groups[{i}].members[{j}]", f"{m!r} is neither a user's upn nor a group id")
    return tuple(out)
