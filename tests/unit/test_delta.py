"""``delta(AGG)`` checks: the grammar, the spec rules, the intervals of a difference
(Newcombe, Welch) against published figures, and the judging against a baseline (pure)."""

from __future__ import annotations

import dataclasses
import statistics
from pathlib import Path

import pytest

from bluejay_gate.errors import EXIT_FAIL, EXIT_NO_VERDICT, EXIT_PASS, SpecError
from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.thresholds import Aggregate, parse_each, parse_expression
from bluejay_gate.verdict.conversations import read_conversations
from bluejay_gate.verdict.delta_stats import (
    more_for_rate_delta,
    newcombe,
    welch,
)
from bluejay_gate.verdict.evaluate import evaluate
from bluejay_gate.verdict.inputs import NO_BASELINE
from bluejay_gate.verdict.model import BaselineFigures, Outcome
from bluejay_gate.verdict.stats import t_quantile
from tests.helpers.baselines import baseline, conversations, delta, judge, numbers, passes
from tests.helpers.evaluation import GREETING, check, rates, sim

EMPATHY = "Empathy"


# --- grammar and spec rules -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "aggregate", "threshold", "share"),
    [
        ("delta(pass_rate) >= -5%", Aggregate.RATE, -0.05, None),
        ("delta(rate) > -0.1", Aggregate.RATE, -0.1, None),
        ("delta(fail_rate) <= 5%", Aggregate.FAIL_RATE, 0.05, None),
        ("delta(share(resolved)) >= -10%", Aggregate.SHARE, -0.1, "resolved"),
        (" DELTA ( mean ) >= -0.5", Aggregate.MEAN, -0.5, None),
        ("delta(median) >= 0", Aggregate.MEDIAN, 0.0, None),
    ],
)
def test_delta_parses_to_the_inner_aggregate(
    text: str, aggregate: Aggregate, threshold: float, share: str | None
) -> None:
    parsed = parse_expression(text)
    assert parsed.delta is True
    assert parsed.aggregate is aggregate
    assert parsed.threshold == pytest.approx(threshold)
    assert parsed.share_value == share
    assert parsed.text == " ".join(text.split())
    assert parse_expression("pass_rate >= 90%").delta is False


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("delta(min) >= 0", "delta applies to rate/pass_rate, fail_rate, share(VALUE), mean"),
        ("delta(p95) <= 100", "not 'p95'"),
        ("delta(delta(mean)) >= 0", "delta applies to"),
        ("delta() >= 0", "write delta(AGGREGATE) OP NUMBER[%]"),
        ("delta(mean) => 0", "cannot read threshold"),
    ],
)
def test_delta_of_anything_else_is_refused(text: str, words: str) -> None:
    with pytest.raises(ValueError, match="delta") as info:
        parse_expression(text)
    assert words in str(info.value)


def test_delta_is_no_each_digital_human_rule() -> None:
    with pytest.raises(ValueError, match="cannot be a per-digital-human rule"):
        parse_each("delta(pass_rate) >= -5%")


SPEC = """\
version: 1
agent:
  name: Support Bot
  system_prompt: hi
simulations:
  - id: "4821"
thresholds:
  {lines}
"""


def write_spec(tmp_path: Path, lines: str) -> Path:
    path = tmp_path / "bluejay-gate.yml"
    path.write_text(SPEC.format(lines=lines), encoding="utf-8")
    return path


def test_spec_builds_delta_checks_with_confidence(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        'goal_success: {check: "delta(pass_rate) >= -5%", confidence: 0.9}\n'
        '  Empathy: "delta(mean) >= -0.5"',
    )
    spec = load_spec(path, {})
    rate, mean = spec.checks_for(spec.simulations[0])
    assert (rate.delta, rate.aggregate, rate.confidence, rate.line) == (
        True,
        Aggregate.RATE,
        0.9,
        8,
    )
    assert rate.label == "goal_success: delta(pass_rate) >= -5%"
    assert (mean.delta, mean.aggregate, mean.confidence, mean.line) == (
        True,
        Aggregate.MEAN,
        None,
        9,
    )


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            'goal_success: "delta(pass_rate) >= -150%"',
            "8: thresholds.\"goal_success\": 'delta(pass_rate) >= -150%': a change of a "
            "rate runs from -100% to +100%",
        ),
        (
            'Empathy: {check: "delta(median) >= 0", confidence: 0.95}',
            '8: thresholds."Empathy".confidence: confidence does not apply to '
            "'delta(median) >= 0': only delta of rate/pass_rate",
        ),
        (
            'score: "delta(mean) >= 0"',
            '8: thresholds."score": `score` is Bluejay\'s one run-level number',
        ),
    ],
)
def test_spec_refuses_deltas_that_cannot_mean_what_they_say(
    tmp_path: Path, lines: str, message: str
) -> None:
    path = write_spec(tmp_path, lines)
    with pytest.raises(SpecError) as info:
        load_spec(path, {})
    assert str(info.value).startswith(f"{path}:{message}")


def test_run_confidence_reaches_delta_of_rates_but_not_median(tmp_path: Path) -> None:
    text = SPEC.format(
        lines='goal_success: "delta(pass_rate) >= -5%"\n  Empathy: "delta(median) >= 0"'
    ).replace("simulations:", "run:\n  confidence: 0.95\nsimulations:")
    path = tmp_path / "bluejay-gate.yml"
    path.write_text(text, encoding="utf-8")
    spec = load_spec(path, {})
    rate, median = spec.checks_for(spec.simulations[0])
    assert rate.confidence == 0.95
    assert median.confidence is None


# --- intervals of a difference -----------------------------------------------------------


@pytest.mark.parametrize(
    ("hits1", "n1", "hits2", "n2", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:873-890, table II, method 10
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
    ],
)
def test_newcombe_matches_the_published_intervals(
    hits1: int, n1: int, hits2: int, n2: int, low: float, high: float
) -> None:
    interval = newcombe(hits1, n1, hits2, n2, 0.95)
    assert (interval.low, interval.high) == pytest.approx((low, high), abs=5e-5)


def test_newcombe_refuses_what_is_not_a_share() -> None:
    with pytest.raises(ValueError, match="at least one sample"):
        newcombe(0, 0, 1, 2, 0.95)
    with pytest.raises(ValueError, match="not shares"):
        newcombe(3, 2, 1, 2, 0.95)


def test_welch_matches_the_textbook_example() -> None:
    # Welch's t-test, Wikipedia example 1: t = -2.46, ν = 24.9
    a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
    a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]
    m1, m2 = statistics.mean(a1), statistics.mean(a2)
    s1, s2 = statistics.stdev(a1), statistics.stdev(a2)
    interval = welch(m1, s1, 15, m2, s2, 15, 0.95)
    centre = (interval.low + interval.high) / 2
    assert centre == pytest.approx(m1 - m2)
    se = (interval.high - interval.low) / 2 / t_quantile(0.975, 24.9)
    assert centre / se == pytest.approx(-2.46, abs=0.01)
    assert (interval.low, interval.high) == pytest.approx((-3.9841, -0.3492), abs=1e-3)
    same = welch(5.0, 0.0, 3, 4.0, 0.0, 4, 0.95)
    assert (same.low, same.high) == (1.0, 1.0)
    with pytest.raises(ValueError, match="two samples"):
        welch(1.0, 1.0, 1, 1.0, 1.0, 5, 0.95)


def test_more_for_rate_delta_is_none_when_the_baseline_alone_is_too_wide() -> None:
    # 5 baseline conversations: its own interval is wider than a 5-point gap
    assert more_for_rate_delta(0.9, 20, 0.9, 5, -0.05, 0.95) is None
    more = more_for_rate_delta(0.9, 20, 0.9, 1000, -0.15, 0.95)
    assert more is not None
    assert more > 0


# --- judging against a baseline ------------------------------------------------------------


def test_no_baseline_skips_and_never_changes_the_exit_code() -> None:
    checks = [check(GREETING, "delta(pass_rate) >= -5%"), check(GREETING, "pass_rate >= 80%")]
    verdict = evaluate([sim(checks, rates(17, 20))], allow_incomplete=0)
    skipped, plain = verdict.simulations[0].checks
    assert skipped.outcome is Outcome.SKIPPED
    assert skipped.message == NO_BASELINE
    assert skipped.observed is None
    assert skipped.baseline is None
    assert plain.outcome is Outcome.PASS
    assert plain.baseline is None
    assert verdict.exit_code == EXIT_PASS
    failing = evaluate(
        [sim([checks[0], check(GREETING, "pass_rate >= 90%")], rates(17, 20))],
        allow_incomplete=0,
    )
    assert failing.exit_code == EXIT_FAIL


def test_a_warn_delta_without_baseline_is_skipped_not_warned() -> None:
    warn = check(GREETING, "delta(pass_rate) >= -5%", severity="warn")
    (result,) = evaluate([sim([warn], rates(17, 20))], allow_incomplete=0).simulations[0].checks
    assert result.outcome is Outcome.SKIPPED


def test_point_delta_passes_and_fails_exactly_at_the_threshold() -> None:
    base = baseline(passes(GREETING, 18, 20))
    at_line = judge(delta(GREETING, "delta(pass_rate) >= -5%"), passes(GREETING, 17, 20), base)
    assert at_line.outcome is Outcome.PASS  # 85% - 90% is exactly -5%
    assert at_line.observed == pytest.approx(-0.05)
    assert at_line.baseline == BaselineFigures(0.9, -0.05, 20)
    assert at_line.message == (
        "change -5% (this run 85.0% (17/20) over 20 conversations, baseline 90.0% (18/20) "
        "over 20 conversations), needs >= -5%"
    )
    below = judge(delta(GREETING, "delta(pass_rate) >= -5%"), passes(GREETING, 16, 20), base)
    assert below.outcome is Outcome.FAIL
    assert below.observed == pytest.approx(-0.1)
    assert below.worst == ("17", "18", "19", "20")


def test_point_delta_of_means() -> None:
    base = baseline(numbers(EMPATHY, [7, 8, 9]))
    result = judge(delta(EMPATHY, "delta(mean) >= -0.5"), numbers(EMPATHY, [7, 8, 8]), base)
    assert result.outcome is Outcome.PASS
    assert result.observed == pytest.approx(-1 / 3)
    assert result.message.startswith("change -0.3333 (this run 7.667 over 3 conversations")


def test_confident_delta_of_rates_passes_fails_or_says_how_many_more() -> None:
    base = baseline(passes(GREETING, 180, 200))
    rule = delta(GREETING, "delta(pass_rate) >= -10%", 0.95)
    good = judge(rule, passes(GREETING, 190, 200), base)
    assert good.outcome is Outcome.PASS
    assert good.interval is not None
    assert good.interval[0] > -0.1
    bad = judge(rule, passes(GREETING, 120, 200), base)
    assert bad.outcome is Outcome.FAIL
    assert bad.interval is not None
    assert bad.interval[1] < -0.1
    unsure = judge(rule, passes(GREETING, 17, 20), base)
    assert unsure.outcome is Outcome.NO_VERDICT
    assert unsure.inconclusive
    assert unsure.more_needed is not None
    assert unsure.interval is not None
    low, high = unsure.interval
    expected = newcombe(17, 20, 180, 200, 0.95)
    assert (low, high) == pytest.approx((expected.low, expected.high))
    assert unsure.message.endswith(
        f"straddles -10%: about {unsure.more_needed} more conversations at the observed "
        "change -5% would likely settle it"
    )
    assert unsure.message.startswith(
        "inconclusive: change -5% (this run 85.0% (17/20) over 20 conversations, baseline "
        "90.0% (180/200) over 200 conversations), needs >= -10%; 95% interval"
    )


def test_confident_delta_of_means_uses_welch() -> None:
    now_values = [7.0, 8.0, 9.0, 8.0, 7.5]
    was_values = [8.0, 8.5, 9.0, 9.5, 8.0, 9.0]
    rule = delta(EMPATHY, "delta(mean) >= -0.5", 0.95)
    result = judge(rule, numbers(EMPATHY, now_values), baseline(numbers(EMPATHY, was_values)))
    expected = welch(
        statistics.mean(now_values),
        statistics.stdev(now_values),
        5,
        statistics.mean(was_values),
        statistics.stdev(was_values),
        6,
        0.95,
    )
    assert result.interval == pytest.approx((expected.low, expected.high))
    assert result.outcome is Outcome.NO_VERDICT
    assert result.inconclusive
    one = judge(rule, numbers(EMPATHY, [7.0]), baseline(numbers(EMPATHY, was_values)))
    assert one.outcome is Outcome.NO_VERDICT
    assert one.inconclusive
    assert one.more_needed == 1
    assert "needs two conversations on each side" in one.message


def test_early_stopping_splits_the_delta_level_over_the_looks() -> None:
    rule = delta(GREETING, "delta(pass_rate) >= -10%", 0.95)
    result = judge(rule, passes(GREETING, 17, 20), baseline(passes(GREETING, 180, 200)), looks=5)
    assert result.level == pytest.approx(0.99)
    wide = newcombe(17, 20, 180, 200, 0.99)
    assert result.interval == pytest.approx((wide.low, wide.high))


def test_baseline_without_the_metric_or_conversations_skips() -> None:
    rule = delta(EMPATHY, "delta(mean) >= -0.5")
    now = numbers(EMPATHY, [7, 8])
    other = baseline(numbers("Politeness", [7, 8]))
    result = judge(rule, now, other)
    assert result.outcome is Outcome.SKIPPED
    assert result.message == (
        "the baseline main-report.json has no samples of 'Empathy' in Billing regressions"
    )
    empty = judge(rule, now, baseline(()))
    assert empty.outcome is Outcome.SKIPPED
    assert "has no completed conversations" in empty.message
    missing = judge(rule, now, "the baseline x.json has no simulation 'Smoke' (9)")
    assert missing.outcome is Outcome.SKIPPED
    assert missing.message == "the baseline x.json has no simulation 'Smoke' (9)"


def test_this_runs_problems_stay_no_verdict_not_skipped() -> None:
    rule = delta(EMPATHY, "delta(mean) >= -0.5")
    base = baseline(numbers(EMPATHY, [7, 8]))
    lacking = numbers(EMPATHY, [7, 8]) + numbers("Politeness", [1], start=3)
    result = judge(rule, lacking, base)
    assert result.outcome is Outcome.NO_VERDICT
    assert "'Empathy' is missing from 1 of 3 completed conversations" in result.message
    few = judge(dataclasses.replace(rule, min_samples=5), numbers(EMPATHY, [7, 8]), base)
    assert few.outcome is Outcome.NO_VERDICT
    assert few.message.startswith("too few samples: n = 2 < min_samples 5")


def test_a_malformed_or_mistyped_baseline_is_no_verdict() -> None:
    rule = delta(EMPATHY, "delta(mean) >= -0.5")
    mistyped = baseline(conversations(EMPATHY, ["pass", "fail"], "pass_fail"))
    result = judge(rule, numbers(EMPATHY, [7, 8]), mistyped)
    assert result.outcome is Outcome.NO_VERDICT
    assert result.message.startswith("baseline main-report.json: ")
    assert "mean" in result.message
    broken = baseline(conversations(EMPATHY, ["7", "lots"], "quantitative"))
    result = judge(rule, numbers(EMPATHY, [7, 8]), broken)
    assert result.outcome is Outcome.NO_VERDICT
    assert "'lots'" in result.message


def test_every_check_shows_its_change_with_a_baseline() -> None:
    base_input = sim([], rates(18, 20))
    found, _ = read_conversations(base_input)
    base = baseline(found)
    checks = [
        check(GREETING, "pass_rate >= 80%"),
        check(GREETING, "count >= 10"),
        check("score", "value >= 50"),
        check("Unknown metric", "mean >= 1"),
    ]
    verdict = evaluate([sim(checks, rates(17, 20), baseline=base)], allow_incomplete=0)
    rate, count, score, unknown = verdict.simulations[0].checks
    assert rate.outcome is Outcome.PASS
    assert rate.baseline == BaselineFigures(0.9, -0.05, 20)  # exactly -5%, on the decimals
    assert count.baseline == BaselineFigures(20.0, 0.0, 20)
    assert score.baseline == BaselineFigures(80.0, 0.0, 20)
    assert unknown.outcome is Outcome.NO_VERDICT
    assert unknown.baseline == BaselineFigures(None, None, 0)
    assert verdict.exit_code == EXIT_NO_VERDICT


def test_when_the_baseline_alone_is_too_uncertain_more_of_this_run_will_not_help() -> None:
    rule = delta("goal_success", "delta(pass_rate) >= -10%", 0.95)
    result = judge(rule, passes("goal_success", 34, 40), baseline(passes("goal_success", 36, 40)))
    assert result.outcome is Outcome.NO_VERDICT
    assert result.more_needed is None
    assert result.interval == pytest.approx((-0.2031, 0.1028), abs=1e-4)
    assert result.message.endswith(
        "straddles -10%: more conversations of this run alone are unlikely to settle it: the "
        "baseline's own 40 conversations leave the change this uncertain (a baseline run with "
        "more conversations would help)"
    )


def test_the_readme_worked_example_is_what_the_gate_says() -> None:
    from tests.conftest import ROOT

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    section = readme[readme.index("## Baselines and deltas") : readme.index("## Outputs")]
    goal = "goal_success"
    point = judge(
        delta(goal, "delta(pass_rate) >= -10%"),
        passes(goal, 30, 40),
        baseline(passes(goal, 36, 40)),
    )
    assert point.outcome is Outcome.FAIL
    assert f"`{point.message}`" in section
    rule = delta(goal, "delta(pass_rate) >= -10%", 0.95)
    cases = {(30, 36, 40): "-31.35% – 1.95%", (34, 36, 40): "-20.31% – 10.28%"}
    cases |= {(340, 360, 400): "-9.61% – -0.4%", (20, 36, 40): "-55.99% – -20.27%"}
    for (now, was, n), shown in cases.items():
        result = judge(rule, passes(goal, now, n), baseline(passes(goal, was, n)))
        assert f"interval {shown}" in result.message
        assert shown in section
    now_scores = [7, 8, 6, 7, 8, 7, 6, 8, 7, 7, 8, 6, 7, 7, 8, 6, 7, 8, 7, 7]
    was_scores = [8, 8, 7, 8, 9, 8, 7, 8, 8, 9, 8, 7, 8, 8, 9, 8, 7, 8, 8, 8]
    mean = judge(
        delta(EMPATHY, "delta(mean) >= -0.5", 0.95),
        numbers(EMPATHY, now_scores),
        baseline(numbers(EMPATHY, was_scores)),
    )
    assert "95% interval -1.275 – -0.4246 straddles -0.5: about 24 more" in mean.message
    assert "-1.275 – -0.4246" in section
    assert "about 24 more conversations" in section


def test_early_stopping_asks_for_more_only_when_more_of_this_run_could_settle_it() -> None:
    from bluejay_gate.verdict.repeats import wants_more
    from tests.helpers.verdicts import make_simulation

    rule = delta("goal_success", "delta(pass_rate) >= -10%", 0.95)
    settles = judge(
        rule, passes("goal_success", 17, 20), baseline(passes("goal_success", 200, 200))
    )
    stuck = judge(rule, passes("goal_success", 34, 40), baseline(passes("goal_success", 36, 40)))
    assert settles.inconclusive
    assert settles.more_needed is not None
    assert stuck.inconclusive
    assert stuck.more_needed is None
    assert wants_more(make_simulation("Billing regressions", (settles,))) is True
    assert wants_more(make_simulation("Billing regressions", (stuck,))) is False


def test_a_failing_delta_of_means_names_no_worst_conversations() -> None:
    base = baseline(numbers(EMPATHY, [9, 9, 9]))
    result = judge(delta(EMPATHY, "delta(mean) >= -0.5"), numbers(EMPATHY, [-1, 7, 8]), base)
    assert result.outcome is Outcome.FAIL
    assert result.worst == ()


def test_a_change_beyond_floating_point_is_no_verdict() -> None:
    base = baseline(numbers(EMPATHY, [-1e308, -1e308]))
    result = judge(delta(EMPATHY, "delta(mean) >= -0.5"), numbers(EMPATHY, [1e308, 1e308]), base)
    assert result.outcome is Outcome.NO_VERDICT
    assert result.message == (
        "the change of 'Empathy' is beyond what floating point can hold; check the metric's "
        "values in Bluejay"
    )
