"""One check's ``CheckResult`` from its outcome, message and numbers, with the severity
applied (a ``warn`` check's non-pass is ``WARN``). Pure.
"""

from __future__ import annotations

from bluejay_gate.spec.thresholds import Check, Severity
from bluejay_gate.verdict.aggregate import AggregateResult
from bluejay_gate.verdict.confidence import Judgement
from bluejay_gate.verdict.model import CheckResult, Outcome
from bluejay_gate.verdict.stats import Decision


def check_result(
    check: Check,
    outcome: Outcome,
    message: str,
    *,
    agg: AggregateResult | None = None,
    observed: float | None = None,
    samples: int = 0,
    judgement: Judgement | None = None,
) -> CheckResult:
    if check.severity is Severity.WARN and outcome is not Outcome.PASS:
        outcome = Outcome.WARN
    worst: tuple[str, ...] = ()
    if agg is not None:
        samples = agg.samples
        if observed is not None and outcome is not Outcome.PASS:
            worst = agg.worst
    return CheckResult(
        check=check,
        outcome=outcome,
        observed=observed,
        samples=samples,
        not_applicable=agg.not_applicable if agg is not None else 0,
        message=message,
        worst=worst,
        interval=None
        if judgement is None or judgement.interval is None
        else (judgement.interval.low, judgement.interval.high),
        level=None if judgement is None else judgement.level,
        inconclusive=judgement is not None and judgement.decision is Decision.INCONCLUSIVE,
        more_needed=None if judgement is None else judgement.more_needed,
        measured=observed if observed is not None else (agg.observed if agg else None),
    )
