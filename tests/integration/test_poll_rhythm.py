"""Polling rhythm, read from the emulator's request log: after an answered poll the next
poll of that run comes one poll interval later at the earliest, also when the answer took
retries; a 429 on an endpoint holds every call of that endpoint, not only the one that
got it."""

from __future__ import annotations

import itertools
import time
from collections import defaultdict

import pytest

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import RetryPolicy
from bluejay_gate.run.poll import Poller
from bluejay_gate.run.tracking import Job

KEY = "rhythm-key"
RESULTS = "/v1/retrieve-simulation-results/"


def _scenario(runs: int) -> dict[str, object]:
    humans = [{"id": 600 + i, "name": f"H{i}"} for i in range(3)]
    return {
        "seed": 5,
        "timing": {"queued": 0.2, "running": 1.2, "conversation_ended": 0.1, "evaluating": 0.3},
        "agents": [{"id": 1, "name": "A"}],
        "custom_metrics": [{"name": "Polite", "response_type": "pass_fail"}],
        "simulations": [
            {"id": 8000 + i, "name": f"S{i}", "agent": "A", "digital_humans": humans}
            for i in range(runs)
        ],
    }


def _poll(emu, runs: int, interval: float, retry: RetryPolicy) -> None:
    jobs = [Job(sim_index=i, label=f"S{i}", simulation_id=str(8000 + i)) for i in range(runs)]
    with BluejayClient(KEY, emu.base_url, retry=retry) as client:
        poller = Poller(
            client, jobs, poll_interval=interval, max_parallel=runs, deadline=time.monotonic() + 30
        )
        outcome = poller.run()
    assert not outcome.timed_out
    assert all(t.settled and t.error is None for t in outcome.trackers)


def _answered_polls(emu) -> dict[str, list[float]]:
    """Per run path, when each poll that got its answer (200) was received."""
    times: dict[str, list[float]] = defaultdict(list)
    for r in emu.requests:
        if r.path.startswith(RESULTS) and r.status == 200:
            times[r.path].append(r.time)
    return times


@pytest.mark.slow
def test_next_poll_waits_a_full_interval_after_a_retried_answer(emulator) -> None:
    """The first polls meet 503 twice (retried 0.3 s apart): the answer comes late, and
    the next poll of that run still waits a whole interval after it."""
    emu = emulator(_scenario(2), api_key=KEY, speed=1.0)
    emu.set_faults(["GET /v1/retrieve-simulation-results/*:503:1:before:times=2"])
    interval = 0.6
    _poll(emu, 2, interval, RetryPolicy(base_delay=0.3, max_delay=0.3, jitter=0.0))
    assert sum(1 for r in emu.requests if r.status == 503) == 2
    answered = _answered_polls(emu)
    assert len(answered) == 2
    for path, times in answered.items():
        assert len(times) >= 2, (path, times)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert min(gaps) >= interval - 0.05, (path, gaps)


@pytest.mark.slow
def test_a_429_holds_every_poll_of_that_endpoint(emulator) -> None:
    """One poll gets 429 with Retry-After: 1 and gives up (one attempt per call here); no
    poll of any run, that one included, reaches the endpoint until that second has passed
    (polls already on their way with it are not held), though the poll interval is 0.2 s."""
    emu = emulator(_scenario(3), api_key=KEY, speed=1.0)
    emu.set_faults(["GET /v1/retrieve-simulation-results/*:429:1:before:times=1:retry_after=1"])
    _poll(emu, 3, 0.2, RetryPolicy(max_attempts=1, base_delay=0.05, max_delay=5.0, jitter=0.0))
    limited = [r for r in emu.requests if r.status == 429]
    assert len(limited) == 1
    after = [
        r.time - limited[0].time
        for r in emu.requests
        if r.path.startswith(RESULTS) and r.time > limited[0].time + 0.05
    ]
    assert after, "no poll after the 429"
    assert min(after) >= 0.95, sorted(after)[:5]
