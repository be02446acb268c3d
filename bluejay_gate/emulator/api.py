"""The emulated endpoints: the real Bluejay paths and the lesson's REST view.

Each handler turns a validated ``Call`` into a ``Reply`` whose body has the shape of the
OpenAPI document's 200 schema for that operation. Ids are ints or strings exactly where
the document says so.
"""

from __future__ import annotations

import json
import math
from typing import Any

from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator.routing import Call, Reply, Router
from bluejay_gate.emulator.scenario import SimulationDef
from bluejay_gate.emulator.store import ORGANIZATION_ID, Conflict, NotFound, Store
from bluejay_gate.model.statuses import RESULT_FINAL, RUN_FINAL

router = Router()
route = router.add

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
_DH_KEYS = [
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
    "role_description",
    "created_at",
]
_METRIC_KEYS = [
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


def ok(body: Any) -> Reply:
    return Reply(200, body)


def _int_id(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise NotFound(f"{what} {value} not found") from None


# ---- renderers -------------------------------------------------------------------------
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


def simulation_res(store: Store, sim_id: int) -> dict[str, Any]:
    sim = store.simulation(sim_id)
    return {
        "id": sim.id,
        "name": sim.name,
        "agent_id": sim.agent_id,
        "created_at": sim.created_at,
        "settings": dict(sim.fields),
    }


def simulation_pydantic(store: Store, sim_id: int) -> dict[str, Any]:
    sim = store.simulation(sim_id)
    f = sim.fields
    settings = dict(f)
    extra: dict[str, Any] = {}
    where = sim.behaviour.report_selected_metrics
    if where is not None:
        (settings if where == "settings" else extra)["selected_custom_metrics"] = (
            store.scored_metric_ids(sim)
        )
    return {
        **extra,
        "id": sim.id,
        "bluejay_as_code_id": None,
        "agent_id": sim.agent_id,
        "name": sim.name,
        "created_at": sim.created_at,
        "settings": settings,
        "type": "parallel",
        "max_concurrent": f.get("max_concurrent"),
        "max_turns": f.get("max_turns"),
        "ringing_timeout": f.get("ringing_timeout"),
        "tags": f.get("tags"),
        "description": f.get("description"),
        "pinned": f.get("pinned"),
        "always_on": f.get("always_on"),
    }


def digital_human_body(dh_id: int, data: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": dh_id}
    for key in _DH_KEYS:
        body[key] = data.get(key)
    body["intent"] = data.get("intent") or ""
    body["success_criteria"] = data.get("success_criteria") or ""
    return body


def metric_body(metric_id: str, m: dict[str, Any]) -> dict[str, Any]:
    body = {key: m.get(key) for key in _METRIC_KEYS}
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


# ---- health ----------------------------------------------------------------------------
@route("GET", "/v1/ping")
def ping(store: Store, call: Call) -> Reply:
    return ok({"message": "pong", "status": "200"})


# ---- agents ----------------------------------------------------------------------------
@route("POST", "/v1/add-agent", body=b.AgentRequest)
def add_agent(store: Store, call: Call) -> Reply:
    req: b.AgentRequest = call.body
    with store.lock:
        if req.external_agent_id:
            try:
                store.agent_by_external_id(req.external_agent_id)
            except NotFound:
                pass
            else:
                raise Conflict(
                    f"Agent with external_agent_id {req.external_agent_id!r} already exists"
                )
        agent_id = store.add_agent(req.model_dump(mode="json"))
    return ok({"agent_id": agent_id, "status": "200", "http_webhook_key": None})


def _apply_update(store: Store, agent_id: int, changes: dict[str, Any]) -> Reply:
    with store.lock:
        agent = store.agent(agent_id)
        agent.update(changes)
        return ok({"agent": agent_update_body(agent_id, agent), "status": "200"})


@route("POST", "/v1/update-agent", body=b.AgentUpdateRequest)
def update_agent(store: Store, call: Call) -> Reply:
    req: b.AgentUpdateRequest = call.body
    changes = req.model_dump(mode="json", exclude_unset=True)
    changes.pop("agent_id", None)
    if req.agent_id is None:
        if not req.external_agent_id:
            raise Conflict("agent_id is null and no external_agent_id was given")
        agent_id = store.agent_by_external_id(req.external_agent_id)
    else:
        agent_id = _int_id(req.agent_id, "Agent")
    return _apply_update(store, agent_id, changes)


@route("PUT", "/v1/update-agent-by-external-id", body=b.AgentUpdateWithExternalIdRequest)
def update_agent_by_external_id(store: Store, call: Call) -> Reply:
    req: b.AgentUpdateWithExternalIdRequest = call.body
    agent_id = store.agent_by_external_id(req.external_agent_id)
    return _apply_update(store, agent_id, req.model_dump(mode="json", exclude_unset=True))


@route("GET", "/v1/agents/{agent_id}", path={"agent_id": int})
def get_agent(store: Store, call: Call) -> Reply:
    agent_id = call.params["agent_id"]
    return ok(agent_body(agent_id, store.agent(agent_id)))


@route("GET", "/v1/agent-by-external-id/{external_id}")
def get_agent_by_external_id(store: Store, call: Call) -> Reply:
    agent_id = store.agent_by_external_id(call.params["external_id"])
    return ok(agent_body(agent_id, store.agent(agent_id)))


@route("GET", "/v1/all-agents")
def all_agents(store: Store, call: Call) -> Reply:
    with store.lock:
        return ok([agent_body(i, a) for i, a in store.agents.items()])


@route("DELETE", "/v1/agent/{agent_id}", path={"agent_id": int})
def delete_agent(store: Store, call: Call) -> Reply:
    agent_id = call.params["agent_id"]
    with store.lock:
        store.agent(agent_id)
        del store.agents[agent_id]
    return ok({"agent_id": agent_id, "status": "200", "http_webhook_key": None})


# ---- simulations -----------------------------------------------------------------------
def _create_simulation(
    store: Store, agent_ref: str | int, name: str, fields: dict[str, Any]
) -> int:
    agent_id = _int_id(str(agent_ref), "Agent")
    with store.lock:
        store.agent(agent_id)
        sim_id = store.add_simulation(agent_id, SimulationDef(name=name, agent=agent_id))
        sim = store.simulation(sim_id)
        sim.fields.update({k: v for k, v in fields.items() if v is not None})
        return sim_id


@route("POST", "/v1/create-simulation", body=b.SimulationRequest)
def create_simulation(store: Store, call: Call) -> Reply:
    req: b.SimulationRequest = call.body
    fields = req.model_dump(mode="json", exclude={"agent_id", "name"})
    sim_id = _create_simulation(store, req.agent_id, req.name or "Untitled simulation", fields)
    return ok({"simulation_id": sim_id, "status": "200"})


@route("GET", "/v1/get-all-simulations")
def get_all_simulations(store: Store, call: Call) -> Reply:
    with store.lock:
        return ok({"simulations": [simulation_res(store, i) for i in store.simulations]})


@route("GET", "/v1/get-simulations-by-agent/{agent_id}")
def get_simulations_by_agent(store: Store, call: Call) -> Reply:
    agent_id = _int_id(call.params["agent_id"], "Agent")
    with store.lock:
        store.agent(agent_id)
        sims = [
            simulation_res(store, s.id)
            for s in store.simulations.values()
            if s.agent_id == agent_id
        ]
    return ok({"simulations": sims})


@route("GET", "/v1/simulation/{simulation_id}", path={"simulation_id": int})
def get_simulation(store: Store, call: Call) -> Reply:
    return ok(simulation_pydantic(store, call.params["simulation_id"]))


@route(
    "PUT",
    "/v1/simulation/{simulation_id}",
    path={"simulation_id": int},
    body=b.UpdateSimulationRequest,
)
def update_simulation(store: Store, call: Call) -> Reply:
    sim_id = call.params["simulation_id"]
    changes = call.body.model_dump(mode="json", exclude_unset=True)
    with store.lock:
        sim = store.simulation(sim_id)
        if changes.get("name"):
            sim.name = changes.pop("name")
        sim.fields.update(changes)
        return ok(simulation_pydantic(store, sim_id))


@route("DELETE", "/v1/simulation/{simulation_id}", path={"simulation_id": int})
def delete_simulation(store: Store, call: Call) -> Reply:
    sim_id = call.params["simulation_id"]
    with store.lock:
        store.simulation(sim_id)
        del store.simulations[sim_id]
    return ok({"message": f"Simulation {sim_id} deleted", "deleted_simulation_id": sim_id})


# ---- digital humans --------------------------------------------------------------------
@route("POST", "/v1/create-digital-human", body=b.CreateDigitalHumanRequest)
def create_digital_human(store: Store, call: Call) -> Reply:
    req: b.CreateDigitalHumanRequest = call.body
    sim_ids = list(req.simulation_ids or [])
    if req.simulation_id is not None and req.simulation_id not in sim_ids:
        sim_ids.append(req.simulation_id)
    with store.lock:
        sims = [store.simulation(s) for s in sim_ids]
        dh_id = store.add_digital_human(req.digital_human.model_dump(mode="json"))
        for sim in sims:
            sim.digital_human_ids.append(dh_id)
        body = digital_human_body(dh_id, store.digital_humans[dh_id])
    return ok(
        {"digital_human": body, "simulation_ids": sim_ids, "simulation_id": req.simulation_id}
    )


@route("GET", "/v1/digital-humans-by-simulation/{simulation_id}", path={"simulation_id": int})
def digital_humans_by_simulation(store: Store, call: Call) -> Reply:
    sim_id = call.params["simulation_id"]
    with store.lock:
        sim = store.simulation(sim_id)
        dhs = [digital_human_body(i, store.digital_humans[i]) for i in sim.digital_human_ids]
    return ok({"digital_humans": dhs, "total": len(dhs), "simulation_id": sim_id})


@route(
    "POST",
    "/v1/simulation/{simulation_id}/add-digital-humans",
    path={"simulation_id": int},
    body=b.AddDigitalHumansToSimulationRequest,
)
def add_digital_humans(store: Store, call: Call) -> Reply:
    sim_id = call.params["simulation_id"]
    ids: list[int] = call.body.digital_human_ids
    with store.lock:
        sim = store.simulation(sim_id)
        unknown = [i for i in ids if i not in store.digital_humans]
        if unknown:
            raise NotFound(f"Digital humans {unknown} not found")
        added = [i for i in dict.fromkeys(ids) if i not in sim.digital_human_ids]
        sim.digital_human_ids.extend(added)
    return ok({"message": f"Added {len(added)} digital humans to simulation {sim_id}"})


# ---- runs and results ------------------------------------------------------------------
def _queue(store: Store, sim_id: int, dh_ids: list[str] | None, reps: int | None) -> Reply:
    wanted = [_int_id(d, "Digital human") for d in dh_ids] if dh_ids else None
    run = store.queue_run(sim_id, wanted, reps)
    return ok(queued_body(store, run.id))


@route("POST", "/v1/queue-simulation-run", body=b.SimulationRunRequest)
def queue_simulation_run(store: Store, call: Call) -> Reply:
    req: b.SimulationRunRequest = call.body
    sim_id = _int_id(req.simulation_id, "Simulation")
    return _queue(store, sim_id, req.digital_human_ids, req.runs_per_digital_human)


@route("GET", "/v1/get-simulation-runs/{simulation_id}")
def get_simulation_runs(store: Store, call: Call) -> Reply:
    sim_id = _int_id(call.params["simulation_id"], "Simulation")
    with store.lock:
        store.simulation(sim_id)
        now = store.clock()
        runs = [r for r in store.runs.values() if r.simulation_id == sim_id]
        body = [store.run_body(r, now, as_int=True) for r in reversed(runs)]
    return ok({"simulation_runs": body})


@route("GET", "/v1/retrieve-simulation-results/{simulation_run_id}")
def retrieve_simulation_results(store: Store, call: Call) -> Reply:
    run_id = _int_id(call.params["simulation_run_id"], "Simulation run")
    with store.lock:
        run = store.run(run_id)
        if run.final_results is not None:
            return ok(run.final_results)
        now = store.clock()
        body: dict[str, Any] = {
            "simulation_run": store.run_body(run, now, as_int=False),
            "simulation_results": [c.render(now, bulk=True) for c in run.conversations],
            "status": "200",
        }
        done = body["simulation_run"]["status"] in RUN_FINAL and all(
            r["status"] in RESULT_FINAL for r in body["simulation_results"]
        )
        if not done:
            return ok(body)
        # Final: encode once; every later poll of this run is a cache hit.
        run.final_results = json.dumps(body, separators=(",", ":")).encode()
        return ok(run.final_results)


@route("GET", "/v1/retrieve-simulation-result/{test_result_id}")
def retrieve_simulation_result(store: Store, call: Call) -> Reply:
    result_id = _int_id(call.params["test_result_id"], "Simulation result")
    with store.lock:
        conv = store.conversation(result_id)
        return ok({"simulation_result": conv.render(store.clock(), bulk=False), "status": "200"})


@route("POST", "/v1/end-conversations", body=b.EndConversationsRequest)
def end_conversations(store: Store, call: Call) -> Reply:
    ended, failed = store.end_conversations(call.body.test_result_ids)
    return ok(
        {
            "success": not failed,
            "ended_count": len(ended),
            "test_result_ids": ended,
            "failed_ids": failed,
            "message": f"Ended {len(ended)} conversations"
            + (f"; {len(failed)} were unknown or no longer active" if failed else ""),
        }
    )


# ---- custom metrics --------------------------------------------------------------------
def _create_metric(store: Store, req: b.CreateCustomMetricRequest) -> Reply:
    data = req.model_dump(mode="json")
    agent_ids = list(data.pop("agent_ids") or [])
    legacy = data.pop("agent_id")
    if legacy is not None and legacy not in agent_ids:
        agent_ids.append(legacy)
    data["agent_ids"] = agent_ids
    metric_id = store.add_metric(data)
    return ok(metric_body(metric_id, store.metric(metric_id)))


@route("POST", "/v1/create-custom-metric", body=b.CreateCustomMetricRequest)
def create_custom_metric(store: Store, call: Call) -> Reply:
    return _create_metric(store, call.body)


@route(
    "GET",
    "/v1/custom-metrics",
    query={"agent_id": (str | None, None), "page": (int, 1), "page_size": (int, 50)},
)
def list_custom_metrics(store: Store, call: Call) -> Reply:
    page = max(1, call.query["page"])
    size = max(1, call.query["page_size"])
    agent = call.query["agent_id"]
    with store.lock:
        metrics = [
            metric_body(i, m)
            for i, m in store.metrics.items()
            if agent is None or str(agent) in {str(a) for a in m.get("agent_ids") or []}
        ]
    chunk = metrics[(page - 1) * size : page * size]
    return ok(
        {
            "metrics": chunk,
            "total_count": len(metrics),
            "page": page,
            "page_size": size,
            "items_in_page": len(chunk),
            "total_pages": math.ceil(len(metrics) / size),
        }
    )


@route("GET", "/v1/custom-metric/{metric_id}")
def get_custom_metric(store: Store, call: Call) -> Reply:
    metric_id = call.params["metric_id"]
    return ok(metric_body(metric_id, store.metric(metric_id)))


@route("DELETE", "/v1/custom-metric/{metric_id}")
def delete_custom_metric(store: Store, call: Call) -> Reply:
    metric_id = call.params["metric_id"]
    with store.lock:
        m = store.metric(metric_id)
        del store.metrics[metric_id]
    agents = m.get("agent_ids") or []
    return ok(
        {
            **{k: m.get(k) for k in _METRIC_KEYS if k not in {"agent_ids", "bluejay_as_code_id"}},
            "id": metric_id,
            "agent_id": agents[0] if agents else None,
            "tags": list(m.get("tags") or []),
            "organization_id": ORGANIZATION_ID,
            "allow_not_applicable": bool(m.get("allow_not_applicable")),
        }
    )


@route(
    "PUT",
    "/v1/update-custom-metric/{metric_id}",
    body=b.UpdateCustomMetricRequest,
)
def update_custom_metric(store: Store, call: Call) -> Reply:
    metric_id = call.params["metric_id"]
    changes = call.body.model_dump(mode="json", exclude_unset=True)
    with store.lock:
        m = store.metric(metric_id)
        m.update(changes)
        return ok(metric_body(metric_id, m))


# ---- evaluate (real path, also the lesson's) -------------------------------------------
def _call_model(data: Any) -> type[b.Body]:
    if isinstance(data, dict) and "external_agent_id" in data and "agent_id" not in data:
        return b.CallRequestUsingExternalAgentId
    return b.CallRequestUsingAgentId


@route("POST", "/v1/evaluate", body=_call_model)
def evaluate(store: Store, call: Call) -> Reply:
    req = call.body
    if isinstance(req, b.CallRequestUsingExternalAgentId):
        store.agent_by_external_id(req.external_agent_id)
    else:
        store.agent(_int_id(req.agent_id, "Agent"))
    return ok(
        {"status": "queued", "call_id": store.new_uuid(), "message": "Call queued for evaluation"}
    )


# ---- the lesson's REST view (not in the OpenAPI document) ------------------------------
@route("POST", "/v1/agents", body=b.LessonAgentRequest)
def lesson_create_agent(store: Store, call: Call) -> Reply:
    agent_id = store.add_agent(call.body.model_dump(mode="json"))
    return ok(agent_body(agent_id, store.agent(agent_id)))


@route("GET", "/v1/agents")
def lesson_list_agents(store: Store, call: Call) -> Reply:
    return all_agents(store, call)


@route("POST", "/v1/simulations", body=b.LessonSimulationRequest)
def lesson_create_simulation(store: Store, call: Call) -> Reply:
    req: b.LessonSimulationRequest = call.body
    sim_id = _create_simulation(store, req.agent_id, req.name, {"description": req.description})
    if req.digital_human_ids:
        with store.lock:
            unknown = [i for i in req.digital_human_ids if i not in store.digital_humans]
            if unknown:
                raise NotFound(f"Digital humans {unknown} not found")
            store.simulation(sim_id).digital_human_ids.extend(req.digital_human_ids)
    return ok(simulation_pydantic(store, sim_id))


@route("GET", "/v1/simulations")
def lesson_list_simulations(store: Store, call: Call) -> Reply:
    with store.lock:
        return ok([simulation_pydantic(store, i) for i in store.simulations])


@route(
    "POST",
    "/v1/simulations/{simulation_id}/run",
    path={"simulation_id": int},
    body=b.LessonRunRequest,
    body_required=False,
)
def lesson_run_simulation(store: Store, call: Call) -> Reply:
    req: b.LessonRunRequest = call.body or b.LessonRunRequest()
    dh_ids = [str(d) for d in req.digital_human_ids] if req.digital_human_ids else None
    return _queue(store, call.params["simulation_id"], dh_ids, req.runs_per_digital_human)


@route("GET", "/v1/simulation-runs", query={"simulation_id": (int | None, None)})
def lesson_list_runs(store: Store, call: Call) -> Reply:
    wanted = call.query["simulation_id"]
    with store.lock:
        now = store.clock()
        runs = [r for r in store.runs.values() if wanted is None or r.simulation_id == wanted]
        return ok([store.run_body(r, now, as_int=True) for r in reversed(runs)])


@route("POST", "/v1/custom-metrics", body=b.CreateCustomMetricRequest)
def lesson_create_custom_metric(store: Store, call: Call) -> Reply:
    return _create_metric(store, call.body)


# ---- recordings linked from results (no key needed, like signed URLs) ------------------
@route("GET", "/files/transcripts/{name}", auth=False)
def transcript(store: Store, call: Call) -> Reply:
    result_id = _int_id(call.params["name"].removesuffix(".json"), "Transcript")
    conv = store.conversation(result_id)
    turns = [
        {"speaker": "USER", "utterance": "Hi, I have a question about my bill."},
        {"speaker": "AGENT", "utterance": "Happy to help. Can you confirm your account number?"},
    ]
    if conv.never_speaks:
        turns = turns[:1]
    return ok({"simulation_result_id": result_id, "transcript": turns})


_SILENT_WAV = (
    b"RIFF"
    + (36 + 800).to_bytes(4, "little")
    + b"WAVEfmt "
    + (16).to_bytes(4, "little")
    + (1).to_bytes(2, "little")
    + (1).to_bytes(2, "little")
    + (8000).to_bytes(4, "little")
    + (8000).to_bytes(4, "little")
    + (1).to_bytes(2, "little")
    + (8).to_bytes(2, "little")
    + b"data"
    + (800).to_bytes(4, "little")
    + b"\x80" * 800
)


@route("GET", "/files/audio/{name}", auth=False)
def audio(store: Store, call: Call) -> Reply:
    store.conversation(_int_id(call.params["name"].removesuffix(".wav"), "Recording"))
    return Reply(200, _SILENT_WAV, content_type="audio/wav")
