"""Command line: serve tenant files on loopback until Ctrl-C.

python -m graph_emulator --tenant contoso-demo.yaml [--tenant other.json] --port 0
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from .faults import RETRY_AFTER_MODES, Faults
from .service import Emulator
from .shapes import SHAPES
from .tenant import TenantFileError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _probability(text: str) -> tuple[str, float]:
    family, sep, value = text.partition("=")
    try:
        p = float(value)
    except ValueError:
        p = -1.0
    if not sep or not family or not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError(f"expected FAMILY=PROBABILITY (e.g. users=0.1), got {text!r}")
    return family, p


def _shape(text: str) -> tuple[str, str, float]:
    shape, sep, rest = text.partition(":")
    if not sep or shape not in SHAPES:
        raise argparse.ArgumentTypeError(f"expected SHAPE:FAMILY=P with SHAPE one of {', '.join(SHAPES)}, got {text!r}")
    family, p = _probability(rest)
    return shape, family, p


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser."""
    p = _Parser(prog="python -m graph_emulator", description="Loopback Microsoft Graph emulator.")
    p.add_argument("--tenant", action="append", required=True, metavar="FILE", help="tenant file (repeatable)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="Graph port (0: any free port)")
    p.add_argument("--auth-port", type=int, default=0, help="authority (HTTPS) port (0: any free port)")
    p.add_argument("--seed", type=int, default=0, help="seed of every injected fault")
    p.add_argument("--latency-ms", type=float, default=0.0, help="added to every Graph request")
    p.add_argument("--jitter-ms", type=float, default=0.0, help="random extra latency, up to this")
    p.add_argument("--batch-item-latency-ms", type=float, default=0.0, help="per $batch item (4 run at a time)")
    p.add_argument("--throttle", action="append", type=_probability, default=[], metavar="FAMILY=P")
    p.add_argument("--unavailable", action="append", type=_probability, default=[], metavar="FAMILY=P")
    p.add_argument("--forbidden", action="append", default=[], metavar="FAMILY", help="answer 403 to this family")
    p.add_argument("--retry-after", choices=sorted(RETRY_AFTER_MODES), default="int")
    p.add_argument("--retry-after-seconds", type=float, default=1.0)
    p.add_argument(
        "--fault",
        action="append",
        type=_shape,
        default=[],
        metavar="SHAPE:FAMILY=P",
        help="a network failure shape per family (repeatable): " + "; ".join(f"{k}: {v}" for k, v in SHAPES.items()),
    )
    p.add_argument("--slow-body-s", type=float, default=2.0, help="how long a 'slow' body stalls (seconds)")
    p.add_argument("--shapes-after", type=int, default=0, help="spare the first N requests of each family from --fault")
    p.add_argument("--max-faults", type=int, default=None, help="fault only the first N of each exact request")
    p.add_argument(
        "--mailbox-concurrency", type=int, default=4, help="Outlook's mail requests in flight per mailbox (0: no limit)"
    )
    p.add_argument(
        "--app-mail-concurrency",
        type=int,
        default=0,
        help="Outlook's mail requests in flight for the app over all mailboxes (0: no limit, the default)",
    )
    return p


def _shapes(given: list[tuple[str, str, float]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for shape, family, p in given:
        out.setdefault(shape, {})[family] = p
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until interrupted; 2 on bad arguments or tenant files."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        faults = Faults(
            latency_ms=args.latency_ms,
            jitter_ms=args.jitter_ms,
            batch_item_latency_ms=args.batch_item_latency_ms,
            throttle=dict(args.throttle),
            unavailable=dict(args.unavailable),
            forbidden=frozenset(args.forbidden),
            retry_after=args.retry_after,
            retry_after_seconds=args.retry_after_seconds,
            max_faults=args.max_faults,
            shapes=_shapes(args.fault),
            slow_body_s=args.slow_body_s,
            shapes_after=args.shapes_after,
            mailbox_concurrency=args.mailbox_concurrency or None,
            app_mail_concurrency=args.app_mail_concurrency or None,
        )
        emu = Emulator(
            args.tenant, faults=faults, seed=args.seed, host=args.host, port=args.port, auth_port=args.auth_port
        )
    except (TenantFileError, ValueError) as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    try:
        emu.start()
    except OSError as exc:
        print(f"{parser.prog}: error: cannot listen: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        print(f"Graph URL:      {emu.graph_url}")
        print(f"Authority URL:  {emu.authority_url}")
        print(f"CA certificate: {emu.ca_path}")
        for name, t in emu.tenants.items():
            print(f"Tenant {name}: id {t.id}, auditor appId {t.auditor.app_id}, users {len(t.users)}")
        print("Serving; press Ctrl-C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
