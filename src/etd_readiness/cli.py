"""`etd-readiness verify DIR`: check a run's outputs against their SHA-256 manifest (and its signature).

Exit 0 when every file of every manifest in DIR matches (and, with a public key, every signature is
valid); 1 when a file changed, is missing, or a signature does not match; 4 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .integrity import VERIFY_ENV, load_public_key, manifests_in, verify_manifest


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="etd-readiness", description="ETD remediation readiness: evidence tools")
    sub = parser.add_subparsers(dest="command", required=True)
    verify = sub.add_parser("verify", help="check the outputs in DIR against their manifest(s)")
    verify.add_argument("directory", metavar="DIR", help="the report directory (holds *.manifest.json)")
    verify.add_argument(
        "--public-key", metavar="PEM", help=f"Ed25519 public key to check the signature (or ${VERIFY_ENV})"
    )
    return parser


def verify(directory: Path, public_key_file: str | None) -> int:
    if not directory.is_dir():
        print(f"etd-readiness verify: {directory} is not a directory", file=sys.stderr)
        return 4
    manifests = manifests_in(directory)
    if not manifests:
        print(f"etd-readiness verify: no *.manifest.json in {directory}; a run writes one next to its JSON")
        return 4
    try:
        key = load_public_key(public_key_file)
    except (OSError, ValueError) as err:
        print(f"etd-readiness verify: cannot use the public key: {err}", file=sys.stderr)
        return 4
    failed = False
    for path in manifests:
        result = verify_manifest(path, key)
        state = "OK" if result.passed else "FAILED"
        print(f"{path.name}: {state} - {len(result.ok)} file(s) unchanged, signature {result.signature}")
        for problem in result.problems:
            print(f"  {problem}")
        failed = failed or not result.passed
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "verify":
        return verify(Path(args.directory), args.public_key)
    return 4  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
