"""The ``agent:`` section as written: the agent under test, keyed by external_id, id or name.

Accepts every AgentRequest property of Bluejay's OpenAPI document (``external_agent_id`` is
written ``external_id``); the prompt and knowledge base may be ``{file: path}``. Validation
only: ``build`` turns the model into the ``AgentSpec`` the agent sync sends.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from bluejay_gate.bluejay.fields import AGENT_REQUEST_PROPERTIES
from bluejay_gate.spec.fields import IdValue, NonEmptyStr
from bluejay_gate.spec.file_refs import FileRef, TextOrFile, read_file_ref

AGENT_TYPES = ("INBOUND", "OUTBOUND")  # OpenAPI AgentType
AGENT_MODES = ("VOICE", "TEXT")  # OpenAPI AgentMode
CONNECTION_TYPES = ("SMS", "HTTP_WEBHOOK", "PHONE", "SIP", "WEBSOCKET", "LIVEKIT", "PIPECAT")

# The spec accepts every AgentRequest property (bluejay.models keeps them, in document order);
# it writes ``external_agent_id`` as ``external_id``.
AGENT_REQUEST_FIELDS = AGENT_REQUEST_PROPERTIES


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
        return None if value is None else read_file_ref(value, info)

    @model_validator(mode="after")
    def _one_key(self) -> AgentModel:
        if self.external_id is not None and self.id is not None:
            raise ValueError(
                "give `external_id` or `id`, not both: external_id to create-or-update, "
                "id to update exactly that agent"
            )
        return self
