"""What this gate run queues of the spec: its shard of the simulations and call sets
(``shard_scope``, ``--shard K/N``), planned by expected conversations (a call set's: the
call files it matched). Pure: sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bluejay_gate.model.shards import Shard, Unit, call_set_unit, plan_shards, simulation_unit
from bluejay_gate.run.simulations import ResolvedSimulation
from bluejay_gate.spec.resolved import CallSetSpec
from bluejay_gate.verdict.costs import SimulationCost


def units_of(sims: Sequence[ResolvedSimulation], costs: Sequence[SimulationCost]) -> list[Unit]:
    """One unit per simulation (spec order): its expected conversations, 0 when unknown."""
    expected = [c.conversations for c in costs] if costs else [None] * len(sims)
    return [
        Unit(simulation_unit(sim.simulation_id), count or 0)
        for sim, count in zip(sims, expected, strict=True)
    ]


def call_units_of(call_sets: Sequence[CallSetSpec]) -> list[Unit]:
    """One unit per call set (spec order): one conversation per call file it matched."""
    return [Unit(call_set_unit(c.name), len(c.files)) for c in call_sets]


@dataclass(frozen=True)
class ShardScope:
    """Shard K/N: its units, and the spec indexes of its simulations and call sets."""

    shard: Shard
    simulations: frozenset[int]
    call_sets: frozenset[int]


def shard_scope(
    sims: Sequence[ResolvedSimulation],
    costs: Sequence[SimulationCost],
    index: int,
    count: int,
    call_sets: Sequence[CallSetSpec] = (),
) -> ShardScope:
    """Shard ``index``/``count`` of the simulations and call sets, planned together."""
    units = units_of(sims, costs)
    call_units = call_units_of(call_sets)
    mine = plan_shards([*units, *call_units], count)[index - 1]
    return ShardScope(
        Shard(index, count, mine),
        frozenset(i for i, unit in enumerate(units) if unit.key in mine),
        frozenset(i for i, unit in enumerate(call_units) if unit.key in mine),
    )
