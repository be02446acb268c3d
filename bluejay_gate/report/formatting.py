"""Values as text, shared by every reporter: numbers, durations, timestamps, metric values,
and the clean-up of outside text (one line, truncated, no lone surrogates).

Pure functions over plain values; knows nothing of checks or verdicts (``wording`` puts
those into words) and adds no escaping (each reporter escapes for its own format).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from bluejay_gate.model.values import MetricValue

NOT_APPLICABLE = "N/A"
NO_VALUE = "—"
REASONING_LIMIT = 300  # characters of each judge's reasoning shown in JUnit and Markdown
ELLIPSIS = "…"

_SURROGATE = re.compile("[\ud800-\udfff]")


def format_number(value: float, *, percent: bool = False) -> str:
    """``0.85`` -> ``"85%"`` when ``percent``; ``7.0`` -> ``"7"``; ``6.25`` -> ``"6.25"``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if percent:
        return f"{_trim(f'{value * 100:.2f}')}%"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 1e15:  # 1e308 as "1e+308", not 309 digits
        return f"{value:.6g}"
    if abs(value) >= 1:
        return _trim(f"{value:.3f}")
    return f"{value:.4g}"


def _trim(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def metric_text(value: MetricValue | None) -> str:
    """A metric value as Bluejay sent it; ``N/A`` when not applicable."""
    if value is None:
        return NO_VALUE
    if not value.applicable:
        return NOT_APPLICABLE
    if value.raw is not None:
        return value.raw
    if value.value is None:
        return NOT_APPLICABLE
    if isinstance(value.value, bool):
        return "true" if value.value else "false"
    if isinstance(value.value, float):
        return format_number(value.value)
    return str(value.value)


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) into one space."""
    return " ".join(text.split())


def truncate(text: str, limit: int = REASONING_LIMIT) -> str:
    """At most ``limit`` characters, ending in ``…`` when cut: at the last space when
    there is one in the last third, so a word is not cut in two."""
    if len(text) <= limit:
        return text
    kept = text[: max(0, limit - 1)]
    space = kept.rfind(" ")
    if space >= (limit * 2) // 3:
        kept = kept[:space]
    return kept.rstrip(" ,;:") + ELLIPSIS


def reasoning_text(text: str | None, limit: int = REASONING_LIMIT) -> str | None:
    """A judge's reasoning for a report: one line, cut to ``limit``; ``None`` when empty."""
    if not text:
        return None
    line = one_line(text)
    return truncate(line, limit) if line else None


def scrub(text: str) -> str:
    """Replace lone surrogates (not encodable as UTF-8) with U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def iso(moment: datetime | None) -> str | None:
    """``2026-04-01T12:00:00Z`` (naive datetimes are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def format_duration(seconds: float | None) -> str | None:
    """``"3m 12s"``, ``"1h 02m"``, ``"4.2s"``."""
    if seconds is None:
        return None
    if seconds < 60:
        return f"{_trim(f'{seconds:.1f}')}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
