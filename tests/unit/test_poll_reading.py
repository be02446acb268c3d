"""The poller keeps each result read (``ReadResult``); the last answer counts: a result
whose fingerprint changed (a value, a status, a new evaluation, a reasoning text) is read
again, one whose answer is unchanged keeps its reading.

A scripted ``PollApi`` (our protocol, not a patch of our code) hands out three answers
for one run: the run's state as Bluejay would show it over three ticks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bluejay_gate.bluejay.models import QueuedRun, RunResults, SimulationResult
from bluejay_gate.model.results import ReadResult
from bluejay_gate.run.poll import Poller
from bluejay_gate.run.tracking import Job, PollOutcome, Tracker, simulation_seconds


def _result(rid: str, status: str, polite: str | None, why: str = "") -> dict[str, Any]:
    evaluation: dict[str, Any] = {"goal_success": True, "num_turns": 8}
    if polite is not None:
        evaluation["custom_metrics"] = [
            {
                "name": "Polite",
                "response_value": polite,
                "response_type": "pass_fail",
                "reasoning": why,
            }
        ]
    return {"id": rid, "digital_human_id": 5, "status": status, "evaluations": [evaluation]}


ANSWERS = [
    ("RUNNING", [_result("1", "COMPLETED", "pass", "first"), _result("2", "RUNNING", None)]),
    # 1 again, with another value: read again (the last answer counts);
    # 2 is COMPLETED but the bulk answer left its metric out
    ("RUNNING", [_result("1", "COMPLETED", "fail", "second"), _result("2", "COMPLETED", None)]),
    (
        "COMPLETED",
        [
            _result("1", "COMPLETED", "fail", "third"),
            _result("2", "COMPLETED", "pass", "now there"),
        ],
    ),
]


class ScriptedRun:
    def __init__(self, answers: list[tuple[str, list[dict[str, Any]]]] = ANSWERS) -> None:
        self.answers = answers
        self.polls = 0
        self.rereads: list[str] = []

    def queue_run(
        self,
        simulation_id: str,
        *,
        digital_human_ids: Sequence[str] | None = None,
        runs_per_digital_human: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> QueuedRun:
        return QueuedRun.model_validate({"simulation_run_id": 70, "simulation_result_ids": [1, 2]})

    def get_run_results(self, run_id: str) -> RunResults:
        status, results = self.answers[min(self.polls, len(self.answers) - 1)]
        self.polls += 1
        return RunResults.model_validate(
            {"simulation_run": {"id": run_id, "status": status}, "simulation_results": results}
        )

    def get_result(self, result_id: str) -> SimulationResult:
        self.rereads.append(result_id)
        return SimulationResult.model_validate(_result(result_id, "COMPLETED", "pass", "reread"))

    def end_conversations(self, result_ids: Sequence[str]) -> None:
        raise AssertionError("nothing to end")


def _poll_with(api: ScriptedRun, job: Job, on_pause: Callable[[Poller], None]) -> PollOutcome:
    """Run the poller on ``api`` with a manual clock, calling ``on_pause`` at each pause
    between ticks (``wait(0)`` only asks about cancel)."""
    clock = [0.0]

    def wait(seconds: float) -> bool:
        if seconds > 0:
            on_pause(poller)
            clock[0] += seconds
        return False

    poller = Poller(
        api,
        [job],
        poll_interval=1.0,
        max_parallel=1,
        deadline=100.0,
        monotonic=lambda: clock[0],
        wait=wait,
    )
    return poller.run()


def _poll(api: ScriptedRun, job: Job) -> tuple[PollOutcome, list[dict[str, ReadResult]]]:
    """The outcome, and the results kept after each tick."""
    seen: list[dict[str, ReadResult]] = []
    outcome = _poll_with(api, job, lambda p: seen.append(dict(p.trackers[0].results)))
    return outcome, seen


def test_changed_results_are_read_again_and_unchanged_ones_kept() -> None:
    api = ScriptedRun()
    outcome, seen = _poll(api, Job(sim_index=0, label="S", simulation_id="9"))
    assert api.polls == 3
    assert api.rereads == []  # the third answer brought 2's metric: no re-read needed
    first, second = seen[0], seen[1]
    assert all(isinstance(r, ReadResult) for r in first.values())
    assert first["1"].metrics["Polite"].reasoning == "first"
    assert second["1"].metrics["Polite"].value is False  # a new value: read again
    assert second["1"].metrics["Polite"].reasoning == "second"
    assert not second["2"].found.has_custom  # read, but lacking: read again next time
    final = outcome.trackers[0].results
    # only the reasoning changed: read again too (the last answer counts, its texts
    # included), with the same value
    assert final["1"] is not second["1"]
    assert final["1"].metrics["Polite"].reasoning == "third"
    assert final["1"].metrics["Polite"].value is False
    assert final["2"].metrics["Polite"].reasoning == "now there"
    assert outcome.trackers[0].settled
    assert outcome.trackers[0].lacking == []


def test_a_scored_result_without_an_evaluation_yet_is_read_again() -> None:
    """Checks on built-ins only: a COMPLETED result whose evaluation has not arrived is
    read from the next answer too; once evaluated it is kept."""
    bare = {"id": "1", "digital_human_id": 5, "status": "COMPLETED", "evaluations": []}
    running = {"id": "2", "digital_human_id": 6, "status": "RUNNING"}
    scored = {**bare, "evaluations": [{"goal_success": False, "num_turns": 8}]}
    done = {**running, "status": "COMPLETED", "evaluations": [{"goal_success": True}]}
    api = ScriptedRun(
        [
            ("RUNNING", [bare, running]),
            ("RUNNING", [scored, running]),
            ("COMPLETED", [scored, done]),
        ]
    )
    job = Job(sim_index=0, label="S", simulation_id="9", needs_custom_metrics=False)
    outcome, seen = _poll(api, job)
    assert api.polls == 3
    assert "goal_success" not in seen[0]["1"].metrics
    assert seen[1]["1"].metrics["goal_success"].value is False  # read again: evaluated now
    final = outcome.trackers[0].results
    assert final["1"] is seen[1]["1"]  # then kept
    assert final["2"].metrics["goal_success"].value is True


def _twice(first: dict[str, Any], second: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    return [
        ("RUNNING", [first, second, _result("2", "COMPLETED", "pass")]),
        ("COMPLETED", [_result("1", "COMPLETED", "pass"), _result("2", "COMPLETED", "pass")]),
    ]


def _duplicates_after_first_poll(answers: list[tuple[str, list[Any]]]) -> dict[str, str]:
    found: list[dict[str, str]] = []
    job = Job(sim_index=0, label="S", simulation_id="9")
    outcome = _poll_with(
        ScriptedRun(answers), job, lambda p: found.append(dict(p.trackers[0].duplicates))
    )
    assert outcome.trackers[0].duplicates == {}  # the later, clean answer replaced it
    return found[0]


def test_same_result_twice_with_different_values_is_named() -> None:
    for order in ((0, 1), (1, 0)):  # list order never decides
        pair = [_result("1", "COMPLETED", "pass"), _result("1", "COMPLETED", "fail")]
        found = _duplicates_after_first_poll(_twice(pair[order[0]], pair[order[1]]))
        values = ("'pass' and 'fail'", "'fail' and 'pass'")[order[0]]
        assert found == {
            "1": f"run 70 listed result 1 twice in one answer, with Polite {values}: "
            "no verdict on it until an answer lists it once"
        }


def test_same_result_twice_with_different_statuses_is_named() -> None:
    found = _duplicates_after_first_poll(
        _twice(_result("1", "COMPLETED", "pass"), _result("1", "RUNNING", None))
    )
    assert found == {
        "1": "run 70 listed result 1 twice in one answer, as COMPLETED and as RUNNING: "
        "no verdict on it until an answer lists it once"
    }


def test_identical_duplicates_are_harmless() -> None:
    same = _result("1", "COMPLETED", "pass")
    assert _duplicates_after_first_poll(_twice(same, dict(same))) == {}


def _tracker_for(ids: Sequence[str]) -> Any:
    from bluejay_gate.run.tracking import Tracker

    return Tracker(Job(sim_index=0, label="S", simulation_id="1"), "77", tuple(ids))


def _answer(run_status: str, results: list[dict[str, Any]]) -> RunResults:
    return RunResults.model_validate(
        {"simulation_run": {"id": 77, "status": run_status}, "simulation_results": results}
    )


def test_fingerprints_are_small_and_the_finishing_answer_needs_none() -> None:
    """A result still to be compared keeps one int; in the answer that finishes the run a
    result read for the first time keeps none (the run is never polled again), and one
    read before is still compared (unchanged: its reading is kept)."""
    from bluejay_gate.run.answers import apply_digest, digest, known

    def apply_poll(tracker: Any, got: RunResults) -> None:
        apply_digest(tracker, digest(known(tracker), got))

    tracker = _tracker_for(["1", "2"])
    apply_poll(tracker, _answer("RUNNING", [_result("1", "COMPLETED", "pass")]))
    assert isinstance(tracker.fingerprints["1"], int)
    kept = tracker.results["1"]
    done = [_result("1", "COMPLETED", "pass"), _result("2", "COMPLETED", "fail")]
    apply_poll(tracker, _answer("COMPLETED", done))
    assert tracker.results["1"] is kept
    assert "2" not in tracker.fingerprints
    assert tracker.results["2"].metrics["Polite"].value is False


def test_simulation_seconds_span_first_queued_to_last_done() -> None:
    """Per simulation label, from its first run queued to its last run done; a run never
    done counts to ``now``; a run never queued is not counted."""
    billing, smoke = Job(0, "Billing", "4821"), Job(1, "Smoke", "5")
    first = Tracker(billing, "1", (), queued_at=10.0, done_at=40.0)
    second = Tracker(billing, "2", (), queued_at=12.0, done_at=55.5)
    running = Tracker(smoke, "3", (), queued_at=20.0)
    never = Tracker(Job(2, "Never", "6"), "4", ())
    assert simulation_seconds([first, second, running, never], now=30.0) == {
        "Billing": 45.5,
        "Smoke": 10.0,
    }
