"""``run.max_conversations``: the plan's most against the budget (``verdict.costs``)."""

from __future__ import annotations

from bluejay_gate.verdict.costs import SimulationCost, budget_line, over_budget


def _costs(humans: int | None = 4) -> list[SimulationCost]:
    return [
        SimulationCost("A", "1", humans, repeats=2, max_repeats=5),
        SimulationCost("B", "2", 3, repeats=1),
    ]


def test_no_budget_never_refuses() -> None:
    assert over_budget(None, _costs()) is None
    assert budget_line(None, _costs()) is None


def test_the_most_with_early_stopping_counts() -> None:
    # A: 4 x up to 5 = 20, B: 3 -> up to 23 (11 in the first round)
    assert over_budget(23, _costs()) is None
    assert budget_line(23, _costs()) == (
        "budget: 23 of at most 23 conversations (run.max_conversations)"
    )
    assert over_budget(22, _costs()) == (
        "the plan queues up to 23 conversations (11 in the first round, more only while a "
        "check is inconclusive), over the budget of 22: raise max_conversations, or lower "
        "repeat, max_repeats or the digital humans queued; nothing was queued"
    )


def test_a_plan_without_early_stopping_says_its_size() -> None:
    costs = [SimulationCost("B", "2", 3, repeats=2)]
    problem = over_budget(5, costs)
    assert problem is not None
    assert problem.startswith("the plan queues 6 conversations, over the budget of 5")


def test_an_unknown_plan_cannot_be_checked() -> None:
    problem = over_budget(100, _costs(None))
    assert problem == (
        "the plan's conversations are unknown (the digital humans of A could not be read), "
        "so the budget of 100 cannot be checked: list digital_human_ids for them or run "
        "again; nothing was queued"
    )
    assert budget_line(100, _costs(None)) == f"over budget: {problem}"
