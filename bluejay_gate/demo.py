"""``bluejay-gate demo``: the real gate against the built-in emulator on ``examples/``.

Starts the emulator in-process with the example's scenario (``emulator.yml``), runs the
example's spec with a short poll interval, writes the reports to ``--out`` and prints
where they are. The quickstart passes; ``--example failing`` exits 1.

The reports' links point at the emulator (its transcript JSON, and a plain page saying
it stands in for Bluejay's dashboard): with ``--serve`` the emulator keeps serving them
until Ctrl-C; without it they are dead once the demo exits, as the demo says.

The examples are looked for in ``--examples-dir``, then ``./examples``, then beside the
package: ``bluejay_gate/examples`` in an installed wheel (``pipx run bluejay-gate demo``),
the repository's ``examples/`` in a clone or an editable install.
"""

from __future__ import annotations

import argparse
import threading
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


def example_names(examples: Path) -> list[str]:
    """The examples the demo can run: folders with a spec and an emulator scenario."""
    return sorted(
        p.name
        for p in examples.iterdir()
        if (p / "bluejay-gate.yml").is_file() and (p / "emulator.yml").is_file()
    )


def examples_help(explicit: str | None = None) -> str:
    """``quickstart (passes), failing, repeats`` for ``demo --help``."""
    try:
        names = example_names(find_examples(explicit))
    except (UsageError, OSError):
        return "examples: none found (run from a clone of the bluejay-gate repository)"
    return "examples: " + ", ".join(names)


def _unknown_example(name: str, names: list[str]) -> UsageError:
    import difflib

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return UsageError(
        f"unknown example {name!r}: {hint}choose one of {', '.join(names)} (--example NAME)"
    )


def run_demo(
    args: argparse.Namespace,
    env: Mapping[str, str],
    out: TextIO,
    *,
    stop: threading.Event | None = None,
) -> int:
    """Run the example; with ``args.serve``, keep the emulator up until ``stop`` is set
    (Ctrl-C: ``KeyboardInterrupt`` also ends the wait)."""
    import secrets

    from bluejay_gate.emulator import Emulator
    from bluejay_gate.gate import Runtime, run_gate
    from bluejay_gate.options import GateOptions
    from bluejay_gate.report.console import use_color
    from bluejay_gate.report.progress import ConsoleProgress

    examples = find_examples(args.examples_dir)
    names = example_names(examples)
    if args.example not in names:
        raise _unknown_example(args.example, names)
    folder = examples / args.example
    spec_path = folder / "bluejay-gate.yml"
    scenario = folder / "emulator.yml"
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
            dashboard_url=f"{emu.base_url}/dashboard",
        )
        rt = Runtime(
            out=out,
            emit=ConsoleProgress(out, color=color),
            env=env,
            color=color,
            poll_interval=DEMO_POLL_INTERVAL,
        )
        code = run_gate(opts, rt)
        if not getattr(args, "serve", False):
            out.write(
                f"\nThe reports' links point at the emulator ({emu.base_url}), which stops "
                "now: run with --serve to keep them working until Ctrl-C.\n"
            )
            return code
        out.write(
            f"\nServing the reports' links at {emu.base_url} (transcripts, and a page "
            "standing in for Bluejay's dashboard): press Ctrl-C to stop.\n"
        )
        out.flush()
        try:
            (stop or threading.Event()).wait()
        except KeyboardInterrupt:
            out.write("stopped\n")
        return code
