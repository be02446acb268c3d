"""Request counts of the poller against the emulator's log (counts, never times): each
result the bulk answer leaves without metrics is re-read exactly once, no other result
is, and a finished run is not polled again."""

from __future__ import annotations

import time
from collections import Counter

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.model.results import ReadResult
from bluejay_gate.run.poll import Poller
from bluejay_gate.run.tracking import Job

KEY = "poll-key"
RESULT = "/v1/retrieve-simulation-result/"
RESULTS = "/v1/retrieve-simulation-results/"


def _scenario(runs: int) -> dict[str, object]:
    humans = [{"id": 500 + i, "name": f"H{i}"} for i in range(12)]
    return {
        "seed": 3,
        "timing": {"queued": 0.1, "running": 0.3, "conversation_ended": 0.05, "evaluating": 0.2},
        "agents": [{"id": 1, "name": "A"}],
        "custom_metrics": [{"name": "Polite", "response_type": "pass_fail"}],
        "simulations": [
            {"id": 7000 + i, "name": f"S{i}", "agent": "A", "digital_humans": humans}
            for i in range(runs)
        ],
        "quirks": {"bulk_missing_metrics": 0.4},
    }


def test_rereads_only_results_lacking_metrics_once_and_no_late_polls(emulator):
    emu = emulator(_scenario(3), api_key=KEY, speed=4.0)
    jobs = [Job(sim_index=i, label=f"S{i}", simulation_id=str(7000 + i)) for i in range(3)]
    with BluejayClient(KEY, emu.base_url) as client:
        poller = Poller(
            client, jobs, poll_interval=0.05, max_parallel=3, deadline=time.monotonic() + 30
        )
        outcome = poller.run()
    assert not outcome.timed_out
    assert all(t.settled and t.error is None for t in outcome.trackers)
    rereads = Counter(int(r.path[len(RESULT) :]) for r in emu.requests if r.path.startswith(RESULT))
    lacking = {c.id for c in emu.state.conversations.values() if c.bulk_lacks_metrics}
    assert 0 < len(lacking) < 36
    assert set(rereads) == lacking
    assert set(rereads.values()) == {1}
    for run_id, run in emu.state.runs.items():
        final = max(c.final_at() for c in run.conversations)
        polls = [r.time for r in emu.requests if r.path == f"{RESULTS}{run_id}"]
        # The poll that sees it final may be received a hair before ``final``: at most one.
        assert sum(1 for t in polls if t >= final) <= 1, (run_id, polls, final)
        assert polls
    # Every result ends up with its metric.
    assert all(
        r.status == "COMPLETED" and r.id not in t.lacking
        for t in outcome.trackers
        for r in t.results.values()
    )
    # Only the read form of each result is kept (no raw evaluations), with the metric the
    # re-read brought.
    kept = [r for t in outcome.trackers for r in t.results.values()]
    assert len(kept) == 36
    assert all(isinstance(r, ReadResult) for r in kept)
    assert all(r.found.has_custom and r.metrics["Polite"].value in (True, False) for r in kept)
