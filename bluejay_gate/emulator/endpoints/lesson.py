"""The lesson's REST-style paths (not in the OpenAPI document): ``/v1/agents``,
``/v1/simulations``, ``/v1/simulations/{id}/run``, ``/v1/simulation-runs``,
``/v1/custom-metrics`` (POST). They reuse the real endpoints' helpers.
"""

from __future__ import annotations

from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator.endpoints.agents import all_agents
from bluejay_gate.emulator.endpoints.custom_metrics import new_metric
from bluejay_gate.emulator.endpoints.registry import ok, route
from bluejay_gate.emulator.endpoints.render import agent_body, run_body, simulation_pydantic
from bluejay_gate.emulator.endpoints.runs import queue_reply
from bluejay_gate.emulator.endpoints.simulations import new_simulation
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.store import NotFound, Store


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
    sim_id = new_simulation(store, req.agent_id, req.name, {"description": req.description})
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
    return queue_reply(store, call.params["simulation_id"], dh_ids, req.runs_per_digital_human)


@route("GET", "/v1/simulation-runs", query={"simulation_id": (int | None, None)})
def lesson_list_runs(store: Store, call: Call) -> Reply:
    wanted = call.query["simulation_id"]
    with store.lock:
        now = store.clock()
        runs = [r for r in store.runs.values() if wanted is None or r.simulation_id == wanted]
        return ok([run_body(r, now, as_int=True) for r in reversed(runs)])


@route("POST", "/v1/custom-metrics", body=b.CreateCustomMetricRequest)
def lesson_create_custom_metric(store: Store, call: Call) -> Reply:
    return new_metric(store, call.body)
