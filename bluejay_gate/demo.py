"""``bluejay-gate demo``: the real gate against the built-in emulator on ``examples/``.

Starts the emulator in-process with the example's scenario (``emulator.yml``), runs the
example's spec with a short poll interval, writes the reports to ``--out`` and prints
where they are. The quickstart passes; ``--example failing`` exits 1.

The examples are looked for in ``--examples-dir``, then ``./examples``, then beside the
package: ``bluejay_gate/examples`` in an installed wheel (``pipx run bluejay-gate demo``),
the repository's ``examples/`` in a clone or an editable install.
"""

from __future__ import annotations

import argparse
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from bluejay_gate.errors import UsageError

DEMO_POLL_INTERVAL = 0.25
DEMO_SPEED = 1.0


def find_examples(explicit: str | None) -> Path:
    candidates = [Path(explicit)] if explicit else []
    package = Path(__file__).resolve().parent
    candidates += [Path.cwd() / "examples", package / "examples", package.parent / "examples"]
    for path in candidates:
        if (path / "quickstart" / "bluejay-gate.yml").is_file():
            return path
    raise UsageError(
        "cannot find the examples folder: reinstall bluejay-gate (the wheel carries them), "
        "run `bluejay-gate demo` from a clone of the repository, or pass --examples-dir"
    )


def run_demo(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    from bluejay_gate.emulator import Emulator
    from bluejay_gate.gate import Runtime, run_gate
    from bluejay_gate.options import GateOptions
    from bluejay_gate.report.console import use_color
    from bluejay_gate.report.progress import ConsoleProgress

    examples = find_examples(args.examples_dir)
    folder = examples / args.example
    spec_path = folder / "bluejay-gate.yml"
    scenario = folder / "emulator.yml"
    if not spec_path.is_file() or not scenario.is_file():
        raise UsageError(
            f"example {args.example!r} needs {spec_path} and {scenario}: "
            f"choose one of {', '.join(sorted(p.name for p in examples.iterdir() if p.is_dir()))}"
        )
    report_dir = Path(args.out)
    api_key = f"demo-{secrets.token_hex(8)}"
    color = use_color(out, env)
    with Emulator(scenario=scenario, api_key=api_key, speed=DEMO_SPEED) as emu:
        out.write(f"Bluejay emulator running at {emu.base_url} (scenario {scenario})\n")
        out.write(f"Running the gate on {spec_path}\n\n")
        opts = GateOptions(
            spec_path=spec_path,
            api_key=api_key,
            base_url=emu.base_url,
            junit=report_dir / "bluejay-junit.xml",
            report=report_dir / "bluejay-report.json",
            summary=report_dir / "bluejay-summary.md",
        )
        rt = Runtime(
            out=out,
            emit=ConsoleProgress(out, color=color),
            env=env,
            color=color,
            poll_interval=DEMO_POLL_INTERVAL,
        )
        return run_gate(opts, rt)
