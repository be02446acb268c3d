"""Emulator hooks the benchmark reads: when the last conversation is scored, and which
results the bulk view leaves without metrics."""

from __future__ import annotations

import httpx

from bluejay_gate.emulator import ManualClock

KEY = {"X-API-Key": "k"}


def _queue(http: httpx.Client, **extra: object) -> dict[str, object]:
    r = http.post("/v1/queue-simulation-run", json={"simulation_id": "4821", **extra})
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def _statuses(http: httpx.Client, run_id: object) -> list[str]:
    body = http.get(f"/v1/retrieve-simulation-results/{run_id}").json()
    return [r["status"] for r in body["simulation_results"]]


def test_last_scored_at_is_when_the_last_result_turns_completed(emulator, billing_scenario):
    """Stages of 1+2+1+1 s at speed 10 from clock 100: scored at 100.5, not before."""
    clock = ManualClock(start=100.0)
    emu = emulator(billing_scenario, clock=clock, speed=10)
    assert emu.last_scored_at() is None
    with httpx.Client(base_url=emu.base_url, headers=KEY, timeout=5) as http:
        run_id = _queue(http)["simulation_run_id"]
        assert emu.last_scored_at() == 100.5
        clock.advance(0.49)
        assert _statuses(http, run_id) == ["EVALUATING", "EVALUATING"]
        clock.advance(0.01)
        assert _statuses(http, run_id) == ["COMPLETED", "COMPLETED"]
        clock.advance(1.0)
        _queue(http)
        assert emu.last_scored_at() == 102.0  # the newest run is the last one scored


def test_last_scored_at_follows_stuck_evaluating_and_cancellation(emulator, billing_scenario):
    billing_scenario["quirks"] = {"stuck_evaluating": 3.0}
    clock = ManualClock()
    emu = emulator(billing_scenario, clock=clock)
    with httpx.Client(base_url=emu.base_url, headers=KEY, timeout=5) as http:
        queued = _queue(http)
        assert emu.last_scored_at() == 8.0  # 5 s of stages + 3 s stuck evaluating
        clock.advance(2.0)
        ids = queued["simulation_result_ids"]
        assert isinstance(ids, list)
        r = http.post("/v1/end-conversations", json={"test_result_ids": [int(i) for i in ids]})
        assert r.json()["ended_count"] == 2
        assert emu.last_scored_at() == 2.0  # both cancelled at once: final now


def test_bulk_lacks_metrics_names_exactly_the_results_the_bulk_view_strips(emulator):
    humans = [{"id": i, "name": f"Human {i}"} for i in range(1, 41)]
    scenario = {
        "agents": [{"id": 1, "name": "A"}],
        "custom_metrics": [{"name": "Polite", "response_type": "pass_fail"}],
        "simulations": [{"id": 4821, "name": "S", "agent": "A", "digital_humans": humans}],
        "quirks": {"bulk_missing_metrics": 0.5},
    }
    clock = ManualClock()
    emu = emulator(scenario, clock=clock)
    with httpx.Client(base_url=emu.base_url, headers=KEY, timeout=5) as http:
        run_id = _queue(http)["simulation_run_id"]
        clock.advance(60)
        body = http.get(f"/v1/retrieve-simulation-results/{run_id}").json()
    stripped = {
        r["id"]
        for r in body["simulation_results"]
        if r["evaluations"][-1]["custom_metrics"] is None
    }
    predicted = {c.id for c in emu.state.conversations.values() if c.bulk_lacks_metrics}
    assert stripped == predicted
    assert 5 < len(stripped) < 35  # about half of 40, not all or none
