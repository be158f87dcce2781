"""Synthetic tenant generator for the Graph emulator (schema: docs/tenant-file.md).

    python -m graph_emulator.generate --users 100000 --seed 7 \\
        --mix none=0.02,onPremises=0.01,flapping=0.005,shared=0.01 --deleted 50 --out big.json

Every user is one *kind*: ``ok`` (Office 365 E3, mailbox in Exchange Online) unless the mix says
otherwise. Counts per kind are exact (``round(users * fraction)``), their positions are shuffled
under the seed, so the same arguments always give the same file. ETD and the auditor follow the
demo tenants' conventions (``tenants/contoso-demo.yaml``).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

ETD_APP_ID = "d5be90f8-3d42-4d66-bf70-77a9473a67ab"
ETD_DISPLAY_NAME = "Cisco Secure Email Threat Defense"
ETD_HOME_TENANT_ID = "477e12be-e484-4305-a010-d60130983488"  # contoso-demo
AUDITOR_APP_ID = "2b998cf7-3ffa-4e58-9dd3-b3d23f2e584b"
AUDITOR_DISPLAY_NAME = "ETD Readiness Auditor"
AUDITOR_SECRET = "demo-auditor-secret"
# What ETD asks for in read-write mode (Cisco's ETD guide, permission manifest; GRAPH_FACTS §2).
ETD_MANIFEST_READ_WRITE = (
    "Mail.ReadWrite",
    "Organization.Read.All",
    "User.Read.All",
    "Domain.Read.All",
    "Group.Read.All",
    "GroupMember.Read.All",
)
# The generated auditor holds a least-privilege read set (the product documents what it needs).
AUDITOR_ROLES = ("User.Read.All", "Organization.Read.All", "Application.Read.All", "Mail.ReadBasic.All")

_E3 = "ENTERPRISEPACK"

# kind -> the user fields it sets (besides upn / displayName). "ok" fills whatever the mix leaves.
KINDS: dict[str, dict[str, Any]] = {
    "ok": {"licenses": [_E3], "mailbox": "exchangeOnline"},
    # seeded faults (the documented cases, see tests/tenants/EXPECTED.md)
    "none": {"mailbox": "none"},  # 1b / 4a: never licensed
    "foundationOnly": {"licenses": ["M365_F1"], "mailbox": "none"},  # 4a: Teams-only plan
    "licenseError": {"licenseErrors": [{"sku": _E3, "error": "CountViolation"}], "mailbox": "none"},  # 4a
    "exchangeDisabled": {  # 4a: Exchange plan switched off
        "licenses": [{"sku": _E3, "disabledPlans": ["EXCHANGE_S_ENTERPRISE"]}],
        "mailbox": "none",
    },
    "inactive": {"licenses": [_E3], "planStatus": "Suspended", "mailbox": "inactive"},  # 4
    "onPremises": {"onPremisesSyncEnabled": True, "licenses": [_E3], "mailbox": "onPremises"},  # 4b
    "notDiscoverable": {"licenses": [_E3], "mailbox": "notDiscoverable"},  # 1b
    "flapping": {"licenses": [_E3], "mailbox": "flapping"},  # 1b / 4
    "accessPolicyDenied": {"licenses": [_E3], "mailbox": "accessPolicyDenied"},  # 2 (per mailbox)
    # tricky but fine
    "shared": {"accountEnabled": False, "mailbox": "shared"},
    "room": {"accountEnabled": False, "mailbox": "room"},
    "equipment": {"accountEnabled": False, "mailbox": "equipment"},
    "guest": {"userType": "Guest", "mailbox": "none"},
    "disabled": {"accountEnabled": False, "licenses": [_E3], "mailbox": "exchangeOnline"},
    "kiosk": {"licenses": ["SPE_F1"], "mailbox": "exchangeOnline"},
}
MIX_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k != "ok")
#: kinds that are seeded faults (the others look odd but are fine)
FAULT_KINDS: frozenset[str] = frozenset(MIX_KINDS[: MIX_KINDS.index("shared")])
_MAILBOX_KINDS = frozenset({"ok", "disabled", "kiosk"})  # the kinds that get --messages
_NAMED_KINDS = frozenset({"shared", "room", "equipment"})  # UPN local part starts with the kind

_FIRST = ("Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Gray", "Harper", "Jordan", "Quinn")
_LAST = ("Example", "Sample", "Demo", "Synth", "Placeholder", "Fixture", "Mock", "Dummy")
_SUBJECTS = ("Weekly report", "Invoice attached", "Meeting notes", "Action required", "Your parcel")
_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


def _copy(value: Any) -> Any:
    """A fresh copy of a small JSON-like template (so callers may mutate users independently)."""
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def parse_mix(text: str) -> dict[str, float]:
    """Parse ``kind=fraction,kind=fraction`` into a dict (raises ValueError on bad input)."""
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"--mix item {part!r} is not KIND=FRACTION")
        try:
            mix[kind.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--mix fraction {value!r} for {kind.strip()!r} is not a number") from None
    return mix


def _kind_counts(users: int, mix: Mapping[str, float]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind, fraction in mix.items():
        if kind not in MIX_KINDS:
            raise ValueError(f"unknown mix kind {kind!r}; known: {', '.join(MIX_KINDS)}")
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"mix fraction for {kind!r} must be between 0 and 1, got {fraction}")
        counts[kind] = round(users * fraction)
    if sum(counts.values()) > users:
        raise ValueError(f"mix fractions add up to more than all {users} users")
    counts["ok"] = users - sum(counts.values())
    return counts


def _etd_service_principal(missing: Sequence[str]) -> dict[str, Any]:
    unknown = [p for p in missing if p not in ETD_MANIFEST_READ_WRITE]
    if unknown:
        known = ", ".join(ETD_MANIFEST_READ_WRITE)
        raise ValueError(f"--etd-missing-permission {unknown[0]!r} is not in ETD's manifest: {known}")
    return {
        "appId": ETD_APP_ID,
        "displayName": ETD_DISPLAY_NAME,
        "accountEnabled": True,
        "appOwnerOrganizationId": ETD_HOME_TENANT_ID,
        "applicationPermissions": [p for p in ETD_MANIFEST_READ_WRITE if p not in missing],
        "delegatedPermissions": [{"scope": ["User.Read"], "consentType": "AllPrincipals"}],
    }


def _skus(counts: Counter[str], full: bool) -> list[dict[str, Any]]:
    """Subscribed SKUs sized to the assignments; ENTERPRISEPACK is exactly full when `full`."""
    skus = []
    for part, used in sorted(counts.items()):
        prepaid = used if (full and part == _E3) else used + max(5, used // 20)
        skus.append({"partNumber": part, "prepaid": prepaid})
    return skus


def generate_tenant(
    users: int,
    seed: int = 0,
    mix: Mapping[str, float] | None = None,
    *,
    name: str = "synthetic",
    deleted: int = 0,
    messages: int = 0,
    etd_missing_permissions: Sequence[str] = (),
) -> dict[str, Any]:
    """Build a tenant document (docs/tenant-file.md) with `users` users; deterministic per arguments.

    Raises ValueError (with a one-line message) on bad arguments.
    """
    if users < 0 or deleted < 0 or messages < 0:
        raise ValueError("--users, --deleted and --messages must not be negative")
    if not _NAME_RE.match(name):
        raise ValueError(f"--name {name!r} must be lowercase letters, digits and inner dashes (max 40)")
    counts = _kind_counts(users, mix or {})
    service_principal = _etd_service_principal(list(etd_missing_permissions))
    rng = random.Random(f"{name}:{seed}")
    tenant_id = _uuid(rng)
    initial = f"{name.replace('-', '')}.onmicrosoft.com"
    domain = f"{name}.example"

    kinds = [kind for kind, n in counts.items() for _ in range(n)]
    rng.shuffle(kinds)
    width = max(6, len(str(users)))
    licence_use: Counter[str] = Counter()
    people: list[dict[str, Any]] = []
    for i, kind in enumerate(kinds, start=1):
        num = str(i).zfill(width)
        if kind == "guest":
            user = {
                "upn": f"guest{num}_partner.example#EXT#@{initial}",
                "mail": f"guest{num}@partner.example",
            }
        else:
            user = {"upn": f"{kind if kind in _NAMED_KINDS else 'user'}{num}@{domain}"}
        user["displayName"] = f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {num}"
        user.update(_copy(KINDS[kind]))
        for licence in user.get("licenses", ()):
            licence_use[licence if isinstance(licence, str) else licence["sku"]] += 1
        if messages and kind in _MAILBOX_KINDS:
            user["messages"] = [
                {
                    "id": f"AAMk-{num}-{j:04d}",
                    "internetMessageId": f"<{num}.{j}@{domain}>",
                    "folder": "inbox",
                    "subject": rng.choice(_SUBJECTS),
                }
                for j in range(1, messages + 1)
            ]
        people.append(user)
    licence_use.setdefault(_E3, 0)  # always subscribed

    deleted_users = []
    for k in range(1, deleted + 1):
        object_id = _uuid(rng)
        local = f"former{str(k).zfill(width)}"
        deleted_users.append(
            {
                "upn": f"{object_id.replace('-', '')}{local}@{domain}",
                "id": object_id,
                "mail": f"{local}@{domain}",
                "displayName": f"{rng.choice(_FIRST)} {rng.choice(_LAST)} (deleted)",
                "deletedDateTime": f"2026-11-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
            }
        )

    return {
        "tenant": {
            "name": name,
            "id": tenant_id,
            "displayName": f"Synthetic tenant {name} ({users} users)",
            "domains": [{"name": initial, "initial": True}, {"name": domain, "default": True}],
        },
        "skus": _skus(licence_use, full=counts.get("licenseError", 0) > 0),
        "auditor": {
            "appId": AUDITOR_APP_ID,
            "displayName": AUDITOR_DISPLAY_NAME,
            "secret": AUDITOR_SECRET,
            "roles": list(AUDITOR_ROLES),
        },
        "servicePrincipals": [service_principal],
        "users": people,
        "deletedUsers": deleted_users,
    }


def write_tenant(tenant: dict[str, Any], path: Path) -> None:
    """Write `tenant` as compact JSON (``.json``) or YAML (``.yaml``/``.yml``), by suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise ValueError(f"--out {str(path)!r} must end in .json, .yaml or .yml")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        with path.open("w", encoding="utf-8") as fh:
            json.dump(tenant, fh, separators=(",", ":"))
            fh.write("\n")
        return
    import yaml  # only the YAML path needs it

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(tenant, fh, Dumper=dumper, sort_keys=False, allow_unicode=True, width=110)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="python -m graph_emulator.generate",
        description="Write a synthetic tenant file for the Graph emulator (docs/tenant-file.md).",
    )
    parser.add_argument("--users", type=int, required=True, help="number of users")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--name", default="synthetic", help="tenant short name (default synthetic)")
    parser.add_argument("--mix", default="", help=f"KIND=FRACTION,... of non-ok users; kinds: {', '.join(MIX_KINDS)}")
    parser.add_argument("--deleted", type=int, default=0, help="number of soft-deleted users")
    parser.add_argument("--messages", type=int, default=0, help="messages per mailbox user (default 0)")
    parser.add_argument(
        "--etd-missing-permission",
        action="append",
        default=[],
        metavar="NAME",
        help="leave this application permission out of ETD's consent (repeatable)",
    )
    parser.add_argument("--out", type=Path, required=True, help="output file, .json or .yaml")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        if args.out.suffix.lower() not in (".json", ".yaml", ".yml"):
            raise ValueError(f"--out {str(args.out)!r} must end in .json, .yaml or .yml")
        tenant = generate_tenant(
            args.users,
            args.seed,
            parse_mix(args.mix),
            name=args.name,
            deleted=args.deleted,
            messages=args.messages,
            etd_missing_permissions=args.etd_missing_permission,
        )
        write_tenant(tenant, args.out)
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    print(f"wrote {args.out} ({args.users} users, tenant {tenant['tenant']['id']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
