"""Request bodies the emulator accepts, mirroring the OpenAPI document's schemas.

Validated with pydantic in lax mode exactly as FastAPI does, so the 422 errors have the
same ``type``/``loc``/``msg`` as Bluejay's. A unit test checks each model's fields and
required set against the document. Unknown fields are ignored, as FastAPI does (the
document does not forbid them). The digital-human bodies are ``human_bodies``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class AgentType(StrEnum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class AgentMode(StrEnum):
    VOICE = "VOICE"
    TEXT = "TEXT"


class ConnectionType(StrEnum):
    SMS = "SMS"
    HTTP_WEBHOOK = "HTTP_WEBHOOK"
    PHONE = "PHONE"
    SIP = "SIP"
    WEBSOCKET = "WEBSOCKET"
    LIVEKIT = "LIVEKIT"
    PIPECAT = "PIPECAT"


class ResponseType(StrEnum):
    PASS_FAIL = "pass_fail"  # noqa: S105 - a response type, not a password
    YES_NO = "yes_no"
    QUALITATIVE = "qualitative"
    QUANTITATIVE = "quantitative"
    JSON = "json"
    ENUM = "enum"


class EvalRoute(StrEnum):
    AUDIO = "AUDIO"
    TEXT = "TEXT"
    AUTO = "AUTO"


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _AgentFields(Body):
    """Optional agent fields shared by create and both updates."""

    phone_number: str | None = None
    connection_type: ConnectionType | None = None
    keyterms: list[str] | None = None
    folder: str | None = None
    websocket_url: str | None = None
    websocket_username: str | None = None
    websocket_password: str | None = None
    sip_uri: str | None = None
    sip_username: str | None = None
    sip_password: str | None = None
    custom_sip_headers: dict[str, str] | None = None
    livekit_agent_name: str | None = None
    livekit_metadata: dict[str, Any] | None = None
    livekit_customer_tool_topic: str | None = None
    pipecat_agent_name: str | None = None
    pipecat_agent_configuration: dict[str, Any] | None = None
    pipecat_room_properties: dict[str, Any] | None = None
    http_webhook: str | None = None
    voice_provider: str | None = None
    provider_id: str | None = None
    enable_outbound_call_auto_start: bool | None = None


class AgentRequest(_AgentFields):
    """``POST /v1/add-agent``."""

    bluejay_as_code_id: UUID | None = None  # format: uuid
    name: str
    system_prompt: str
    knowledge_base: str
    goals: list[str]
    type: AgentType | None = AgentType.INBOUND
    mode: AgentMode | None = AgentMode.VOICE
    external_agent_id: str | None = None
    redact_pii: bool | None = False
    simulations_disabled: bool | None = False


class _AgentUpdateFields(_AgentFields):
    name: str | None = None
    system_prompt: str | None = None
    knowledge_base: str | None = None
    goals: list[str] | None = None
    type: AgentType | None = None
    mode: AgentMode | None = None
    redact_pii: bool | None = None
    simulations_disabled: bool | None = None


class AgentUpdateRequest(_AgentUpdateFields):
    """``POST /v1/update-agent``: ``agent_id`` is a string here."""

    bluejay_as_code_id: UUID | None = None  # format: uuid
    agent_id: str | None
    external_agent_id: str | None = None


class AgentUpdateWithExternalIdRequest(_AgentUpdateFields):
    """``PUT /v1/update-agent-by-external-id``."""

    external_agent_id: str


class LessonAgentRequest(Body):
    """``POST /v1/agents`` (the lesson's REST view; not in the document)."""

    name: str
    description: str = ""
    type: AgentType = AgentType.INBOUND
    mode: AgentMode = AgentMode.VOICE
    external_agent_id: str | None = None
    knowledge_base: str = ""
    goals: list[str] = Field(default_factory=list)


class SimulationRequest(Body):
    """``POST /v1/create-simulation``: ``agent_id`` is a string here."""

    agent_id: str
    name: str | None = None
    description: str | None = None
    prompt_id: UUID | None = None  # format: uuid
    knowledge_base_id: UUID | None = None  # format: uuid
    sequential_calling: bool | None = False
    max_concurrent: int | None = Field(default=None, gt=0, le=500)
    hangup_on_transfer: bool | None = False
    max_call_duration: int | None = 10
    max_call_duration_units: Literal["minutes", "seconds"] | None = "minutes"
    ringing_timeout: int | None = 300
    digital_humans_settings: dict[str, Any] | None = None
    selected_custom_metrics: list[str] | None = None
    custom_metrics_failing_threshold: int | None = Field(default=None, ge=0, le=100)
    custom_metrics_passing_threshold: int | None = Field(default=None, ge=0, le=100)
    runs_per_digital_human: int | None = Field(default=None, gt=0)
    always_on: bool | None = False


class LessonSimulationRequest(Body):
    """``POST /v1/simulations`` (lesson): ``agent_id`` as int or string."""

    agent_id: int | str
    name: str
    description: str | None = None
    digital_human_ids: list[int] | None = None


class UpdateSimulationRequest(Body):
    """``PUT /v1/simulation/{simulation_id}``."""

    bluejay_as_code_id: UUID | None = None  # format: uuid
    name: str | None = None
    description: str | None = None
    prompt_id: UUID | None = None  # format: uuid
    knowledge_base_id: UUID | None = None  # format: uuid
    max_concurrent: int | None = Field(default=None, gt=0, le=500)
    hangup_on_transfer: bool | None = None
    max_call_duration: int | None = None
    max_call_duration_units: Literal["minutes", "seconds"] | None = None
    max_turns: int | None = None
    ringing_timeout: int | None = None
    digital_humans_settings: dict[str, Any] | None = None
    selected_custom_metrics: list[str] | None = None
    custom_metrics_failing_threshold: int | None = Field(default=None, ge=0, le=100)
    custom_metrics_passing_threshold: int | None = Field(default=None, ge=0, le=100)
    outcome_failing_threshold: int | None = Field(default=None, ge=0, le=99)
    outcome_passing_threshold: int | None = Field(default=None, ge=1, le=100)
    runs_per_digital_human: int | None = Field(default=None, gt=0)
    tags: list[str] | None = None
    pinned: bool | None = None


class AddDigitalHumansToSimulationRequest(Body):
    digital_human_ids: list[int]


class SimulationRunRequest(Body):
    """``POST /v1/queue-simulation-run``: ``simulation_id`` must be a string."""

    simulation_id: str
    prompt_id: UUID | None = None  # format: uuid
    knowledge_base_id: UUID | None = None  # format: uuid
    digital_human_ids: list[str] | None = None
    phone_number: str | None = None
    sip_uri: str | None = None
    livekit_agent_name: str | None = None
    livekit_metadata: dict[str, Any] | None = None
    pipecat_agent_name: str | None = None
    pipecat_agent_configuration: dict[str, Any] | None = None
    pipecat_room_properties: dict[str, Any] | None = None
    runs_per_digital_human: int | None = Field(default=None, gt=0)


class LessonRunRequest(Body):
    """``POST /v1/simulations/{id}/run`` (lesson): every field optional."""

    digital_human_ids: list[int | str] | None = None
    runs_per_digital_human: int | None = Field(default=None, gt=0)


class EndConversationsRequest(Body):
    test_result_ids: list[int] = Field(min_length=1)


class CreateCustomMetricRequest(Body):
    bluejay_as_code_id: UUID | None = None  # format: uuid
    agent_id: int | None = None
    agent_ids: list[int] | None = None
    name: str
    description: str
    response_type: ResponseType
    min_value: float | None = None
    max_value: float | None = None
    category: str | None = None
    tags: list[str] | None = None
    scoring_guidance: str | None = None
    eval_route: EvalRoute | None = EvalRoute.AUTO
    model: str | None = None
    audio_model: str | None = None
    temperature: float | None = None
    enum_options: list[str] | None = None
    allow_not_applicable: bool = False


class UpdateCustomMetricRequest(Body):
    bluejay_as_code_id: str | None = None
    name: str | None = None
    description: str | None = None
    response_type: ResponseType | None = None
    agent_ids: list[int] | None = None
    min_value: float | None = None
    max_value: float | None = None
    category: str | None = None
    tags: list[str] | None = None
    scoring_guidance: str | None = None
    eval_route: EvalRoute | None = EvalRoute.AUTO
    model: str | None = None
    audio_model: str | None = None
    temperature: float | None = None
    enum_options: list[str] | None = None
    allow_not_applicable: bool | None = None


class Participant(Body):
    role: Literal["AGENT", "USER"]
    spoke_first: bool | None = None
    name: str | None = None
    phone_number: str | None = None


class TranscriptEntry(Body):
    start_offset_ms: int
    end_offset_ms: int
    speaker: Literal["AGENT", "USER"]
    utterance: str
    filler_utterance: bool | None = None


class _CallRequest(Body):
    recording_url: str | None = None
    recording_base64: str | None = None
    start_time_utc: str
    participants: list[Participant] = Field(min_length=2, max_length=2)
    call_direction: Literal["INBOUND", "OUTBOUND"] | None = None
    interface: Literal["PHONE", "WEB"] | None = None
    transcript_url: str | None = None
    transcript: list[TranscriptEntry] | None = None
    tool_calls: list[dict[str, Any]] | None = None
    events: list[dict[str, Any]] | None = None
    tags: list[str] | None = None
    trace_id: str | None = None
    created_at: str | None = None
    metadata: dict[str, Any] | None = None
    webhook_tag: str | None = None
    custom_metrics: list[str] | None = None
    custom_metric_tags: list[str] | None = None
    label: str | None = None
    enable_phrase_latencies: bool | None = None
    conversation_ended_by: Literal["AGENT", "USER"] | None = None
    multichannel: bool | None = None


class CallRequestUsingAgentId(_CallRequest):
    """``POST /v1/evaluate`` (also the lesson's evaluate), first form."""

    agent_id: str


class CallRequestUsingExternalAgentId(_CallRequest):
    """``POST /v1/evaluate``, second form."""

    external_agent_id: str
