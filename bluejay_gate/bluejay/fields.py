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

# Bluejay as code (``custom_metrics:``, managed simulations and digital humans).
#: Every property of ``CreateCustomMetricRequest``, in document order.
METRIC_CREATE_PROPERTIES = (
    "bluejay_as_code_id",
    "agent_id",
    "agent_ids",
    "name",
    "description",
    "response_type",
    "min_value",
    "max_value",
    "category",
    "tags",
    "scoring_guidance",
    "eval_route",
    "model",
    "audio_model",
    "temperature",
    "enum_options",
    "allow_not_applicable",
)
METRIC_CREATE_FIELDS = frozenset(METRIC_CREATE_PROPERTIES)
METRIC_CREATE_REQUIRED = frozenset({"name", "description", "response_type"})
#: ``UpdateCustomMetricRequest`` (``agent_ids`` replaces every association).
METRIC_UPDATE_FIELDS = METRIC_CREATE_FIELDS - {"agent_id"}
#: What a spec's metric may set: the create fields but the agent links (the gate links
#: each metric to the spec's agent).
METRIC_SPEC_PROPERTIES = tuple(
    f for f in METRIC_CREATE_PROPERTIES if f not in {"agent_id", "agent_ids"}
)
#: Every property of ``SimulationRequest`` (``POST /v1/create-simulation``).
SIMULATION_CREATE_PROPERTIES = (
    "agent_id",
    "name",
    "description",
    "prompt_id",
    "knowledge_base_id",
    "sequential_calling",
    "max_concurrent",
    "hangup_on_transfer",
    "max_call_duration",
    "max_call_duration_units",
    "ringing_timeout",
    "digital_humans_settings",
    "selected_custom_metrics",
    "custom_metrics_failing_threshold",
    "custom_metrics_passing_threshold",
    "runs_per_digital_human",
    "always_on",
)
SIMULATION_CREATE_FIELDS = frozenset(SIMULATION_CREATE_PROPERTIES)
#: Every property of ``UpdateSimulationRequest`` (``PUT /v1/simulation/{id}``).
SIMULATION_UPDATE_PROPERTIES = (
    "bluejay_as_code_id",
    "name",
    "description",
    "prompt_id",
    "knowledge_base_id",
    "max_concurrent",
    "hangup_on_transfer",
    "max_call_duration",
    "max_call_duration_units",
    "max_turns",
    "ringing_timeout",
    "digital_humans_settings",
    "selected_custom_metrics",
    "custom_metrics_failing_threshold",
    "custom_metrics_passing_threshold",
    "outcome_failing_threshold",
    "outcome_passing_threshold",
    "runs_per_digital_human",
    "tags",
    "pinned",
)
SIMULATION_UPDATE_FIELDS = frozenset(SIMULATION_UPDATE_PROPERTIES)
#: What a managed simulation may set besides ``name`` (create and update fields; the
#: agent is the spec's). ``prompt_id``, ``knowledge_base_id`` and ``runs_per_digital_human``
#: are also queue options of every simulation entry.
SIMULATION_SPEC_PROPERTIES = tuple(
    dict.fromkeys(
        f
        for f in (*SIMULATION_CREATE_PROPERTIES, *SIMULATION_UPDATE_PROPERTIES)
        if f not in {"agent_id", "name"}
    )
)
#: Every property of ``DigitalHumanRequestData`` (``POST /v1/create-digital-human``).
HUMAN_CREATE_PROPERTIES = (
    "bluejay_as_code_id",
    "intent",
    "success_criteria",
    "name",
    "tag",
    "language",
    "accent",
    "gender",
    "background_noise",
    "voice_speed",
    "audio_quality",
    "fluency",
    "verbosity",
    "phone_number",
    "outbound_text_number",
    "background_noise_volume",
    "expected_tool_calls",
    "allow_end_call_tool",
    "allow_silence_tool",
    "allow_dtmf_tool",
    "default_dtmf_or_voiced",
    "silence_tool_instructions",
    "endpointing_delay",
    "creativity",
    "hangup_phrases",
    "hangup_instructions",
    "silence_timeout",
    "role_description",
    "traits",
    "interruptions",
    "scripted_responses",
    "speaks_first_config",
    "original_transcript",
    "formatted_transcript",
    "enriched_playback",
    "workflow_v2_id",
    "workflow_path_index",
    "always_on_mode",
    "always_on_active",
    "num_runs",
    "livekit_metadata",
)
HUMAN_CREATE_FIELDS = frozenset(HUMAN_CREATE_PROPERTIES)
#: ``UpdateDigitalHumanRequest`` without ``simulation_ids`` (it replaces every link; the
#: gate links and unlinks with add/remove-digital-humans) and ``override_conflict``.
HUMAN_UPDATE_FIELDS = HUMAN_CREATE_FIELDS - {
    "bluejay_as_code_id",
    "workflow_v2_id",
    "workflow_path_index",
}
#: What a spec's digital human may set: every create field.
HUMAN_SPEC_PROPERTIES = HUMAN_CREATE_PROPERTIES
