"""The poller waiting on an inbox (``run.wait: webhook``) against the emulator: a pushed
conversation of a run already done changes nothing (late), one of a run or result the
poller did not queue is ignored (foreign), and the confirming read replaces every
pushed reading (the read wins)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.models import SimulationResult
from bluejay_gate.bluejay.webhook_events import Pushed
from bluejay_gate.emulator import Emulator
from bluejay_gate.model.results import ReadResult
from bluejay_gate.run.listener import Inbox
from bluejay_gate.run.poll import Poller
from bluejay_gate.run.tracking import Job, PollOutcome

KEY = "poll-webhook-key"
RESULTS = "/v1/retrieve-simulation-results/"
SCENARIO: dict[str, object] = {
    "seed": 5,
    "timing": {"queued": 0.1, "running": 0.3, "conversation_ended": 0.05, "evaluating": 0.2},
    "agents": [{"id": 1, "name": "A"}],
    "custom_metrics": [{"name": "Polite", "response_type": "pass_fail"}],
    "simulations": [
        {
            "id": 7000,
            "name": "S",
            "agent": "A",
            "digital_humans": [{"id": 500, "name": "H0"}, {"id": 501, "name": "H1"}],
            "scores": {"Polite": {"pass_rate": 0.0}},
        }
    ],
}


def _rosy(run_id: str, result_id: str) -> Pushed:
    """A pushed conversation that says it passed, in an evaluation newer than any."""
    polite = {
        "name": "Polite",
        "description": "",
        "response_type": "pass_fail",
        "response_value": "pass",
    }
    evaluation = {"id": 99, "created_at": "2099-01-01T00:00:00Z", "custom_metrics": [polite]}
    result = SimulationResult.model_validate(
        {"id": result_id, "status": "COMPLETED", "evaluations": [evaluation]}
    )
    return Pushed(run_id, result)


class ScriptedInbox(Inbox):
    """An inbox that also hands over, once, what ``extra`` makes of the poller's state
    (``None`` while the moment has not come)."""

    def __init__(self, extra: Callable[[Poller], list[Pushed] | None]) -> None:
        super().__init__()
        self.extra = extra
        self.poller: Poller | None = None
        self.sent = False

    def take(self) -> list[Pushed]:
        got = super().take()
        if self.poller is not None and not self.sent:
            more = self.extra(self.poller)
            if more is not None:
                self.sent = True
                got += more
        return got


def _run(
    emu: Emulator, jobs: list[Job], inbox: ScriptedInbox, safety: float
) -> tuple[Poller, PollOutcome]:
    """The poller over ``jobs`` one run at a time, waiting on ``inbox``; run to the end."""
    with BluejayClient(KEY, emu.base_url) as client:
        poller = Poller(
            client,
            jobs,
            poll_interval=0.05,
            max_parallel=1,
            deadline=time.monotonic() + 30,
            inbox=inbox,
            safety_interval=safety,
        )
        inbox.poller = poller
        outcome = poller.run()
    return poller, outcome


def _late_and_foreign(poller: Poller) -> list[Pushed] | None:
    """Once the first run is done (and the second queued): a rosy pushed result of the
    first (late), and of a run and a result nobody queued (foreign)."""
    done = [t for t in poller.trackers if t.done]
    if not done or len(poller.trackers) != 2:
        return None
    first = done[0]
    return [
        _rosy(first.run_id, first.expected_results[0]),
        _rosy("424242", "1"),
        _rosy(poller.trackers[1].run_id, "987654"),
    ]


def _early(poller: Poller) -> list[Pushed] | None:
    """As soon as the run is queued, long before any conversation is scored: a rosy
    pushed result for every one of them."""
    if not poller.trackers:
        return None
    t = poller.trackers[0]
    return [_rosy(t.run_id, rid) for rid in t.expected_results]


def _value(tracker_results: Mapping[str, ReadResult], rid: str) -> object:
    return tracker_results[rid].metrics["Polite"].value


def test_late_and_foreign_pushes_change_nothing(emulator) -> None:
    emu = emulator(SCENARIO, api_key=KEY, speed=4.0)
    jobs = [Job(sim_index=i, label=f"S{i}", simulation_id="7000") for i in range(2)]
    inbox = ScriptedInbox(_late_and_foreign)
    poller, outcome = _run(emu, jobs, inbox, 0.05)  # run 2 is queued when run 1 is done
    assert not outcome.timed_out
    assert inbox.sent
    assert poller.pushed_ignored == 3
    first, second = outcome.trackers
    assert all(t.settled and t.error is None for t in (first, second))
    assert second.results.keys() == set(second.expected_results)  # no made-up result
    for t in (first, second):
        assert not t.pushed
        assert {_value(t.results, rid) for rid in t.expected_results} == {False}


def test_the_read_wins_over_pushed_readings(emulator) -> None:
    """Every conversation pushed as passing before it is even scored: the run is read at
    once (the confirming read), which disagrees, so the gate goes on and judges what the
    reads say (failing) once the run is done."""
    emu = emulator(SCENARIO, api_key=KEY, speed=1.0)  # ~0.7 s a conversation
    jobs = [Job(sim_index=0, label="S", simulation_id="7000")]
    inbox = ScriptedInbox(_early)
    poller, outcome = _run(emu, jobs, inbox, 0.3)
    (tracker,) = outcome.trackers
    assert inbox.sent
    assert poller.pushed_ignored == 0
    assert tracker.settled
    assert tracker.error is None
    assert not tracker.pushed
    assert {_value(tracker.results, rid) for rid in tracker.expected_results} == {False}
    reads = [r.time for r in emu.requests if r.path.startswith(RESULTS)]
    assert len(reads) >= 2
    # the pushes came before the first poll, which was the confirming read; it disagreed,
    # so the next read waited for the safety net (0.3 s), not the poll interval (0.05 s)
    assert reads[1] - reads[0] >= 0.25
