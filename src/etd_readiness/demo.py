"""The demo tenant: serve it from the emulator, or re-record its committed cassettes.

python -m etd_readiness.demo record   # re-record the demo tenants' cassettes in cassettes/
python -m etd_readiness.demo serve    # run the emulator on the demo tenants and print how to point at it
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import resources
from pathlib import Path

DEMO_TENANTS = ("contoso-demo.yaml", "fabrikam-demo.yaml", "northwind-demo.yaml")
DEMO_SECRET = "demo-auditor-secret"  # the synthetic auditor's secret in the synthetic demo tenant files
DEMO_RECORDED_AT = "1767225600"  # 2026-01-01T00:00:00Z: a fixed recording date, so re-recording changes nothing


EMULATOR_MISSING = (
    "the Graph emulator is not installed: pip install ./emulator (from the etd-readiness checkout) "
    "or pip install etd-graph-emulator"
)


def _emulator():
    """The emulator package, or SystemExit with one line saying how to install it."""
    try:
        import graph_emulator
    except ImportError:
        raise SystemExit(f"python -m etd_readiness.demo: {EMULATOR_MISSING}") from None
    return graph_emulator


def demo_tenant_files() -> list[Path]:
    """The demo tenant files shipped inside the emulator package."""
    base = resources.files(_emulator().__name__) / "tenants"
    return [Path(str(base / name)) for name in DEMO_TENANTS]


def record(root: Path, extra: list[str]) -> int:
    """Start the emulator on the demo tenants and run the suite with --record-mode=rewrite."""
    import pytest

    Emulator = _emulator().Emulator
    with Emulator(tenant_files=demo_tenant_files(), seed=0) as emu:
        os.environ["ETD_DEMO_AUDITOR_SECRET"] = DEMO_SECRET
        os.environ.setdefault("SOURCE_DATE_EPOCH", DEMO_RECORDED_AT)
        os.environ["REQUESTS_CA_BUNDLE"] = emu.ca_path
        args = [
            str(root / "tenant_checks"),
            f"--etd-config={root / 'cassettes' / 'demo.toml'}",
            "--record-mode=rewrite",
            f"--graph-endpoint={emu.graph_url}",
            f"--authority={emu.authority_url}",
            f"--html={root / 'reports' / 'demo-recording.html'}",
            "-q",
            "-p",
            "no:cacheprovider",
            *extra,
        ]
        code = pytest.main(args)
        if emu.stats.writes:
            print(f"the suite wrote to the tenant: {emu.stats.writes}", file=sys.stderr)
            return 3
    return 0 if code in (0, 1) else int(code)


def serve() -> int:
    """Serve the demo tenants until Ctrl-C, printing the environment a live run needs."""
    Emulator = _emulator().Emulator
    with Emulator(tenant_files=demo_tenant_files(), seed=0) as emu:
        print("Demo Graph emulator running. In another shell:")
        print("  export AZURE_TENANT_ID=477e12be-e484-4305-a010-d60130983488 ETD_TENANT_NAME=contoso-demo")
        print(f"  export AZURE_CLIENT_ID=2b998cf7-3ffa-4e58-9dd3-b3d23f2e584b AZURE_CLIENT_SECRET={DEMO_SECRET}")
        print(f"  export AZURE_AUTHORITY_HOST={emu.authority_url} REQUESTS_CA_BUNDLE={emu.ca_path}")
        print(f"  export ETD_GRAPH_ENDPOINT={emu.graph_url}")
        print("  pytest tenant_checks")
        try:
            import threading

            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etd_readiness.demo", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("record", "serve"))
    parser.add_argument("--root", default=".", help="the project checkout (holds tenant_checks/ and cassettes/)")
    args, extra = parser.parse_known_args(argv)
    root = Path(args.root).resolve()
    if args.command == "record":
        if not (root / "tenant_checks").is_dir():
            parser.error(f"{root} has no tenant_checks/ directory; pass --root")
        return record(root, extra)
    return serve()


if __name__ == "__main__":
    sys.exit(main())
