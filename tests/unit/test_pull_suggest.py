"""pull's threshold suggestions: what a metric scored in one run, and a check it passed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bluejay_gate.manage.suggest import percent, suggest
from bluejay_gate.model.values import MetricValue
from bluejay_gate.spec.thresholds import parse_expression


def boolean(name: str, *passes: bool, response_type: str = "pass_fail") -> list[MetricValue]:
    return [MetricValue(name, str(p), p, response_type) for p in passes]


def number(name: str, *values: str) -> list[MetricValue]:
    return [MetricValue(name, v, float(v), "quantitative", exact=Decimal(v)) for v in values]


def option(name: str, *values: str) -> list[MetricValue]:
    return [MetricValue(name, v, v, "enum") for v in values]


def test_pass_rate_is_rounded_down_to_five_percent() -> None:
    """8 of 11 passed (72.7%): pass_rate >= 70%, and the observation says 8 of 11."""
    s = suggest("Resolution", "pass_fail", boolean("Resolution", *[True] * 8, *[False] * 3))
    assert s.observed == "passed 8 of 11 (72.7%)"
    assert s.expression == "pass_rate >= 70%"


def test_a_whole_rate_on_a_step_stays() -> None:
    s = suggest("Greeting", "pass_fail", boolean("Greeting", *[True] * 8, *[False] * 2))
    assert (s.observed, s.expression) == ("passed 8 of 10 (80%)", "pass_rate >= 80%")


def test_yes_no_says_yes() -> None:
    values = boolean("Verified", True, True, False, response_type="yes_no")
    s = suggest("Verified", "yes_no", values)
    assert s.observed == "yes in 2 of 3 (66.7%)"
    assert s.expression == "pass_rate >= 65%"


def test_not_applicable_and_unreadable_are_counted_not_rated() -> None:
    values = [
        *boolean("R", True, False),
        MetricValue("R", "Not Applicable", None, "pass_fail", applicable=False),
        MetricValue("R", "maybe", None, "pass_fail", error="not pass or fail"),
    ]
    s = suggest("R", "pass_fail", values)
    assert s.observed == "passed 1 of 2 (50%); 1 not applicable, 1 unreadable"
    assert s.expression == "pass_rate >= 50%"


def test_integer_means_round_down_to_an_integer() -> None:
    s = suggest("Empathy", "quantitative", number("Empathy", "7", "8", "8", "6"))
    assert s.observed == "mean 7.25 of 4 values (min 6, max 8)"
    assert s.expression == "mean >= 7"


def test_decimal_means_keep_the_values_scale() -> None:
    """Values with one decimal: the mean 0.8666 is suggested as 0.8, not 0 or 0.86."""
    s = suggest("Score", "quantitative", number("Score", "0.9", "0.8", "0.9"))
    assert s.expression == "mean >= 0.8"
    assert s.observed.startswith("mean 0.87 of 3 values")


def test_negative_means_round_down() -> None:
    s = suggest("Delta", "quantitative", number("Delta", "-1", "-2"))
    assert s.expression == "mean >= -2"


def test_enum_suggests_the_most_common_options_share() -> None:
    s = suggest(
        "Outcome",
        "enum",
        option("Outcome", "resolved", "resolved", "escalated", "resolved"),
        ("resolved", "escalated"),
    )
    assert s.observed == "resolved in 3 of 4 (75%)"
    assert s.expression == "share(resolved) >= 75%"


def test_enum_tie_takes_the_first_option_of_the_metric() -> None:
    s = suggest("Outcome", "enum", option("Outcome", "b", "a"), ("b", "a"))
    assert s.expression == "share(b) >= 50%"


def test_enum_option_with_parentheses_is_observed_not_suggested() -> None:
    s = suggest("Outcome", "enum", option("Outcome", "done (ok)"))
    assert s.observed == "done (ok) in 1 of 1 (100%)"
    assert s.expression is None


@pytest.mark.parametrize("kind", ["qualitative", "json"])
def test_text_metrics_are_not_gated(kind: str) -> None:
    s = suggest("Notes", kind, [MetricValue("Notes", "fine", "fine", kind)])
    assert (s.observed, s.expression) == ("not gated (text)", None)


def test_no_values_says_so() -> None:
    s = suggest("Empathy", "quantitative", [])
    assert (s.observed, s.expression) == ("no values in this run", None)


def test_unknown_type_is_not_suggested() -> None:
    s = suggest("X", "tool_call", boolean("X", True))
    assert s.expression is None
    assert "tool_call" in s.observed


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (boolean("R", True, False, True), "pass_fail"),
        (number("E", "7.5", "9"), "quantitative"),
        (option("O", "resolved", "escalated"), "enum"),
    ],
)
def test_every_suggestion_is_in_the_threshold_grammar(values: list[MetricValue], kind: str) -> None:
    """The spec's own parser reads each suggestion."""
    s = suggest("M", kind, values)
    assert s.expression is not None
    parsed = parse_expression(s.expression)
    assert parsed.text == s.expression


def test_percent_shows_one_decimal_only_when_needed() -> None:
    assert percent(1, 2) == "50%"
    assert percent(1, 3) == "33.3%"
    assert percent(0, 7) == "0%"
