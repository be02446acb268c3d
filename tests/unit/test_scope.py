"""``shard_scope``: simulations and call sets planned together as units (a call set's
size: the call files it matched), each spec index in exactly one shard. Pure."""

from __future__ import annotations

from pathlib import Path

from bluejay_gate.run.scope import shard_scope
from bluejay_gate.run.simulations import ResolvedSimulation
from bluejay_gate.spec.resolved import CallFile, CallSetSpec
from bluejay_gate.verdict.costs import SimulationCost


def _call_set(name: str, files: int) -> CallSetSpec:
    found = tuple(CallFile(Path(f"{name}{i}.json"), f"{name}{i}.json", {}) for i in range(files))
    return CallSetSpec(name, f"{name}*.json", found, {}, line=1)


def test_call_sets_are_units_planned_with_the_simulations() -> None:
    sims = [ResolvedSimulation("4821", "A", None), ResolvedSimulation("4822", "B", None)]
    costs = [SimulationCost("A", "4821", 5, 1), SimulationCost("B", "4822", 1, 1)]
    sets = [_call_set("big", 4), _call_set("small", 1)]
    one = shard_scope(sims, costs, 1, 2, call_sets=sets)
    two = shard_scope(sims, costs, 2, 2, call_sets=sets)
    # 4821 (5) first; the big set (4) to the other; small (1, "calls:" before
    # "simulation:") to the lighter (4 + 1 = 5); 4822 (1) on equal load to fewer units
    assert one.shard.units == ("simulation:4821", "simulation:4822")
    assert two.shard.units == ("calls:big", "calls:small")
    assert (one.simulations, one.call_sets) == (frozenset({0, 1}), frozenset())
    assert (two.simulations, two.call_sets) == (frozenset(), frozenset({0, 1}))


def test_a_spec_of_calls_only_shards_its_sets() -> None:
    sets = [_call_set("a", 2), _call_set("b", 2), _call_set("c", 1)]
    plans = [shard_scope([], [], k, 2, call_sets=sets) for k in (1, 2)]
    assert [p.call_sets for p in plans] == [frozenset({0, 2}), frozenset({1})]
    assert plans[0].simulations == plans[1].simulations == frozenset()
