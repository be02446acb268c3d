"""A call log is read by the simulation results' rules and a call set is judged like a
simulation (pure: ``build_call_inputs`` + ``evaluate``); trace ids are stable per gate
attempt and file; the request field list is the document's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bluejay_gate.bluejay.fields import CALL_REQUEST_PROPERTIES
from bluejay_gate.bluejay.models import CallLog
from bluejay_gate.bluejay.results import read_result
from bluejay_gate.model.durations import parse_share
from bluejay_gate.run.call_inputs import build_call_inputs
from bluejay_gate.run.call_traces import gate_run_id, trace_id_for
from bluejay_gate.run.calls import CallJob, CallOutcome, CallTracker
from bluejay_gate.spec.resolved import AgentSpec, CallFile, CallSetSpec, RunSettings, Spec
from bluejay_gate.verdict.evaluate import evaluate
from bluejay_gate.verdict.model import CALL_SET, Outcome
from tests.helpers.evaluation import check
from tests.helpers.shared import openapi_document


def log(call_id: str, status: str, *evaluations: dict[str, Any]) -> CallLog:
    return CallLog.model_validate(
        {"id": call_id, "agent_id": "101", "status": status, "evaluations": list(evaluations)}
    )


def evaluation(when: str | None, refund: str, **builtins: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "custom_metrics": [
            {"name": "Refund", "response_type": "pass_fail", "response_value": refund}
        ],
        "agent_speak_percentage": 40,
        "avg_agent_latency": 700,
        "num_turns": 6,
        **builtins,
    }
    if when is not None:
        entry["created_at"] = when
    return entry


def spec_of(files: int) -> Spec:
    call_set = CallSetSpec(
        "Refunds",
        "golden/*.json",
        tuple(CallFile(Path(f"golden/{n}.json"), f"golden/{n}.json", {}) for n in range(files)),
        {"Refund": (check("Refund", "pass_rate >= 100%"),)},
        8,
    )
    agent = AgentSpec(None, None, "Bot", {}, 2)
    return Spec(Path("s.yml"), agent, RunSettings(), (), {}, calls=(call_set,))


def judge(logs: list[CallLog | None], *, timed_out: bool = False) -> Any:
    spec = spec_of(len(logs))
    outcome = CallOutcome(timed_out=timed_out)
    for n, got in enumerate(logs):
        job = CallJob(0, "Refunds", f"golden/{n}.json", {}, f"t{n}")
        tracker = CallTracker(job, got.id if got else f"unread{n}")
        if got is not None:
            tracker.result = read_result(got)
            tracker.done = got.status in {"COMPLETED", "INCOMPLETED"}
        outcome.trackers.append(tracker)
    verdict = evaluate(build_call_inputs(spec, outcome), allow_incomplete=parse_share("0%"))
    (unit,) = verdict.simulations
    assert unit.kind == CALL_SET
    return verdict, unit


def test_newest_evaluation_counts_not_list_order() -> None:
    got = log(
        "c1",
        "COMPLETED",
        evaluation("2026-03-02T10:00:05Z", "fail"),
        evaluation("2026-03-02t09:00:00z", "pass"),
    )
    verdict, unit = judge([got])
    assert verdict.exit_code == 1
    assert unit.checks[0].outcome is Outcome.FAIL
    assert unit.conversations[0].file == "golden/0.json"
    assert unit.call_ids == ("c1",)


def test_newest_that_cannot_be_told_is_no_verdict() -> None:
    got = log("c1", "COMPLETED", evaluation(None, "pass"), evaluation("2026-03-02T10:00Z", "pass"))
    verdict, unit = judge([got])
    assert verdict.exit_code == 3
    assert "cannot be told" in unit.checks[0].message


def test_incompleted_and_unread_calls_do_not_complete() -> None:
    ok = log("c1", "COMPLETED", evaluation("2026-03-02T10:00:00Z", "pass"))
    cut = log("c2", "INCOMPLETED")
    verdict, unit = judge([ok, cut, None], timed_out=True)
    assert verdict.exit_code == 3
    assert unit.total == 3
    assert unit.completed == 1
    assert any("1 INCOMPLETED" in e and "1 still SENT" in e for e in unit.errors), unit.errors
    assert not any(e.startswith("timed out with call c2") for e in unit.errors)  # final
    assert any("timed out with call unread2 (golden/2.json) still SENT" in e for e in unit.errors)


def test_all_passing_calls_pass() -> None:
    logs = [log(f"c{n}", "COMPLETED", evaluation("2026-03-02T10:00:00Z", "pass")) for n in range(3)]
    verdict, unit = judge(logs)  # type: ignore[arg-type]
    assert verdict.exit_code == 0
    assert unit.flips == ()
    assert unit.repeated_digital_humans == 0
    assert unit.checks[0].samples == 3


def test_call_log_duration_is_read_as_the_results() -> None:
    got = CallLog.model_validate(
        {"id": "c", "status": "COMPLETED", "duration_ms": 61000, "recording_url": "https://r"}
    )
    read = read_result(got)
    assert read.metrics["duration"].value == 61000
    assert read.audio_url == "https://r"


def test_trace_ids_are_stable_per_attempt_and_file() -> None:
    first = trace_id_for("run-1", "Refunds", "golden/a.json")
    assert first == trace_id_for("run-1", "Refunds", "golden/a.json")
    assert first != trace_id_for("run-2", "Refunds", "golden/a.json")
    assert first != trace_id_for("run-1", "Refunds", "golden/b.json")
    assert first != trace_id_for("run-1", "Other", "golden/a.json")
    github = {"GITHUB_RUN_ID": "9", "GITHUB_RUN_ATTEMPT": "2", "GITHUB_REPOSITORY": "o/r"}
    assert gate_run_id(github, "x") == gate_run_id(dict(github), "y")
    assert gate_run_id(github, "x") != gate_run_id({**github, "GITHUB_RUN_ATTEMPT": "3"}, "x")
    assert gate_run_id({}, "local") == "local"
    assert gate_run_id({"BLUEJAY_GATE_RUN_ID": "b7"}, "local") == "b7"


@pytest.mark.needs_shared
def test_call_request_fields_are_the_documents() -> None:
    schema = openapi_document()["components"]["schemas"]["CallRequestUsingAgentId"]
    assert tuple(schema["properties"]) == CALL_REQUEST_PROPERTIES
