"""The simulation and digital-human endpoints: create, list, get, update and delete
simulations; create digital humans, list a simulation's, add them to a simulation.
"""

from __future__ import annotations

from typing import Any

from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator.endpoints.registry import int_id, ok, route
from bluejay_gate.emulator.endpoints.render import (
    digital_human_body,
    simulation_pydantic,
    simulation_res,
)
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.scenario import SimulationDef
from bluejay_gate.emulator.store import NotFound, Store


def new_simulation(store: Store, agent_ref: str | int, name: str, fields: dict[str, Any]) -> int:
    agent_id = int_id(str(agent_ref), "Agent")
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
    sim_id = new_simulation(store, req.agent_id, req.name or "Untitled simulation", fields)
    return ok({"simulation_id": sim_id, "status": "200"})


@route("GET", "/v1/get-all-simulations")
def get_all_simulations(store: Store, call: Call) -> Reply:
    with store.lock:
        return ok({"simulations": [simulation_res(store, i) for i in store.simulations]})


@route("GET", "/v1/get-simulations-by-agent/{agent_id}")
def get_simulations_by_agent(store: Store, call: Call) -> Reply:
    agent_id = int_id(call.params["agent_id"], "Agent")
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
