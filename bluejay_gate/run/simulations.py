"""Find the simulations the spec lists, refuse ones that test another agent, and refuse
one simulation listed twice (once by id, once by name)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bluejay_gate.bluejay.models import Simulation
from bluejay_gate.errors import NotFoundError, ResolveError, SpecError
from bluejay_gate.run.fanout import answer, fetch_all


class SimulationApi(Protocol):
    def get_simulation(self, simulation_id: str) -> Simulation: ...
    def list_agent_simulations(self, agent_id: str) -> list[Simulation]: ...


class SimulationSpecLike(Protocol):
    @property
    def id(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def line(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ResolvedSimulation:
    simulation_id: str
    label: str  # the spec's name, else Bluejay's name, else "simulation <id>"
    bluejay_name: str | None
    selected_metric_ids: frozenset[str] | None = None  # None: Bluejay did not say
    runs_per_digital_human: int | None = None  # the simulation's own setting, when known


def resolve_simulations(
    api: SimulationApi,
    agent_id: str | None,
    sims: Sequence[SimulationSpecLike],
    spec_path: str,
    max_parallel: int = 1,
) -> list[ResolvedSimulation]:
    """Each spec simulation as a Bluejay simulation of this agent. ``agent_id`` is None
    when the agent does not exist yet (dry run of a create): then only ids can be checked.
    The look-ups run concurrently (``fanout``, within ``max_parallel``); they are read in
    spec order, so the first problem in the spec is the one raised."""
    by_id = fetch_all(api.get_simulation, [s.id for s in sims if s.id is not None], max_parallel)
    listed: dict[str, list[Simulation] | Exception] = {}
    if agent_id is not None and any(s.id is None for s in sims):
        listed = fetch_all(api.list_agent_simulations, [agent_id], 1)
    by_name: list[Simulation] | None = None
    resolved: list[ResolvedSimulation] = []
    for sim in sims:
        where = f"{spec_path}:{sim.line}"
        if sim.id is not None:
            try:
                found = answer(by_id[sim.id])
            except NotFoundError as exc:
                raise ResolveError(
                    f"{where}: simulation {sim.id} not found in Bluejay: check the id "
                    "(it is in the simulation's dashboard URL)"
                ) from exc
            if agent_id is None or (found.agent_id is not None and found.agent_id != agent_id):
                owner = found.agent_id or "no agent"
                raise ResolveError(
                    f"{where}: simulation {sim.id} ({found.name!r}) belongs to agent {owner}, "
                    f"not to this spec's agent ({agent_id or 'not created yet'}): "
                    "the gate would test the wrong agent; use a simulation of this agent"
                )
        else:
            if agent_id is None:
                raise ResolveError(
                    f"{where}: simulation {sim.name!r} is looked up by name among the agent's "
                    "simulations, but the agent does not exist yet: create the agent and its "
                    "simulations first, or give the simulation's id"
                )
            if by_name is None:
                by_name = answer(listed[agent_id])
            matches = [s for s in by_name if s.name == sim.name]
            if not matches:
                names = [s.name for s in by_name if s.name]
                close = difflib.get_close_matches(sim.name or "", names, n=3, cutoff=0.5)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                known = f" (it has {len(names)})" if names else " (it has none)"
                raise ResolveError(
                    f"{where}: agent {agent_id} has no simulation named {sim.name!r}{known}{hint}"
                )
            if len(matches) > 1:
                ids = ", ".join(s.id for s in matches)
                raise ResolveError(
                    f"{where}: {len(matches)} simulations of agent {agent_id} are named "
                    f"{sim.name!r} (ids {ids}): give the id in the spec"
                )
            found = matches[0]
        label = sim.name or found.name or f"simulation {found.id}"
        resolved.append(
            ResolvedSimulation(
                found.id,
                label,
                found.name,
                selected_metric_ids=found.selected_metric_ids,
                runs_per_digital_human=found.runs_per_digital_human,
            )
        )
    return resolved


def same_id(value: str) -> str:
    """A simulation id compared as Bluejay does: ``"04821"`` is 4821."""
    text = value.strip()
    return str(int(text)) if text.isascii() and text.isdigit() else text


def refuse_duplicates(
    sims: Sequence[SimulationSpecLike], resolved: Sequence[ResolvedSimulation], spec_path: str
) -> None:
    """Two spec entries that resolved to one Bluejay simulation (by id and by name) would
    queue it twice: a ``SpecError`` naming both lines, before anything is changed."""
    seen: dict[str, SimulationSpecLike] = {}
    for index, (sim, found) in enumerate(zip(sims, resolved, strict=True)):
        key = same_id(found.simulation_id)
        first = seen.setdefault(key, sim)
        if first is sim:
            continue
        raise SpecError(
            f"simulation {found.simulation_id} is listed twice: line {first.line} "
            f"({_spelled(first)}) and line {sim.line} ({_spelled(sim)}) are the same "
            "simulation; remove one (use repeat to run it more often); nothing was queued",
            file=spec_path,
            line=sim.line,
            key=f"simulations[{index}]",
        )


def _spelled(sim: SimulationSpecLike) -> str:
    return f"id {sim.id}" if sim.id is not None else f"name {sim.name!r}"
