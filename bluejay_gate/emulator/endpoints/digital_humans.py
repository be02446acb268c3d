"""The digital-human endpoints: create (every field kept), get one, update (``simulation_ids``
replaces its links), list a simulation's, add them to and remove them from a simulation.
A simulation's runs have conversations for the digital humans linked to it when queued.
"""

from __future__ import annotations

from typing import Any

from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator import human_bodies as hb
from bluejay_gate.emulator.endpoints.registry import ok, route
from bluejay_gate.emulator.endpoints.render import digital_human_body
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.store import NotFound, Store

_NOT_STORED = {"simulation_ids", "override_conflict"}


def _human(store: Store, dh_id: int) -> dict[str, Any]:
    if dh_id not in store.digital_humans:
        raise NotFound(f"Digital human {dh_id} not found")
    return store.digital_humans[dh_id]


def _simulations_of(store: Store, dh_id: int) -> list[int]:
    return [s.id for s in store.simulations.values() if dh_id in s.digital_human_ids]


def _answer(store: Store, dh_id: int, sim_ids: list[int]) -> Reply:
    """``DigitalHumanResponse``: the digital human and the simulations it belongs to."""
    return ok(
        {
            "digital_human": digital_human_body(dh_id, store.digital_humans[dh_id]),
            "simulation_ids": sim_ids,
            "simulation_id": sim_ids[0] if sim_ids else None,
        }
    )


def _known(store: Store, ids: list[int]) -> list[int]:
    """``ids`` without repeats; 404 when any digital human does not exist."""
    unknown = [i for i in ids if i not in store.digital_humans]
    if unknown:
        raise NotFound(f"Digital humans {unknown} not found")
    return list(dict.fromkeys(ids))


@route("POST", "/v1/create-digital-human", body=hb.CreateDigitalHumanRequest)
def create_digital_human(store: Store, call: Call) -> Reply:
    req: hb.CreateDigitalHumanRequest = call.body
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


@route("GET", "/v1/digital-human/{digital_human_id}", path={"digital_human_id": int})
def get_digital_human(store: Store, call: Call) -> Reply:
    dh_id = call.params["digital_human_id"]
    with store.lock:
        _human(store, dh_id)
        return _answer(store, dh_id, _simulations_of(store, dh_id))


@route(
    "PUT",
    "/v1/update-digital-human/{digital_human_id}",
    path={"digital_human_id": int},
    body=hb.UpdateDigitalHumanRequest,
)
def update_digital_human(store: Store, call: Call) -> Reply:
    """Only the fields given change; ``simulation_ids`` (when not null) replaces the
    simulations it belongs to, each an existing one (404 otherwise)."""
    dh_id = call.params["digital_human_id"]
    req: hb.UpdateDigitalHumanRequest = call.body
    changes = req.model_dump(mode="json", exclude_unset=True, exclude=_NOT_STORED)
    with store.lock:
        data = _human(store, dh_id)
        if req.simulation_ids is not None:
            wanted = list(dict.fromkeys(req.simulation_ids))
            sims = [store.simulation(s) for s in wanted]
            for sim in store.simulations.values():
                if sim.id not in wanted and dh_id in sim.digital_human_ids:
                    sim.digital_human_ids.remove(dh_id)
            for sim in sims:
                if dh_id not in sim.digital_human_ids:
                    sim.digital_human_ids.append(dh_id)
        data.update(changes)
        return _answer(store, dh_id, _simulations_of(store, dh_id))


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
    with store.lock:
        sim = store.simulation(sim_id)
        ids = _known(store, call.body.digital_human_ids)
        added = [i for i in ids if i not in sim.digital_human_ids]
        sim.digital_human_ids.extend(added)
    return ok({"message": f"Added {len(added)} digital humans to simulation {sim_id}"})


@route(
    "POST",
    "/v1/simulation/{simulation_id}/remove-digital-humans",
    path={"simulation_id": int},
    body=hb.RemoveDigitalHumansFromSimulationRequest,
)
def remove_digital_humans(store: Store, call: Call) -> Reply:
    """Unlinks them (the digital humans stay); one that is not linked is no error."""
    sim_id = call.params["simulation_id"]
    with store.lock:
        sim = store.simulation(sim_id)
        ids = _known(store, call.body.digital_human_ids)
        removed = [i for i in ids if i in sim.digital_human_ids]
        sim.digital_human_ids[:] = [i for i in sim.digital_human_ids if i not in removed]
    return ok({"message": f"Removed {len(removed)} digital humans from simulation {sim_id}"})
