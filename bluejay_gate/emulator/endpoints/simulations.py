"""The simulation endpoints: create, list, get, update and delete simulations, keeping
every setting a create or update gives (``endpoints.render`` shows them back). The
digital humans' endpoints are ``endpoints.digital_humans``.
"""

from __future__ import annotations

from typing import Any

from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator.endpoints.registry import int_id, ok, route
from bluejay_gate.emulator.endpoints.render import simulation_pydantic, simulation_res
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.scenario import SimulationDef
from bluejay_gate.emulator.store import Store


def new_simulation(store: Store, agent_ref: str | int, name: str, fields: dict[str, Any]) -> int:
    """A simulation of the agent with these settings (kept as given, nulls included)."""
    agent_id = int_id(str(agent_ref), "Agent")
    with store.lock:
        store.agent(agent_id)
        sim_id = store.add_simulation(agent_id, SimulationDef(name=name, agent=agent_id))
        sim = store.simulation(sim_id)
        sim.fields.update(fields)
        sim.behaviour = store.created_behaviour(agent_id, name)
        return sim_id


@route("POST", "/v1/create-simulation", body=b.SimulationRequest)
def create_simulation(store: Store, call: Call) -> Reply:
    """Every field given is stored as sent; the document's defaults fill in the others."""
    req: b.SimulationRequest = call.body
    dumped = req.model_dump(mode="json", exclude={"agent_id", "name"})
    given = req.model_fields_set
    fields = {k: v for k, v in dumped.items() if v is not None or k in given}
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
    """Only the fields given change (a null is stored as a null; a null name is ignored)."""
    sim_id = call.params["simulation_id"]
    changes = call.body.model_dump(mode="json", exclude_unset=True)
    with store.lock:
        sim = store.simulation(sim_id)
        name = changes.pop("name", None)
        if name:
            sim.name = name
        sim.fields.update(changes)
        return ok(simulation_pydantic(store, sim_id))


@route("DELETE", "/v1/simulation/{simulation_id}", path={"simulation_id": int})
def delete_simulation(store: Store, call: Call) -> Reply:
    sim_id = call.params["simulation_id"]
    with store.lock:
        store.simulation(sim_id)
        del store.simulations[sim_id]
    return ok({"message": f"Simulation {sim_id} deleted", "deleted_simulation_id": sim_id})
