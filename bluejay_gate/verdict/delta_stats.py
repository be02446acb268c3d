"""The statistics behind ``delta(AGG)`` with ``confidence``: intervals of a difference.

Pure: no I/O, standard library only (the Wilson interval and the t quantile come from
``stats``). Never decides; ``delta_check`` does.

- Rates: Newcombe's hybrid score interval (his method 10) for ``p1 - p2``, built from the
  two Wilson intervals ``(l1, u1)`` and ``(l2, u2)`` at the same level:
  ``d - √((p1 - l1)² + (u2 - p2)²)`` to ``d + √((u1 - p1)² + (p2 - l2)²)``.
- Means: Welch's interval ``d ± t(1 - α/2, ν) · √(s1²/n1 + s2²/n2)`` with the
  Welch–Satterthwaite degrees of freedom ``ν``; needs two samples on each side.
- How many more conversations (of this run; the baseline is fixed) would likely settle an
  inconclusive delta: the smallest ``n1`` at the observed numbers whose interval clears the
  threshold, or ``None`` when even many more would not (the baseline's own width can be
  wider than the gap).
"""

from __future__ import annotations

import math

from bluejay_gate.verdict.stats import (
    Interval,
    _smallest_more,
    _wilson_at,
    t_quantile,
    two_sided_z,
)


def _newcombe_at(p1: float, n1: float, p2: float, n2: float, z: float) -> Interval:
    first = _wilson_at(p1, n1, z)
    second = _wilson_at(p2, n2, z)
    d = p1 - p2
    low = d - math.hypot(p1 - first.low, second.high - p2)
    high = d + math.hypot(first.high - p1, p2 - second.low)
    return Interval(max(-1.0, low), min(1.0, high))


def newcombe(hits1: int, n1: int, hits2: int, n2: int, confidence: float) -> Interval:
    """Newcombe's hybrid score interval for ``hits1/n1 - hits2/n2`` (two-sided)."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("the Newcombe interval needs at least one sample on each side")
    if not (0 <= hits1 <= n1 and 0 <= hits2 <= n2):
        raise ValueError(f"{hits1}/{n1} and {hits2}/{n2} are not shares")
    return _newcombe_at(hits1 / n1, n1, hits2 / n2, n2, two_sided_z(confidence))


def _welch_parts(sd1: float, n1: float, sd2: float, n2: float) -> tuple[float, float]:
    """The standard error of the difference and Welch–Satterthwaite's degrees of freedom."""
    v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    se2 = v1 + v2
    if se2 == 0:
        return 0.0, math.inf
    df = se2 * se2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    return math.sqrt(se2), df


def welch(  # noqa: PLR0917 - the two samples' three numbers each
    mean1: float, sd1: float, n1: int, mean2: float, sd2: float, n2: int, confidence: float
) -> Interval:
    """Welch's interval for ``mean1 - mean2`` (two-sided); needs two samples each side."""
    if n1 < 2 or n2 < 2:
        raise ValueError("Welch's interval needs at least two samples on each side")
    se, df = _welch_parts(sd1, n1, sd2, n2)
    d = mean1 - mean2
    if se == 0:
        return Interval(d, d)
    half = _t(confidence, df) * se
    return Interval(d - half, d + half)


def _t(confidence: float, df: float) -> float:
    p = 1 - (1 - confidence) / 2
    return two_sided_z(confidence) if math.isinf(df) else t_quantile(p, df)


def more_for_rate_delta(  # noqa: PLR0917 - the two samples and the threshold
    p1: float, n1: int, p2: float, n2: int, threshold: float, confidence: float
) -> int | None:
    """More conversations of this run (at the observed ``p1``) likely to make Newcombe's
    interval clear ``threshold``; ``None`` when that is not likely at all."""
    z = two_sided_z(confidence)

    def clear(m: int) -> bool:
        iv = _newcombe_at(p1, m, p2, n2, z)
        return threshold < iv.low or threshold > iv.high

    return _smallest_more(n1, clear)


def more_for_mean_delta(  # noqa: PLR0917 - the two samples and the threshold
    mean1: float,
    sd1: float,
    n1: int,
    mean2: float,
    sd2: float,
    n2: int,
    threshold: float,
    confidence: float,
) -> int | None:
    """More conversations of this run (same mean and sd) likely to make Welch's interval
    clear ``threshold``; ``None`` when that is not likely at all."""
    gap = abs(mean1 - mean2 - threshold)
    if gap == 0:
        return None

    def clear(m: int) -> bool:
        if m < 2:
            return False
        se, df = _welch_parts(sd1, m, sd2, n2)
        return _t(confidence, df) * se < gap

    return _smallest_more(max(n1, 1), clear)
