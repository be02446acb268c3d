"""``bluejay-gate emulator`` arguments (placeholder until the emulator lands)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787)


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError("the emulator is not built yet")
