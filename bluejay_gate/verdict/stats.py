"""The statistics behind ``confidence``: intervals, decisions and sample-size estimates.

Pure: no I/O, standard library only (no scipy at run time).

- Rates (``rate``/``pass_rate``, ``fail_rate``, ``share(VALUE)``): the Wilson score
  interval, two-sided, at the check's confidence level.
- Means: the Student-t interval ``mean ± t(1 - α/2, n - 1) · s / √n``. The t quantile is
  computed here: the t distribution's CDF through the regularized incomplete beta function
  (Lentz's continued fraction), inverted by bisection.
- A check *passes* when the whole interval is on the passing side of the threshold, *fails*
  when the whole interval is on the failing side, and is otherwise *inconclusive*.
- Repeated looks (early stopping): the error rate ``α = 1 - confidence`` is split evenly
  over the planned number of looks (Bonferroni): each look uses ``1 - α / looks``. By the
  union bound, the chance that any look decides wrongly stays at most ``α``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

from bluejay_gate.spec.thresholds import Op

MAX_ESTIMATE = 100_000  # beyond this many conversations the estimate says "not likely"


class Decision(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a secret
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


def z_quantile(p: float) -> float:
    """The standard normal quantile: ``z_quantile(0.975)`` ≈ 1.959964."""
    if not 0 < p < 1:
        raise ValueError(f"a quantile needs 0 < p < 1, got {p}")
    return NormalDist().inv_cdf(p)


def two_sided_z(confidence: float) -> float:
    _check_confidence(confidence)
    return z_quantile(1 - (1 - confidence) / 2)


def wilson(successes: int, n: int, confidence: float) -> Interval:
    """Wilson score interval for ``successes`` out of ``n`` at two-sided ``confidence``."""
    if n <= 0:
        raise ValueError("the Wilson interval needs at least one sample")
    if not 0 <= successes <= n:
        raise ValueError(f"{successes} successes out of {n} samples")
    return _wilson_at(successes / n, n, two_sided_z(confidence))


def _wilson_at(p: float, n: float, z: float) -> Interval:
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(max(0.0, p * (1 - p) / n + z2 / (4 * n * n)))
    low = 0.0 if p <= 0 else max(0.0, centre - half)
    high = 1.0 if p >= 1 else min(1.0, centre + half)
    return Interval(low, high)


# --- Student t --------------------------------------------------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = tiny if abs(d) < tiny else d
    d = 1.0 / d
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta ``I_x(a, b)``."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be > 0, got {df}")
    tail = 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t: ``t_quantile(0.975, 10)`` ≈ 2.228139."""
    if not 0 < p < 1:
        raise ValueError(f"a quantile needs 0 < p < 1, got {p}")
    if df <= 0:
        raise ValueError(f"degrees of freedom must be > 0, got {df}")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        low, high = high, high * 2
        if high > 1e12:
            return math.inf
    for _ in range(200):
        mid = (low + high) / 2
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low <= 1e-12 * max(1.0, high):
            break
    return (low + high) / 2


def t_interval(mean: float, sd: float, n: int, confidence: float) -> Interval:
    """``mean ± t · sd / √n`` (two-sided); needs ``n >= 2``."""
    if n < 2:
        raise ValueError("a t interval needs at least two samples")
    _check_confidence(confidence)
    half = t_quantile(1 - (1 - confidence) / 2, n - 1) * sd / math.sqrt(n)
    return Interval(mean - half, mean + half)


def sample_sd(values: list[float]) -> float:
    """The sample standard deviation (n - 1 in the denominator).

    Values of huge magnitude (near 1e308) are scaled by the largest first, so nothing
    overflows in between; a spread the floats cannot hold comes back as ``inf``.
    """
    n = len(values)
    if n < 2:
        raise ValueError("a standard deviation needs at least two samples")
    scale = max(abs(v) for v in values)
    if not math.isfinite(scale):
        return math.nan
    if scale < _UNSCALED:
        mean = math.fsum(values) / n
        return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    scaled = [v / scale for v in values]
    mean = math.fsum(scaled) / n
    return math.sqrt(math.fsum((v - mean) ** 2 for v in scaled) / (n - 1)) * scale


_UNSCALED = 1e150  # below this, squares and their sums stay far from overflow


# --- decisions --------------------------------------------------------------------------


def decide(interval: Interval, op: Op, threshold: float) -> Decision:
    """Pass when the whole interval satisfies ``op threshold``, fail when none of it does."""
    if op in (Op.EQ, Op.NE):
        raise ValueError("confidence applies to >=, >, <= and < only")
    if op.holds(interval.low, threshold) and op.holds(interval.high, threshold):
        return Decision.PASS
    if not op.holds(interval.low, threshold) and not op.holds(interval.high, threshold):
        return Decision.FAIL
    return Decision.INCONCLUSIVE


def per_look_confidence(confidence: float, looks: int) -> float:
    """Bonferroni split: each of ``looks`` looks runs at ``1 - (1 - confidence) / looks``."""
    _check_confidence(confidence)
    if looks < 1:
        raise ValueError(f"looks must be >= 1, got {looks}")
    return 1 - (1 - confidence) / looks


def planned_looks(repeat: int, max_repeats: int | None) -> tuple[int, ...]:
    """Cumulative repeats per digital human at each look: ``repeat`` first, then one more
    repeat per look until ``max_repeats``. Without ``max_repeats``: one look."""
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat}")
    if max_repeats is None or max_repeats <= repeat:
        return (repeat,)
    return tuple(range(repeat, max_repeats + 1))


def _settles(half_width: float, gap: float) -> bool:
    return half_width < gap


def more_for_rate(p: float, n: int, threshold: float, confidence: float) -> int | None:
    """How many more samples (beyond ``n``) at the observed rate ``p`` would likely make
    the Wilson interval clear ``threshold``; ``None`` when it is not likely at all."""
    z = two_sided_z(confidence)

    def clear(m: int) -> bool:
        iv = _wilson_at(p, m, z)
        return threshold < iv.low or threshold > iv.high

    return _smallest_more(n, clear)


def more_for_mean(
    mean: float, sd: float, n: int, threshold: float, confidence: float
) -> int | None:
    """How many more samples (beyond ``n``) with this mean and sd would likely make the
    t interval clear ``threshold``; ``None`` when it is not likely at all."""
    gap = abs(mean - threshold)
    if gap == 0:
        return None
    if sd == 0:
        return max(0, 2 - n)
    p = 1 - (1 - confidence) / 2

    def clear(m: int) -> bool:
        return m >= 2 and _settles(t_quantile(p, m - 1) * sd / math.sqrt(m), gap)

    return _smallest_more(n, clear)


def _smallest_more(n: int, clear: Callable[[int], bool]) -> int | None:
    if clear(max(n, 1)):
        return 0
    low, high = max(n, 1), max(n, 1) * 2
    while not clear(high):
        low, high = high, high * 2
        if high > MAX_ESTIMATE:
            return None
    while high - low > 1:
        mid = (low + high) // 2
        if clear(mid):
            high = mid
        else:
            low = mid
    return high - n


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence}")
