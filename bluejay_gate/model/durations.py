"""Durations (``30s``, ``10m``, ``1.5h``, ``1h30m``, ``7d``) and shares (``5%``, ``0.05``) as
written in the spec and on the command line. Pure; errors are ``ValueError`` with a message that
says what was given and what is accepted.
"""

from __future__ import annotations

import math
import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_PART = re.compile(rf"({_NUMBER})\s*(ms|s|m|h|d)", re.IGNORECASE)
_WHOLE = re.compile(rf"^\s*(?:{_NUMBER}\s*(?:ms|s|m|h|d)\s*)+$", re.IGNORECASE)
_BARE = re.compile(rf"^\s*{_NUMBER}\s*$")
_DURATION_HELP = (
    "write a number with a unit: 30s, 10m, 1.5h, 1h30m, 250ms, 7d (a bare number is seconds)"
)


def parse_duration(text: str | int | float) -> float:
    """Seconds in ``text``: ``"30s"`` -> 30.0, ``"1.5h"`` -> 5400.0, ``12`` -> 12.0.

    Raises ``ValueError`` for anything else, including negative, infinite or NaN values.
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ValueError(  # noqa: TRY004 - the documented contract is ValueError
            f"expected a duration, got {text!r}: {_DURATION_HELP}"
        )
    if isinstance(text, (int, float)):
        seconds = float(text)
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"duration {text!r} must be a finite number of seconds >= 0")
        return seconds
    if _BARE.match(text):
        return float(text)
    if not _WHOLE.match(text):
        raise ValueError(f"cannot read duration {text!r}: {_DURATION_HELP}")
    seconds = 0.0
    for number, unit in _PART.findall(text):
        seconds += float(number) * _UNITS[unit.lower()]
    if not math.isfinite(seconds):
        raise ValueError(f"duration {text!r} is too large")
    return seconds


def format_duration(seconds: float) -> str:
    """``5400.0`` -> ``"1.5h"``, ``90`` -> ``"90s"``, ``0.2`` -> ``"0.2s"``: for messages."""
    for unit, size in (("h", 3600.0), ("m", 60.0)):
        if seconds >= size and (seconds / size * 10).is_integer():
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def parse_share(value: str | int | float) -> float:
    """A share between 0 and 1: ``"5%"`` -> 0.05, ``0.05`` -> 0.05, ``"0.05"`` -> 0.05.

    A number without ``%`` is a fraction, so ``5`` is an error (did you mean ``5%``?).
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(  # noqa: TRY004 - the documented contract is ValueError
            f"expected a percentage such as 5% or a fraction such as 0.05, got {value!r}"
        )
    percent = False
    number: float
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            percent = True
            text = text[:-1].strip()
        if not _BARE.match(text):
            raise ValueError(
                f"cannot read {value!r}: write a percentage such as 5% or a fraction such as 0.05"
            )
        number = float(text)
    else:
        number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{value!r} must be between 0% and 100%")
    if percent:
        if number > 100:
            raise ValueError(f"{value!r} must be between 0% and 100%")
        return number / 100.0
    if number > 1:
        raise ValueError(
            f"{value!r} is more than 1 as a fraction: write {number:g}% if you mean percent"
        )
    return number
