"""One check's aggregate over one metric's samples.

Pure: no I/O. ``aggregate`` takes the values of the conversations that count (the
evaluator filters them) and returns the observed number, the sample counts, and the
conversations that pulled it the wrong way, or the reason there is no verdict.

Decisions:

- Aggregates by kind of value: booleans take ``rate``/``pass_rate``, ``fail_rate``,
  ``fail_count``, ``count``; numbers take ``mean``, ``median``, ``min``, ``max``,
  ``pNN``, ``count``; enum strings take ``share(VALUE)`` and ``count``. Anything else is
  a type mismatch (no verdict) naming what the metric supports. ``qualitative`` and
  ``json`` metrics cannot be aggregated at all. ``value`` is for the run-level ``score``.
- ``median`` of an even number of samples is the mean of the two middle ones.
- ``pNN`` is nearest-rank: the smallest sample with at least NN% of samples at or below it.
- Not-applicable samples leave the denominator and are counted; a malformed sample (a value
  its response_type cannot hold) gives no verdict, naming the result and the value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from bluejay_gate.checks import Aggregate, Check, Op
from bluejay_gate.metrics import Kind, kind_of, type_kind
from bluejay_gate.stats import sample_sd
from bluejay_gate.verdict import MetricValue

WORST_LIMIT = 5
_MALFORMED_SHOWN = 3

SUPPORTED: dict[Kind, tuple[Aggregate, ...]] = {
    "boolean": (Aggregate.RATE, Aggregate.FAIL_RATE, Aggregate.FAIL_COUNT, Aggregate.COUNT),
    "number": (
        Aggregate.MEAN,
        Aggregate.MEDIAN,
        Aggregate.MIN,
        Aggregate.MAX,
        Aggregate.PERCENTILE,
        Aggregate.COUNT,
    ),
    "enum": (Aggregate.SHARE, Aggregate.COUNT),
    "raw": (),
}
_KIND_WORDS: dict[Kind, str] = {
    "boolean": "boolean",
    "number": "numeric",
    "enum": "enum",
    "raw": "free-text",
}
_AGGREGATE_WORDS = {
    Aggregate.RATE: "rate/pass_rate",
    Aggregate.PERCENTILE: "pNN",
    Aggregate.SHARE: "share(VALUE)",
}
RATIO_AGGREGATES = frozenset({Aggregate.RATE, Aggregate.FAIL_RATE, Aggregate.SHARE})


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


def aggregate_word(aggregate: Aggregate) -> str:
    return _AGGREGATE_WORDS.get(aggregate, aggregate.value)


def nearest_rank(values: Sequence[float], pct: float) -> float:
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


def _kinds(values: Sequence[MetricValue]) -> list[Kind]:
    seen: list[Kind] = []
    checked: set[str] = set()  # a known response_type decides the kind of all its values
    for value in values:
        if value.response_type in checked:
            continue
        kind = kind_of(value)
        if type_kind(value.response_type) is not None:
            checked.add(value.response_type)
        if kind is not None and kind not in seen:
            seen.append(kind)
    return seen


def _type_names(values: Sequence[MetricValue], kind: Kind) -> str:
    names = sorted({v.response_type for v in values if v.response_type and kind_of(v) == kind})
    return "/".join(names) or _KIND_WORDS[kind]


def _mismatch(check: Check, kind: Kind, values: Sequence[MetricValue]) -> str | None:
    """Why ``check.aggregate`` does not apply to values of ``kind``, or ``None``."""
    metric = check.metric
    if kind != "raw" and check.aggregate in SUPPORTED[kind]:
        return None
    if kind == "boolean" and check.aggregate is Aggregate.PASSES:
        return None
    types = _type_names(values, kind)
    if kind == "raw":
        return (
            f"'{metric}' is a {types} metric: free-text values cannot be aggregated; "
            "remove this threshold or gate on a pass_fail, yes_no, quantitative or enum metric"
        )
    if check.aggregate is Aggregate.VALUE:
        return (
            f"'value' applies only to the run-level 'score'; for '{metric}' ({types}) use one "
            f"of: {', '.join(aggregate_word(a) for a in SUPPORTED[kind])}"
        )
    if check.aggregate not in SUPPORTED[kind]:
        return (
            f"{aggregate_word(check.aggregate)} does not apply to '{metric}' "
            f"({types}, {_KIND_WORDS[kind]} values); use one of: "
            f"{', '.join(aggregate_word(a) for a in SUPPORTED[kind])}"
        )
    return None


def _malformed(check: Check, bad: Sequence[tuple[str, MetricValue]]) -> str:
    shown = "; ".join(f"result {rid}: {v.error}" for rid, v in bad[:_MALFORMED_SHOWN])
    more = f"; and {len(bad) - _MALFORMED_SHOWN} more" if len(bad) > _MALFORMED_SHOWN else ""
    noun = "value" if len(bad) == 1 else "values"
    return (
        f"{len(bad)} unreadable {noun} of '{check.metric}' ({shown}{more}); "
        "fix the metric's response type or values in Bluejay, then re-run"
    )


def _too_high_is_bad(op: Op, observed: float, threshold: float) -> bool | None:
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
) -> tuple[Callable[[MetricValue], bool], float, int]:
    """For count-style aggregates: which samples count, observed value, numerator."""

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
        return test, hits / len(samples), hits
    return test, float(hits), hits


def _numeric(check: Check, numbers: Sequence[float]) -> float:
    agg = check.aggregate
    if agg is Aggregate.MEAN:
        return math.fsum(numbers) / len(numbers)
    if agg is Aggregate.MEDIAN:
        return median(numbers)
    if agg is Aggregate.MIN:
        return min(numbers)
    if agg is Aggregate.MAX:
        return max(numbers)
    return nearest_rank(numbers, check.percentile if check.percentile is not None else 100)


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
    malformed = [(rid, v) for rid, v in pairs if v.applicable and v.error is not None]

    def no_verdict(reason: str, kind: Kind | None = None) -> AggregateResult:
        return AggregateResult(None, len(applicable), not_applicable, reason=reason, kind=kind)

    kinds = _kinds(values)
    if len(kinds) > 1:
        described = ", ".join(f"{_KIND_WORDS[k]} ({_type_names(values, k)})" for k in kinds)
        return no_verdict(
            f"'{check.metric}' has values of different types across conversations: "
            f"{described}; give the metric one response type in Bluejay"
        )
    kind = kinds[0] if kinds else None
    if kind is not None and (why := _mismatch(check, kind, values)):
        return no_verdict(why, kind)
    if kind is None and check.aggregate is Aggregate.VALUE:
        return no_verdict(f"'value' applies only to the run-level 'score', not to '{check.metric}'")
    if malformed:
        return no_verdict(_malformed(check, malformed), kind)
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
        test, observed, hits = _counted(check, applicable)
        worst: tuple[str, ...] = ()
        high_bad = _too_high_is_bad(check.op, observed, check.threshold)
        if high_bad is not None and check.aggregate is not Aggregate.COUNT:
            worst = tuple(rid for rid, v in applicable if test(v) is high_bad)[:WORST_LIMIT]
        return AggregateResult(
            observed, len(applicable), not_applicable, matched=hits, worst=worst, kind=kind
        )
    numbers = [float(v.value) for _, v in applicable if isinstance(v.value, float)]
    observed = _numeric(check, numbers)
    spread = sample_sd(numbers) if check.aggregate is Aggregate.MEAN and len(numbers) > 1 else None
    return AggregateResult(
        observed,
        len(applicable),
        not_applicable,
        worst=_numeric_worst(check, applicable, observed),
        kind=kind,
        sd=spread,
    )
