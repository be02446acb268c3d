"""What a plan costs before paying: conversations per digital human in the first look
and at most (early stopping), digital humans, and each simulation's ``SimulationCost``
with its one-line description. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bluejay_gate.spec.resolved import SimulationSpec, Spec
from bluejay_gate.verdict.facts import SimulationFacts


@dataclass(frozen=True, slots=True)
class SimulationCost:
    """Conversations one simulation would queue: digital humans × repeats (first look),
    and the most it can reach with early stopping."""

    label: str
    simulation_id: str
    digital_humans: int | None
    repeats: int
    max_repeats: int | None = None

    @property
    def conversations(self) -> int | None:
        return None if self.digital_humans is None else self.digital_humans * self.repeats

    @property
    def most(self) -> int | None:
        """Conversations at most (``max_repeats``), ``None`` when unknown."""
        if self.digital_humans is None:
            return None
        return self.digital_humans * max(self.repeats, self.max_repeats or self.repeats)

    def describe(self) -> str:
        if self.conversations is None:
            return "unknown conversations (the digital humans could not be read)"
        n = self.most if self.most is not None and self.most > self.conversations else None
        per = f"{self.digital_humans} digital human{'s' if self.digital_humans != 1 else ''}"
        if n is not None:
            return (
                f"{self.conversations} to up to {n} conversations ({per} × {self.repeats}, "
                f"up to {self.max_repeats} while inconclusive)"
            )
        word = "conversation" if self.conversations == 1 else "conversations"
        return f"{self.conversations} {word} ({per} × {self.repeats})"


def first_repeats(sim: SimulationSpec, facts: SimulationFacts | None = None) -> int:
    """Conversations per digital human in the first look: ``repeat``, else the spec's
    ``runs_per_digital_human``, else the simulation's own setting, else 1."""
    if sim.repeat > 1:
        return sim.repeat
    option = sim.queue_options.get("runs_per_digital_human")
    if isinstance(option, int) and not isinstance(option, bool) and option >= 1:
        return option
    if sim.max_repeats is not None:
        return 1  # the gate sends 1 explicitly (run.rounds.build_jobs)
    if facts is not None and facts.runs_per_digital_human is not None:
        return facts.runs_per_digital_human
    return 1


def most_repeats(sim: SimulationSpec, facts: SimulationFacts | None = None) -> int:
    """Conversations per digital human at most: ``max_repeats`` when set."""
    return max(first_repeats(sim, facts), sim.max_repeats or 0)


def digital_humans(sim: SimulationSpec, facts: SimulationFacts | None) -> int | None:
    """The spec's own ``digital_human_ids`` count, else what Bluejay said."""
    if sim.digital_human_ids is not None:
        return len(sim.digital_human_ids)
    return None if facts is None else facts.digital_humans


def plan_costs(spec: Spec, facts: Sequence[SimulationFacts]) -> list[SimulationCost]:
    """One ``SimulationCost`` per simulation, in spec order."""
    return [
        SimulationCost(
            label=f.label,
            simulation_id=f.simulation_id,
            digital_humans=digital_humans(sim, f),
            repeats=first_repeats(sim, f),
            max_repeats=sim.max_repeats,
        )
        for sim, f in zip(spec.simulations, facts, strict=True)
    ]


def describe_total(costs: Sequence[SimulationCost]) -> str:
    """``"16 conversations"``, ``"16 to up to 48 conversations"`` or ``"unknown (...)"``."""
    unknown = [c.label for c in costs if c.conversations is None]
    if unknown:
        known = sum(c.conversations or 0 for c in costs)
        return (
            f"unknown (the digital humans of {', '.join(unknown)} could not be read; "
            f"{known} conversations for the rest)"
        )
    first = sum(c.conversations or 0 for c in costs)
    most = sum(c.most or 0 for c in costs)
    if most > first:
        return f"{first} to up to {most} conversations"
    return f"{first} conversation{'s' if first != 1 else ''}"


def reachable(sim: SimulationSpec, facts: SimulationFacts) -> int | None:
    """Conversations a simulation queues at most, ``None`` when unknown."""
    humans = digital_humans(sim, facts)
    return None if humans is None else humans * most_repeats(sim, facts)


def how_many(sim: SimulationSpec, facts: SimulationFacts) -> str:
    """``4 digital humans in Bluejay × 3``: how ``reachable`` was counted."""
    humans = digital_humans(sim, facts)
    source = "listed in digital_human_ids" if sim.digital_human_ids is not None else "in Bluejay"
    return (
        f"{humans} digital human{'s' if humans != 1 else ''} {source} × {most_repeats(sim, facts)}"
    )


def over_budget(budget: int | None, costs: Sequence[SimulationCost]) -> str | None:
    """Why the plan may not be queued under ``run.max_conversations`` (its most, with
    repeats and every early-stopping round), or ``None`` when it fits (or no budget)."""
    if budget is None:
        return None
    unknown = [c.label for c in costs if c.most is None]
    if unknown:
        return (
            f"the plan's conversations are unknown (the "
            f"digital humans of {', '.join(unknown)} could not be read), so the budget "
            f"of {budget} cannot be checked: list digital_human_ids for them or run again; "
            "nothing was queued"
        )
    most = sum(c.most or 0 for c in costs)
    if most <= budget:
        return None
    first = sum(c.conversations or 0 for c in costs)
    plan = (
        f"up to {most} conversations ({first} in the first round, more only while a check "
        "is inconclusive)"
        if most > first
        else f"{most} conversations"
    )
    return (
        f"the plan queues {plan}, over the budget of {budget}: raise "
        "max_conversations, or lower repeat, max_repeats or the digital humans queued; "
        "nothing was queued"
    )


def budget_line(budget: int | None, costs: Sequence[SimulationCost]) -> str | None:
    """The dry run's budget line, ``None`` without a budget."""
    if budget is None:
        return None
    problem = over_budget(budget, costs)
    if problem is not None:
        return f"over budget: {problem}"
    most = sum(c.most or 0 for c in costs)
    return f"budget: {most} of at most {budget} conversations (run.max_conversations)"
