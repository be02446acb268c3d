"""The evaluator's message texts: numbers and percentages as the reports show them, a
check's observed-versus-needed line, the confidence-interval explanation. Pure; decides
nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from bluejay_gate.spec.thresholds import Check
from bluejay_gate.verdict.aggregate import RATIO_AGGREGATES, AggregateResult
from bluejay_gate.verdict.confidence import Judgement
from bluejay_gate.verdict.stats import Decision

_SHOWN_IDS = 5
# A number with ``%`` at the end of a threshold expression (to rewrite it on another scale).
PERCENT_AT_END = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*%\s*$")


def percent_text(share: float, *, decimals: int = 2, keep_one: bool = False) -> str:
    """``0.85`` -> ``"85%"`` (``"85.0%"`` with ``keep_one``); ``2/3`` -> ``"66.67%"``."""
    text = f"{share * 100:.{decimals}f}".rstrip("0").rstrip(".")
    if keep_one and "." not in text:
        text += ".0"
    return f"{text}%"


def number_text(value: float) -> str:
    """``1500.0`` -> ``"1500"``, ``7.3333`` -> ``"7.333"``, ``0.01234`` -> ``"0.01234"``,
    ``1e308`` -> ``"1e+308"``."""
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 1e15:
        return f"{value:.6g}"
    if abs(value) >= 1:
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return f"{value:.4g}"


def ids_text(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_SHOWN_IDS])
    return shown + (f" and {len(ids) - _SHOWN_IDS} more" if len(ids) > _SHOWN_IDS else "")


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def observed_text(check: Check, observed: float) -> str:
    return percent_text(observed, keep_one=True) if check.percent else number_text(observed)


def needs_text(check: Check) -> str:
    threshold = percent_text(check.threshold) if check.percent else number_text(check.threshold)
    return f"{check.op.value} {threshold}"


def describe(check: Check, agg: AggregateResult) -> str:
    """``observed 85.0% (17/20) over 20 conversations (3 not applicable), needs >= 90%``."""
    assert agg.observed is not None
    ratio = f" ({agg.matched}/{agg.samples})" if check.aggregate in RATIO_AGGREGATES else ""
    na = f" ({agg.not_applicable} not applicable)" if agg.not_applicable else ""
    return (
        f"observed {observed_text(check, agg.observed)}{ratio} over "
        f"{plural(agg.samples, 'conversation')}{na}, needs {needs_text(check)}"
    )


def value_text(check: Check, value: float) -> str:
    return percent_text(value) if check.percent else number_text(value)


def signed_text(check: Check, value: float) -> str:
    """A change: ``+3.5%``, ``-0.5``, ``0``."""
    text = value_text(check, value)
    return f"+{text}" if value > 0 else text


def judged_text(
    check: Check,
    agg: AggregateResult,
    j: Judgement,
    looks: int,
    *,
    base: str | None = None,
    estimate: str | None = None,
    unsettled: str | None = None,
) -> str:
    """The point-estimate description plus the interval and what it means; ``base`` and
    ``estimate`` (the observed value in words) and ``unsettled`` (why more conversations
    would not help) replace the plain check's."""
    base = describe(check, agg) if base is None else base
    split = (
        f" ({percent_text(check.confidence or 0)} split over {looks} looks)" if looks > 1 else ""
    )
    level = f"{percent_text(j.level)} interval{split}"
    threshold = value_text(check, check.threshold)
    if j.interval is None:
        return (
            f"inconclusive: {base}; a mean over one sample has no {level}: about "
            f"{j.more_needed or 1} more conversation would give one"
        )
    shown = f"{value_text(check, j.interval.low)} – {value_text(check, j.interval.high)}"
    if j.decision is Decision.PASS:
        return f"{base}; {level} {shown}, all of it {check.op.value} {threshold}"
    if j.decision is Decision.FAIL:
        return f"{base}; {level} {shown}, none of it {check.op.value} {threshold}"
    if j.more_needed is None:
        hint = unsettled or (
            "the estimate sits at the threshold, so more conversations are unlikely to settle it"
        )
    else:
        if estimate is None:
            estimate = observed_text(check, agg.observed or 0.0)
        hint = (
            f"about {plural(j.more_needed, 'more conversation')} at the observed "
            f"{estimate} would likely settle it"
        )
    return f"inconclusive: {base}; {level} {shown} straddles {threshold}: {hint}"
