"""The request fields the OpenAPI document allows, as plain name lists: the client sends
no undocumented field (a strict server rejects them), and the spec accepts each one.
Import-free, so reading a spec does not build the answer models.
"""

from __future__ import annotations

# Request bodies: the fields the OpenAPI document allows, so the client never sends an
# undocumented one (a strict server rejects them). ``tests/unit/test_apimodels.py`` checks
# these sets against ``bluejay-openapi.json``.
#: Every property of ``AgentRequest``, in document order (the spec accepts them all).
AGENT_REQUEST_PROPERTIES = (
    "bluejay_as_code_id",
    "name",
    "system_prompt",
    "knowledge_base",
    "phone_number",
    "goals",
    "type",
    "connection_type",
    "mode",
    "keyterms",
    "external_agent_id",
    "folder",
    "websocket_url",
    "websocket_username",
    "websocket_password",
    "sip_uri",
    "sip_username",
    "sip_password",
    "custom_sip_headers",
    "redact_pii",
    "livekit_agent_name",
    "livekit_metadata",
    "livekit_customer_tool_topic",
    "pipecat_agent_name",
    "pipecat_agent_configuration",
    "pipecat_room_properties",
    "http_webhook",
    "voice_provider",
    "provider_id",
    "enable_outbound_call_auto_start",
    "simulations_disabled",
)
#: ``AgentRequest`` (``POST /v1/add-agent``).
AGENT_REQUEST_FIELDS = frozenset(AGENT_REQUEST_PROPERTIES)
_AGENT_COMMON_FIELDS = AGENT_REQUEST_FIELDS - {"bluejay_as_code_id"}
AGENT_REQUEST_REQUIRED = frozenset({"name", "system_prompt", "knowledge_base", "goals"})
#: ``AgentUpdateRequest`` (``POST /v1/update-agent``), ``agent_id`` included.
AGENT_UPDATE_FIELDS = _AGENT_COMMON_FIELDS | {"agent_id", "bluejay_as_code_id"}
#: ``AgentUpdateWithExternalIdRequest`` (``PUT /v1/update-agent-by-external-id``).
AGENT_UPDATE_BY_EXTERNAL_ID_FIELDS = _AGENT_COMMON_FIELDS
#: ``SimulationRunRequest`` (``POST /v1/queue-simulation-run``).
QUEUE_RUN_PROPERTIES = (
    "simulation_id",
    "prompt_id",
    "knowledge_base_id",
    "digital_human_ids",
    "phone_number",
    "sip_uri",
    "livekit_agent_name",
    "livekit_metadata",
    "pipecat_agent_name",
    "pipecat_agent_configuration",
    "pipecat_room_properties",
    "runs_per_digital_human",
)
QUEUE_RUN_FIELDS = frozenset(QUEUE_RUN_PROPERTIES)
#: ``CallRequestUsingAgentId`` (``POST /v1/evaluate``), in document order.
CALL_REQUEST_PROPERTIES = (
    "agent_id",
    "recording_url",
    "recording_base64",
    "start_time_utc",
    "participants",
    "call_direction",
    "interface",
    "transcript_url",
    "transcript",
    "tool_calls",
    "events",
    "tags",
    "trace_id",
    "created_at",
    "metadata",
    "webhook_tag",
    "custom_metrics",
    "custom_metric_tags",
    "label",
    "enable_phrase_latencies",
    "conversation_ended_by",
    "multichannel",
)
CALL_REQUEST_FIELDS = frozenset(CALL_REQUEST_PROPERTIES)
