"""Shared wording: numbers, durations, timestamps, metric values, XML text cleaning."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bluejay_gate.model.values import MetricValue
from bluejay_gate.report import formatting as fmt
from bluejay_gate.report import wording, xmltext
from bluejay_gate.verdict.model import CheckResult, Outcome
from tests.helpers.verdicts import EMPATHY, GREETING, RESOLUTION, make_result


@pytest.mark.parametrize(
    ("value", "percent", "text"),
    [
        (7.0, False, "7"),
        (6.25, False, "6.25"),
        (1234.5678, False, "1234.568"),
        (0.000123456, False, "0.0001235"),
        (-0.0, False, "0"),
        (0.85, True, "85%"),
        (0.8333333, True, "83.33%"),
        (1.0, True, "100%"),
        (math.nan, False, "NaN"),
        (-math.inf, True, "-inf"),
    ],
)
def test_format_number(value: float, percent: bool, text: str) -> None:
    """Integers without decimals, at most 3 decimals, percentages with at most 2."""
    assert fmt.format_number(value, percent=percent) == text


def test_observed_expected_samples_interval() -> None:
    """Observed follows the check's % style; '—' without a value; N/A count in samples."""
    result = make_result(GREETING, Outcome.FAIL, 0.85, samples=20, not_applicable=3)
    assert wording.format_observed(result) == "85%"
    assert wording.format_expected(GREETING) == ">= 90%"
    assert wording.format_samples(result) == "20 (3 N/A)"
    assert wording.format_observed(make_result(EMPATHY, Outcome.NO_VERDICT, None)) == "—"
    with_interval = CheckResult(EMPATHY, Outcome.PASS, 8.0, 10, interval=(7.5, 8.5))
    assert wording.format_interval(with_interval) == "7.5 – 8.5"


def test_warn_severity_never_displays_as_fail() -> None:
    """A warn-severity check that failed or has no verdict is shown as a warning."""
    assert wording.display_outcome(make_result(RESOLUTION, Outcome.FAIL, 0.5)) is Outcome.WARN
    assert (
        wording.display_outcome(make_result(RESOLUTION, Outcome.NO_VERDICT, None)) is Outcome.WARN
    )
    assert wording.display_outcome(make_result(EMPATHY, Outcome.FAIL, 5.0)) is Outcome.FAIL


def test_empty_message_is_built_from_the_numbers() -> None:
    """A blank evaluator message is replaced by observed / n / threshold."""
    result = make_result(EMPATHY, Outcome.FAIL, 5.0, samples=4, message="  \n ")
    assert wording.check_message(result) == "observed 5 over 4 conversations, needs >= 7"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, None), (4.2, "4.2s"), (60.0, "1m 00s"), (192.4, "3m 12s"), (3725.0, "1h 02m")],
)
def test_format_duration(seconds: float | None, text: str | None) -> None:
    """Seconds below a minute, then minutes and seconds, then hours and minutes."""
    assert fmt.format_duration(seconds) == text


def test_iso_is_utc_with_z() -> None:
    """Aware times are converted to UTC; naive ones are taken as UTC."""
    plus_two = datetime(2026, 4, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert fmt.iso(plus_two) == "2026-04-01T12:00:00Z"
    assert fmt.iso(datetime(2026, 4, 1, 12, 0, 0, 500000)) == "2026-04-01T12:00:00.500000Z"
    assert fmt.iso(datetime(2026, 4, 1, tzinfo=UTC)) == "2026-04-01T00:00:00Z"
    assert fmt.iso(None) is None


@pytest.mark.parametrize(
    ("metric", "text"),
    [
        (MetricValue("m", "Pass", True, "pass_fail"), "Pass"),
        (MetricValue("m", None, True, "builtin_bool"), "true"),
        (MetricValue("m", None, 1250.5, "builtin_number"), "1250.5"),
        (MetricValue("m", "n/a", None, "pass_fail", applicable=False), "N/A"),
        (MetricValue("m", None, None, "quantitative"), "N/A"),
        (None, "—"),
    ],
)
def test_metric_text(metric: MetricValue | None, text: str) -> None:
    """Raw value as sent, built-ins from their value, N/A when not applicable."""
    assert fmt.metric_text(metric) == text


def test_truncate_and_one_line() -> None:
    """Truncation ends in an ellipsis within the limit; whitespace runs collapse."""
    assert fmt.truncate("abcdef", 4) == "abc…"
    assert fmt.truncate("abc", 4) == "abc"
    assert fmt.one_line(" a\n\tb  c ") == "a b c"


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("plain ascii", "plain ascii"),
        ("tab\tnl\ncr\r", "tab\tnl\ncr\r"),
        ("nul\x00bel\x07vt\x0bff\x0cesc\x1b", "nulbelvtffesc"),
        ("é😀\u202e", "é😀\u202e"),
        ("bad\ufffe\uffff\ud800\udfffend", "badend"),
    ],
)
def test_xml_clean(raw: str, cleaned: str) -> None:
    """Only characters XML 1.0 forbids are removed, on the ASCII fast path and the slow one."""
    assert xmltext.clean(raw) == cleaned


def test_xml_escaping() -> None:
    """Content escapes & and < and breaks ]]>; attributes also escape quotes and whitespace."""
    assert xmltext.text('a & b < c > d ]]> "e"') == 'a &amp; b &lt; c > d ]]&gt; "e"'
    assert xmltext.attr('x"y\nz\t<&') == "x&quot;y&#10;z&#9;&lt;&amp;"


def test_huge_numbers_are_short() -> None:
    """Values near the float limit print in exponent form, never as 309 digits."""
    from bluejay_gate.report.formatting import format_number as fmt

    assert fmt(1e308) == "1e+308"
    assert fmt(-1.7e308) == "-1.7e+308"
    assert fmt(123456789012345678.0) == "1.23457e+17"
    assert fmt(999999999999999.0) == "999999999999999"
