"""Durations and shares as written in the spec and on the command line."""

from __future__ import annotations

import pytest

from bluejay_gate.model.durations import format_duration, parse_duration, parse_share


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("10m", 600.0),
        ("1.5h", 5400.0),
        ("0.2s", 0.2),
        ("250ms", 0.25),
        ("1h30m", 5400.0),
        ("1m 30s", 90.0),
        ("2H", 7200.0),
        ("7d", 604800.0),
        ("1d12h", 129600.0),
        (" 45 s ", 45.0),
        (".5s", 0.5),
        ("12", 12.0),
        ("0", 0.0),
        (12, 12.0),
        (0.75, 0.75),
    ],
)
def test_parse_duration(text: str | float, seconds: float) -> None:
    """Units s, m, h, d, ms, compound forms and bare numbers (seconds) all parse."""
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("30 minutes", "cannot read duration '30 minutes'"),
        ("", "cannot read duration ''"),
        ("m", "cannot read duration 'm'"),
        ("1h30", "cannot read duration '1h30'"),
        ("-5s", "cannot read duration '-5s'"),
        (-1, "duration -1 must be a finite number of seconds >= 0"),
        (float("inf"), "must be a finite number"),
        (float("nan"), "must be a finite number"),
        (True, "expected a duration, got True"),
        (None, "expected a duration, got None"),
    ],
)
def test_parse_duration_errors(text: object, fragment: str) -> None:
    """Anything else is a ValueError whose message shows the accepted forms."""
    with pytest.raises(ValueError, match="duration") as info:
        parse_duration(text)  # type: ignore[arg-type]
    assert fragment in str(info.value)


def test_duration_help_lists_the_forms() -> None:
    """The error says how to write a duration."""
    with pytest.raises(ValueError, match=r"30s, 10m, 1\.5h") as info:
        parse_duration("soon")
    assert "a bare number is seconds" in str(info.value)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(5400.0, "1.5h"), (600.0, "10m"), (90.0, "1.5m"), (0.2, "0.2s"), (7.0, "7s")],
)
def test_format_duration(seconds: float, text: str) -> None:
    """Durations print in the largest whole-ish unit."""
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("value", "share"),
    [
        ("5%", 0.05),
        ("0%", 0.0),
        ("100%", 1.0),
        ("12.5 %", 0.125),
        (0.05, 0.05),
        (1, 1.0),
        ("0.2", 0.2),
        (0, 0.0),
    ],
)
def test_parse_share(value: str | float, share: float) -> None:
    """Percentages divide by 100; bare numbers are fractions from 0 to 1."""
    assert parse_share(value) == pytest.approx(share)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (5, "5 is more than 1 as a fraction: write 5% if you mean percent"),
        ("150%", "'150%' must be between 0% and 100%"),
        (-0.1, "must be between 0% and 100%"),
        ("five", "cannot read 'five'"),
        ("%", "cannot read '%'"),
        (False, "expected a percentage"),
        ([5], "expected a percentage"),
    ],
)
def test_parse_share_errors(value: object, fragment: str) -> None:
    """Out-of-range or unreadable shares say what to write instead."""
    with pytest.raises(ValueError, match=r".") as info:
        parse_share(value)  # type: ignore[arg-type]
    assert fragment in str(info.value)
