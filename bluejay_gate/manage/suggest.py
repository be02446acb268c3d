"""Threshold suggestions for ``pull``: what one custom metric scored in a finished run, and
a check in the spec's threshold language that the run would have passed.

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
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

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
