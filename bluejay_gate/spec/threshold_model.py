"""The ``thresholds:`` section as written: metric -> expression, list, or ``check:`` mapping.

Validation only: each expression must parse (``thresholds.parse_expression``), each mapping
has ``check:`` or ``each_digital_human:`` and valid options. The loader (``checks``) turns
the validated entries into ``Check`` objects with their lines; this module never does.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from bluejay_gate.spec.statistics import CONFIDENCE_DESCRIPTION, Confidence, EachRule
from bluejay_gate.spec.thresholds import parse_expression


def _expression(value: str) -> str:
    parse_expression(value)  # raises ValueError saying what is wrong
    return value


Expression = Annotated[
    str,
    AfterValidator(_expression),
    Field(
        description="A threshold expression: AGGREGATE OP NUMBER[%].",
        examples=["pass_rate >= 90%", "mean >= 7", "p95 <= 1500", "delta(pass_rate) >= -5%"],
    ),
]


class CheckModel(BaseModel):
    """One threshold with options: `check:` (or `each_digital_human:`) and its options."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [{"required": ["check"]}, {"required": ["each_digital_human"]}]
        },
    )

    check: Expression | None = Field(
        default=None,
        description="A threshold expression: AGGREGATE OP NUMBER[%].",
        examples=["pass_rate >= 90%", "mean >= 7", "p95 <= 1500"],
    )
    each_digital_human: EachRule | None = Field(
        default=None,
        description=(
            "Instead of `check`: a rule every digital human must meet over its own repeated "
            "conversations (see `repeat`), e.g. 'passes >= 2' with repeat: 3. Aggregates: "
            "passes, rate/pass_rate, fail_rate, fail_count."
        ),
        examples=["passes >= 2", "pass_rate >= 66%"],
    )
    confidence: Confidence | None = Field(
        default=None,
        description=CONFIDENCE_DESCRIPTION + " Overrides run.confidence for this check.",
        examples=[0.9, "99%"],
    )
    severity: Literal["error", "warn"] = Field(
        default="error",
        description=(
            "error (default): a failing check fails the gate. warn: any non-pass is a "
            "warning and never changes the exit code."
        ),
        examples=["warn"],
    )
    min_samples: int | None = Field(
        default=None,
        ge=1,
        description=(
            "Fewer applicable samples than this: no verdict (exit 3) for an error-severity "
            "check instead of a judgement on too little data."
        ),
        examples=[5],
    )

    @model_validator(mode="after")
    def _one_rule(self) -> CheckModel:
        if self.check is None and self.each_digital_human is None:
            raise ValueError(
                "missing required key `check`: give `check:` (a threshold on all "
                "conversations) or `each_digital_human:` (a rule for every digital human's "
                "own conversations)"
            )
        if self.check is not None and self.each_digital_human is not None:
            raise ValueError(
                "give `check:` or `each_digital_human:`, not both: write them as two entries "
                "of the metric's list"
            )
        return self


def _threshold_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "expression"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return None


_KIND_ERROR = (
    "expected an expression such as 'mean >= 7', a list of them, "
    "or a mapping with `check:` (and `severity:`, `min_samples:`)"
)
ThresholdItem = Annotated[
    Annotated[Expression, Tag("expression")] | Annotated[CheckModel, Tag("object")],
    Discriminator(
        _threshold_kind, custom_error_type="threshold_kind", custom_error_message=_KIND_ERROR
    ),
]
ThresholdValue = Annotated[
    Annotated[Expression, Tag("expression")]
    | Annotated[list[ThresholdItem], Tag("list")]
    | Annotated[CheckModel, Tag("object")],
    Discriminator(
        _threshold_kind, custom_error_type="threshold_kind", custom_error_message=_KIND_ERROR
    ),
]


def _none_is_empty(value: Any) -> Any:
    return {} if value is None else value


Thresholds = Annotated[
    dict[str, ThresholdValue],
    BeforeValidator(_none_is_empty),
    Field(
        description=(
            "Metric name (exactly as in Bluejay: case and spaces count; quote it) -> checks. "
            "A check is 'AGGREGATE OP NUMBER[%]'; aggregates: mean, median, min, max, pNN, "
            "rate/pass_rate, fail_rate, count, fail_count, share(VALUE), value (only on "
            "`score`), and delta(AGG) (AGG one of rate/pass_rate, fail_rate, share(VALUE), "
            "mean, median: this run's AGG minus the --baseline report's, e.g. "
            "'delta(pass_rate) >= -5%'; skipped without a baseline); operators: >=, >, <=, "
            "<, ==, !=. Built-in metrics: goal_success, "
            "hallucination, redundancy, avg_agent_latency, latency.p95_agent_latency (and "
            "avg/max/p50/p90/p99), num_turns, sentiment_score, pronunciation_score, "
            "agent_speak_percentage, custom_evals_success_rate, duration, score."
        ),
        examples=[
            {
                "Greeting compliance": "pass_rate >= 90%",
                "Empathy": ["mean >= 7", "min >= 4"],
                "score": "value >= 80",
                "Resolution": [
                    {"check": "share(resolved) >= 75%", "severity": "warn", "min_samples": 5}
                ],
            },
            {
                "goal_success": [
                    {"check": "pass_rate >= 80%", "confidence": 0.9},
                    {"each_digital_human": "passes >= 2"},
                ]
            },
        ],
    ),
]
