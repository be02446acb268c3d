"""The ``custom_metrics:`` section as written: the custom metrics the spec keeps in Bluejay.

Each entry is a metric by ``name`` with the fields of the OpenAPI document's
``CreateCustomMetricRequest`` (``METRIC_SPEC_PROPERTIES``: all but the agent links, which
the gate sets to the spec's agent); ``description`` and ``scoring_guidance`` may be
``{file: path}``. The section is a list, or ``{prune: true, items: [...]}`` to unlink the
agent's metrics the list does not name. Validation only: ``managed`` turns it into
``MetricSpec`` entries and checks what spans entries (names, enum options, min/max).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
)

from bluejay_gate.bluejay.fields import METRIC_SPEC_PROPERTIES
from bluejay_gate.spec.fields import NonEmptyStr, Number, drop_null, not_null, plain_type
from bluejay_gate.spec.file_refs import FileRef, TextOrFile, read_file_ref

# The document's enums (ResponseType of custom metrics, EvalRoute).
ResponseType = Literal["pass_fail", "yes_no", "qualitative", "quantitative", "json", "enum"]
EvalRoute = Literal["AUDIO", "TEXT", "AUTO"]
RESPONSE_TYPES: tuple[str, ...] = get_args(ResponseType)
EVAL_ROUTES: tuple[str, ...] = get_args(EvalRoute)
METRIC_FIELDS = METRIC_SPEC_PROPERTIES
TEXT_FIELDS = ("description", "scoring_guidance")  # may be {file: path}

_OPTIONAL = tuple(f for f in METRIC_FIELDS if f not in {"name", "description", "response_type"})


def _metric_schema(schema: dict[str, Any]) -> None:
    drop_null(_OPTIONAL)(schema)
    # An enum metric lists its options.
    enum = {"response_type": {"const": "enum"}}
    schema["if"] = {"required": ["response_type"], "properties": enum}
    schema["then"] = {"required": ["enum_options"], "properties": {"enum_options": {"minItems": 1}}}


class MetricModel(BaseModel):
    """A custom metric linked to the spec's agent: created when the agent has none of this
    name, updated when a field differs."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_metric_schema)

    name: NonEmptyStr = Field(
        description="Name of the metric: its identity within the agent, and the metric "
        "name thresholds use.",
        examples=["Resolution"],
    )
    response_type: ResponseType = Field(
        description=(
            "Type of response expected. It cannot change once the metric exists (that would "
            "re-score its history): the gate refuses a change."
        ),
        examples=["pass_fail", "quantitative"],
    )
    description: TextOrFile = Field(
        description="What the metric measures: the text, or {file: path} relative to the spec.",
        examples=[{"file": "metrics/resolution.md"}, "Was the customer's issue resolved?"],
    )
    scoring_guidance: TextOrFile | None = Field(
        default=None,
        description="How to score the metric: the text, or {file: path} relative to the spec.",
        examples=[{"file": "metrics/resolution-guidance.md"}, "Pass only when confirmed."],
    )
    min_value: Number | None = Field(
        default=None, description="Minimum value of a quantitative metric.", examples=[0]
    )
    max_value: Number | None = Field(
        default=None, description="Maximum value of a quantitative metric.", examples=[10]
    )
    enum_options: list[NonEmptyStr] | None = Field(
        default=None,
        description="The options of an enum metric (required, at least one, for enum).",
        examples=[["resolved", "escalated", "abandoned"]],
    )
    allow_not_applicable: bool | None = Field(
        default=None,
        description="Whether the metric may answer 'not applicable' (Bluejay's default: false).",
        examples=[True],
    )
    category: str | None = Field(
        default=None, description="Category for organizing metrics.", examples=["Support"]
    )
    tags: list[str] | None = Field(
        default=None, description="Tags for categorizing the metric.", examples=[["billing"]]
    )
    eval_route: EvalRoute | None = Field(
        default=None,
        description="Route for evaluating the metric (Bluejay's default: AUTO).",
        examples=["AUTO"],
    )
    model: str | None = Field(
        default=None, description="Model for text evaluation of the metric.", examples=["gpt-4o"]
    )
    audio_model: str | None = Field(
        default=None,
        description="Model for audio evaluation of the metric.",
        examples=["gpt-4o-audio-preview"],
    )
    temperature: Number | None = Field(
        default=None, description="Temperature for evaluating the metric.", examples=[0.2]
    )
    bluejay_as_code_id: str | None = Field(
        default=None,
        description="Stable code-addressable identifier (a UUID).",
        examples=["3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"],
    )

    @field_validator(*_OPTIONAL, mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return not_null(value)

    @field_validator(*TEXT_FIELDS)
    @classmethod
    def _resolve_file(
        cls, value: str | FileRef | None, info: ValidationInfo
    ) -> str | FileRef | None:
        return None if value is None else read_file_ref(value, info)


class MetricListModel(BaseModel):
    """``custom_metrics:`` as a mapping: the list under ``items`` and ``prune``."""

    model_config = ConfigDict(extra="forbid")

    prune: bool = Field(
        default=False,
        description=(
            "true: unlink from the agent every metric it has that `items` does not name. "
            "false (the default): only report them as drift. Nothing is ever deleted."
        ),
        examples=[True],
    )
    items: list[MetricModel] = Field(
        description="The metrics, as in the list form.",
        examples=[[{"name": "Resolution", "response_type": "pass_fail", "description": "..."}]],
    )


def _list_or_mapping(value: Any) -> Any:
    if not isinstance(value, (list, dict)):
        raise ValueError(  # noqa: TRY004 - pydantic reports only ValueError
            "expected a list of metrics (`- name: ...` lines) or a mapping "
            f"{{prune: true, items: [...]}}, got {plain_type(value)}"
        )
    return value


def _form(value: Any) -> str:
    return "list form" if isinstance(value, list) else "mapping form"


#: ``custom_metrics:``: a list of metrics, or ``{prune: ..., items: [...]}``.
MetricsSection = Annotated[
    Annotated[list[MetricModel], Tag("list form")]
    | Annotated[MetricListModel, Tag("mapping form")],
    Discriminator(_form),
    BeforeValidator(_list_or_mapping),
]
