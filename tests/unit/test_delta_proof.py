"""Proof that confidence-gated ``delta`` verdicts keep their stated error rate (pure).

Rates: `Greeting compliance: delta(pass_rate) >= -10%` at 95%, 20 conversations in this
run and 20 in the baseline. The evaluator's verdict is computed once for every pair of
pass counts; the exact chance of each verdict under true pass rates then follows from two
binomial distributions. At the threshold (a true change of exactly -10%) neither a pass
nor a fail is earned by the data: each must stay within the stated 5%, and so must a
wrong call from either side of it.

Means: `Empathy: delta(mean) >= -0.5` at 95% on normal scores with unequal spreads (Welch),
simulated with a seed: at a true change of exactly -0.5 a decision either way is rare.
"""

from __future__ import annotations

import math
import random
from functools import cache

import pytest

from bluejay_gate.verdict.model import Conversation, Outcome
from tests.helpers.baselines import baseline, delta, judge, numbers, passes

LEVEL = 0.95
ALPHA = 1 - LEVEL
N = 20
METRIC = "Greeting compliance"
RULE = delta(METRIC, "delta(pass_rate) >= -10%", LEVEL)


@cache
def sample(hits: int) -> tuple[Conversation, ...]:
    return passes(METRIC, hits, N)


@cache
def rate_verdict(now_hits: int, was_hits: int) -> Outcome:
    return judge(RULE, sample(now_hits), baseline(sample(was_hits))).outcome


def binom(n: int, k: int, p: float) -> float:
    return math.comb(n, k) * p**k * (1 - p) ** (n - k)


def chances(p_now: float, p_was: float) -> dict[Outcome, float]:
    found = dict.fromkeys(Outcome, 0.0)
    for k1 in range(N + 1):
        b1 = binom(N, k1, p_now)
        for k2 in range(N + 1):
            found[rate_verdict(k1, k2)] += b1 * binom(N, k2, p_was)
    return found


@pytest.mark.parametrize("p_was", [0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
def test_exact_rate_delta_keeps_the_error_rate_at_the_threshold(p_was: float) -> None:
    at_line = chances(p_was - 0.10, p_was)
    assert sum(at_line.values()) == pytest.approx(1.0)
    assert at_line[Outcome.PASS] <= ALPHA
    assert at_line[Outcome.FAIL] <= ALPHA
    worse = chances(p_was - 0.30, p_was)  # clearly worse: rarely passed
    assert worse[Outcome.PASS] <= ALPHA / 10
    if p_was <= 0.9:
        better = chances(p_was + 0.05, p_was)  # no worse: rarely failed
        assert better[Outcome.FAIL] <= ALPHA / 10


def test_rate_delta_verdicts_are_monotone_in_this_runs_passes() -> None:
    order = [Outcome.FAIL, Outcome.NO_VERDICT, Outcome.PASS]
    for was in (10, 16, 20):
        outcomes = [rate_verdict(k, was) for k in range(N + 1)]
        assert outcomes == sorted(outcomes, key=order.index)
    assert rate_verdict(0, 20) is Outcome.FAIL
    assert rate_verdict(20, 10) is Outcome.PASS


def test_simulated_rate_gates_agree_with_the_exact_figures() -> None:
    rng = random.Random(20261202)
    gates = 2000
    p_was = 0.8
    wrong = sum(
        rate_verdict(
            sum(rng.random() < p_was - 0.1 for _ in range(N)),
            sum(rng.random() < p_was for _ in range(N)),
        )
        is not Outcome.NO_VERDICT
        for _ in range(gates)
    )
    exact = chances(p_was - 0.1, p_was)
    decided = exact[Outcome.PASS] + exact[Outcome.FAIL]
    slack = 3 * math.sqrt(decided * (1 - decided) / gates) + 1 / gates
    assert abs(wrong / gates - decided) <= slack


def mean_gate(rng: random.Random, change: float) -> Outcome:
    now = [rng.gauss(7.0 + change, 1.0) for _ in range(12)]
    was = [rng.gauss(7.0, 2.0) for _ in range(30)]
    rule = delta("Empathy", "delta(mean) >= -0.5", LEVEL)
    return judge(rule, numbers("Empathy", now), baseline(numbers("Empathy", was))).outcome


@pytest.mark.slow
def test_simulated_welch_gates_keep_the_error_rate() -> None:
    rng = random.Random(1202)
    gates = 3000
    at_line = [mean_gate(rng, -0.5) for _ in range(gates)]
    slack = 3 * math.sqrt(ALPHA * (1 - ALPHA) / gates)
    assert at_line.count(Outcome.PASS) / gates <= ALPHA / 2 + slack
    assert at_line.count(Outcome.FAIL) / gates <= ALPHA / 2 + slack
    worse = [mean_gate(rng, -2.5) for _ in range(500)]
    assert worse.count(Outcome.PASS) == 0
    assert worse.count(Outcome.FAIL) > 450


def test_a_few_welch_gates_at_the_threshold() -> None:
    rng = random.Random(7)
    outcomes = [mean_gate(rng, -0.5) for _ in range(200)]
    assert outcomes.count(Outcome.NO_VERDICT) >= 180  # at the line, the gate rarely decides
