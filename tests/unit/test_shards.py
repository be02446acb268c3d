"""Shard plans: deterministic, balanced by expected conversations (largest first into the
least loaded shard, ties by key), independent of the spec's order, every unit exactly
once; and ``--shard K/N`` read strictly."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluejay_gate.model.shards import Unit, parse_shard, plan_shards, simulation_unit


def test_largest_first_into_the_least_loaded_shard() -> None:
    units = [Unit("simulation:1", 2), Unit("simulation:2", 9), Unit("simulation:3", 4),
             Unit("simulation:4", 4), Unit("simulation:5", 1)]  # fmt: skip
    assert plan_shards(units, 2) == [
        ("simulation:2", "simulation:5"),  # 9 + 1 = 10
        ("simulation:3", "simulation:4", "simulation:1"),  # 4 + 4 + 2 = 10
    ]


def test_ties_go_by_key_and_to_the_lowest_shard() -> None:
    units = [Unit("simulation:b", 3), Unit("simulation:a", 3), Unit("simulation:c", 3)]
    assert plan_shards(units, 2) == [("simulation:a", "simulation:c"), ("simulation:b",)]


def test_unknown_counts_spread_over_the_shards() -> None:
    """Units of unknown size (0) still spread: fewest units first on equal load."""
    units = [Unit(f"simulation:{i}", 0) for i in range(4)]
    assert [len(s) for s in plan_shards(units, 2)] == [2, 2]


def test_more_shards_than_units_leaves_some_empty() -> None:
    assert plan_shards([Unit("simulation:1", 5)], 3) == [("simulation:1",), (), ()]


@settings(deadline=None)  # planning is pure; a loaded machine must not fail it
@given(
    st.lists(st.tuples(st.integers(1, 50), st.integers(0, 40)), min_size=1, max_size=30),
    st.integers(1, 6),
    st.randoms(use_true_random=False),
)
def test_every_unit_once_same_plan_in_any_order_and_balanced(
    sizes: list[tuple[int, int]], count: int, rnd: random.Random
) -> None:
    units = [Unit(f"simulation:{key}", n) for key, n in dict(sizes).items()]
    plan = plan_shards(units, count)
    flat = [key for shard in plan for key in shard]
    assert sorted(flat) == sorted(u.key for u in units)  # each once, none lost
    shuffled = list(units)
    rnd.shuffle(shuffled)
    assert plan_shards(shuffled, count) == plan  # the spec's order changes nothing
    size = {u.key: u.conversations for u in units}
    loads = [sum(size[k] for k in shard) for shard in plan]
    # Greedy largest-first: no shard exceeds the lightest by more than the largest unit.
    assert max(loads) - min(loads) <= max(size.values())


@pytest.mark.parametrize(
    ("text", "expected"), [("1/1", (1, 1)), ("2/4", (2, 4)), (" 3/3 ", (3, 3))]
)
def test_shard_text(text: str, expected: tuple[int, int]) -> None:
    assert parse_shard(text) == expected


@pytest.mark.parametrize("text", ["0/2", "3/2", "2", "a/b", "1/0", "-1/2", "1/2/3", ""])
def test_bad_shard_text_says_how_to_write_it(text: str) -> None:
    with pytest.raises(ValueError, match=r"write K/N with 1 <= K <= N, e\.g\. 2/4"):
        parse_shard(text)


def test_simulation_unit_compares_ids_as_bluejay_does() -> None:
    assert simulation_unit("04821") == simulation_unit("4821") == "simulation:4821"
    assert simulation_unit("sim-a") == "simulation:sim-a"
