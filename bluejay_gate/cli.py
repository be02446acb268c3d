"""Command line: parse argv and environment into options, call one function, exit.

Only ``main`` calls ``sys.exit``. Heavy modules are imported inside the subcommand
that needs them so ``--version`` and ``validate`` start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bluejay_gate import __version__
from bluejay_gate.errors import EXIT_INVALID


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bluejay-gate",
        description="CI/CD quality gate for voice and chat agents tested on Bluejay.",
    )
    parser.add_argument("--version", action="version", version=f"bluejay-gate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    emulator = sub.add_parser("emulator", help="serve the local Bluejay API emulator")
    from bluejay_gate.emulator.cli import add_arguments as add_emulator_arguments

    add_emulator_arguments(emulator)
    return parser


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "emulator":
        from bluejay_gate.emulator.cli import run as run_emulator

        return run_emulator(args)
    return EXIT_INVALID


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        sys.exit(EXIT_INVALID)
    sys.exit(dispatch(args))
