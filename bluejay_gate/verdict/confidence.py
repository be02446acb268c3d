"""A check with ``confidence``: its interval, decision and how many more samples would help.

Pure: the evaluator calls ``judge`` once it has a check's aggregate; the numbers come from
``stats``. ``looks`` is the number of planned looks (early stopping): the check's error
rate is split evenly over them (Bonferroni), so each look uses a wider interval.
"""

from __future__ import annotations

from dataclasses import dataclass

from bluejay_gate.spec.thresholds import Aggregate, Check
from bluejay_gate.verdict.aggregate import AggregateResult
from bluejay_gate.verdict.stats import (
    Decision,
    Interval,
    decide,
    more_for_mean,
    more_for_rate,
    per_look_confidence,
    t_interval,
    wilson,
)


@dataclass(frozen=True, slots=True)
class Judgement:
    decision: Decision
    level: float  # the level actually used (after the split over looks)
    interval: Interval | None  # None: too few samples for an interval
    more_needed: int | None = None  # for INCONCLUSIVE: extra conversations likely to settle it


def judge(check: Check, agg: AggregateResult, *, looks: int = 1) -> Judgement | None:
    """``None`` for a check without ``confidence``; else the interval-based decision."""
    if check.confidence is None or agg.observed is None:
        return None
    level = per_look_confidence(check.confidence, looks)
    n = agg.samples
    if check.aggregate is Aggregate.MEAN:
        if agg.sd is None or n < 2:
            more = 2 - n if n < 2 else None
            return Judgement(Decision.INCONCLUSIVE, level, None, more)
        interval = t_interval(agg.observed, agg.sd, n, level)
        decision = decide(interval, check.op, check.threshold)
        more = None
        if decision is Decision.INCONCLUSIVE:
            more = more_for_mean(agg.observed, agg.sd, n, check.threshold, level)
        return Judgement(decision, level, interval, more)
    matched = agg.matched if agg.matched is not None else round(agg.observed * n)
    interval = wilson(matched, n, level)
    decision = decide(interval, check.op, check.threshold)
    more = None
    if decision is Decision.INCONCLUSIVE:
        more = more_for_rate(agg.observed, n, check.threshold, level)
    return Judgement(decision, level, interval, more)
