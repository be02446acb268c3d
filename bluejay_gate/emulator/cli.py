"""``bluejay-gate emulator``: serve the local Bluejay API emulator until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
from types import FrameType

from bluejay_gate.errors import EXIT_INVALID, EXIT_PASS

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (loopback only unless --allow-remote)"
    )
    parser.add_argument(
        "--port", type=int, default=8787, help="port to bind; 0 picks a free one (default 8787)"
    )
    parser.add_argument(
        "--allow-remote", action="store_true", help="allow binding a non-loopback address"
    )
    parser.add_argument(
        "--api-key", default=None, help="require this X-API-Key (401 otherwise); default: any key"
    )
    parser.add_argument("--scenario", metavar="FILE", default=None, help="YAML scenario file")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="time factor: 10 makes conversations 10x faster"
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: scenario's)")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault, repeatable: 'ENDPOINT:KIND[:RATE[:WHEN]][:key=value]', "
        "e.g. 'POST /v1/queue-simulation-run:503:0.2:after'",
    )
    parser.add_argument("--webhook-url", default=None, help="POST webhook events to this URL")
    parser.add_argument(
        "--webhook-secret", default=None, help="HMAC-SHA256 signing secret for webhooks"
    )
    parser.add_argument(
        "--webhook-faults",
        default=None,
        metavar="K=V,...",
        help="webhook faults: loss, duplicate (shares 0..1), delay (s), delay_share",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log requests to stderr")
    parser.add_argument(
        "--tls-cert",
        metavar="PEM",
        default=None,
        help="serve https with this certificate chain (PEM), e.g. to reach the emulator from "
        "the Action's container; clients trust its CA with SSL_CERT_FILE",
    )
    parser.add_argument(
        "--tls-key", metavar="PEM", default=None, help="the private key of --tls-cert"
    )


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    from bluejay_gate.emulator.faults import parse_fault, parse_webhook_faults
    from bluejay_gate.emulator.scenario import ScenarioError
    from bluejay_gate.emulator.server import Emulator

    if not is_loopback(args.host) and not args.allow_remote:
        print(
            f"bluejay-gate emulator: refusing to listen on {args.host!r}: it is not a loopback "
            "address and the emulator has no real security; use --host 127.0.0.1, or "
            "--allow-remote if you really mean it",
            file=sys.stderr,
        )
        return EXIT_INVALID
    if args.speed <= 0:
        print(f"bluejay-gate emulator: --speed must be > 0, got {args.speed}", file=sys.stderr)
        return EXIT_INVALID
    if args.tls_key and not args.tls_cert:
        print("bluejay-gate emulator: --tls-key needs --tls-cert", file=sys.stderr)
        return EXIT_INVALID
    tls = None
    if args.tls_cert:
        import ssl

        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            tls.load_cert_chain(args.tls_cert, args.tls_key or None)
        except (OSError, ssl.SSLError) as exc:
            print(
                f"bluejay-gate emulator: cannot load --tls-cert {args.tls_cert}: {exc}; "
                "give a PEM certificate and its key (--tls-key)",
                file=sys.stderr,
            )
            return EXIT_INVALID
    try:
        faults = [parse_fault(spec) for spec in args.fault]
        emulator = Emulator(
            args.scenario,
            api_key=args.api_key or None,
            host=args.host,
            port=args.port,
            speed=args.speed,
            seed=args.seed,
            log=None if args.quiet else sys.stderr,
            tls=tls,
        )
    except ScenarioError as exc:
        print(f"bluejay-gate emulator: {exc}", file=sys.stderr)
        return EXIT_INVALID
    if faults:
        emulator.set_faults([*emulator.scenario.faults, *faults])
    if args.webhook_url:
        try:
            hook_faults = parse_webhook_faults(args.webhook_faults or "")
        except ScenarioError as exc:
            print(f"bluejay-gate emulator: {exc}", file=sys.stderr)
            return EXIT_INVALID
        emulator.set_webhook(args.webhook_url, args.webhook_secret or "", faults=hook_faults)
    elif args.webhook_secret or args.webhook_faults:
        print(
            "bluejay-gate emulator: --webhook-secret and --webhook-faults need --webhook-url",
            file=sys.stderr,
        )
        return EXIT_INVALID
    try:
        emulator.start()
    except OSError as exc:
        print(
            f"bluejay-gate emulator: cannot listen on {args.host}:{args.port}: {exc.strerror}; "
            "pick another --port (0 chooses a free one)",
            file=sys.stderr,
        )
        return EXIT_INVALID
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    print(f"Bluejay emulator listening on {emulator.base_url}", flush=True)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        emulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_PASS
