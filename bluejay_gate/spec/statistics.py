"""Spec value types for repeats, confidence and per-digital-human rules.

Plain annotated types with their validation, descriptions and examples, shared by the
``run:``, simulation and threshold models and shown in the JSON Schema. What the values
mean when judging lives in ``bluejay_gate.verdict`` (stats, confidence, repeats); this
module only checks how they are written.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from bluejay_gate.model.durations import parse_share
from bluejay_gate.spec.thresholds import parse_each

CONFIDENCE_HELP = "write a level above 50% and below 100%, e.g. 0.95 or 95%"


def _confidence(value: Any) -> float:
    level = parse_share(value)  # "95%" or 0.95; says what is wrong otherwise
    if not 0.5 < level < 1:
        raise ValueError(f"confidence {value!r} is out of range: {CONFIDENCE_HELP}")
    return level


def _each(value: str) -> str:
    parse_each(value)  # raises ValueError saying what is wrong
    return value


Confidence = Annotated[
    Annotated[str, Field(pattern=r"^\s*(\d+(\.\d*)?|\.\d+)\s*%\s*$")]
    | Annotated[float, Field(gt=0.5, lt=1)],
    BeforeValidator(_confidence),
]

CONFIDENCE_DESCRIPTION = (
    "Judge the check on a two-sided confidence interval instead of the point estimate "
    "(Wilson for rate/pass_rate, fail_rate and share(VALUE); Student t for mean; for "
    "delta(AGG), Newcombe for the rates and Welch for mean): pass when "
    "the whole interval meets the threshold, fail when none of it does, otherwise "
    "inconclusive (exit 3, with an estimate of how many more conversations would settle "
    "it). More than 50% and less than 100%."
)

EachRule = Annotated[
    str,
    AfterValidator(_each),
    Field(
        description=(
            "A rule every digital human must meet over its own repeated conversations: "
            "AGGREGATE OP NUMBER[%] with passes (number of passing conversations), "
            "rate/pass_rate, fail_rate or fail_count, on a pass/fail or yes/no metric. "
            "Fails naming the digital humans that do not meet it."
        ),
        examples=["passes >= 2", "pass_rate >= 66%", "fail_count <= 1"],
    ),
]

REPEAT_DESCRIPTION = (
    "Conversations per digital human (queued as runs_per_digital_human). Each keeps its "
    "digital human, so reports show which digital humans flip between pass and fail."
)
MAX_REPEATS_DESCRIPTION = (
    "Early stopping: after the first `repeat` conversations per digital human, queue one "
    "more per digital human while an error-severity check with confidence is inconclusive, "
    "up to this many. The error rate (1 - confidence) is split evenly over the planned "
    "looks (Bonferroni), so stopping early keeps the stated level. At least `repeat`."
)
