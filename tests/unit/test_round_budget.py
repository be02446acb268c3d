"""``run.max_conversations`` while the gate runs (``rounds.within_budget``): an
early-stopping round is counted from what Bluejay actually queued so far."""

from __future__ import annotations

import dataclasses

from bluejay_gate.run.rounds import within_budget
from bluejay_gate.run.tracking import Job, PollOutcome, Tracker

JOBS = [Job(0, "A", "1", runs_per_digital_human=2), Job(1, "B", "2", runs_per_digital_human=2)]


def _outcome(a: int, b: int) -> PollOutcome:
    """A queued 2 per digital human for ``a`` conversations, B for ``b``."""
    trackers = [
        Tracker(JOBS[0], "71", tuple(str(i) for i in range(a))),
        Tracker(JOBS[1], "72", tuple(str(100 + i) for i in range(b))),
    ]
    return PollOutcome(trackers, [])


def _more() -> list[tuple[Job, str]]:
    return [(dataclasses.replace(j, runs_per_digital_human=1), f"{j.label} why") for j in JOBS]


def test_no_budget_queues_every_round() -> None:
    assert within_budget(None, _outcome(10, 6), _more()) == (_more(), [])


def test_rounds_that_fit_are_queued_in_order_and_the_rest_refused() -> None:
    # 16 queued; A's next round is 5 conversations (10 at 2 each), B's 3
    kept, refused = within_budget(21, _outcome(10, 6), _more())
    assert [job.label for job, _ in kept] == ["A"]
    assert refused == [
        "B: another round of 3 conversations would take the gate past "
        "run.max_conversations 21 (21 queued so far): not queued"
    ]
    kept, refused = within_budget(24, _outcome(10, 6), _more())
    assert [job.label for job, _ in kept] == ["A", "B"]
    assert refused == []
