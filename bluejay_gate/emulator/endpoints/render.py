"""The 200 response bodies of the emulated endpoints (agents, simulations, digital humans,
custom metrics, queued runs), in the OpenAPI document's shapes: ids are ints or strings
exactly where the document says so, and every stored field the document's answer has is
shown as it was sent. Reads the store; changes nothing, routes nothing.
"""

from __future__ import annotations

from typing import Any

from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator.lifecycle import Run
from bluejay_gate.emulator.queueing import scored_metric_ids
from bluejay_gate.emulator.store import ORGANIZATION_ID, SimulationRecord, Store
from bluejay_gate.emulator.timeline import iso

_AGENT_KEYS = [
    "bluejay_as_code_id",
    "phone_number",
    "connection_type",
    "keyterms",
    "websocket_url",
    "voice_provider",
    "provider_id",
    "websocket_username",
    "websocket_password",
    "external_agent_id",
    "sip_uri",
    "custom_sip_headers",
    "sip_username",
    "sip_password",
    "livekit_agent_name",
    "livekit_metadata",
    "livekit_customer_tool_topic",
    "pipecat_agent_name",
    "pipecat_agent_configuration",
    "pipecat_room_properties",
    "http_webhook",
    "enable_outbound_call_auto_start",
]
_UPDATE_KEYS = tuple(b.AgentUpdateRequest.model_fields)
# Every property of the document's DigitalHumanResponseData but ``id``.
_DH_KEYS = (
    "bluejay_as_code_id",
    "intent",
    "success_criteria",
    "tag",
    "name",
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
    "websocket_url",
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
    "created_at",
    "traits",
    "interruptions",
    "scripted_responses",
    "speaks_first_config",
    "original_transcript",
    "formatted_transcript",
    "enriched_playback",
    "workflow_v2_id",
    "workflow_path_index",
    "livekit_metadata",
)
# SimulationPydantic's top-level settings (besides id, agent_id, name, created_at, type).
_SIMULATION_TOP = (
    "bluejay_as_code_id",
    "max_concurrent",
    "max_turns",
    "ringing_timeout",
    "tags",
    "description",
    "pinned",
    "always_on",
)
METRIC_KEYS = [
    "bluejay_as_code_id",
    "name",
    "description",
    "response_type",
    "agent_ids",
    "min_value",
    "max_value",
    "category",
    "tags",
    "scoring_guidance",
    "created_at",
    "eval_route",
    "model",
    "audio_model",
    "temperature",
    "enum_options",
    "allow_not_applicable",
]


def agent_body(agent_id: int, a: dict[str, Any]) -> dict[str, Any]:
    """``AgentPydantic``: the system prompt is ``agent_description``."""
    body: dict[str, Any] = {
        "id": agent_id,
        "name": a["name"],
        "agent_description": a.get("system_prompt", ""),
        "knowledge_base": a.get("knowledge_base", ""),
        "organization_id": ORGANIZATION_ID,
        "goals": list(a.get("goals") or []),
        "mode": a.get("mode") or "VOICE",
        "type": a.get("type"),
        "redact_pii": a.get("redact_pii", False),
        "folder_id": None,
        "created_at": a["created_at"],
        "simulation_notifications": {},
        "http_webhook_key": None,
        "simulations_disabled": a.get("simulations_disabled", False),
    }
    for key in _AGENT_KEYS:
        body[key] = a.get(key)
    return body


def agent_update_body(agent_id: int, a: dict[str, Any]) -> dict[str, Any]:
    """``AgentUpdateRequest`` echo: ``agent_id`` as a string."""
    body = {key: a.get(key) for key in _UPDATE_KEYS}
    body["agent_id"] = str(agent_id)
    return body


def simulation_settings(sim: SimulationRecord) -> dict[str, Any]:
    """Every setting stored for the simulation (its name included), values as sent."""
    return {"name": sim.name, **sim.fields}


def simulation_res(store: Store, sim_id: int) -> dict[str, Any]:
    """``SimulationRes``: every stored setting is in ``settings``."""
    sim = store.simulation(sim_id)
    return {
        "id": sim.id,
        "name": sim.name,
        "agent_id": sim.agent_id,
        "created_at": sim.created_at,
        "settings": simulation_settings(sim),
    }


def simulation_pydantic(store: Store, sim_id: int) -> dict[str, Any]:
    """``SimulationPydantic``: the documented settings at the top level (null when not
    stored), every stored setting in ``settings``. The scenario's ``report_selected_metrics``
    puts the ids of the metrics a run would score there (``settings``) or at the top."""
    sim = store.simulation(sim_id)
    f = sim.fields
    settings = simulation_settings(sim)
    extra: dict[str, Any] = {}
    where = sim.behaviour.report_selected_metrics
    if where is not None:
        (settings if where == "settings" else extra)["selected_custom_metrics"] = scored_metric_ids(
            store, sim
        )
    return {
        **extra,
        "id": sim.id,
        "agent_id": sim.agent_id,
        "name": sim.name,
        "created_at": sim.created_at,
        "settings": settings,
        "type": "sequential" if f.get("sequential_calling") else "parallel",
        **{key: f.get(key) for key in _SIMULATION_TOP},
    }


def digital_human_body(dh_id: int, data: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": dh_id}
    for key in _DH_KEYS:
        body[key] = data.get(key)
    body["intent"] = data.get("intent") or ""
    body["success_criteria"] = data.get("success_criteria") or ""
    return body


def metric_body(metric_id: str, m: dict[str, Any]) -> dict[str, Any]:
    body = {key: m.get(key) for key in METRIC_KEYS}
    body["id"] = metric_id
    body["agent_ids"] = list(m.get("agent_ids") or [])
    body["allow_not_applicable"] = bool(m.get("allow_not_applicable"))
    return body


def queued_body(store: Store, run_id: int) -> dict[str, Any]:
    run = store.run(run_id)
    return {
        "simulation_run_id": str(run.id),
        "simulation_result_ids": [str(c.id) for c in run.conversations],
        "agent_id": str(run.agent_id),
        "status": "success",
    }


def run_body(run: Run, now: float, *, as_int: bool) -> dict[str, Any]:
    """``SimulationRunRes`` (``as_int``) or ``SimulationRunResultResponse``."""
    counters = run.counters(now)
    if as_int:
        return {
            "id": run.id,
            "experiment_id": run.simulation_id,
            "summary": None,
            **counters,
            "curr_step_id": None,
            "created_at": iso(run.created),
            "status": run.status(now),
            "phone_number": None,
        }
    return {
        "id": str(run.id),
        "simulation_id": str(run.simulation_id),
        "summary": None,
        "status": run.status(now),
        **counters,
        "created_at": iso(run.created),
    }
