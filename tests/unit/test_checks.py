"""The threshold expression grammar."""

from __future__ import annotations

import pytest

from bluejay_gate.spec.thresholds import Aggregate, Op, parse_expression


@pytest.mark.parametrize(
    ("text", "aggregate", "op", "threshold"),
    [
        ("pass_rate >= 90%", Aggregate.RATE, Op.GE, 0.9),
        ("rate <= 0%", Aggregate.RATE, Op.LE, 0.0),
        ("mean>=7", Aggregate.MEAN, Op.GE, 7.0),
        ("p90 <= 1500", Aggregate.PERCENTILE, Op.LE, 1500.0),
        ("value >= 80", Aggregate.VALUE, Op.GE, 80.0),
        ("share(resolved) >= 75%", Aggregate.SHARE, Op.GE, 0.75),
        ("fail_count == 0", Aggregate.FAIL_COUNT, Op.EQ, 0.0),
        ("median != 3.5", Aggregate.MEDIAN, Op.NE, 3.5),
    ],
)
def test_parses_every_form(text: str, aggregate: Aggregate, op: Op, threshold: float) -> None:
    """Each aggregate and operator form parses into the right typed parts."""
    parsed = parse_expression(text)
    assert parsed.aggregate is aggregate
    assert parsed.op is op
    assert parsed.threshold == pytest.approx(threshold)


def test_percentile_and_share_arguments() -> None:
    """pNN keeps its NN and share keeps its value."""
    assert parse_expression("p95 < 2").percentile == 95
    assert parse_expression("share('Resolved') > 1%").share_value == "Resolved"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("foo >= 1", "unknown aggregate 'foo'"),
        ("mean => 3", "cannot read threshold"),
        ("share() > 1", "share needs a value"),
        ("p0 < 3", "percentiles go from p1 to p100"),
        ("mean(x) > 1", "only share(VALUE) takes an argument"),
    ],
)
def test_bad_expressions_say_why(text: str, fragment: str) -> None:
    """A bad expression raises ValueError whose message names the problem."""
    with pytest.raises(ValueError, match=None) as info:
        parse_expression(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "text", ["0.7%", "0.007%", "58%", "33.333%", "1e400%", "7", "0.58", "1e400"]
)
def test_exact_threshold_agrees_with_its_float(text: str) -> None:
    """The exact threshold comes from the text (divided by 100 for %); the float is that
    number correctly rounded, so a Check built from the two never disagrees."""
    from fractions import Fraction

    from bluejay_gate.spec.thresholds import Check

    p = parse_expression(f"mean >= {text}")
    number = Fraction(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    assert p.exact == number
    assert p.threshold == (float(number) if number < 10**308 else float("inf"))
    made = Check("m", p.aggregate, p.op, p.threshold, p.text, p.percent, exact=p.exact)
    assert made.exact_threshold == number
    if number < 10**308:
        with pytest.raises(ValueError, match="does not match"):
            Check("m", p.aggregate, p.op, p.threshold + 1, p.text, exact=p.exact)
