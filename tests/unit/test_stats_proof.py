"""Proof that confidence-gated verdicts keep their stated error rate, on the pure evaluator.

The gate: 10 digital humans, `Greeting compliance: pass_rate >= 80%` at 95% confidence.
For every possible number of passing conversations the evaluator's verdict is computed
once; the exact probability of each verdict under a true pass rate then follows from the
binomial distribution (and, for early stopping, from a dynamic program over the looks).
Seeded simulations of many gates cross-check the exact figures. No network, no sleeps.
"""

from __future__ import annotations

import dataclasses
import math
import random
from functools import cache

import pytest

from bluejay_gate.bluejay.models import SimulationResult
from bluejay_gate.spec.thresholds import Check
from bluejay_gate.verdict.evaluate import evaluate_simulation
from bluejay_gate.verdict.model import Outcome
from bluejay_gate.verdict.stats import planned_looks
from tests.helpers.evaluation import check, result, run, sim

DIGITAL_HUMANS = 10
LEVEL = 0.95
ALPHA = 1 - LEVEL
METRIC = "Greeting compliance"


def gated() -> Check:
    return dataclasses.replace(check(METRIC, "pass_rate >= 80%"), confidence=LEVEL)


@cache
def template(rid: int, passed: bool) -> SimulationResult:
    body = result(rid, {METRIC: ("pass" if passed else "fail", "pass_fail")})
    return body.model_copy(update={"digital_human_id": str(rid % DIGITAL_HUMANS)})


@cache
def verdict(n: int, passes: int, looks: int = 1) -> Outcome:
    """The evaluator's outcome for ``passes`` passing conversations out of ``n``."""
    results = [template(i + 1, i < passes) for i in range(n)]
    return evaluate_simulation(
        sim([gated()], results, runs=(run(total=n, passed=passes),), looks=looks),
        allow_incomplete=0.0,
    ).outcome


def binom(n: int, k: int, p: float) -> float:
    return math.comb(n, k) * p**k * (1 - p) ** (n - k)


def single_look(p: float, n: int) -> dict[Outcome, float]:
    chances = dict.fromkeys(Outcome, 0.0)
    for k in range(n + 1):
        chances[verdict(n, k)] += binom(n, k, p)
    return chances


def sequential(p: float, repeat: int, max_repeats: int) -> tuple[dict[Outcome, float], float]:
    """Exact outcome probabilities and expected conversations with early stopping: look
    after ``repeat`` conversations per digital human, then after each further one."""
    sizes = [r * DIGITAL_HUMANS for r in planned_looks(repeat, max_repeats)]
    looks = len(sizes)
    chances = dict.fromkeys(Outcome, 0.0)
    expected = 0.0
    alive = {0: 1.0}  # passes so far -> probability of still running with that many
    previous = 0
    for index, n in enumerate(sizes):
        step = n - previous
        grown: dict[int, float] = {}
        for k, mass in alive.items():
            for j in range(step + 1):
                grown[k + j] = grown.get(k + j, 0.0) + mass * binom(step, j, p)
        alive = {}
        for k, mass in grown.items():
            outcome = verdict(n, k, looks)
            if outcome is Outcome.NO_VERDICT and index < looks - 1:
                alive[k] = mass
            else:
                chances[outcome] += mass
                expected += mass * n
        previous = n
    return chances, expected


def test_exact_single_look_keeps_the_error_rate() -> None:
    good = single_look(0.85, 40)
    assert good[Outcome.FAIL] <= ALPHA  # a good agent is rarely failed (exactly: 0.43%)
    assert good[Outcome.FAIL] < 0.01
    # Wilson is approximate: a borderline agent passes 2.85% of the time at n = 40, a bit
    # over the one tail's 2.5% (discreteness) but within the stated 5%.
    at_line = single_look(0.80, 40)
    assert at_line[Outcome.PASS] <= ALPHA
    bad = single_look(0.70, 40)
    assert bad[Outcome.PASS] < 1e-3
    assert bad[Outcome.FAIL] > 0.4  # and often says so at once (42%; else inconclusive)
    # the verdicts are monotone in the number of passes: fail..., inconclusive..., pass...
    outcomes = [verdict(40, k) for k in range(41)]
    assert outcomes == sorted(outcomes, key=[Outcome.FAIL, Outcome.NO_VERDICT, Outcome.PASS].index)
    assert outcomes[0] is Outcome.FAIL
    assert outcomes[-1] is Outcome.PASS


def test_exact_early_stopping_keeps_the_error_rate_and_saves_conversations() -> None:
    good, spent = sequential(0.85, 2, 8)
    assert sum(good.values()) == pytest.approx(1.0)
    assert good[Outcome.FAIL] <= ALPHA
    bad, _ = sequential(0.70, 2, 8)
    assert bad[Outcome.PASS] <= 1e-3
    at_line, _ = sequential(0.80, 2, 8)
    assert at_line[Outcome.PASS] <= ALPHA
    clear, clear_spent = sequential(0.99, 2, 8)
    assert clear[Outcome.PASS] > 0.95
    assert clear_spent < 0.5 * 8 * DIGITAL_HUMANS  # a clear winner stops early
    assert spent <= 8 * DIGITAL_HUMANS


def test_simulated_gates_single_look() -> None:
    rng = random.Random(20261128)
    gates = 1000
    fails = sum(
        verdict(40, sum(rng.random() < 0.85 for _ in range(40))) is Outcome.FAIL
        for _ in range(gates)
    )
    slack = 3 * math.sqrt(ALPHA * (1 - ALPHA) / gates)
    assert fails / gates <= ALPHA + slack
    passes = sum(
        verdict(40, sum(rng.random() < 0.70 for _ in range(40))) is Outcome.PASS
        for _ in range(gates)
    )
    assert passes == 0


def simulate_sequential(rng: random.Random, p: float) -> tuple[Outcome, int]:
    sizes = [r * DIGITAL_HUMANS for r in planned_looks(2, 8)]
    passes, previous = 0, 0
    outcome = Outcome.NO_VERDICT
    for n in sizes:
        passes += sum(rng.random() < p for _ in range(n - previous))
        previous = n
        outcome = verdict(n, passes, len(sizes))
        if outcome is not Outcome.NO_VERDICT:
            return outcome, n
    return outcome, sizes[-1]


def test_simulated_gates_with_early_stopping() -> None:
    rng = random.Random(7)
    gates = 600
    good = [simulate_sequential(rng, 0.85) for _ in range(gates)]
    fails = sum(o is Outcome.FAIL for o, _ in good)
    assert fails / gates <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / gates)
    bad = [simulate_sequential(rng, 0.70) for _ in range(gates)]
    assert not any(o is Outcome.PASS for o, _ in bad)
    # a truly bad agent is usually caught before the maximum: conversations are saved
    assert sum(n for _, n in bad) / gates < 8 * DIGITAL_HUMANS * 0.9
