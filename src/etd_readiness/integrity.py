"""Integrity of a run's outputs: a SHA-256 manifest over HTML, JSON, JUnit and CSV, optionally Ed25519-signed.

The manifest `<stem>.manifest.json` lives beside the evidence JSON and names each file relative to
itself. With a signing key (PEM file given by --etd-sign-key, or the PEM text in $ETD_SIGNING_KEY)
the manifest's exact bytes are signed into `<stem>.manifest.json.sig` (base64). `etd-readiness
verify DIR [--public-key PEM]` checks every manifest in DIR and names each file that changed.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .evidence import now_utc, sha256_file
from .settings import ConfigError

MANIFEST_SCHEMA = "etd-readiness-manifest/1"
SIGNING_ENV = "ETD_SIGNING_KEY"
VERIFY_ENV = "ETD_VERIFY_KEY"


def load_signing_key(path: str | None, env: dict[str, str] | None = None):
    """The Ed25519 private key to sign with, or None; ConfigError when given but unusable."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    env = dict(os.environ) if env is None else env
    if path:
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise ConfigError(f"cannot read signing key {path}: {err.strerror}") from None
        where = str(path)
    elif env.get(SIGNING_ENV):
        data, where = env[SIGNING_ENV].encode(), f"${SIGNING_ENV}"
    else:
        return None
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as err:
        raise ConfigError(f"signing key {where} is not an unencrypted PEM private key: {err}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(
            f"signing key {where} is not an Ed25519 key; make one with: openssl genpkey -algorithm ed25519"
        )
    return key


def write_manifest(path: Path, files: list[Path], key=None) -> Path:
    """Hash the files into the manifest at `path` (and sign it when a key is given)."""
    base = path.parent.resolve()
    entries = [
        {"path": os.path.relpath(f.resolve(), base), "sha256": sha256_file(f), "bytes": f.stat().st_size} for f in files
    ]
    doc = {"schema": MANIFEST_SCHEMA, "created_at": now_utc(), "files": entries}
    data = (json.dumps(doc, indent=1) + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    sig = Path(str(path) + ".sig")
    if key is not None:
        sig.write_text(base64.b64encode(key.sign(data)).decode() + "\n", encoding="ascii")
    elif sig.exists():
        sig.unlink()
    return path


@dataclass
class Verification:
    """What `verify` found for one manifest."""

    manifest: Path
    ok: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    signature: str = "none"  # none | valid | invalid | unchecked

    @property
    def passed(self) -> bool:
        return not self.problems and self.signature != "invalid"


def load_public_key(path: str | None, env: dict[str, str] | None = None):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    env = dict(os.environ) if env is None else env
    if path:
        data = Path(path).read_bytes()
    elif env.get(VERIFY_ENV):
        data = env[VERIFY_ENV].encode()
    else:
        return None
    key = load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the public key is not an Ed25519 key")
    return key


def verify_manifest(path: Path, public_key=None) -> Verification:
    """Check every file of one manifest and, with a public key, its signature."""
    from cryptography.exceptions import InvalidSignature

    out = Verification(manifest=path)
    data = path.read_bytes()
    try:
        doc = json.loads(data)
        entries = doc["files"]
    except (ValueError, KeyError, TypeError):
        out.problems.append(f"{path.name}: not an etd-readiness manifest")
        return out
    for entry in entries:
        target = path.parent / entry["path"]
        if not target.is_file():
            out.problems.append(f"{entry['path']}: missing")
        elif sha256_file(target) != entry["sha256"]:
            out.problems.append(f"{entry['path']}: CHANGED (SHA-256 differs from the manifest)")
        else:
            out.ok.append(entry["path"])
    sig = Path(str(path) + ".sig")
    if public_key is None:
        out.signature = "unchecked" if sig.exists() else "none"
    elif not sig.exists():
        out.signature = "invalid"
        out.problems.append(f"{path.name}: no signature ({sig.name}) but a public key was given")
    else:
        try:
            public_key.verify(base64.b64decode(sig.read_text(encoding="ascii").strip()), data)
            out.signature = "valid"
        except (InvalidSignature, ValueError):
            out.signature = "invalid"
            out.problems.append(f"{path.name}: signature does NOT match (manifest altered or another key)")
    return out


def manifests_in(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.manifest.json"))
