"""Repeats and early stopping: which simulations get another round, and what it saved.

Pure decisions; ``gate`` does the queueing. A simulation with ``repeat: N`` is queued
once with ``runs_per_digital_human: N``. With ``max_repeats: M`` it is looked at after
N conversations per digital human and then after each further one (one more run with
``runs_per_digital_human: 1``), for ``M - N + 1`` planned looks; each look judges the
``confidence`` checks at ``1 - (1 - confidence) / looks`` (``stats.per_look_confidence``).
It gets another round only while an error-severity check is inconclusive and nothing
else already decides it: a failed check, a missing metric or a simulation-level error.
"""

from __future__ import annotations

from collections.abc import Sequence

from bluejay_gate.verdict.model import Outcome, Repeats, SimulationVerdict
from bluejay_gate.verdict.stats import planned_looks


def looks_for(repeat: int, max_repeats: int | None) -> int:
    return len(planned_looks(repeat, max_repeats))


def wants_more(verdict: SimulationVerdict) -> bool:
    """Another round could settle this simulation: some blocking check is inconclusive,
    and no blocking check failed or lacks a verdict for another reason. A delta check
    that more conversations of this run would not settle (the baseline's own width) asks
    for none."""
    if verdict.errors:
        return False
    blocking = [c for c in verdict.checks if c.blocking]
    if any(c.outcome is Outcome.FAIL for c in blocking):
        return False
    if any(c.outcome is Outcome.NO_VERDICT and not c.inconclusive for c in blocking):
        return False
    return any(c.inconclusive and not (c.check.delta and c.more_needed is None) for c in blocking)


def repeat_summary(
    *,
    repeat_done: int,
    repeat: int,
    max_repeats: int | None,
    digital_humans: int,
    conversations: int,
) -> Repeats:
    """The ``Repeats`` a simulation's reports show after ``repeat_done`` per digital human."""
    looks = looks_for(repeat, max_repeats)
    ceiling = max_repeats if max_repeats is not None and looks > 1 else repeat
    return Repeats(
        repeat=repeat_done,
        max_repeats=max_repeats,
        looks=repeat_done - repeat + 1,
        planned_looks=looks,
        digital_humans=digital_humans,
        conversations=conversations,
        conversations_max=ceiling * digital_humans,
    )


def digital_humans_of(expected: Sequence[str], repeat: int) -> int:
    """Digital humans in a first run that queued ``expected`` results at ``repeat`` each."""
    return max(1, len(expected) // max(1, repeat)) if expected else 0
