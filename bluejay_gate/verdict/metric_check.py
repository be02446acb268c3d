"""A check on one metric over a simulation's completed conversations: present in all of
them, aggregated, enough samples, a ``%`` that fits the metric's scale, then the point
comparison (exact) or the confidence interval, or every digital human on its own. Also
the "metric not found" message with its near misses. Pure.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from fractions import Fraction

from bluejay_gate.model.metric_names import NOT_CUSTOM
from bluejay_gate.spec.thresholds import NUMERIC_AGGREGATES, Check
from bluejay_gate.verdict.aggregate import AggregateResult, aggregate
from bluejay_gate.verdict.check_result import check_result
from bluejay_gate.verdict.confidence import judge
from bluejay_gate.verdict.inputs import SimulationContext
from bluejay_gate.verdict.model import CheckResult, Conversation, Outcome
from bluejay_gate.verdict.stability import each_digital_human
from bluejay_gate.verdict.stats import Decision
from bluejay_gate.verdict.texts import (
    PERCENT_AT_END,
    describe,
    ids_text,
    judged_text,
    number_text,
    percent_text,
    plural,
)

_SHOWN_NAMES = 10
_DECISIONS = {Decision.PASS: Outcome.PASS, Decision.FAIL: Outcome.FAIL}


def _closest(metric: str, names: set[str]) -> list[str]:
    """Near misses first: the same name but for case or surrounding spaces; then the
    closest spellings."""
    wanted = metric.strip().casefold()
    near = sorted(n for n in names if n.strip().casefold() == wanted and n != metric)
    folded: dict[str, str] = {}
    for name in sorted(names):
        folded.setdefault(name.casefold(), name)
    matches = difflib.get_close_matches(metric.casefold(), list(folded), n=3, cutoff=0.6)
    return list(dict.fromkeys([*near, *(folded[m] for m in matches)]))[:3]


def _missing_metric(metric: str, ctx: SimulationContext) -> str:
    names = ctx.metric_names()
    close = _closest(metric, names)
    if close:
        # repr: a trailing space or a case difference is visible ('Empathy ')
        hint = "did you mean " + ", ".join(repr(n) for n in close) + "?"
    elif names:
        # the simulation's own metrics first, then Bluejay's built-in fields
        listed = sorted(names, key=lambda n: (n in NOT_CUSTOM, n.casefold(), n))
        more = ", ..." if len(listed) > _SHOWN_NAMES else ""
        hint = f"metrics present: {', '.join(listed[:_SHOWN_NAMES])}{more}"
    else:
        hint = "the conversations carry no metrics at all"
    return (
        f"metric {metric!r} is in none of the {plural(len(ctx.conversations), 'conversation')} "
        f"of this simulation; {hint} (names match exactly, including case and spaces)"
    )


def metric_aggregate(check: Check, ctx: SimulationContext) -> AggregateResult | CheckResult:
    """The check's aggregate over the completed conversations, or the no-verdict result
    that says why there is none (the rules before any comparison)."""
    metric = check.metric
    total = len(ctx.conversations)
    if not ctx.completed:
        reason = (
            "no conversations to evaluate"
            if total == 0
            else f"none of the {plural(total, 'conversation')} completed, "
            f"so '{metric}' has no samples"
        )
        return check_result(check, Outcome.NO_VERDICT, reason)
    if not any(metric in c.metrics for c in ctx.conversations):
        return check_result(check, Outcome.NO_VERDICT, _missing_metric(metric, ctx))
    lacking = [c.result_id for c in ctx.completed if metric not in c.metrics]
    if lacking:
        return check_result(
            check,
            Outcome.NO_VERDICT,
            f"'{metric}' is missing from {len(lacking)} of {len(ctx.completed)} completed "
            f"conversations (result {ids_text(lacking)}): they may not be fully scored; "
            "re-run the simulation",
        )
    agg = aggregate(
        check,
        [c.metrics[metric] for c in ctx.completed],
        result_ids=[c.result_id for c in ctx.completed],
    )
    if agg.reason is not None or agg.observed is None:
        return check_result(check, Outcome.NO_VERDICT, agg.reason or "no verdict", agg=agg)
    if check.min_samples is not None and agg.samples < check.min_samples:
        return check_result(
            check,
            Outcome.NO_VERDICT,
            f"too few samples: n = {agg.samples} < min_samples {check.min_samples} "
            f"({describe(check, agg)}); run more conversations or lower min_samples",
            agg=agg,
        )
    if misread := _percent_misread(check, ctx.completed):
        return check_result(check, Outcome.NO_VERDICT, misread, agg=agg)
    return agg


def metric_check(check: Check, ctx: SimulationContext) -> CheckResult:
    got = metric_aggregate(check, ctx)
    if isinstance(got, CheckResult):
        return got
    agg, metric = got, check.metric
    assert agg.observed is not None  # metric_aggregate returns an aggregate with a value
    if check.per_digital_human:
        return _each_check(check, ctx)
    judgement = judge(check, agg, looks=ctx.sim.looks)
    if (
        judgement is not None
        and judgement.interval is not None
        and not (math.isfinite(judgement.interval.low) and math.isfinite(judgement.interval.high))
    ):
        return check_result(
            check,
            Outcome.NO_VERDICT,
            f"the {percent_text(judgement.level)} confidence interval of '{metric}' is beyond "
            f"what floating point can hold ({describe(check, agg)}); check the metric's "
            "values in Bluejay or drop confidence from this check",
            agg=agg,
        )
    if judgement is not None:
        outcome = _DECISIONS.get(judgement.decision, Outcome.NO_VERDICT)
        message = judged_text(check, agg, judgement, ctx.sim.looks)
        return check_result(
            check, outcome, message, agg=agg, observed=agg.observed, judgement=judgement
        )
    exact = agg.exact if agg.exact is not None else agg.observed
    outcome = Outcome.PASS if check.op.holds(exact, check.exact_threshold) else Outcome.FAIL
    return check_result(check, outcome, describe(check, agg), agg=agg, observed=agg.observed)


def _percent_misread(check: Check, completed: Sequence[Conversation]) -> str | None:
    """Why a ``%`` threshold on a number cannot be meant as written, or ``None``.

    ``%`` divides the number by 100: right for a share, and for numbers on a 0..1 scale
    (``sentiment_score: mean >= 80%``). On a metric whose scale goes past 1 (a 1-10
    score, ``agent_speak_percentage``'s 0-100) it compares the values with a fraction,
    which nearly every value beats: that would be a pass nobody meant, so there is no
    verdict. The declared scale (``max_value``) decides; only without one do the
    observed values (which may all sit at the bottom of the scale).
    """
    if not check.percent or check.aggregate not in NUMERIC_AGGREGATES or check.threshold == 0:
        return None
    values = [value for c in completed if (value := c.metrics.get(check.metric)) is not None]
    declared = [v.max_value for v in values if v.max_value is not None]
    if declared:
        top = max(declared)
        if top <= 1:
            return None
        meant = float(check.exact_threshold * Fraction(repr(top)))
        fixed = PERCENT_AT_END.sub(number_text(meant), check.expression)
        return (
            f"'{check.metric}' is declared on a scale up to {number_text(top)} (max_value), "
            f"but {check.expression!r} compares its values with {number_text(check.threshold)} "
            f"(% divides by 100): write the threshold on the metric's own scale, "
            f"e.g. {fixed!r}"
        )
    biggest = max(
        (abs(v.value) for v in values if v.value.__class__ is float),
        default=0.0,
    )
    if biggest <= 1.0:
        return None
    return (
        f"'{check.metric}' has values up to {number_text(biggest)}, but {check.expression!r} "
        f"compares them with {number_text(check.threshold)} (% divides by 100): write the "
        f"threshold on the metric's own scale, e.g. '{check.expression.replace('%', '')}'"
    )


def _each_check(check: Check, ctx: SimulationContext) -> CheckResult:
    """An ``each_digital_human`` rule: every digital human's own conversations meet it."""
    judged = each_digital_human(check, ctx.completed)
    if judged.reason is not None:
        return check_result(check, Outcome.NO_VERDICT, judged.reason, samples=judged.samples)
    outcome = Outcome.FAIL if judged.failing else Outcome.PASS
    return check_result(
        check,
        outcome,
        judged.message,
        observed=judged.worst,
        samples=judged.samples,
    )
