"""The run-level ``score`` check: Bluejay's own counters (tests_passed / total_tests × 100)
summed over a simulation's runs, compared exactly. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from bluejay_gate.model.results import RunSummary
from bluejay_gate.spec.thresholds import Aggregate, Check
from bluejay_gate.verdict.check_result import check_result
from bluejay_gate.verdict.inputs import SimulationContext
from bluejay_gate.verdict.model import CheckResult, Outcome
from bluejay_gate.verdict.texts import needs_text, observed_text

_SCORE_AGGREGATES = frozenset(
    {
        Aggregate.VALUE,
        Aggregate.MEAN,
        Aggregate.MEDIAN,
        Aggregate.MIN,
        Aggregate.MAX,
        Aggregate.PERCENTILE,
    }
)


def run_counters(runs: Sequence[RunSummary]) -> tuple[int, int] | str:
    """``(tests_passed, total_tests)`` summed over the runs, or why there are none."""
    if not runs:
        return "no run reported tests_passed / total_tests, so 'score' cannot be computed"
    lacking = [r.id for r in runs if r.total_tests is None or r.tests_passed is None]
    if lacking:
        return (
            f"run {', '.join(lacking)} reported no tests_passed / total_tests counters, "
            "so 'score' cannot be computed"
        )
    total = sum(r.total_tests or 0 for r in runs)
    passed = sum(r.tests_passed or 0 for r in runs)
    if total <= 0:
        return "the run reported total_tests 0, so 'score' cannot be computed"
    return passed, total


def score_check(check: Check, ctx: SimulationContext) -> CheckResult:
    if check.aggregate not in _SCORE_AGGREGATES:
        return check_result(
            check,
            Outcome.NO_VERDICT,
            "'score' is one number per simulation (tests_passed / total_tests × 100): "
            "use 'value', e.g. 'score: value >= 80'",
        )
    counters = run_counters(ctx.sim.runs)
    if isinstance(counters, str):
        return check_result(check, Outcome.NO_VERDICT, counters)
    passed, total = counters
    # Written with % ("value >= 80%"): the threshold is a fraction, so is the observed score.
    # Exact: 29 of 50 is a score of 58, not 57.99999999999999.
    exact = Fraction(passed, total) * (1 if check.percent else 100)
    observed = float(exact)
    holds = check.op.holds(exact, check.exact_threshold)
    message = (
        f"observed {observed_text(check, observed)} ({passed}/{total} tests passed), "
        f"needs {needs_text(check)}"
    )
    outcome = Outcome.PASS if holds else Outcome.FAIL
    return check_result(check, outcome, message, observed=observed, samples=total)
