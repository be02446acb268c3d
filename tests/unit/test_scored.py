"""What stop-when-decided reads of a run still in progress (``run.scored``): answers that
would let it decide on too little must leave the count unknown (the check stays open)."""

from __future__ import annotations

from bluejay_gate.bluejay.models import RunStatus
from bluejay_gate.bluejay.results import read_result
from bluejay_gate.run.scored import scored_results, unscored
from bluejay_gate.run.tracking import Job, Tracker
from tests.helpers.evaluation import result

JOB = Job(sim_index=0, label="S", simulation_id="1")


def _tracker(total_tests: int | None = 4) -> Tracker:
    t = Tracker(JOB, "77", ("1", "2", "3", "4"))
    t.run = RunStatus.model_validate({"id": "77", "status": "RUNNING", "total_tests": total_tests})
    t.results["1"] = read_result(result(1, {"Greeting": ("pass", "pass_fail")}))
    t.results["2"] = read_result(result(2, {"Greeting": ("fail", "pass_fail")}, status="RUNNING"))
    t.results["3"] = read_result(result(3, None))  # COMPLETED without custom metrics yet
    return t


def test_only_final_scored_conversations_count_and_the_rest_may_still_score() -> None:
    t = _tracker()
    assert [r.id for r in scored_results(t)] == ["1"]
    assert unscored(t) == 3


def test_a_run_counting_more_than_it_listed_is_unknown() -> None:
    assert unscored(_tracker(total_tests=5)) is None


def test_duplicates_an_error_or_no_listed_conversations_are_unknown() -> None:
    t = _tracker()
    t.duplicates["1"] = "listed twice"
    assert unscored(t) is None
    t = _tracker()
    t.error = "polling run 77 failed"
    assert unscored(t) is None
    assert unscored(Tracker(JOB, "78", ())) is None


def test_a_settled_run_has_nothing_left() -> None:
    t = _tracker()
    t.settled = True
    assert unscored(t) == 0
