"""Threshold suggestions for ``pull``: what one custom metric scored in a finished run, a
check in the spec's threshold language that the run would have passed, and the commented
block of them written under a simulation of the pulled spec.

Pure: no I/O. The rules (a suggestion is a starting point, so it rounds towards passing):

- ``pass_fail`` / ``yes_no``: ``pass_rate >= N%``, the observed rate rounded down to a
  multiple of 5%;
- ``quantitative``: ``mean >= N``, the observed mean rounded down to the values' scale
  (an integer when every value is one, else as many decimals as they have, at most 2);
- ``enum``: ``share(OPTION) >= N%`` for the most common option (ties: the first of the
  metric's ``enum_options``), rounded down to a multiple of 5%;
- ``qualitative`` / ``json``: not gated (text).

Not-applicable and unreadable values are counted and said, never part of the rate.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

from bluejay_gate.bluejay.setup_models import MetricRecord
from bluejay_gate.manage.pull_yaml import one_line, quoted_key
from bluejay_gate.model.values import MetricValue

RATE_STEP = 5  # percent: rates are suggested in steps of 5%
MAX_DECIMALS = 2
TEXT_TYPES = frozenset({"qualitative", "json"})
BOOLEAN_TYPES = frozenset({"pass_fail", "yes_no"})


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What was observed of one metric, and the check to suggest (``None``: none)."""

    metric: str
    observed: str  # e.g. "passed 8 of 10 (80%)"
    expression: str | None  # e.g. "pass_rate >= 80%"


def percent(part: int, whole: int) -> str:
    """``8, 10`` -> ``"80%"``; one decimal when it is not a whole percent."""
    share = Fraction(100 * part, whole)
    if share.denominator == 1:
        return f"{share.numerator}%"
    return f"{float(share):.1f}%"


def _rate_floor(part: int, whole: int) -> int:
    """The rate in percent, rounded down to a multiple of ``RATE_STEP``."""
    return (100 * part // whole) // RATE_STEP * RATE_STEP


def _number(value: Fraction | Decimal | float, decimals: int) -> str:
    text = f"{float(value):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _decimals(values: Sequence[MetricValue]) -> int:
    """How many decimals the values are written with (at most ``MAX_DECIMALS``)."""
    most = 0
    for v in values:
        exact = v.exact if v.exact is not None else Decimal(repr(float(v.value or 0)))
        exponent = exact.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            most = max(most, -exponent)
    return min(most, MAX_DECIMALS)


def _exact(value: MetricValue) -> Fraction:
    if value.exact is not None:
        return Fraction(value.exact)
    return Fraction(repr(float(value.value or 0)))


def _extras(not_applicable: int, unreadable: int) -> str:
    parts = []
    if not_applicable:
        parts.append(f"{not_applicable} not applicable")
    if unreadable:
        parts.append(f"{unreadable} unreadable")
    return f"; {', '.join(parts)}" if parts else ""


def suggest(
    metric: str,
    response_type: str | None,
    values: Sequence[MetricValue],
    enum_options: Sequence[str] = (),
) -> Suggestion:
    """The suggestion for ``metric`` from its values in one run's conversations."""
    kind = (response_type or "").strip().lower()
    if kind in TEXT_TYPES:
        return Suggestion(metric, "not gated (text)", None)
    unreadable = sum(1 for v in values if v.error is not None)
    not_applicable = sum(1 for v in values if v.error is None and not v.applicable)
    usable = [v for v in values if v.error is None and v.applicable and v.value is not None]
    extras = _extras(not_applicable, unreadable)
    if not usable:
        return Suggestion(metric, f"no values{extras or ' in this run'}", None)
    if kind in BOOLEAN_TYPES:
        passed = sum(1 for v in usable if v.value is True)
        word = "passed" if kind == "pass_fail" else "yes in"
        observed = f"{word} {passed} of {len(usable)} ({percent(passed, len(usable))}){extras}"
        return Suggestion(metric, observed, f"pass_rate >= {_rate_floor(passed, len(usable))}%")
    if kind == "quantitative":
        numbers = [v for v in usable if isinstance(v.value, float | int)]
        if not numbers:
            return Suggestion(metric, f"no numbers{extras}", None)
        exact = [_exact(v) for v in numbers]
        mean = sum(exact, Fraction(0)) / len(exact)
        decimals = _decimals(numbers)
        scale = 10**decimals
        floor = Fraction(math.floor(mean * scale), scale)
        observed = (
            f"mean {_number(mean, MAX_DECIMALS)} of {len(numbers)} values "
            f"(min {_number(min(exact), MAX_DECIMALS)}, max {_number(max(exact), MAX_DECIMALS)})"
            f"{extras}"
        )
        return Suggestion(metric, observed, f"mean >= {_number(floor, decimals)}")
    if kind == "enum":
        counts = Counter(str(v.value) for v in usable)
        order = {option: i for i, option in enumerate(enum_options)}
        top, count = min(
            counts.items(), key=lambda item: (-item[1], order.get(item[0], len(order)), item[0])
        )
        observed = f"{top} in {count} of {len(usable)} ({percent(count, len(usable))}){extras}"
        if any(c in top for c in "()'\"") or top != top.strip() or not top:
            return Suggestion(metric, observed, None)  # share(...) cannot name it
        return Suggestion(metric, observed, f"share({top}) >= {_rate_floor(count, len(usable))}%")
    return Suggestion(metric, f"not suggested (response type {response_type!r})", None)


@dataclass(frozen=True)
class RunObservation:
    """The latest completed run of a simulation, as read: its custom metrics' values."""

    run_id: str
    created_at: str | None
    conversations: int
    values: Mapping[str, tuple[MetricValue, ...]]  # metric name -> one value per conversation
    tests_passed: int | None = None
    total_tests: int | None = None


def _run_day(created_at: str | None) -> str:
    if not created_at:
        return "an unknown day"
    try:
        when = datetime.fromisoformat(created_at.strip())
    except ValueError:
        return created_at.strip()[:10] or "an unknown day"
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%d")


def suggestion_lines(
    sim_name: str, latest: RunObservation | None, metrics: Mapping[str, MetricRecord]
) -> list[str]:
    """The commented threshold suggestions under a simulation of the spec: what its latest
    completed run observed, and a ``# thresholds:`` block that, uncommented, is valid."""
    lines: list[str] = []
    if latest is None:
        return [
            f'    # No completed run of "{one_line(sim_name)}" yet: no threshold suggestions.',
            "    # Run it, then pull again (or write thresholds: by hand).",
        ]
    count = f"{latest.conversations} conversation{'s' if latest.conversations != 1 else ''}"
    lines.append(
        f'    # "{one_line(sim_name)}", run {latest.run_id} of {_run_day(latest.created_at)} '
        f"(its latest completed run): {count}"
    )
    if latest.total_tests and latest.tests_passed is not None:
        score = percent(latest.tests_passed, latest.total_tests).rstrip("%")
        lines.append(
            f"    # scored; Bluejay's score {score} ({latest.tests_passed} of "
            f"{latest.total_tests} tests passed)."
        )
    lines.append("    # Thresholds it would have passed: uncomment the ones to gate on.")
    if not metrics:
        lines.append("    # (the agent has no custom metrics)")
        return lines
    items: list[tuple[str, Suggestion]] = []
    for name, metric in metrics.items():
        options = metric.model_dump().get("enum_options") or []
        found = latest.values.get(name, ())
        items.append((name, suggest(name, metric.response_type, found, tuple(map(str, options)))))
    lines.append("    # thresholds:")
    rows = [(f"{quoted_key(n)}: {s.expression}", s) for n, s in items if s.expression]
    width = max((len(text) for text, _ in rows), default=0)
    for name, suggestion in items:
        if suggestion.expression is None:
            lines.append(f"    #   # {quoted_key(name)}: {one_line(suggestion.observed)}")
            continue
        text = f"{quoted_key(name)}: {suggestion.expression}"
        lines.append(f"    #   {text.ljust(width)}  # {one_line(suggestion.observed)}")
    return lines
