"""Runs and conversations over a ManualClock: statuses, counters, outcomes and quirks."""

from __future__ import annotations

from typing import Any

import httpx

from bluejay_gate.emulator import ManualClock
from tests.helpers.typed import as_object

KEY = {"X-API-Key": "k"}


class Client:
    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers=KEY, timeout=5)

    def queue(self, sim: str = "4821", **extra: Any) -> dict[str, Any]:
        r = self.http.post("/v1/queue-simulation-run", json={"simulation_id": sim, **extra})
        assert r.status_code == 200, r.text
        return as_object(r.json(), "queue answer")

    def results(self, run_id: str) -> dict[str, Any]:
        r = self.http.get(f"/v1/retrieve-simulation-results/{run_id}")
        assert r.status_code == 200, r.text
        return as_object(r.json(), "results answer")

    def result(self, result_id: str | int) -> dict[str, Any]:
        r = self.http.get(f"/v1/retrieve-simulation-result/{result_id}")
        assert r.status_code == 200, r.text
        return as_object(as_object(r.json())["simulation_result"], "simulation_result")


def snapshot(client: Client, run_id: str) -> tuple[str, list[str]]:
    body = client.results(run_id)
    return body["simulation_run"]["status"], [r["status"] for r in body["simulation_results"]]


def metric_values(result: dict[str, Any]) -> dict[str, str]:
    return {m["name"]: m["response_value"] for m in result["evaluations"][-1]["custom_metrics"]}


def test_statuses_move_in_order_and_counters_follow(emulator, billing_scenario):
    """Run INITIALIZING→RUNNING→COMPLETED, results QUEUED→…→COMPLETED; counters add up."""
    clock = ManualClock()
    client = Client(emulator(billing_scenario, clock=clock).base_url)
    run_id = client.queue()["simulation_run_id"]
    seen = []
    for _ in range(6):
        seen.append(snapshot(client, run_id))
        clock.advance(1.0)
    assert seen == [
        ("INITIALIZING", ["QUEUED", "QUEUED"]),
        ("RUNNING", ["RUNNING", "RUNNING"]),
        ("RUNNING", ["RUNNING", "RUNNING"]),
        ("RUNNING", ["CONVERSATION_ENDED", "CONVERSATION_ENDED"]),
        ("RUNNING", ["EVALUATING", "EVALUATING"]),
        ("COMPLETED", ["COMPLETED", "COMPLETED"]),
    ]
    run = client.results(run_id)["simulation_run"]
    assert {k: run[k] for k in ("total_tests", "tests_completed", "tests_incompleted")} == {
        "total_tests": 2,
        "tests_completed": 2,
        "tests_incompleted": 0,
    }
    assert run["tests_passed"] + run["tests_failed"] == 2
    assert run["tests_passed"] == 2  # pass_rate 1.0 and goal_success 1.0 in the scenario


def test_results_carry_metrics_only_once_evaluated(emulator, billing_scenario):
    """Evaluations appear at COMPLETED, with every metric type, string values and built-ins."""
    clock = ManualClock()
    client = Client(emulator(billing_scenario, clock=clock).base_url)
    queued = client.queue()
    clock.advance(4.5)
    evaluating = client.result(queued["simulation_result_ids"][0])
    assert (evaluating["status"], evaluating["evaluations"]) == ("EVALUATING", [])
    assert evaluating["transcript_url"].endswith(f"/files/transcripts/{evaluating['id']}.json")
    clock.advance(1.0)
    done = client.result(queued["simulation_result_ids"][0])
    values = metric_values(done)
    assert set(values) == {"Greeting compliance", "Empathy", "Resolution", "Notes"}
    assert values["Greeting compliance"] == "pass"
    assert 0 <= float(values["Empathy"]) <= 10
    assert values["Resolution"] in {"resolved", "escalated"}
    assert all(isinstance(v, str) for v in values.values())
    evaluation = done["evaluations"][-1]
    assert evaluation["goal_success"] is True
    assert set(evaluation["latency"]) == {
        "avg_agent_latency",
        "max_agent_latency",
        "p50_agent_latency",
        "p90_agent_latency",
        "p95_agent_latency",
        "p99_agent_latency",
    }
    assert isinstance(done["duration"], int)
    assert done["duration"] > 0
    assert httpx.get(done["transcript_url"]).json()["simulation_result_id"] == done["id"]


def test_scores_are_deterministic_for_a_seed_and_overridable_per_digital_human(
    emulator, billing_scenario
):
    """Two emulators with one seed score alike; DH 13's Empathy override (mean 3) applies."""
    values = []
    for _ in range(2):
        clock = ManualClock()
        client = Client(emulator(billing_scenario, clock=clock).base_url)
        queued = client.queue()
        clock.advance(10)
        values.append([metric_values(client.result(i)) for i in queued["simulation_result_ids"]])
    assert values[0] == values[1]
    assert values[0][1]["Empathy"] == "3"
    billing_scenario["seed"] = 8
    clock = ManualClock()
    client = Client(emulator(billing_scenario, clock=clock).base_url)
    queued = client.queue()
    clock.advance(10)
    other = [metric_values(client.result(i)) for i in queued["simulation_result_ids"]]
    assert other != values[0]


def test_run_outcomes_insufficient_funds_and_incompleted(emulator, billing_scenario):
    """INSUFFICIENT_FUNDS ends the run and its results early; INCOMPLETED is the run's status."""
    billing_scenario["simulations"][0]["run_outcome"] = "INSUFFICIENT_FUNDS"
    clock = ManualClock()
    client = Client(emulator(billing_scenario, clock=clock).base_url)
    run_id = client.queue()["simulation_run_id"]
    clock.advance(1.0)
    assert snapshot(client, run_id) == (
        "INSUFFICIENT_FUNDS",
        ["INSUFFICIENT_FUNDS", "INSUFFICIENT_FUNDS"],
    )
    assert client.results(run_id)["simulation_run"]["tests_incompleted"] == 2

    billing_scenario["simulations"][0]["run_outcome"] = "INCOMPLETED"
    billing_scenario["simulations"][0]["result_statuses"] = {13: "NO_ANSWER"}
    clock = ManualClock()
    client = Client(emulator(billing_scenario, clock=clock).base_url)
    run_id = client.queue()["simulation_run_id"]
    clock.advance(3.0)
    assert snapshot(client, run_id) == ("RUNNING", ["CONVERSATION_ENDED", "NO_ANSWER"])
    clock.advance(2.0)
    assert snapshot(client, run_id) == ("INCOMPLETED", ["COMPLETED", "NO_ANSWER"])
    run = client.results(run_id)["simulation_run"]
    assert (run["tests_completed"], run["tests_incompleted"]) == (1, 1)


def test_stuck_evaluating_after_the_run_says_completed(emulator, billing_scenario):
    """With stuck_evaluating: 2, the run is COMPLETED while results stay EVALUATING for 2 s."""
    billing_scenario["quirks"] = {"stuck_evaluating": 2.0}
    clock = ManualClock()
    client = Client(emulator(billing_scenario, clock=clock).base_url)
    run_id = client.queue()["simulation_run_id"]
    clock.advance(5.0)
    assert snapshot(client, run_id) == ("COMPLETED", ["EVALUATING", "EVALUATING"])
    assert client.results(run_id)["simulation_run"]["tests_completed"] == 0
    clock.advance(2.0)
    assert snapshot(client, run_id) == ("COMPLETED", ["COMPLETED", "COMPLETED"])


def test_bulk_missing_metrics_are_present_on_the_single_result(emulator, billing_scenario):
    """bulk_missing_metrics: 1.0 drops metrics from the bulk view only."""
    billing_scenario["quirks"] = {"bulk_missing_metrics": 1.0}
    clock = ManualClock()
    client = Client(emulator(billing_scenario, clock=clock).base_url)
    queued = client.queue()
    clock.advance(10)
    bulk = client.results(queued["simulation_run_id"])["simulation_results"]
    assert [r["evaluations"][-1]["custom_metrics"] for r in bulk] == [None, None]
    assert [r["custom_metrics"] for r in bulk] == [None, None]
    single = client.result(queued["simulation_result_ids"][0])
    assert len(single["evaluations"][-1]["custom_metrics"]) == 4


def test_legacy_metrics_dict_and_stale_evaluation(emulator, billing_scenario):
    """legacy_metrics_dict puts metrics only in a top-level dict; stale_evaluation adds an
    older evaluation before the newest."""
    billing_scenario["quirks"] = {"legacy_metrics_dict": True, "stale_evaluation": True}
    clock = ManualClock()
    client = Client(emulator(billing_scenario, clock=clock).base_url)
    queued = client.queue()
    clock.advance(10)
    result = client.result(queued["simulation_result_ids"][0])
    assert set(result["custom_metrics"]) == {
        "Greeting compliance",
        "Empathy",
        "Resolution",
        "Notes",
    }
    assert result["custom_metrics"]["Greeting compliance"]["response_value"] == "pass"
    assert [e["custom_metrics"] for e in result["evaluations"]] == [None, None]
    first, newest = result["evaluations"]
    assert first["created_at"] < newest["created_at"]


def test_never_speaks_and_runs_per_digital_human(emulator, billing_scenario):
    """never_speaks gives num_turns 1 and agent_speak_percentage 0; runs_per_digital_human
    queues N conversations per digital human, of the chosen subset only."""
    billing_scenario["simulations"][0]["never_speaks"] = [13]
    clock = ManualClock()
    client = Client(emulator(billing_scenario, clock=clock).base_url)
    queued = client.queue(digital_human_ids=["13"], runs_per_digital_human=3)
    assert len(queued["simulation_result_ids"]) == 3
    clock.advance(10)
    results = client.results(queued["simulation_run_id"])["simulation_results"]
    assert {r["digital_human_id"] for r in results} == {13}
    evaluation = results[0]["evaluations"][-1]
    assert (evaluation["num_turns"], evaluation["agent_speak_percentage"]) == (1, 0.0)
    assert evaluation["goal_success"] is False
    assert client.results(queued["simulation_run_id"])["simulation_run"]["tests_failed"] == 3


def test_end_conversations_cancels_active_ones(emulator, billing_scenario):
    """end-conversations moves active conversations to CANCELLED; others are failed_ids."""
    clock = ManualClock()
    client = Client(emulator(billing_scenario, clock=clock).base_url)
    queued = client.queue()
    ids = [int(i) for i in queued["simulation_result_ids"]]
    clock.advance(1.5)
    r = client.http.post("/v1/end-conversations", json={"test_result_ids": [ids[0], 424242]})
    assert r.json() == {
        "success": False,
        "ended_count": 1,
        "test_result_ids": [ids[0]],
        "failed_ids": [424242],
        "message": "Ended 1 conversations; 1 were unknown or no longer active",
    }
    assert snapshot(client, queued["simulation_run_id"]) == ("RUNNING", ["CANCELLED", "RUNNING"])
    clock.advance(10)
    assert snapshot(client, queued["simulation_run_id"]) == (
        "INCOMPLETED",
        ["CANCELLED", "COMPLETED"],
    )
    again = client.http.post("/v1/end-conversations", json={"test_result_ids": [ids[1]]})
    assert again.json()["failed_ids"] == [ids[1]]
    empty = client.http.post("/v1/end-conversations", json={"test_result_ids": []})
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["type"] == "too_short"


def test_speed_divides_stage_times(emulator, billing_scenario):
    """At speed 10 a 5-second timeline completes after 0.5 s of clock time."""
    clock = ManualClock()
    client = Client(emulator(billing_scenario, clock=clock, speed=10).base_url)
    run_id = client.queue()["simulation_run_id"]
    clock.advance(0.45)
    assert snapshot(client, run_id)[0] == "RUNNING"
    clock.advance(0.05)
    assert snapshot(client, run_id) == ("COMPLETED", ["COMPLETED", "COMPLETED"])


def test_get_simulation_runs_lists_newest_first_with_created_at(emulator, billing_scenario):
    """get-simulation-runs lists every run of the simulation, newest first, with int ids."""
    client = Client(emulator(billing_scenario, clock=ManualClock()).base_url)
    first = client.queue()["simulation_run_id"]
    second = client.queue()["simulation_run_id"]
    runs = client.http.get("/v1/get-simulation-runs/4821").json()["simulation_runs"]
    assert [r["id"] for r in runs] == [int(second), int(first)]
    assert all(r["experiment_id"] == 4821 and r["created_at"].endswith("Z") for r in runs)
