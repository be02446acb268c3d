"""Soak the gate under faults: ``python bench/soak.py --seeds 200``.

Each seed runs the quickstart gate against a fresh emulator that fails 20% of requests
to every endpoint (429 with Retry-After, 500/502/503, slow, dropped; before or after the
handler ran) and compares it with a fault-free run: verdict, exit code, check outcomes
and normalised JUnit. Prints the agreement and how many runs were queued twice.
The harness (``tests/helpers/soak.py``) is the one ``tests/integration/test_soak.py``
runs with 20 seeds in CI.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers.soak import soak_once  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200, help="how many seeds (200)")
    parser.add_argument("--first", type=int, default=1, help="first seed (1)")
    parser.add_argument(
        "--rate", type=float, default=0.2, help="share of requests meeting a fault (0.2)"
    )
    parser.add_argument(
        "--failing", action="store_true", help="a scenario whose gate fails (exit 1)"
    )
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    if not 0 <= args.rate < 1:
        parser.error("--rate must be at least 0 and below 1")
    with tempfile.TemporaryDirectory(prefix="bluejay-soak-") as tmp:
        base = soak_once(Path(tmp) / "baseline", None, failing=args.failing)
        print(f"baseline: exit {base.exit_code}, {base.outcome}, {base.intended_runs} runs")
        agree = duplicates = faults = 0
        mismatches: Counter[str] = Counter()
        started = time.monotonic()
        for seed in range(args.first, args.first + args.seeds):
            run = soak_once(Path(tmp) / f"seed-{seed}", seed, args.rate, failing=args.failing)
            faults += run.faults
            duplicates += max(run.duplicate_runs, 0)
            same = {
                "exit code": run.exit_code == base.exit_code,
                "verdict": run.outcome == base.outcome,
                "checks": run.checks == base.checks,
                "junit": run.junit == base.junit,
                "runs": run.duplicate_runs == 0,
            }
            if all(same.values()):
                agree += 1
            else:
                wrong = [k for k, ok in same.items() if not ok]
                mismatches.update(wrong)
                print(f"seed {seed}: differs in {', '.join(wrong)} (exit {run.exit_code})")
        elapsed = time.monotonic() - started
    print(
        f"{args.seeds} seeds at {args.rate:.0%} faults in {elapsed:.1f} s: "
        f"verdict agreement {agree}/{args.seeds} "
        f"({100 * agree / args.seeds:.1f}%), duplicate runs {duplicates}, "
        f"faults injected {faults} ({faults / args.seeds:.1f} per gate run)"
    )
    for what, n in mismatches.most_common():
        print(f"  {what}: {n} seed(s) differ")
    return 0 if agree == args.seeds else 1


if __name__ == "__main__":
    sys.exit(main())
