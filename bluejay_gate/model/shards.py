"""Sharding a gate across a CI matrix: which units (simulations and call sets) the K-th
of N shards runs (``plan_shards``), and the ``--shard K/N`` text (``parse_shard``).

Pure: a unit is a stable key and the conversations it is expected to queue (digital
humans × runs per digital human, what the dry run shows; for a call set, the call files
it matched). The plan is deterministic and
does not depend on the spec's order: units sorted by size (largest first, ties by key),
each given to the shard with the fewest conversations so far (ties: the lowest index).
Every shard computes the same plan from the same spec and the same Bluejay answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Unit:
    """One thing a shard runs whole: ``simulation:4821``, or a call set ``calls:<name>``."""

    key: str
    conversations: int  # expected; 0 when unknown


@dataclass(frozen=True, slots=True)
class Shard:
    """The K-th (1-based) of N shards, and the unit keys it runs (in plan order)."""

    index: int
    count: int
    units: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.index}/{self.count}"


def simulation_unit(simulation_id: str) -> str:
    """A simulation's unit key (its id as Bluejay compares it: ``04821`` is ``4821``)."""
    text = simulation_id.strip()
    return f"simulation:{int(text) if text.isascii() and text.isdigit() else text}"


def call_set_unit(name: str) -> str:
    """A call set's unit key: ``calls:<name>`` (names are unique in a spec)."""
    return f"calls:{name}"


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``; ``ValueError`` saying how to write it."""
    index, sep, count = text.strip().partition("/")
    try:
        k, n = int(index), int(count)
    except ValueError:
        k, n = 0, 0
    if not sep or n < 1 or not 1 <= k <= n:
        raise ValueError(f"{text!r} is not a shard: write K/N with 1 <= K <= N, e.g. 2/4")
    return k, n


def plan_shards(units: Sequence[Unit], count: int) -> list[tuple[str, ...]]:
    """The unit keys of each of ``count`` shards (index 0 is shard 1/N). A key given twice
    is planned once."""
    unique = {u.key: u for u in units}
    ordered = sorted(unique.values(), key=lambda u: (-max(0, u.conversations), u.key))
    bins: list[list[str]] = [[] for _ in range(count)]
    loads = [0] * count
    for unit in ordered:
        target = min(range(count), key=lambda i: (loads[i], len(bins[i]), i))
        bins[target].append(unit.key)
        loads[target] += max(0, unit.conversations)
    return [tuple(b) for b in bins]
