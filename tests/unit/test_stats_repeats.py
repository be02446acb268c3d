"""repeats: which simulations get another round, and the saved-conversations arithmetic."""

from __future__ import annotations

import dataclasses

from bluejay_gate.verdict.evaluate import evaluate_simulation
from bluejay_gate.verdict.model import SimulationVerdict
from bluejay_gate.verdict.repeats import looks_for, repeat_summary, wants_more
from tests.helpers.evaluation import GREETING, check, rates, sim


def _verdict(passes: int, total: int, *extra: str, level: float = 0.95) -> SimulationVerdict:
    gated = dataclasses.replace(check(GREETING, "pass_rate >= 80%"), confidence=level)
    checks = [gated, *(check(GREETING, e) for e in extra)]
    return evaluate_simulation(sim(checks, rates(passes, total)), allow_incomplete=0)


def test_inconclusive_wants_more() -> None:
    assert wants_more(_verdict(17, 20))


def test_settled_failed_or_otherwise_undecided_does_not() -> None:
    assert not wants_more(_verdict(40, 40))  # passed
    assert not wants_more(_verdict(5, 20))  # failed
    # inconclusive, but another error check failed: the gate fails whatever comes next
    assert not wants_more(_verdict(17, 20, "pass_rate >= 95%"))
    # inconclusive, but a check has no verdict for another reason (a missing metric)
    missing = check("Missing metric", "pass_rate >= 50%")
    gated = dataclasses.replace(check(GREETING, "pass_rate >= 80%"), confidence=0.95)
    verdict = evaluate_simulation(sim([gated, missing], rates(17, 20)), allow_incomplete=0)
    assert not wants_more(verdict)


def test_looks_and_summary() -> None:
    assert looks_for(3, None) == 1
    assert looks_for(2, 6) == 5
    r = repeat_summary(repeat_done=4, repeat=2, max_repeats=6, digital_humans=5, conversations=20)
    assert (r.looks, r.planned_looks, r.conversations_max, r.saved) == (3, 5, 30, 10)
    plain = repeat_summary(
        repeat_done=3, repeat=3, max_repeats=None, digital_humans=4, conversations=12
    )
    assert (plain.looks, plain.planned_looks, plain.saved) == (1, 1, 0)
