"""Checks against a baseline: ``delta(AGG)`` (this run's AGG minus the baseline's, compared
with the threshold) and, for every other check, the baseline's value and the change
(``with_baseline``: shown, never judged). Pure.

Decisions:

- No baseline for the simulation (none given, or the report lacks the simulation), or a
  baseline without completed conversations or without the metric (a metric new in this
  run): the delta check is ``SKIPPED`` with the reason, which never changes the exit code.
- This run's side follows every rule of a plain check (metric missing from some
  conversations, malformed values, ``min_samples``, ...): no verdict when it would have
  none. The baseline's side too (but for ``min_samples``, which is about this run), with
  the baseline named in the message.
- Without ``confidence``: the exact difference (``Fraction``) against the threshold.
  With it: Newcombe's interval (rates) or Welch's (mean) at the per-look level: pass when
  the whole interval is on the passing side, fail when the whole of it is on the failing
  side, otherwise inconclusive (no verdict), with how many more conversations of this run
  would likely settle it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction

from bluejay_gate.spec.thresholds import Aggregate, Check
from bluejay_gate.verdict.aggregate import RATIO_AGGREGATES, AggregateResult
from bluejay_gate.verdict.check_result import check_result
from bluejay_gate.verdict.confidence import Judgement
from bluejay_gate.verdict.delta_stats import (
    more_for_mean_delta,
    more_for_rate_delta,
    newcombe,
    welch,
)
from bluejay_gate.verdict.inputs import BaselineSimulation, SimulationContext, SimulationInput
from bluejay_gate.verdict.metric_check import metric_aggregate
from bluejay_gate.verdict.model import BaselineFigures, CheckResult, Outcome
from bluejay_gate.verdict.stats import Decision, decide, per_look_confidence
from bluejay_gate.verdict.texts import judged_text, needs_text, observed_text, plural, signed_text

_DECISIONS = {Decision.PASS: Outcome.PASS, Decision.FAIL: Outcome.FAIL}


def skipped(check: Check, reason: str) -> CheckResult:
    """A check that had nothing to compare with: shown with the reason, decides nothing."""
    return CheckResult(
        check=check, outcome=Outcome.SKIPPED, observed=None, samples=0, message=reason
    )


def _baseline_context(base: BaselineSimulation) -> SimulationContext:
    sim = SimulationInput(
        label=base.label, simulation_id=base.simulation_id, checks=(), runs=(), results=()
    )
    completed = tuple(c for c in base.conversations if c.completed)
    return SimulationContext(sim=sim, conversations=base.conversations, completed=completed)


def _baseline_aggregate(
    check: Check, base: BaselineSimulation
) -> AggregateResult | str | CheckResult:
    """The baseline's aggregate for ``check``; a reason to skip (str); or its no verdict."""
    bctx = _baseline_context(base)
    if not bctx.completed:
        return f"the baseline {base.source} has no completed conversations of {base.label}"
    if not any(check.metric in c.metrics for c in bctx.conversations):
        return f"the baseline {base.source} has no samples of '{check.metric}' in {base.label}"
    return metric_aggregate(replace(check, min_samples=None), bctx)


def _exact(agg: AggregateResult) -> Fraction:
    if agg.exact is not None:
        return agg.exact
    assert agg.observed is not None
    return Fraction(agg.observed)


def _side(check: Check, agg: AggregateResult) -> str:
    assert agg.observed is not None
    ratio = f" ({agg.matched}/{agg.samples})" if check.aggregate in RATIO_AGGREGATES else ""
    return f"{observed_text(check, agg.observed)}{ratio} over {plural(agg.samples, 'conversation')}"


def delta_check(check: Check, ctx: SimulationContext) -> CheckResult:
    """``delta(AGG) OP NUMBER``: this run's AGG minus the baseline's."""
    base = ctx.sim.baseline
    if isinstance(base, str):
        return skipped(check, base)
    inner = replace(check, delta=False, confidence=None)
    now = metric_aggregate(inner, ctx)
    if isinstance(now, CheckResult):
        return replace(now, check=check)
    was = _baseline_aggregate(inner, base)
    if isinstance(was, str):
        return skipped(check, was)
    if isinstance(was, CheckResult):
        return check_result(
            check, Outcome.NO_VERDICT, f"baseline {base.source}: {was.message}", samples=now.samples
        )
    assert now.observed is not None
    assert was.observed is not None
    exact = _exact(now) - _exact(was)
    try:
        change = float(exact)
    except OverflowError:  # only from values the floats cannot hold
        return check_result(
            check,
            Outcome.NO_VERDICT,
            f"the change of '{check.metric}' is beyond what floating point can hold; check "
            "the metric's values in Bluejay",
            samples=now.samples,
        )
    figures = BaselineFigures(was.observed, change, was.samples)
    if check.aggregate not in RATIO_AGGREGATES:
        # the conversations below a threshold on a change of means are no such thing
        now = replace(now, worst=())
    words = (
        f"change {signed_text(check, change)} (this run {_side(check, now)}, baseline "
        f"{_side(check, was)}), needs {needs_text(check)}"
    )
    if check.confidence is None:
        outcome = Outcome.PASS if check.op.holds(exact, check.exact_threshold) else Outcome.FAIL
        result = check_result(check, outcome, words, agg=now, observed=change)
        return replace(result, baseline=figures)
    judgement = _judge(check, now, was, ctx.sim.looks)
    if judgement.interval is None:
        message = (
            f"inconclusive: {words}; a change of means needs two conversations on each side "
            f"for an interval ({base.source} has {was.samples})"
        )
    elif not (math.isfinite(judgement.interval.low) and math.isfinite(judgement.interval.high)):
        result = check_result(
            check,
            Outcome.NO_VERDICT,
            f"the confidence interval of the change is beyond what floating point can hold "
            f"({words}); check the metric's values in Bluejay or drop confidence",
            agg=now,
        )
        return replace(result, baseline=figures)
    else:
        message = judged_text(
            check,
            now,
            judgement,
            ctx.sim.looks,
            base=words,
            estimate=f"change {signed_text(check, change)}",
            unsettled=(
                f"more conversations of this run alone are unlikely to settle it: the "
                f"baseline's own {plural(was.samples, 'conversation')} leave the change this "
                "uncertain (a baseline run with more conversations would help)"
            ),
        )
    outcome = _DECISIONS.get(judgement.decision, Outcome.NO_VERDICT)
    result = check_result(check, outcome, message, agg=now, observed=change, judgement=judgement)
    return replace(result, baseline=figures)


def _judge(check: Check, now: AggregateResult, was: AggregateResult, looks: int) -> Judgement:
    assert check.confidence is not None
    assert now.observed is not None
    assert was.observed is not None
    level = per_look_confidence(check.confidence, looks)
    n1, n2 = now.samples, was.samples
    if check.aggregate is Aggregate.MEAN:
        if now.sd is None or was.sd is None or n1 < 2 or n2 < 2:
            more = max(0, 2 - n1) if n2 >= 2 else None
            return Judgement(Decision.INCONCLUSIVE, level, None, more or None)
        interval = welch(now.observed, now.sd, n1, was.observed, was.sd, n2, level)
        decision = decide(interval, check.op, check.threshold)
        more = None
        if decision is Decision.INCONCLUSIVE:
            more = more_for_mean_delta(
                now.observed, now.sd, n1, was.observed, was.sd, n2, check.threshold, level
            )
        return Judgement(decision, level, interval, more)
    hits1 = now.matched if now.matched is not None else round(now.observed * n1)
    hits2 = was.matched if was.matched is not None else round(was.observed * n2)
    interval = newcombe(hits1, n1, hits2, n2, level)
    decision = decide(interval, check.op, check.threshold)
    more = None
    if decision is Decision.INCONCLUSIVE:
        more = more_for_rate_delta(now.observed, n1, was.observed, n2, check.threshold, level)
    return Judgement(decision, level, interval, more)


def with_baseline(result: CheckResult, ctx: SimulationContext) -> CheckResult:
    """``result`` with the baseline's value of its aggregate and the change (shown only)."""
    base = ctx.sim.baseline
    check = result.check
    if isinstance(base, str) or result.baseline is not None or check.per_digital_human:
        return result
    if result.outcome is Outcome.SKIPPED:
        return result
    value: float | None = None
    samples = 0
    if check.aggregate is Aggregate.VALUE:
        if base.score is not None:
            value = base.score / 100 if check.percent else base.score
            samples = len(base.conversations)
    else:
        was = _baseline_aggregate(replace(check, confidence=None), base)
        if isinstance(was, AggregateResult):
            value, samples = was.observed, was.samples
    change = None
    if value is not None and result.observed is not None:
        # on the shortest decimals: 85% - 90% is -5%, not -5.0000000000000044%
        change = _difference(result.observed, value)
    return replace(result, baseline=BaselineFigures(value, change, samples))


def _difference(now: float, was: float) -> float:
    if not (math.isfinite(now) and math.isfinite(was)):
        return now - was
    return float(Fraction(repr(now)) - Fraction(repr(was)))
