"""The spec file's structure as pydantic models: validation and the published JSON Schema.

These models describe the file as written (durations as ``"30m"``, ids as numbers or
strings, ``{file: ...}`` references). ``bluejay_gate.spec`` turns a validated file into the
frozen ``Spec`` the rest of the gate uses. Every key has a description and examples: they
become the JSON Schema editors show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictInt,
    StrictStr,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bluejay_gate.bluejay.models import AGENT_REQUEST_PROPERTIES, QUEUE_RUN_PROPERTIES
from bluejay_gate.model.durations import parse_duration, parse_share
from bluejay_gate.spec.statistics import (
    CONFIDENCE_DESCRIPTION,
    MAX_REPEATS_DESCRIPTION,
    REPEAT_DESCRIPTION,
    Confidence,
    EachRule,
)
from bluejay_gate.spec.thresholds import parse_expression

SUPPORTED_VERSIONS = (1,)
AGENT_TYPES = ("INBOUND", "OUTBOUND")  # OpenAPI AgentType
AGENT_MODES = ("VOICE", "TEXT")  # OpenAPI AgentMode
CONNECTION_TYPES = ("SMS", "HTTP_WEBHOOK", "PHONE", "SIP", "WEBSOCKET", "LIVEKIT", "PIPECAT")

# The spec accepts every AgentRequest property (apimodels keeps them, in document order);
# it writes ``external_agent_id`` as ``external_id``.
AGENT_REQUEST_FIELDS = AGENT_REQUEST_PROPERTIES

# Optional properties of the OpenAPI document's SimulationRunRequest the spec may set per
# simulation (``simulation_id`` and ``digital_human_ids`` have keys of their own).
QUEUE_OPTION_FIELDS = tuple(
    f for f in QUEUE_RUN_PROPERTIES if f not in {"simulation_id", "digital_human_ids"}
)

_FORBID = ConfigDict(extra="forbid")


def plain_type(value: Any) -> str:
    """A value's type in the words a spec author uses."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _id_value(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(  # noqa: TRY004 - pydantic reports only ValueError
            f"expected an id (a number or text), got {plain_type(value)}"
        )
    if isinstance(value, str) and not value.strip():
        raise ValueError("an id must not be empty")
    return value


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _expression(value: str) -> str:
    parse_expression(value)  # raises ValueError saying what is wrong
    return value


IdValue = Annotated[StrictInt | StrictStr, BeforeValidator(_id_value)]
NonEmptyStr = Annotated[str, AfterValidator(_non_empty)]
Expression = Annotated[
    str,
    AfterValidator(_expression),
    Field(
        description="A threshold expression: AGGREGATE OP NUMBER[%].",
        examples=["pass_rate >= 90%", "mean >= 7", "p95 <= 1500"],
    ),
]


class FileRef(BaseModel):
    """Text read from a file next to the spec."""

    model_config = _FORBID

    file: NonEmptyStr = Field(
        description="Path of a UTF-8 text file, relative to the spec file's folder.",
        examples=["prompts/support.md"],
    )


def _text_or_file(value: Any) -> Any:
    if value is None:
        raise ValueError("is empty: give the text, or {file: path}, or remove the key")
    if not isinstance(value, (str, dict)):
        raise ValueError(  # noqa: TRY004 - pydantic reports only ValueError
            f"expected text or {{file: path}}, got {plain_type(value)}"
        )
    return value


TextOrFile = Annotated[
    str | FileRef,
    Field(union_mode="left_to_right"),
    BeforeValidator(_text_or_file),
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
            "`score`); operators: >=, >, <=, <, ==, !=. Built-in metrics: goal_success, "
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


def _read_file_ref(value: str | FileRef, info: ValidationInfo) -> str | FileRef:
    if not isinstance(value, FileRef):
        return value
    base = info.context.get("base_dir") if isinstance(info.context, dict) else None
    if not isinstance(base, Path):
        return value
    path = base / value.file
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValueError(
            f"file {value.file!r} not found: the path is relative to the spec's folder"
        ) from None
    except IsADirectoryError:
        raise ValueError(f"{value.file!r} is a folder, not a file") from None
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"file {value.file!r} is not UTF-8 text (byte {exc.start}): save it as UTF-8"
        ) from None
    except OSError as exc:
        raise ValueError(f"cannot read file {value.file!r}: {exc.strerror}") from None


class AgentModel(BaseModel):
    """The agent under test: created when missing, updated when the spec differs."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"not": {"required": ["external_id", "id"]}}
    )

    external_id: IdValue | None = Field(
        default=None,
        description=(
            "Your stable id for the agent (Bluejay's external_agent_id): the create-or-update "
            "key. Recommended."
        ),
        examples=["support-bot"],
    )
    id: IdValue | None = Field(
        default=None,
        description=(
            "Bluejay's id of an existing agent: update exactly this one. Give external_id or "
            "id or neither (then the agent is matched by exact name)."
        ),
        examples=[1234],
    )
    name: NonEmptyStr = Field(description="Name of the agent.", examples=["Support Bot v2"])
    system_prompt: TextOrFile | None = Field(
        default=None,
        description=(
            "System prompt: the text, or {file: path} relative to the spec. Required to "
            "create an agent."
        ),
        examples=[{"file": "prompts/support.md"}, "You are a helpful support agent."],
    )
    knowledge_base: TextOrFile | None = Field(
        default=None,
        description=(
            "Knowledge base: the text, or {file: path} relative to the spec. Required to "
            "create an agent."
        ),
        examples=[{"file": "kb/faq.md"}],
    )
    goals: list[str] | None = Field(
        default=None,
        description="Goals of the agent. Required to create an agent.",
        examples=[["Resolve billing questions"]],
    )
    type: Literal["INBOUND", "OUTBOUND"] | None = Field(
        default=None,
        description="INBOUND: receives calls from customers. OUTBOUND: calls customers.",
        examples=["INBOUND"],
    )
    mode: Literal["VOICE", "TEXT"] | None = Field(
        default=None,
        description="Modality of the agent (Bluejay's default: VOICE).",
        examples=["VOICE"],
    )
    connection_type: (
        Literal["SMS", "HTTP_WEBHOOK", "PHONE", "SIP", "WEBSOCKET", "LIVEKIT", "PIPECAT"] | None
    ) = Field(default=None, description="How Bluejay reaches the agent.", examples=["PHONE"])
    phone_number: str | None = Field(
        default=None,
        description="Phone number of the agent (quote it, or use ${VAR}).",
        examples=["${SUPPORT_BOT_PHONE}", "+15551234567"],
    )
    bluejay_as_code_id: str | None = Field(
        default=None,
        description="Stable code-addressable identifier (a UUID).",
        examples=["0b6f3d1e-8c1a-4f5e-9d2b-7a4c3e2f1a00"],
    )
    keyterms: list[str] | None = Field(
        default=None, description="Key terms for the agent.", examples=[["refund", "invoice"]]
    )
    folder: str | None = Field(
        default=None, description="Folder to put the agent in.", examples=["Production"]
    )
    websocket_url: str | None = Field(
        default=None,
        description="WebSocket URL for real-time communication.",
        examples=["wss://agent.example.com/ws"],
    )
    websocket_username: str | None = Field(
        default=None, description="Username for WebSocket authentication.", examples=["bluejay"]
    )
    websocket_password: str | None = Field(
        default=None,
        description="Password for WebSocket authentication (use ${VAR}).",
        examples=["${AGENT_WS_PASSWORD}"],
    )
    sip_uri: str | None = Field(
        default=None, description="SIP URI for VoIP calls.", examples=["sip:support@example.com"]
    )
    sip_username: str | None = Field(
        default=None, description="Username for SIP authentication.", examples=["bluejay"]
    )
    sip_password: str | None = Field(
        default=None,
        description="Password for SIP authentication (use ${VAR}).",
        examples=["${AGENT_SIP_PASSWORD}"],
    )
    custom_sip_headers: dict[str, str] | None = Field(
        default=None,
        description="Custom headers for SIP requests (without the X- prefix).",
        examples=[{"Tenant": "acme"}],
    )
    redact_pii: bool | None = Field(
        default=None, description="Enable PII redaction.", examples=[True]
    )
    livekit_agent_name: str | None = Field(
        default=None, description="LiveKit agent name.", examples=["support-agent"]
    )
    livekit_metadata: dict[str, Any] | None = Field(
        default=None, description="LiveKit metadata.", examples=[{"tier": "gold"}]
    )
    livekit_customer_tool_topic: str | None = Field(
        default=None, description="LiveKit customer tool topic.", examples=["tools"]
    )
    pipecat_agent_name: str | None = Field(
        default=None, description="Pipecat agent name.", examples=["support-agent"]
    )
    pipecat_agent_configuration: dict[str, Any] | None = Field(
        default=None, description="Pipecat agent configuration.", examples=[{"voice": "alloy"}]
    )
    pipecat_room_properties: dict[str, Any] | None = Field(
        default=None, description="Pipecat room properties.", examples=[{"max_participants": 2}]
    )
    http_webhook: str | None = Field(
        default=None,
        description="HTTP webhook URL for text agent communication.",
        examples=["https://agent.example.com/chat"],
    )
    voice_provider: str | None = Field(
        default=None, description="Voice provider of the agent.", examples=["vapi"]
    )
    provider_id: str | None = Field(
        default=None, description="The agent's id at its voice provider.", examples=["asst_123"]
    )
    enable_outbound_call_auto_start: bool | None = Field(
        default=None,
        description="Start an outbound call automatically when a test result is READY.",
        examples=[True],
    )
    simulations_disabled: bool | None = Field(
        default=None, description="Disable simulations for this agent.", examples=[False]
    )

    @field_validator("system_prompt", "knowledge_base", "goals", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("is empty: give a value or remove the key")
        return value

    @field_validator("system_prompt", "knowledge_base")
    @classmethod
    def _resolve_file(
        cls, value: str | FileRef | None, info: ValidationInfo
    ) -> str | FileRef | None:
        return None if value is None else _read_file_ref(value, info)

    @model_validator(mode="after")
    def _one_key(self) -> AgentModel:
        if self.external_id is not None and self.id is not None:
            raise ValueError(
                "give `external_id` or `id`, not both: external_id to create-or-update, "
                "id to update exactly that agent"
            )
        return self


def _duration(value: Any) -> float:
    seconds = parse_duration(value)
    if seconds <= 0:
        raise ValueError(f"must be more than 0, got {value!r}")
    return seconds


def _share(value: Any) -> float:
    return parse_share(value)


_NUM = r"(\d+(\.\d*)?|\.\d+)"
_UNIT = r"([mM][sS]|[sSmMhH])"
_DURATION_PATTERN = rf"^\s*{_NUM}\s*({_UNIT}\s*({_NUM}\s*{_UNIT}\s*)*)?$"
Duration = Annotated[
    Annotated[str, Field(pattern=_DURATION_PATTERN)] | Annotated[float, Field(gt=0)],
    BeforeValidator(_duration),
]
Share = Annotated[
    Annotated[str, Field(pattern=r"^\s*(\d+(\.\d*)?|\.\d+)\s*%\s*$")]
    | Annotated[float, Field(ge=0, le=1)],
    BeforeValidator(_share),
]


class RunModel(BaseModel):
    """How the gate runs the simulations."""

    model_config = _FORBID

    timeout: Duration = Field(
        default=1800.0,
        description="Budget for the whole gate: 30s, 10m, 1.5h (a bare number is seconds).",
        examples=["30m"],
    )
    poll_interval: Duration = Field(
        default=10.0,
        description="Time between polls of a run (fractions allowed for local use: 0.2s).",
        examples=["10s"],
    )
    max_parallel: int = Field(
        default=10, ge=1, description="Simulation runs in flight at once.", examples=[10]
    )
    allow_incomplete: Share = Field(
        default=0.0,
        description=(
            "Share of conversations that may end not completed (5% or 0.05); more is no "
            "verdict (exit 3)."
        ),
        examples=["0%", "5%"],
    )
    repeat: int = Field(
        default=1,
        ge=1,
        description=REPEAT_DESCRIPTION + " Default for every simulation.",
        examples=[3],
    )
    max_repeats: int | None = Field(
        default=None,
        ge=1,
        description=MAX_REPEATS_DESCRIPTION + " Default for every simulation.",
        examples=[6],
    )
    confidence: Confidence | None = Field(
        default=None,
        description=CONFIDENCE_DESCRIPTION
        + " Applies to every check whose aggregate supports it; a check may override it.",
        examples=[0.95, "95%"],
    )


class SimulationModel(BaseModel):
    """One Bluejay simulation to run."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"anyOf": [{"required": ["id"]}, {"required": ["name"]}]}
    )

    id: IdValue | None = Field(
        default=None, description="Bluejay's id of the simulation.", examples=[4821]
    )
    name: NonEmptyStr | None = Field(
        default=None,
        description=(
            "Report label; without id, the agent's one simulation of this exact name. "
            "Default label: the simulation's name in Bluejay."
        ),
        examples=["Billing regressions"],
    )
    digital_human_ids: Annotated[list[IdValue], Field(min_length=1)] | None = Field(
        default=None,
        description="Run only these digital humans (default: all of the simulation's).",
        examples=[[12, 13]],
    )
    thresholds: Thresholds = Field(default_factory=dict)
    repeat: int | None = Field(
        default=None,
        ge=1,
        description=REPEAT_DESCRIPTION + " Overrides run.repeat.",
        examples=[3],
    )
    max_repeats: int | None = Field(
        default=None,
        ge=1,
        description=MAX_REPEATS_DESCRIPTION + " Overrides run.max_repeats.",
        examples=[6],
    )
    prompt_id: str | None = Field(
        default=None,
        description="Prompt UUID for this run.",
        examples=["6c1f9a52-1d2e-4b7a-9e0f-3a5b7c9d1e2f"],
    )
    knowledge_base_id: str | None = Field(
        default=None,
        description="Knowledge base UUID for this run.",
        examples=["8d2e0b63-2e3f-4c8b-8f10-4b6c8d0e2f3a"],
    )
    phone_number: str | None = Field(
        default=None,
        description="Phone number for this run (overrides the agent's).",
        examples=["${STAGING_PHONE}"],
    )
    sip_uri: str | None = Field(
        default=None,
        description="SIP URI for this run (overrides the agent's).",
        examples=["sip:staging@example.com"],
    )
    runs_per_digital_human: int | None = Field(
        default=None,
        gt=0,
        description="Conversations per digital human in this run.",
        examples=[3],
    )
    livekit_agent_name: str | None = Field(
        default=None, description="LiveKit agent name for this run.", examples=["support-agent"]
    )
    livekit_metadata: dict[str, Any] | None = Field(
        default=None, description="Metadata passed to the LiveKit room.", examples=[{"build": "42"}]
    )
    pipecat_agent_name: str | None = Field(
        default=None, description="Pipecat agent name for this run.", examples=["support-agent"]
    )
    pipecat_agent_configuration: dict[str, Any] | None = Field(
        default=None,
        description="Pipecat agent configuration for this run.",
        examples=[{"voice": "alloy"}],
    )
    pipecat_room_properties: dict[str, Any] | None = Field(
        default=None,
        description="Pipecat room properties for this run.",
        examples=[{"max_participants": 2}],
    )

    @model_validator(mode="after")
    def _id_or_name(self) -> SimulationModel:
        if self.id is None and self.name is None:
            raise ValueError("a simulation needs `id` or `name` (or both)")
        return self


class SpecModel(BaseModel):
    """A bluejay-gate spec (bluejay-gate.yml)."""

    model_config = ConfigDict(
        extra="forbid",
        title="bluejay-gate spec",
        json_schema_extra={
            "examples": [
                {
                    "version": 1,
                    "agent": {
                        "external_id": "support-bot",
                        "name": "Support Bot v2",
                        "system_prompt": {"file": "prompts/support.md"},
                        "knowledge_base": {"file": "kb/faq.md"},
                        "goals": ["Resolve billing questions"],
                    },
                    "run": {"timeout": "30m"},
                    "simulations": [{"id": 4821, "name": "Billing regressions"}],
                    "thresholds": {"goal_success": "pass_rate >= 80%", "score": "value >= 80"},
                }
            ]
        },
    )

    version: Literal[1] = Field(
        description="Version of the spec format. Supported: 1.", examples=[1]
    )
    agent: AgentModel = Field(
        description="The agent under test.",
        examples=[{"external_id": "support-bot", "name": "Support Bot v2", "type": "INBOUND"}],
    )
    run: RunModel = Field(
        default_factory=RunModel,
        description="How the gate runs (every key optional).",
        examples=[{"timeout": "30m", "poll_interval": "10s", "max_parallel": 10}],
    )
    simulations: list[SimulationModel] = Field(
        min_length=1,
        description="The simulations to run, at least one.",
        examples=[[{"id": 4821, "name": "Billing regressions"}, {"name": "Smoke test"}]],
    )
    thresholds: Thresholds = Field(default_factory=dict)


# Keys each part of the file accepts, for "did you mean" suggestions.
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "top level": tuple(SpecModel.model_fields),
    "agent": tuple(AgentModel.model_fields),
    "run": tuple(RunModel.model_fields),
    "simulation": tuple(SimulationModel.model_fields),
    "check": tuple(CheckModel.model_fields),
    "file reference": tuple(FileRef.model_fields),
}
