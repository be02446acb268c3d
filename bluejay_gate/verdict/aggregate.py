"""One check's aggregate over one metric's samples.

Pure: no I/O. ``aggregate`` takes the values of the conversations that count (the
evaluator filters them) and returns the observed number, the sample counts, and the
conversations that pulled it the wrong way, or the reason there is no verdict.

Decisions:

- Aggregates by kind of value: booleans take ``rate``/``pass_rate``, ``fail_rate``,
  ``fail_count``, ``count``; numbers take ``mean``, ``median``, ``min``, ``max``,
  ``pNN``, ``count``; enum strings take ``share(VALUE)`` and ``count``. Anything else is
  a type mismatch (no verdict) naming what the metric supports (``value_kinds``).
  ``qualitative`` and ``json`` metrics cannot be aggregated at all. ``value`` is for the
  run-level ``score``.
- ``median`` of an even number of samples is the mean of the two middle ones.
- ``pNN`` is nearest-rank: the smallest sample with at least NN% of samples at or below it.
- Not-applicable samples leave the denominator and are counted; a malformed sample (a value
  its response_type cannot hold, outside its declared domain, or given twice with
  different values) gives no verdict, naming the result and the value.
- ``share(VALUE)`` of a VALUE that is neither a declared option nor any conversation's
  value is no verdict with a "did you mean" (a typo would otherwise read 0%).
- Exact at the threshold: next to the float for display and intervals, each aggregate is
  computed exactly (``exact``: a ``Fraction``; hits / n for rates, the values' decimal
  text summed exactly for means), and the point comparison uses it.
- A statistic the floats cannot hold (the spread of values near 1e308, which the
  confidence interval needs) is no verdict, never an exception.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from bluejay_gate.model.value_words import Kind
from bluejay_gate.model.values import MetricValue
from bluejay_gate.spec.thresholds import Aggregate, Check, Op
from bluejay_gate.verdict.stats import sample_sd
from bluejay_gate.verdict.value_kinds import (
    KIND_WORDS,
    aggregate_word,
    kinds_of,
    malformed,
    mismatch,
    type_names,
    unknown_share,
)

WORST_LIMIT = 5

RATIO_AGGREGATES = frozenset({Aggregate.RATE, Aggregate.FAIL_RATE, Aggregate.SHARE})
# Exact sums: enough digits for any finite double (1e308 + 1e-300 needs ~630).
_EXACT = decimal.Context(
    prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[]
)
_Ordered = TypeVar("_Ordered", float, Decimal)


@dataclass(frozen=True, slots=True)
class AggregateResult:
    """The aggregate of one check, or why there is none (``reason``)."""

    observed: float | None
    samples: int  # applicable samples
    not_applicable: int
    reason: str | None = None  # set when there is no verdict
    matched: int | None = None  # numerator of rate, fail_rate, share, fail_count
    worst: tuple[str, ...] = ()  # ids of samples that each pull the wrong way, worst first
    kind: Kind | None = None
    sd: float | None = None  # sample standard deviation, for ``mean`` over 2+ samples
    # the observed value exactly (what the point comparison uses); ``observed`` is its float
    exact: Fraction | None = None


def nearest_rank(values: Sequence[_Ordered], pct: float) -> _Ordered:
    """The smallest sample with at least ``pct``% of samples at or below it.

    ``[15, 20, 35, 40, 50]``: p5 = 15, p30 = 20, p40 = 20, p50 = 35, p100 = 50.
    Exact (rational) arithmetic, so p7 of 100 samples is the 7th, not the 8th.
    """
    if not values:
        raise ValueError("nearest_rank needs at least one sample")
    if not 0 <= pct <= 100:
        raise ValueError(f"percentile {pct} is outside 0..100")
    ordered = sorted(values)
    rank = math.ceil(Fraction(str(pct)) * len(ordered) / 100)  # str: 99.9 is 999/10
    return ordered[max(1, rank) - 1]


def median(values: Sequence[float]) -> float:
    """The middle sample; for an even count, the mean of the two middle samples."""
    if not values:
        raise ValueError("median needs at least one sample")
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def _too_high_is_bad(
    op: Op, observed: float | Fraction, threshold: float | Fraction
) -> bool | None:
    """Which way a sample pulls the check down: ``True`` high, ``False`` low, ``None``
    neither (``!=`` failing, or ``==`` holding)."""
    if op in (Op.LE, Op.LT):
        return True
    if op in (Op.GE, Op.GT):
        return False
    if observed > threshold:
        return True
    if observed < threshold:
        return False
    return None


def _counted(
    check: Check, samples: Sequence[tuple[str, MetricValue]]
) -> tuple[Callable[[MetricValue], bool], Fraction, int]:
    """For count-style aggregates: which samples count, exact observed value, numerator."""

    def is_true(v: MetricValue) -> bool:
        return v.value is True

    def is_false(v: MetricValue) -> bool:
        return v.value is False

    wanted = (check.share_value or "").strip().casefold()

    def matches(v: MetricValue) -> bool:
        return isinstance(v.value, str) and v.value.strip().casefold() == wanted

    def anything(_: MetricValue) -> bool:
        return True

    counts: dict[Aggregate, Callable[[MetricValue], bool]] = {
        Aggregate.RATE: is_true,
        Aggregate.FAIL_RATE: is_false,
        Aggregate.FAIL_COUNT: is_false,
        Aggregate.PASSES: is_true,
        Aggregate.SHARE: matches,
        Aggregate.COUNT: anything,
    }
    test = counts[check.aggregate]
    hits = sum(1 for _, v in samples if test(v))
    if check.aggregate in RATIO_AGGREGATES:
        return test, Fraction(hits, len(samples)), hits
    return test, Fraction(hits), hits


def _decimal(value: MetricValue) -> Decimal:
    if value.exact is not None:
        return value.exact
    return Decimal(repr(value.value))  # a JSON number: its float is what Bluejay sent


def _numeric(check: Check, decimals: list[Decimal]) -> Fraction:
    """The aggregate exactly: decimal sums are exact (C-fast), one Fraction at the end."""
    agg = check.aggregate
    if agg is Aggregate.MEAN:
        with decimal.localcontext(_EXACT):
            total = sum(decimals, Decimal(0))
        return Fraction(total) / len(decimals)
    if agg is Aggregate.MEDIAN:
        ordered = sorted(decimals)
        mid = len(ordered) // 2
        if len(ordered) % 2:
            return Fraction(ordered[mid])
        return (Fraction(ordered[mid - 1]) + Fraction(ordered[mid])) / 2
    if agg is Aggregate.MIN:
        return Fraction(min(decimals))
    if agg is Aggregate.MAX:
        return Fraction(max(decimals))
    pct = check.percentile if check.percentile is not None else 100
    return Fraction(nearest_rank(decimals, pct))


def _spread(check: Check, numbers: list[float]) -> tuple[float | None, str | None]:
    """The sample sd for ``mean`` over 2+ samples, and why a confidence check cannot have
    one (the floats cannot hold it)."""
    if check.aggregate is not Aggregate.MEAN or len(numbers) < 2:
        return None, None
    spread = sample_sd(numbers)
    if math.isfinite(spread):
        return spread, None
    if check.confidence is None:
        return None, None  # only the confidence interval needs it
    biggest = max(abs(n) for n in numbers)
    return None, (
        f"the spread of '{check.metric}' (values up to {biggest:.6g}) is too large to "
        "compute in floating point, so its confidence interval cannot be computed; "
        "check the metric's values in Bluejay or drop confidence from this check"
    )


def _numeric_worst(
    check: Check, samples: Sequence[tuple[str, MetricValue]], observed: float
) -> tuple[str, ...]:
    high_bad = _too_high_is_bad(check.op, observed, check.threshold)
    if high_bad is None:
        return ()
    threshold = check.threshold
    bad: list[tuple[float, int, str]] = []
    for index, (rid, v) in enumerate(samples):
        number = float(v.value) if isinstance(v.value, float) else math.nan
        if check.op in (Op.EQ, Op.NE):
            wrong = number > threshold if high_bad else number < threshold
        else:
            wrong = not check.op.holds(number, threshold)
        if wrong:
            bad.append((-number if high_bad else number, index, rid))
    bad.sort()
    return tuple(rid for _, _, rid in bad[:WORST_LIMIT])


def aggregate(
    check: Check, values: Sequence[MetricValue], *, result_ids: Sequence[str] = ()
) -> AggregateResult:
    """Aggregate ``values`` (one per conversation that counts) for ``check``.

    ``result_ids`` (parallel to ``values``) name the conversations in messages and in
    ``worst``; without them, positions ``#1``, ``#2``, ... are used.
    """
    ids = list(result_ids) if result_ids else [f"#{i + 1}" for i in range(len(values))]
    if len(ids) != len(values):
        raise ValueError(f"{len(ids)} result ids for {len(values)} values")
    pairs = list(zip(ids, values, strict=True))
    not_applicable = sum(1 for v in values if not v.applicable)
    applicable = [(rid, v) for rid, v in pairs if v.applicable and v.error is None]
    unreadable = [(rid, v) for rid, v in pairs if v.applicable and v.error is not None]

    def no_verdict(reason: str, kind: Kind | None = None) -> AggregateResult:
        return AggregateResult(None, len(applicable), not_applicable, reason=reason, kind=kind)

    kinds = kinds_of(values)
    if len(kinds) > 1:
        described = ", ".join(f"{KIND_WORDS[k]} ({type_names(values, k)})" for k in kinds)
        return no_verdict(
            f"'{check.metric}' has values of different types across conversations: "
            f"{described}; give the metric one response type in Bluejay"
        )
    kind = kinds[0] if kinds else None
    if kind is not None and (why := mismatch(check, kind, values)):
        return no_verdict(why, kind)
    if kind is None and check.aggregate is Aggregate.VALUE:
        return no_verdict(f"'value' applies only to the run-level 'score', not to '{check.metric}'")
    if unreadable:
        return no_verdict(malformed(check, unreadable), kind)
    if not applicable:
        if not_applicable:
            return no_verdict(
                f"no applicable samples of '{check.metric}': all {not_applicable} were "
                "not applicable, so there is nothing to judge",
                kind,
            )
        return no_verdict(f"no samples of '{check.metric}' to aggregate", kind)

    if check.aggregate in (
        *RATIO_AGGREGATES,
        Aggregate.COUNT,
        Aggregate.FAIL_COUNT,
        Aggregate.PASSES,
    ):
        if check.aggregate is Aggregate.SHARE and (why := unknown_share(check, values)):
            return no_verdict(why, kind)
        test, exact, hits = _counted(check, applicable)
        worst: tuple[str, ...] = ()
        high_bad = _too_high_is_bad(check.op, exact, check.exact_threshold)
        if high_bad is not None and check.aggregate is not Aggregate.COUNT:
            worst = tuple(rid for rid, v in applicable if test(v) is high_bad)[:WORST_LIMIT]
        return AggregateResult(
            float(exact),
            len(applicable),
            not_applicable,
            matched=hits,
            worst=worst,
            kind=kind,
            exact=exact,
        )
    numeric = [(rid, v) for rid, v in applicable if isinstance(v.value, float)]
    numbers = [float(v.value) for _, v in numeric if isinstance(v.value, float)]
    if not numeric:
        return no_verdict(f"no numeric samples of '{check.metric}' to aggregate", kind)
    exact = _numeric(check, [_decimal(v) for _, v in numeric])
    try:
        observed = float(exact)
    except OverflowError:  # only from values the floats cannot hold
        return no_verdict(
            f"the {aggregate_word(check.aggregate)} of '{check.metric}' is beyond what "
            "floating point can hold; check the metric's values in Bluejay",
            kind,
        )
    spread, why_not = _spread(check, numbers)
    if why_not is not None:
        return no_verdict(why_not, kind)
    return AggregateResult(
        observed,
        len(applicable),
        not_applicable,
        worst=_numeric_worst(check, applicable, observed),
        kind=kind,
        sd=spread,
        exact=exact,
    )
