"""The emulator's in-memory world: agents, simulations, digital humans, custom metrics,
runs and conversations, their ids, and loading a scenario into it. One lock guards it;
handlers hold it only briefly. Queueing runs and ending conversations is ``queueing``;
response bodies are ``endpoints.render``.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bluejay_gate.emulator.clock import Clock
from bluejay_gate.emulator.lifecycle import Conversation, Run
from bluejay_gate.emulator.scenario import (
    MetricDef,
    Quirks,
    Scenario,
    ScenarioError,
    ScoreSpec,
    SimulationDef,
    Timing,
)
from bluejay_gate.emulator.scenario_records import DigitalHumanDef
from bluejay_gate.emulator.timeline import iso

ORGANIZATION_ID = "00000000-0000-4000-8000-00000000e4a1"
# First id of each kind: distinct ranges make an id used for the wrong kind fail loudly.
_FIRST_ID = {
    "agent": 101,
    "simulation": 4001,
    "digital_human": 12001,
    "run": 70001,
    "result": 900001,
}


# A metric's internal flag (never rendered): True while it has no agent links and was never
# unlinked through the API, so it scores every agent's runs (the scenario default).
EVERY_AGENT = "_every_agent"


def links_agent(metric: dict[str, Any], agent_id: int) -> bool:
    """Whether a run or call of ``agent_id`` is scored by this custom metric."""
    agents = metric.get("agent_ids") or []
    return agent_id in agents if agents else bool(metric.get(EVERY_AGENT, True))


class NotFound(Exception):
    """An id that does not exist; the message is the 404 ``detail``."""


class Conflict(Exception):
    """A request the state cannot satisfy; the message is the 400 ``detail``."""


@dataclass(slots=True)
class Behaviour:
    """How a simulation's conversations turn out (from the scenario or add_simulation)."""

    scores: dict[str, ScoreSpec] = field(default_factory=dict)
    digital_human_scores: dict[int, dict[str, ScoreSpec]] = field(default_factory=dict)
    # by digital human name (created_simulations); an id's entry wins key by key
    named_human_scores: dict[str, dict[str, ScoreSpec]] = field(default_factory=dict)
    run_outcome: str | None = None
    result_statuses: dict[int, str] = field(default_factory=dict)
    never_speaks: set[int] = field(default_factory=set)
    metrics: list[str] | None = None
    quirks: Quirks | None = None
    timing: Timing | None = None
    report_selected_metrics: str | None = None


@dataclass(slots=True)
class SimulationRecord:
    id: int
    agent_id: int
    name: str
    created_at: str
    digital_human_ids: list[int] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    behaviour: Behaviour = field(default_factory=Behaviour)
    runs: int = 0


class Store:
    def __init__(self, scenario: Scenario, *, clock: Clock, speed: float, seed: int) -> None:
        if speed <= 0:
            raise ScenarioError(f"speed must be > 0, got {speed}")
        self.lock = threading.RLock()
        self.clock = clock
        self.speed = speed
        self.seed = seed
        self.timing = scenario.timing
        self.quirks = scenario.quirks
        self.base_url = ""
        self.agents: dict[int, dict[str, Any]] = {}
        self.simulations: dict[int, SimulationRecord] = {}
        self.digital_humans: dict[int, dict[str, Any]] = {}
        self.metrics: dict[str, dict[str, Any]] = {}
        self.runs: dict[int, Run] = {}
        self.conversations: dict[int, Conversation] = {}
        # calls sent to /v1/evaluate, by call id (``calls``: records, statuses, bodies)
        self.calls: dict[str, Any] = {}
        self.call_rules = scenario.call_rules
        self.created_simulations = scenario.created_simulations
        self._next = dict(_FIRST_ID)
        self._uuid_rng = random.Random(f"{seed}|uuid")
        self._load(scenario)

    # ---- ids and time -------------------------------------------------------------
    def new_id(self, kind: str, wanted: int | None = None) -> int:
        with self.lock:
            if wanted is not None:
                self._next[kind] = max(self._next[kind], wanted + 1)
                return wanted
            value = self._next[kind]
            self._next[kind] += 1
            return value

    def new_uuid(self) -> str:
        with self.lock:
            return str(uuid.UUID(int=self._uuid_rng.getrandbits(128), version=4))

    @staticmethod
    def now_iso() -> str:
        return iso(datetime.now(UTC))

    # ---- scenario -----------------------------------------------------------------
    def _load(self, scenario: Scenario) -> None:
        for agent in scenario.agents:
            self.add_agent(agent.model_dump(exclude_none=True))
        for metric in scenario.custom_metrics:
            self.add_metric(metric)
        for sim in scenario.simulations:
            agent_id = self.find_agent_ref(sim.agent)
            self.add_simulation(agent_id, sim)

    def find_agent_ref(self, ref: str | int) -> int:
        with self.lock:
            for agent_id, agent in self.agents.items():
                if str(ref) in {str(agent_id), agent.get("external_agent_id"), agent["name"]}:
                    return agent_id
        raise ScenarioError(f"agent {ref!r} not found; use an external_agent_id, name or id")

    # ---- agents -------------------------------------------------------------------
    def add_agent(self, fields: dict[str, Any]) -> int:
        fields = {k: v for k, v in fields.items() if v is not None or k == "external_agent_id"}
        if "name" not in fields:
            raise ScenarioError("an agent needs a name")
        with self.lock:
            agent_id = self.new_id("agent", fields.pop("id", None))
            fields.setdefault("system_prompt", fields.pop("description", ""))
            fields.setdefault("knowledge_base", "")
            fields.setdefault("goals", [])
            fields.setdefault("type", "INBOUND")
            fields.setdefault("mode", "VOICE")
            fields["created_at"] = self.now_iso()
            self.agents[agent_id] = fields
            return agent_id

    def agent(self, agent_id: int) -> dict[str, Any]:
        with self.lock:
            if agent_id not in self.agents:
                raise NotFound(f"Agent {agent_id} not found")
            return self.agents[agent_id]

    def agent_by_external_id(self, external_id: str) -> int:
        with self.lock:
            for agent_id, agent in self.agents.items():
                if agent.get("external_agent_id") == external_id:
                    return agent_id
        raise NotFound(f"Agent with external id {external_id!r} not found")

    # ---- custom metrics -----------------------------------------------------------
    def add_metric(self, metric: MetricDef | dict[str, Any]) -> str:
        """Store a metric. Without ``agent_ids`` it scores every agent's runs unless
        ``data[EVERY_AGENT]`` is False (a metric unlinked through the API)."""
        data = metric.model_dump() if isinstance(metric, MetricDef) else dict(metric)
        with self.lock:
            metric_id = data.pop("id", None) or self.new_uuid()
            data.setdefault("description", "")
            data.setdefault("agent_ids", [])
            data.setdefault(EVERY_AGENT, not data["agent_ids"])
            data.setdefault("allow_not_applicable", False)
            data["created_at"] = self.now_iso()
            self.metrics[metric_id] = data
            return metric_id

    def metric(self, metric_id: str) -> dict[str, Any]:
        with self.lock:
            if metric_id not in self.metrics:
                raise NotFound(f"Custom metric {metric_id} not found")
            return self.metrics[metric_id]

    # ---- simulations and digital humans -------------------------------------------
    def add_digital_human(self, data: dict[str, Any], wanted: int | None = None) -> int:
        with self.lock:
            dh_id = self.new_id("digital_human", wanted)
            data = dict(data)
            data.setdefault("intent", "")
            data.setdefault("success_criteria", "")
            data["created_at"] = self.now_iso()
            self.digital_humans[dh_id] = data
            return dh_id

    def add_simulation(self, agent_id: int, sim: SimulationDef) -> int:
        with self.lock:
            self.agent(agent_id)
            sim_id = self.new_id("simulation", sim.id)
            record = SimulationRecord(
                id=sim_id,
                agent_id=agent_id,
                name=sim.name,
                created_at=self.now_iso(),
                fields={"runs_per_digital_human": sim.runs_per_digital_human, **sim.settings},
                behaviour=Behaviour(
                    scores=dict(sim.scores),
                    digital_human_scores=dict(sim.digital_human_scores),
                    run_outcome=sim.run_outcome,
                    result_statuses=dict(sim.result_statuses),
                    never_speaks=set(sim.never_speaks),
                    metrics=sim.metrics,
                    quirks=sim.quirks,
                    timing=sim.timing,
                    report_selected_metrics=sim.report_selected_metrics,
                ),
            )
            for dh in sim.digital_humans:
                record.digital_human_ids.append(self._scenario_dh(dh))
            self.simulations[sim_id] = record
            return sim_id

    def _scenario_dh(self, dh: DigitalHumanDef) -> int:
        if dh.id is not None and dh.id in self.digital_humans:
            return dh.id
        data = dh.model_dump(mode="json", exclude={"id"}, exclude_unset=True)
        return self.add_digital_human(data, dh.id)

    def created_behaviour(self, agent_id: int, name: str) -> Behaviour:
        """The behaviour of a simulation created through the API: the first of the
        scenario's ``created_simulations`` with its name (and agent), else the defaults."""
        for entry in self.created_simulations:
            if entry.name != name:
                continue
            if entry.agent is not None:
                try:
                    if self.find_agent_ref(entry.agent) != agent_id:
                        continue
                except ScenarioError:
                    continue
            return Behaviour(
                scores=dict(entry.scores),
                named_human_scores=dict(entry.digital_human_scores),
                run_outcome=entry.run_outcome,
                quirks=entry.quirks,
                timing=entry.timing,
            )
        return Behaviour()

    def simulation(self, sim_id: int) -> SimulationRecord:
        with self.lock:
            if sim_id not in self.simulations:
                raise NotFound(f"Simulation {sim_id} not found")
            return self.simulations[sim_id]

    # ---- runs and conversations -----------------------------------------------------
    def run(self, run_id: int) -> Run:
        with self.lock:
            if run_id not in self.runs:
                raise NotFound(f"Simulation run {run_id} not found")
            return self.runs[run_id]

    def conversation(self, result_id: int) -> Conversation:
        with self.lock:
            if result_id not in self.conversations:
                raise NotFound(f"Simulation result {result_id} not found")
            return self.conversations[result_id]
