"""The evaluator with confidence, each_digital_human rules and flips (pure, no network)."""

from __future__ import annotations

import dataclasses

import pytest

from bluejay_gate.errors import EXIT_FAIL, EXIT_NO_VERDICT, EXIT_PASS
from bluejay_gate.spec.thresholds import Aggregate, Check, parse_each
from bluejay_gate.verdict.evaluate import evaluate, evaluate_simulation
from bluejay_gate.verdict.model import Flip, Outcome
from tests.helpers.evaluation import GREETING, check, rates, repeated_results, result, sim


def confident(metric: str, expression: str, level: float = 0.95) -> Check:
    return dataclasses.replace(check(metric, expression), confidence=level)


def each(metric: str, rule: str) -> Check:
    p = parse_each(rule)
    parsed = {k: getattr(p, k) for k in ("aggregate", "op", "threshold", "percent", "exact")}
    base = check(metric, "pass_rate >= 0%")
    return dataclasses.replace(base, **parsed, expression=p.text, per_digital_human=True)


def test_without_confidence_the_point_estimate_decides() -> None:
    v = evaluate_simulation(
        sim([check(GREETING, "pass_rate >= 80%")], rates(17, 20)), allow_incomplete=0
    )
    (c,) = v.checks
    assert c.outcome is Outcome.PASS
    assert c.interval is None
    assert not c.inconclusive


def test_inconclusive_rate_says_how_many_more() -> None:
    v = evaluate_simulation(
        sim([confident(GREETING, "pass_rate >= 80%")], rates(17, 20)), allow_incomplete=0
    )
    (c,) = v.checks
    assert c.outcome is Outcome.NO_VERDICT
    assert c.inconclusive
    assert c.interval is not None
    assert c.interval == pytest.approx((0.6396, 0.9476), abs=1e-4)
    assert c.level == pytest.approx(0.95)
    assert c.more_needed is not None
    assert c.more_needed > 100
    assert c.message == (
        "inconclusive: observed 85.0% (17/20) over 20 conversations, needs >= 80%; "
        f"95% interval 63.96% – 94.76% straddles 80%: about {c.more_needed} more "
        "conversations at the observed 85.0% would likely settle it"
    )
    assert (
        evaluate(
            [sim([confident(GREETING, "pass_rate >= 80%")], rates(17, 20))], allow_incomplete=0
        ).exit_code
        == EXIT_NO_VERDICT
    )


def test_interval_entirely_on_one_side() -> None:
    good = evaluate_simulation(
        sim([confident(GREETING, "pass_rate >= 60%")], rates(19, 20)), allow_incomplete=0
    )
    assert good.checks[0].outcome is Outcome.PASS
    assert good.checks[0].message.endswith("95% interval 76.39% – 99.11%, all of it >= 60%")
    bad = evaluate_simulation(
        sim([confident(GREETING, "pass_rate >= 90%")], rates(10, 20)), allow_incomplete=0
    )
    assert bad.checks[0].outcome is Outcome.FAIL
    assert "none of it >= 90%" in bad.checks[0].message
    assert bad.checks[0].worst  # the failing conversations are still named


def test_fail_rate_and_looks_split_the_error_rate() -> None:
    c = confident(GREETING, "fail_rate <= 40%")
    one = evaluate_simulation(sim([c], rates(18, 20)), allow_incomplete=0).checks[0]
    four = evaluate_simulation(sim([c], rates(18, 20), looks=4), allow_incomplete=0).checks[0]
    assert one.outcome is Outcome.PASS
    assert four.level == pytest.approx(0.9875)
    assert one.interval is not None
    assert four.interval is not None
    assert four.interval[1] > one.interval[1]  # a wider interval at each of 4 looks
    assert "98.75% interval (95% split over 4 looks)" in four.message


def test_mean_uses_student_t() -> None:
    values = [6, 7, 8, 9, 10, 8, 7, 9]
    results = [result(i + 1, {"Empathy": (str(v), "quantitative")}) for i, v in enumerate(values)]
    c = evaluate_simulation(
        sim([confident("Empathy", "mean >= 7")], results), allow_incomplete=0
    ).checks[0]
    assert c.interval is not None
    low, high = c.interval
    assert (low + high) / 2 == pytest.approx(8.0)
    # sd = 1.309, t(0.975, 7) = 2.3646 -> half width 1.0944
    assert high - low == pytest.approx(2 * 1.0944, abs=1e-3)
    assert c.outcome is Outcome.NO_VERDICT
    assert c.inconclusive
    one = evaluate_simulation(
        sim([confident("Empathy", "mean >= 7")], results[:1]), allow_incomplete=0
    ).checks[0]
    assert one.inconclusive
    assert "a mean over one sample has no 95% interval" in one.message


def test_each_digital_human_rule() -> None:
    results = repeated_results()
    rule = each(GREETING, "passes >= 2")
    assert rule.aggregate is Aggregate.PASSES
    v = evaluate_simulation(sim([rule], results), allow_incomplete=0)
    (c,) = v.checks
    assert c.outcome is Outcome.FAIL
    assert c.message == "3 of 4 digital humans meet it; not met by digital human 3 (1/3 passed)"
    assert c.observed == 1  # the worst digital human's passes
    assert c.samples == 12
    assert c.check.label == "Greeting compliance: each digital human passes >= 2"
    ok = evaluate_simulation(sim([each(GREETING, "pass_rate >= 30%")], results), allow_incomplete=0)
    assert ok.checks[0].outcome is Outcome.PASS
    assert ok.checks[0].message.startswith("4 of 4 digital humans meet it (0: 3/3 passed")
    # flips: digital humans 1, 2 and 3 disagree with themselves; 0 is stable
    assert v.flips == (
        Flip("1", GREETING, 2, 3),
        Flip("2", GREETING, 2, 3),
        Flip("3", GREETING, 1, 3),
    )
    assert v.repeated_digital_humans == 4
    assert evaluate([sim([rule], results)], allow_incomplete=0).exit_code == EXIT_FAIL


def test_each_rule_on_a_number_is_no_verdict() -> None:
    results = [result(i + 1, {"Empathy": ("7", "quantitative")}) for i in range(3)]
    c = evaluate_simulation(
        sim([each("Empathy", "passes >= 2")], results), allow_incomplete=0
    ).checks[0]
    assert c.outcome is Outcome.NO_VERDICT
    assert c.message.startswith("passes does not apply to 'Empathy'")


def test_each_rule_honours_min_samples() -> None:
    rule = dataclasses.replace(each(GREETING, "passes >= 1"), min_samples=20)
    c = evaluate_simulation(sim([rule], repeated_results()), allow_incomplete=0).checks[0]
    assert c.outcome is Outcome.NO_VERDICT
    assert c.message.startswith("too few samples: n = 12 < min_samples 20")


def test_settled_pass_exits_0() -> None:
    verdict = evaluate(
        [sim([confident(GREETING, "pass_rate >= 50%")], rates(40, 40))], allow_incomplete=0
    )
    assert verdict.exit_code == EXIT_PASS
