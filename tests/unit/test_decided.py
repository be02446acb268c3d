"""Stop when decided (``verdict.decided``): the early verdict always equals the full run's.

Exhaustive over small cases: for every check kind, a few scored conversations and up to
three still unscored, every way those can end (each: a value of the metric's small
domain, not applicable, or not completed) is evaluated by the real evaluator; a check
``decided`` calls certain must have that outcome in every one of them, and ``decide``'s
stop must give the full run's exit code in every one. The counts of certain answers are
asserted too, so a ``decided`` that always says "open" fails.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from typing import Any

from bluejay_gate.bluejay.models import SimulationResult
from bluejay_gate.bluejay.results import read_result
from bluejay_gate.errors import EXIT_FAIL, EXIT_PASS
from bluejay_gate.model.results import ReadResult
from bluejay_gate.spec.thresholds import Check
from bluejay_gate.verdict.decided import (
    Certainty,
    SimulationState,
    check_certainty,
    decide,
    simulation_certainties,
)
from bluejay_gate.verdict.evaluate import evaluate, evaluate_simulation
from bluejay_gate.verdict.inputs import SimulationContext, SimulationInput
from bluejay_gate.verdict.model import Outcome
from tests.helpers.evaluation import check

NA = object()  # the conversation's metric is not applicable
LOST = object()  # the conversation did not complete

# metric name -> (response_type, declaration, domain of a scored value)
METRICS: dict[str, tuple[str, dict[str, Any], list[Any]]] = {
    "ok": ("pass_fail", {}, ["pass", "fail"]),
    "score5": ("quantitative", {"min_value": 1, "max_value": 5}, ["1", "3", "5"]),
    "mood": ("enum", {"enum_options": ["happy", "sad", "angry"]}, ["happy", "sad", "angry"]),
}

CHECKS: list[tuple[str, str, dict[str, Any]]] = [
    ("ok", "pass_rate >= 60%", {}),
    ("ok", "pass_rate > 50%", {"min_samples": 3}),
    ("ok", "fail_rate <= 25%", {}),
    ("ok", "fail_count < 2", {}),
    ("ok", "count >= 3", {}),
    ("ok", "pass_rate == 50%", {}),
    ("ok", "pass_rate >= 50%", {"confidence": 0.8}),
    ("ok", "fail_rate < 40%", {"confidence": 0.7}),
    ("score5", "mean >= 3", {}),
    ("score5", "median > 2", {}),
    ("score5", "min >= 2", {}),
    ("score5", "max <= 4", {}),
    ("score5", "p50 >= 3", {}),
    ("score5", "mean == 3", {}),
    ("score5", "mean >= 3", {"confidence": 0.9}),
    ("mood", "share(happy) >= 50%", {}),
    ("mood", "share(angry) <= 20%", {}),
    ("mood", "count > 2", {}),
]


def _check(metric: str, expression: str, extra: dict[str, Any]) -> Check:
    built = check(metric, expression, min_samples=extra.get("min_samples"))
    if "confidence" in extra:
        built = dataclasses.replace(built, confidence=extra["confidence"])
    return built


@functools.cache
def _result(rid: int, metric: str, value: object) -> ReadResult:
    return read_result(_wire(rid, metric, value))


def _wire(rid: int, metric: str, value: object) -> SimulationResult:
    rtype, declared, _ = METRICS[metric]
    status = "NO_CONNECTION" if value is LOST else "COMPLETED"
    raw = "NA" if value is NA or value is LOST else value
    entries = [{"name": metric, "response_type": rtype, "response_value": raw, **declared}]
    # a second custom metric, so a conversation always has custom metrics
    entries.append({"name": "other", "response_type": "pass_fail", "response_value": "pass"})
    return SimulationResult.model_validate(
        {
            "id": rid,
            "digital_human_id": 12,
            "status": status,
            "evaluations": [
                {
                    "id": f"ev-{rid}",
                    "created_at": "2026-04-01T12:02:00Z",
                    "agent_speak_percentage": 40.0,
                    "num_turns": 12,
                    "avg_agent_latency": 800.0,
                    "custom_metrics": entries,
                }
            ],
        }
    )


def _sim(checks: list[Check], results: list[ReadResult], looks: int = 1) -> SimulationInput:
    return SimulationInput(
        label="sim",
        simulation_id="1",
        checks=tuple(checks),
        runs=(),
        results=tuple(results),
        looks=looks,
    )


def _outcomes(metric: str) -> list[object]:
    return [*METRICS[metric][2], NA, LOST]


def _scored_cases(metric: str, most: int) -> list[tuple[object, ...]]:
    values = METRICS[metric][2] + [NA]
    cases: list[tuple[object, ...]] = []
    for n in range(most + 1):
        cases.extend(itertools.combinations_with_replacement(values, n))
    return cases


def certain_in(c: Check, metric: str, looks: int, certain: dict[Certainty, int] | None) -> None:
    """Every certain answer for ``c`` against every completion of its remaining."""
    for scored in _scored_cases(metric, 3):
        now = [_result(i + 1, metric, v) for i, v in enumerate(scored)]
        sim = _sim([c], now, looks)
        states = simulation_certainties(SimulationState(sim, 0))
        for remaining in range(3):
            got = simulation_certainties(SimulationState(sim, remaining))[0].certainty
            if remaining and certain is not None:
                certain[got] += 1
            if remaining == 0 and states[0].certainty is not Certainty.OPEN:
                assert got is states[0].certainty
            if got is Certainty.OPEN:
                continue
            wanted = Outcome.PASS if got is Certainty.PASS else Outcome.FAIL
            for ending in itertools.product(_outcomes(metric), repeat=remaining):
                later = [_result(100 + i, metric, v) for i, v in enumerate(ending)]
                full = evaluate_simulation(_sim([c], now + later, looks), allow_incomplete=1.0)
                assert full.checks[0].outcome is wanted, (
                    f"{c.label} {c.confidence} looks {looks}: scored {scored}, then "
                    f"{ending}: decided {got} but the full run says {full.checks[0].outcome}"
                )


def test_every_certain_check_has_that_outcome_in_every_completion() -> None:
    certain = {Certainty.PASS: 0, Certainty.FAIL: 0, Certainty.OPEN: 0}
    for metric, expression, extra in CHECKS:
        c = _check(metric, expression, extra)
        # a round of early stopping: the interval is split over 3 planned looks
        for looks in (1, 3) if c.confidence is not None else (1,):
            certain_in(c, metric, looks, certain if looks == 1 else None)
    # not vacuous: many certain answers of both kinds, and many open ones
    # (with 1-2 remaining: 101 certain passes, 183 certain failures, 736 open)
    assert certain[Certainty.PASS] >= 100
    assert certain[Certainty.FAIL] >= 180
    assert certain[Certainty.OPEN] >= 700


# the second simulation's scored conversations: none, passing, failing, mixed
SECONDS: list[tuple[object, ...]] = [
    (),
    ("pass", "pass", "pass"),
    ("fail", "fail", "fail"),
    ("pass", "fail", NA),
    ("pass", "pass"),
]


def test_the_gate_stop_gives_the_full_runs_exit_code() -> None:
    """Two simulations, each with a rate check; ``decide``'s stop against every ending of
    both simulations' remaining conversations, with ``allow_incomplete`` 0% and 50%."""
    rate = check("ok", "pass_rate >= 60%")
    cases = _scored_cases("ok", 3)
    stops = {Outcome.PASS: 0, Outcome.FAIL: 0}
    for allow in (0.0, 0.5):
        for first, second in itertools.product(cases, SECONDS):
            scored = [[_result(i + 1, "ok", v) for i, v in enumerate(s)] for s in (first, second)]
            for left in range(2):
                states = [SimulationState(_sim([rate], s), left) for s in scored]
                got = decide(states, allow_incomplete=allow)
                if got.stop is None:
                    continue
                stops[got.stop] += 1
                code = EXIT_FAIL if got.stop is Outcome.FAIL else EXIT_PASS
                # what the gate reports: the verdict over what scored
                early = evaluate([s.sim for s in states], allow_incomplete=allow)
                assert early.exit_code == code
                for ends in itertools.product(_outcomes("ok"), repeat=2 * left):
                    full = [
                        _sim(
                            [rate],
                            s + [_result(100 + i, "ok", v) for i, v in enumerate(part)],
                        )
                        for s, part in zip(scored, (ends[:left], ends[left:]), strict=True)
                    ]
                    assert evaluate(full, allow_incomplete=allow).exit_code == code, (
                        f"{first} / {second}, remaining {left}, allow {allow}: {ends}"
                    )
    assert stops[Outcome.PASS] > 20
    assert stops[Outcome.FAIL] > 100


def test_an_unknown_remaining_count_or_an_unbounded_metric_stays_open() -> None:
    c = check("ok", "pass_rate >= 60%")
    failing = _sim([c], [_result(i, "ok", "fail") for i in range(1, 6)])
    assert simulation_certainties(SimulationState(failing, 3))[0].certainty is Certainty.FAIL
    assert simulation_certainties(SimulationState(failing, None))[0].certainty is Certainty.OPEN
    # latency has no declared bounds: a mean on it stays open while anything remains
    mean = check("avg_agent_latency", "mean <= 2000")
    sim = _sim([mean], [_result(i, "ok", "pass") for i in range(1, 6)])
    ctx = SimulationContext(sim, *_split(sim))
    assert check_certainty(mean, ctx, 0) is Certainty.PASS
    assert check_certainty(mean, ctx, 1) is Certainty.OPEN


def test_warn_checks_are_never_decided_and_a_pass_needs_room_for_incomplete() -> None:
    warn = check("ok", "pass_rate >= 60%", severity="warn")
    rate = check("ok", "pass_rate >= 60%")
    passing = _sim([rate, warn], [_result(i, "ok", "pass") for i in range(1, 9)])
    certainties = simulation_certainties(SimulationState(passing, 2))
    assert [c.check.label for c in certainties] == ["ok: pass_rate >= 60%"]
    assert certainties[0].certainty is Certainty.PASS
    # 2 remaining of 10 could both end not completed: 20% > 10% allowed, so no stop
    assert decide([SimulationState(passing, 2)], allow_incomplete=0.1).stop is None
    assert decide([SimulationState(passing, 2)], allow_incomplete=0.2).stop is Outcome.PASS


def _split(sim: SimulationInput) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    from bluejay_gate.verdict.conversations import read_conversations

    conversations, _ = read_conversations(sim)
    return tuple(conversations), tuple(c for c in conversations if c.completed)


def test_a_delta_check_is_never_decided_early() -> None:
    """``delta(pass_rate) >= -10%`` compares with a baseline the early question does not
    see: read as a plain rate it would be a certain pass (every rate is >= -10%)."""
    delta = check("ok", "delta(pass_rate) >= -10%")
    assert delta.delta
    passing = _sim([delta], [_result(i, "ok", "pass") for i in range(1, 9)])
    assert simulation_certainties(SimulationState(passing, 2))[0].certainty is Certainty.OPEN
    assert decide([SimulationState(passing, 2)], allow_incomplete=1.0).stop is None
