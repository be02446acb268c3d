"""Simulation calls of Bluejay as code: the agent's simulations (id and name), one
simulation in full, creating one under the agent (once only: after an ambiguous failure
the agent's simulation of that name is looked up, preferring one created since the
attempt, before it is created again) and updating one (``PUT``, idempotent: retried),
checking Bluejay answered with that simulation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bluejay_gate.bluejay.adoption import adopted
from bluejay_gate.bluejay.bodies import documented_body, integer_id, string_ids
from bluejay_gate.bluejay.fields import SIMULATION_CREATE_FIELDS, SIMULATION_UPDATE_FIELDS
from bluejay_gate.bluejay.models import Simulation
from bluejay_gate.bluejay.runs import RunCalls
from bluejay_gate.bluejay.session import Reply
from bluejay_gate.bluejay.setup_models import SimulationRecord, SimulationResponse
from bluejay_gate.errors import RequestRejected, ResponseError

CREATE = "POST /v1/create-simulation"
UPDATE = "PUT /v1/simulation/{simulation_id}"
GET = "GET /v1/simulation/{simulation_id}"
METRIC_IDS = "selected_custom_metrics"


class SimulationSetupCalls(RunCalls):
    """``get-simulations-by-agent``, ``simulation/{id}`` (GET, PUT), ``create-simulation``."""

    def agent_simulation_ids(self, agent_id: str) -> list[tuple[str, str | None]]:
        """(id, name) of each of the agent's simulations
        (``GET /v1/get-simulations-by-agent/{agent_id}``), each id once."""
        return [(s.id, s.name) for s in self._agent_simulations(str(agent_id))]

    def _agent_simulations(self, agent_id: str) -> list[Simulation]:
        """The agent's simulations; one another agent's (a server ignoring the path) is
        left out."""
        found: dict[str, Simulation] = {}
        for sim in self.list_agent_simulations(agent_id):
            if sim.agent_id is None or sim.agent_id == agent_id:
                found.setdefault(sim.id, sim)
        return list(found.values())

    def simulation_record(self, simulation_id: str) -> SimulationRecord:
        """``GET /v1/simulation/{simulation_id}`` in full."""
        ident = integer_id(simulation_id, "simulation", GET)
        path = f"/v1/simulation/{ident}"
        reply = self._call("GET", path, what=("simulation", ident))
        return self._simulation_answer(reply, f"GET {path}", ident)

    def create_simulation(self, agent_id: str, name: str, fields: Mapping[str, Any]) -> str:
        """``POST /v1/create-simulation`` (``agent_id`` as a string, ``name``, ``fields`` of
        ``SimulationRequest``, metric ids as strings); the new id. Once only."""
        allowed = SIMULATION_CREATE_FIELDS - {"agent_id", "name"}
        extra = documented_body(fields, allowed, "SimulationRequest", CREATE)
        if not isinstance(name, str) or not name.strip():
            raise RequestRejected(
                "not sent: a managed simulation needs a name (the gate finds it by name); "
                "give the simulation a name in the spec",
                endpoint=CREATE,
            )
        if METRIC_IDS in extra:
            extra[METRIC_IDS] = string_ids(extra[METRIC_IDS], "custom metric", CREATE)
        agent = str(agent_id)
        body = {"agent_id": agent, "name": name, **extra}
        started = self._now()

        def parse(reply: Reply) -> str:
            payload = self._json(reply, CREATE)
            return self._model(SimulationResponse, payload, CREATE, reply.status).simulation_id

        def reconcile(cause: str) -> str | None:
            return self._find_created_simulation(agent, name, started, cause)

        return self._post_once_only("/v1/create-simulation", body, parse, reconcile, "simulation")

    def _find_created_simulation(
        self, agent: str, name: str, since: datetime, cause: str
    ) -> str | None:
        candidates = [s for s in self._agent_simulations(agent) if s.name == name]
        chosen = adopted(candidates, since, lambda s: s.created_at, lambda s: s.id)
        if chosen is None:
            return None
        self._log(f"{CREATE}: adopted simulation {chosen.id} ({name}) after {cause}")
        return chosen.id

    def update_simulation(self, simulation_id: str, fields: Mapping[str, Any]) -> None:
        """``PUT /v1/simulation/{simulation_id}`` with only ``fields``; Bluejay must answer
        with that simulation (``SimulationPydantic``)."""
        ident = integer_id(simulation_id, "simulation", UPDATE)
        body = documented_body(fields, SIMULATION_UPDATE_FIELDS, "UpdateSimulationRequest", UPDATE)
        if METRIC_IDS in body:
            body[METRIC_IDS] = string_ids(body[METRIC_IDS], "custom metric", UPDATE)
        path = f"/v1/simulation/{ident}"
        reply = self._call("PUT", path, body, what=("simulation", ident))
        self._simulation_answer(reply, f"PUT {path}", ident)

    def _simulation_answer(self, reply: Reply, endpoint: str, ident: str) -> SimulationRecord:
        """A ``SimulationPydantic`` of simulation ``ident`` (its optional id taken as
        ``ident`` when absent); another simulation's is a ResponseError."""
        payload = self._json(reply, endpoint)
        if isinstance(payload, dict) and payload.get("id") is None:
            payload = {**payload, "id": ident}
        record = self._model(SimulationRecord, payload, endpoint, reply.status)
        if record.id != ident:
            raise ResponseError(
                f"answered with simulation {record.id}, not {ident}; check --base-url points "
                "at the Bluejay API",
                endpoint=endpoint,
                status=reply.status,
            )
        return record
