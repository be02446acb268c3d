"""Aggregates: nearest-rank, median, every aggregate, N/A, type rules, malformed, worst."""

from __future__ import annotations

import dataclasses

import pytest

from bluejay_gate.model.values import MetricValue, metric_value
from bluejay_gate.spec.thresholds import Check
from bluejay_gate.verdict.aggregate import AggregateResult, aggregate, median, nearest_rank
from tests.helpers import evaluation


def check(expression: str, metric: str = "m", **extra: object) -> Check:
    """A typed check on metric ``m`` (argument order of these tests)."""
    return evaluation.check(metric, expression, severity=str(extra.get("severity", "error")))


def values(response_type: str, *raws: object) -> list[MetricValue]:
    """One MetricValue per raw value, parsed as the extractor would."""
    return [metric_value("m", raw, response_type) for raw in raws]


def run(expression: str, response_type: str, *raws: object) -> AggregateResult:
    """Aggregate raws with ids r1, r2, ..."""
    vals = values(response_type, *raws)
    return aggregate(check(expression), vals, result_ids=[f"r{i + 1}" for i in range(len(vals))])


# --- nearest rank and median -----------------------------------------------------------


@pytest.mark.parametrize(
    ("pct", "expected"),
    [(5, 15), (30, 20), (40, 20), (50, 35), (100, 50), (0, 15), (80, 40), (81, 50)],
)
def test_nearest_rank_known_table(pct: float, expected: float) -> None:
    """The textbook nearest-rank table for [15, 20, 35, 40, 50] (unsorted input)."""
    assert nearest_rank([40, 15, 50, 35, 20], pct) == expected


def test_nearest_rank_is_exact() -> None:
    """p7 of 1..100 is 7 and p99.9 of 1..1000 is 999: no floating-point rank drift."""
    assert nearest_rank([float(i) for i in range(1, 101)], 7) == 7.0
    assert nearest_rank([float(i) for i in range(1, 1001)], 99.9) == 999.0
    assert nearest_rank([3.0], 1) == 3.0


def test_nearest_rank_rejects_bad_input() -> None:
    """No samples, or a percentile outside 0..100, is a ValueError."""
    with pytest.raises(ValueError, match="at least one sample"):
        nearest_rank([], 50)
    with pytest.raises(ValueError, match=r"outside 0\.\.100"):
        nearest_rank([1.0], 101)


def test_median_odd_and_even() -> None:
    """Odd: the middle sample; even: the mean of the two middle samples."""
    assert median([5.0, 1.0, 3.0]) == 3.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    with pytest.raises(ValueError, match="at least one sample"):
        median([])


# --- every aggregate -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("mean >= 0", 6.0),
        ("median >= 0", 6.5),
        ("min >= 0", 2.0),
        ("max >= 0", 9.0),
        ("p50 >= 0", 6.0),
        ("p90 >= 0", 9.0),
        ("p1 >= 0", 2.0),
        ("count >= 0", 6.0),
    ],
)
def test_numeric_aggregates(expression: str, expected: float) -> None:
    """mean, median, min, max, pNN and count over [2, 4, 6, 7, 8, 9]."""
    got = run(expression, "quantitative", "7", "2", "9", "4", "8", "6")
    assert got.reason is None
    assert got.observed == pytest.approx(expected)
    assert got.samples == 6
    assert got.kind == "number"


@pytest.mark.parametrize(
    ("expression", "observed", "matched"),
    [
        ("rate >= 0", 0.6, 3),
        ("pass_rate >= 0", 0.6, 3),
        ("fail_rate >= 0", 0.4, 2),
        ("fail_count >= 0", 2.0, 2),
        ("count >= 0", 5.0, 5),
    ],
)
def test_boolean_aggregates(expression: str, observed: float, matched: int) -> None:
    """rate, fail_rate, fail_count and count over pass/fail values; N/A left out."""
    got = run(expression, "pass_fail", "pass", "fail", "PASS", "N/A", "Fail", "1")
    assert got.reason is None
    assert got.observed == pytest.approx(observed)
    assert got.matched == matched
    assert got.samples == 5
    assert got.not_applicable == 1


def test_share_is_case_insensitive() -> None:
    """share(VALUE) counts enum values equal to VALUE ignoring case and spaces."""
    got = run(
        "share(Resolved) >= 75%", "enum", "resolved", " RESOLVED ", "escalated", "Resolved", None
    )
    assert got.observed == pytest.approx(0.75)
    assert got.matched == 3
    assert got.samples == 4
    assert got.not_applicable == 1
    assert got.worst == ("r3",)


def test_inferred_types_aggregate() -> None:
    """Values of an unknown response type aggregate by their inferred kind."""
    assert run("mean >= 0", "", "3", 5, "7").observed == pytest.approx(5.0)
    assert run("rate >= 0", "score_flag", "yes", "no").observed == pytest.approx(0.5)
    assert run("share(a) >= 0", "", "a", "b").observed == pytest.approx(0.5)


# --- type rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "response_type", "raw", "fragment"),
    [
        (
            "mean >= 0.5",
            "pass_fail",
            "pass",
            "mean does not apply to 'm' (pass_fail, boolean values); use one of: "
            "rate/pass_rate, fail_rate, fail_count, count",
        ),
        (
            "share(x) >= 1%",
            "quantitative",
            "3",
            "share(VALUE) does not apply to 'm' (quantitative, numeric values); use one of: "
            "mean, median, min, max, pNN, count",
        ),
        (
            "rate >= 1%",
            "enum",
            "a",
            "rate/pass_rate does not apply to 'm' (enum, enum values); use one of: "
            "share(VALUE), count",
        ),
        ("value >= 1", "quantitative", "3", "'value' applies only to the run-level 'score'"),
        ("count >= 1", "qualitative", "nice", "'m' is a qualitative metric: free-text values"),
        ("mean >= 1", "json", "{}", "'m' is a json metric: free-text values cannot be aggregated"),
    ],
)
def test_type_mismatch_gives_no_verdict(
    expression: str, response_type: str, raw: str, fragment: str
) -> None:
    """An aggregate the metric's type does not support is a no-verdict naming what it does."""
    got = run(expression, response_type, raw, raw)
    assert got.observed is None
    assert got.reason is not None
    assert fragment in got.reason


def test_mixed_types_give_no_verdict() -> None:
    """A metric that is boolean in one conversation and numeric in another has no verdict."""
    vals = [metric_value("m", "pass", "pass_fail"), metric_value("m", "3", "quantitative")]
    got = aggregate(check("rate >= 1%"), vals)
    assert got.reason is not None
    assert "different types across conversations: boolean (pass_fail), numeric (quantitative)" in (
        got.reason
    )


def test_value_on_untyped_metric() -> None:
    """``value`` over a metric with no readable values still says it is for ``score`` only."""
    got = aggregate(check("value >= 1"), [metric_value("m", None, "")])
    assert got.reason == "'value' applies only to the run-level 'score', not to 'm'"


# --- N/A, zero samples, malformed ------------------------------------------------------


def test_all_not_applicable_is_no_verdict() -> None:
    """Zero applicable samples is never a pass: the reason counts the N/A ones."""
    got = run("rate >= 90%", "pass_fail", "N/A", "not applicable", None)
    assert got.observed is None
    assert got.samples == 0
    assert got.not_applicable == 3
    assert got.reason == (
        "no applicable samples of 'm': all 3 were not applicable, so there is nothing to judge"
    )


def test_no_values_is_no_verdict() -> None:
    """An empty sample list has no verdict."""
    got = aggregate(check("mean >= 1"), [])
    assert got.reason == "no samples of 'm' to aggregate"
    assert got.samples == 0


def test_malformed_values_name_result_and_raw() -> None:
    """Unreadable values give no verdict; the reason names the result ids and raw values."""
    got = run("rate >= 90%", "pass_fail", "pass", "maybe", "pass", "??", "x", "y", "fail")
    assert got.observed is None
    assert got.reason is not None
    assert got.reason.startswith("4 unreadable values of 'm' (result r2: 'maybe' is not a boolean")
    assert "result r4: '??' is not a boolean" in got.reason
    assert "; and 1 more)" in got.reason
    assert "fix the metric's response type or values in Bluejay" in got.reason


def test_ids_default_to_positions_and_must_match() -> None:
    """Without result ids, positions name the samples; a length mismatch is a ValueError."""
    got = aggregate(check("rate >= 100%"), values("pass_fail", "pass", "fail"))
    assert got.worst == ("#2",)
    with pytest.raises(ValueError, match="1 result ids for 2 values"):
        aggregate(check("rate >= 1%"), values("pass_fail", "pass", "fail"), result_ids=["a"])


# --- worst conversations ---------------------------------------------------------------


def test_worst_for_rate_at_least() -> None:
    """pass_rate >=: the false values pulled it down, in id order, at most five."""
    got = run("pass_rate >= 90%", "pass_fail", *(["fail"] * 7), "pass")
    assert got.worst == ("r1", "r2", "r3", "r4", "r5")


def test_worst_for_rate_at_most() -> None:
    """rate <= (hallucination): the true values pushed it up."""
    got = run("rate <= 0%", "builtin_bool", False, True, False, True)
    assert got.worst == ("r2", "r4")


def test_worst_for_fail_count() -> None:
    """fail_count <=: the false values are the culprits."""
    got = run("fail_count <= 0", "yes_no", "yes", "no", "yes")
    assert got.observed == 1.0
    assert got.worst == ("r2",)


def test_worst_numeric_at_least_lowest_first() -> None:
    """mean >= 7: the samples below 7, lowest first."""
    got = run("mean >= 7", "quantitative", "8", "3", "6", "9", "1", "3")
    assert got.worst == ("r5", "r2", "r6", "r3")


def test_worst_numeric_at_most_highest_first() -> None:
    """p90 <= 1500: the samples above 1500, highest first."""
    got = run("p90 <= 1500", "builtin_number", 900, 2500, 1600, 1500, 3000)
    assert got.worst == ("r5", "r2", "r3")


def test_worst_for_equality_follows_direction() -> None:
    """== above the threshold blames high values; != has no direction."""
    assert run("max == 5", "quantitative", "9", "4", "7").worst == ("r1", "r3")
    assert run("min == 5", "quantitative", "1", "6", "3").worst == ("r1", "r3")
    assert run("mean != 5", "quantitative", "5", "5").worst == ()


def test_count_has_no_worst() -> None:
    """count judges the sample size: no conversation is to blame."""
    assert run("count >= 10", "pass_fail", "fail", "pass").worst == ()


# --- exact at the boundary ----------------------------------------------------------------


def holds(expression: str, response_type: str, *raws: object) -> bool:
    c = check(expression)
    got = aggregate(c, values(response_type, *raws))
    assert got.reason is None, got.reason
    assert got.exact is not None
    return c.op.holds(got.exact, c.exact_threshold)


def test_mean_at_the_threshold_is_equal() -> None:
    """0.7, 0.8, 0.9 average exactly 0.8 (the float sum says 0.7999999999999999)."""
    assert sum([0.7, 0.8, 0.9]) / 3 < 0.8  # why the old float comparison failed
    assert holds("mean >= 0.8", "quantitative", "0.7", "0.8", "0.9")
    assert holds("mean == 0.8", "quantitative", 0.7, 0.8, 0.9)
    assert not holds("mean > 0.8", "quantitative", "0.7", "0.8", "0.9")
    assert not holds("mean != 0.8", "quantitative", "0.7", "0.8", "0.9")


def test_rate_at_the_threshold_is_equal() -> None:
    """29 of 50 passed is exactly 58%: ``pass_rate >= 58%`` holds, ``> 58%`` does not."""
    raws = ["pass"] * 29 + ["fail"] * 21
    assert 29 / 50 * 100 != 58  # 57.99999999999999
    assert holds("pass_rate >= 58%", "pass_fail", *raws)
    assert holds("pass_rate == 58%", "pass_fail", *raws)
    assert not holds("pass_rate > 58%", "pass_fail", *raws)
    assert holds("fail_rate <= 42%", "pass_fail", *raws)
    assert holds("count == 50", "pass_fail", *raws)
    assert holds("fail_count <= 21", "pass_fail", *raws)


@pytest.mark.parametrize(
    "expression",
    ["min >= 0.1", "max <= 0.3", "median == 0.2", "p50 == 0.2", "p100 <= 0.3", "median <= 0.2"],
)
def test_order_statistics_are_exact(expression: str) -> None:
    """min, max, median and pNN compare the sample's own decimal, not a float near it."""
    assert holds(expression, "quantitative", "0.1", "0.2", "0.3")


def test_median_of_two_is_exact() -> None:
    """The mean of the two middle samples, exactly: (0.1 + 0.2) / 2 == 0.15."""
    assert holds("median == 0.15", "quantitative", "0.1", "0.2")
    assert (0.1 + 0.2) / 2 != 0.15


def test_decimal_text_decides_not_the_float() -> None:
    """A value whose text is just above the threshold is above it, even when its float
    rounds to the threshold."""
    assert not holds("max <= 0.3", "quantitative", "0.30000000000000001")
    assert holds("max > 0.3", "quantitative", "0.30000000000000001")


# --- share of an unknown value ------------------------------------------------------------


def test_share_of_an_undeclared_unseen_value_is_no_verdict() -> None:
    """share(resolvd) on an enum declaring resolved/escalated: a typo, never 0% and a pass."""
    vals = [
        metric_value("m", v, "enum", options=("resolved", "escalated"))
        for v in ("resolved", "escalated", "resolved")
    ]
    got = aggregate(check("share(resolvd) <= 10%"), vals)
    assert got.observed is None
    assert got.reason == (
        "share(resolvd): 'resolvd' is not one of the declared options of 'm' "
        "('resolved', 'escalated') and no conversation has it; did you mean 'resolved'? "
        "values observed: 'escalated', 'resolved'; fix the value in the threshold"
    )


def test_share_of_a_declared_but_unseen_option_is_zero() -> None:
    """A declared option no conversation chose is a real 0%."""
    vals = [metric_value("m", "resolved", "enum", options=("resolved", "Escalated")) for _ in "ab"]
    got = aggregate(check("share(escalated) <= 10%"), vals)
    assert got.reason is None
    assert got.observed == 0.0


def test_share_without_declared_options_and_never_seen_is_no_verdict() -> None:
    """No options declared anywhere and the value was never observed: no verdict listing
    what was observed."""
    got = run("share(timeout) >= 50%", "enum", "resolved", "escalated")
    assert got.observed is None
    assert got.reason is not None
    assert "'timeout' is a value no conversation of 'm' has" in got.reason
    assert "values observed: 'escalated', 'resolved'" in got.reason
    seen = run("share(ESCALATED) >= 50%", "enum", "resolved", "escalated")
    assert seen.observed == 0.5


# --- huge finite values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "observed"),
    [
        ("mean <= 0", 0.0),
        ("median <= 0", 0.0),
        ("min <= 0", -1e308),
        ("max <= 0", 1e308),
        ("p90 <= 0", 1e308),
    ],
)
def test_huge_values_aggregate_without_overflow(expression: str, observed: float) -> None:
    """1e308 and -1e308 mixed: every aggregate is computed (exactly), none raises."""
    got = run(expression, "quantitative", "1e308", "-1e308", 1e308, -1e308)
    assert got.reason is None
    assert got.observed == observed


def test_mean_of_huge_values_is_exact() -> None:
    """The float sum of 1e308 + 1e308 overflows; the exact mean is 1e308."""
    got = run("mean >= 1e308", "quantitative", "1e308", "1e308", "1e308")
    assert got.observed == 1e308
    assert got.sd == 0.0


def test_huge_spread_with_confidence_is_no_verdict() -> None:
    """The spread of 1.7e308 and -1.7e308 does not fit a float: a mean check with
    confidence has no verdict saying so; without confidence the mean is still judged."""
    raws = ["1.7e308", "-1.7e308", "1.7e308", "-1.7e308"]
    with_ci = dataclasses.replace(check("mean >= 0"), confidence=0.95)
    got = aggregate(with_ci, values("quantitative", *raws))
    assert got.observed is None
    assert got.reason is not None
    assert "spread of 'm' (values up to 1.7e+308) is too large" in got.reason
    plain = run("mean >= 0", "quantitative", *raws)
    assert plain.reason is None
    assert plain.observed == 0.0
    assert plain.sd is None
