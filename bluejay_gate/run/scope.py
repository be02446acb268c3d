"""What this gate run queues of the spec: its shard of the simulations (``shard_scope``,
``--shard K/N``), planned by expected conversations. Pure: sends nothing.

The seam for call sets (issue 15): a call set becomes one more ``Unit`` (key
``call_set:<id>``) with its expected conversation count.
"""

from __future__ import annotations

from collections.abc import Sequence

from bluejay_gate.model.shards import Shard, Unit, plan_shards, simulation_unit
from bluejay_gate.run.simulations import ResolvedSimulation
from bluejay_gate.verdict.costs import SimulationCost


def units_of(sims: Sequence[ResolvedSimulation], costs: Sequence[SimulationCost]) -> list[Unit]:
    """One unit per simulation (spec order): its expected conversations, 0 when unknown."""
    expected = [c.conversations for c in costs] if costs else [None] * len(sims)
    return [
        Unit(simulation_unit(sim.simulation_id), count or 0)
        for sim, count in zip(sims, expected, strict=True)
    ]


def shard_scope(
    sims: Sequence[ResolvedSimulation],
    costs: Sequence[SimulationCost],
    index: int,
    count: int,
) -> tuple[Shard, frozenset[int]]:
    """Shard ``index``/``count``: its units, and the spec indexes of its simulations."""
    units = units_of(sims, costs)
    mine = plan_shards(units, count)[index - 1]
    chosen = frozenset(i for i, unit in enumerate(units) if unit.key in mine)
    return Shard(index, count, mine), chosen
