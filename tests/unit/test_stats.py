"""bluejay_gate.verdict.stats against published values: t table, Wilson, normal quantiles."""

from __future__ import annotations

import math
import random

import pytest

from bluejay_gate.spec.thresholds import Op
from bluejay_gate.verdict.stats import (
    Decision,
    Interval,
    decide,
    more_for_mean,
    more_for_rate,
    per_look_confidence,
    planned_looks,
    sample_sd,
    t_cdf,
    t_interval,
    t_quantile,
    two_sided_z,
    wilson,
)

# Student t critical values from standard tables (two-sided 95% and 99%, one-sided 95%).
T_TABLE = [
    (0.975, 1, 12.706),
    (0.975, 2, 4.303),
    (0.975, 3, 3.182),
    (0.975, 5, 2.571),
    (0.975, 10, 2.228),
    (0.975, 19, 2.093),
    (0.975, 30, 2.042),
    (0.975, 120, 1.980),
    (0.995, 1, 63.657),
    (0.995, 4, 4.604),
    (0.995, 9, 3.250),
    (0.995, 29, 2.756),
    (0.95, 1, 6.314),
    (0.95, 7, 1.895),
    (0.95, 60, 1.671),
]


@pytest.mark.parametrize(("p", "df", "expected"), T_TABLE)
def test_t_quantile_matches_the_table(p: float, df: int, expected: float) -> None:
    assert t_quantile(p, df) == pytest.approx(expected, abs=6e-4)
    assert t_quantile(1 - p, df) == pytest.approx(-expected, abs=6e-4)


def test_t_quantile_tends_to_the_normal() -> None:
    assert t_quantile(0.975, 1e6) == pytest.approx(1.959964, abs=1e-4)
    assert two_sided_z(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert two_sided_z(0.90) == pytest.approx(1.644854, abs=1e-6)


def test_t_cdf_known_values() -> None:
    assert t_cdf(0.0, 3) == pytest.approx(0.5)
    # df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/pi
    for t in (-3.0, -0.5, 0.7, 2.0, 10.0):
        assert t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, abs=1e-10)
    # df = 2 has a closed form too: F(t) = 1/2 + t / (2 sqrt(2 + t^2))
    for t in (-2.0, 0.3, 4.0):
        assert t_cdf(t, 2) == pytest.approx(0.5 + t / (2 * math.sqrt(2 + t * t)), abs=1e-10)


def test_wilson_known_values() -> None:
    # 17/20 at 95%: the "observed 85% is compatible with about 64% to 95%"
    iv = wilson(17, 20, 0.95)
    assert iv.low == pytest.approx(0.6396, abs=1e-4)
    assert iv.high == pytest.approx(0.9476, abs=1e-4)
    # 0 of 10 and 10 of 10 keep the exact end at 0 / 1 (rule of three-ish upper bound)
    zero, full = wilson(0, 10, 0.95), wilson(10, 10, 0.95)
    assert zero.low == 0.0
    assert zero.high == pytest.approx(0.2775, abs=1e-4)
    assert full.low == pytest.approx(0.7225, abs=1e-4)
    assert full.high == 1.0
    # 50/100 at 95%: 0.4038 - 0.5962
    iv = wilson(50, 100, 0.95)
    assert iv.low == pytest.approx(0.4038, abs=1e-4)
    assert iv.high == pytest.approx(0.5962, abs=1e-4)


def test_wilson_rejects_bad_counts() -> None:
    with pytest.raises(ValueError, match="at least one sample"):
        wilson(0, 0, 0.95)
    with pytest.raises(ValueError, match="11 successes out of 10"):
        wilson(11, 10, 0.95)
    with pytest.raises(ValueError, match="between 0 and 1"):
        wilson(1, 10, 1.0)


def test_t_interval_and_sd() -> None:
    values = [6.0, 7.0, 8.0, 9.0, 10.0]
    sd = sample_sd(values)
    assert sd == pytest.approx(math.sqrt(2.5))
    iv = t_interval(8.0, sd, 5, 0.95)
    half = 2.776445 * sd / math.sqrt(5)
    assert iv.low == pytest.approx(8 - half, abs=1e-5)
    assert iv.high == pytest.approx(8 + half, abs=1e-5)
    with pytest.raises(ValueError, match="at least two"):
        t_interval(1.0, 0.0, 1, 0.95)


@pytest.mark.parametrize(
    ("low", "high", "op", "threshold", "expected"),
    [
        (0.82, 0.95, Op.GE, 0.80, Decision.PASS),
        (0.80, 0.95, Op.GE, 0.80, Decision.PASS),
        (0.80, 0.95, Op.GT, 0.80, Decision.INCONCLUSIVE),
        (0.60, 0.79, Op.GE, 0.80, Decision.FAIL),
        (0.70, 0.90, Op.GE, 0.80, Decision.INCONCLUSIVE),
        (0.01, 0.04, Op.LE, 0.05, Decision.PASS),
        (0.06, 0.10, Op.LT, 0.05, Decision.FAIL),
        (0.02, 0.10, Op.LT, 0.05, Decision.INCONCLUSIVE),
    ],
)
def test_decide(low: float, high: float, op: Op, threshold: float, expected: Decision) -> None:
    assert decide(Interval(low, high), op, threshold) is expected


def test_decide_refuses_equality() -> None:
    with pytest.raises(ValueError, match=">=, >, <= and <"):
        decide(Interval(0, 1), Op.EQ, 0.5)


def test_looks_and_bonferroni_split() -> None:
    assert planned_looks(3, None) == (3,)
    assert planned_looks(2, 2) == (2,)
    assert planned_looks(2, 5) == (2, 3, 4, 5)
    assert per_look_confidence(0.95, 1) == pytest.approx(0.95)
    assert per_look_confidence(0.95, 4) == pytest.approx(0.9875)
    with pytest.raises(ValueError, match="repeat must be >= 1"):
        planned_looks(0, None)


def test_more_for_rate_settles_at_the_estimate() -> None:
    more = more_for_rate(0.85, 20, 0.80, 0.95)
    assert more is not None
    assert more > 0
    total = 20 + more
    # with that many samples at 85% the interval clears 80%; one fewer does not
    assert wilson(round(0.85 * total), total, 0.95).low > 0.80 - 0.005
    assert more_for_rate(0.80, 20, 0.80, 0.95) is None  # sits on the threshold
    assert more_for_rate(1.0, 100, 0.80, 0.95) == 0


def test_more_for_mean() -> None:
    more = more_for_mean(7.5, 1.5, 10, 7.0, 0.95)
    assert more is not None
    n = 10 + more
    assert t_quantile(0.975, n - 1) * 1.5 / math.sqrt(n) < 0.5
    assert t_quantile(0.975, n - 2) * 1.5 / math.sqrt(n - 1) >= 0.5
    assert more_for_mean(7.0, 1.5, 10, 7.0, 0.95) is None
    assert more_for_mean(7.5, 0.0, 1, 7.0, 0.95) == 1


def test_wilson_coverage_by_simulation() -> None:
    """The 95% Wilson interval covers the true rate about 95% of the time (seeded)."""
    rng = random.Random(11)
    trials, covered = 2000, 0
    for _ in range(trials):
        hits = sum(rng.random() < 0.85 for _ in range(40))
        iv = wilson(hits, 40, 0.95)
        covered += iv.low <= 0.85 <= iv.high
    assert 0.92 <= covered / trials <= 0.98


def test_t_interval_coverage_by_simulation() -> None:
    """The 95% t interval over 8 normal samples covers the true mean about 95% of the time,
    where a z interval of the same data would cover clearly less (seeded)."""
    rng = random.Random(5)
    trials, covered, z_covered = 2000, 0, 0
    z = two_sided_z(0.95)
    for _ in range(trials):
        values = [rng.gauss(7.0, 1.5) for _ in range(8)]
        mean = math.fsum(values) / 8
        sd = sample_sd(values)
        iv = t_interval(mean, sd, 8, 0.95)
        covered += iv.low <= 7.0 <= iv.high
        z_covered += abs(mean - 7.0) <= z * sd / math.sqrt(8)
    assert 0.93 <= covered / trials <= 0.97
    assert z_covered < covered
