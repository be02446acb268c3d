"""Fault injection over real HTTP: every kind, before/after, determinism; and auth."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from bluejay_gate.emulator import ManualClock
from tests.helpers.typed import as_list, as_object

KEY = {"X-API-Key": "k"}
QUEUE = {"simulation_id": "4821"}


def runs_of(base_url: str) -> list[dict[str, Any]]:
    r = httpx.get(f"{base_url}/v1/get-simulation-runs/4821", headers=KEY)
    return as_list(as_object(r.json())["simulation_runs"], "simulation_runs")


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_server_errors_before_do_not_create_a_run(emulator, billing_scenario, kind):
    """A 5xx with when=before answers the error and changes nothing."""
    billing_scenario["faults"] = [{"endpoint": "POST /v1/queue-simulation-run", "kind": kind}]
    emu = emulator(billing_scenario, clock=ManualClock())
    r = httpx.post(f"{emu.base_url}/v1/queue-simulation-run", headers=KEY, json=QUEUE)
    assert r.status_code == int(kind)
    assert runs_of(emu.base_url) == []
    assert next((x.path, x.status, x.fault) for x in emu.requests) == (
        "/v1/queue-simulation-run",
        int(kind),
        kind,
    )


def test_503_after_creates_the_run_the_client_never_saw(emulator, billing_scenario):
    """when=after processes the queue request (the run exists) and then answers 503."""
    emu = emulator(billing_scenario, clock=ManualClock())
    emu.set_faults(["POST /v1/queue-simulation-run:503:1.0:after:times=1"])
    first = httpx.post(f"{emu.base_url}/v1/queue-simulation-run", headers=KEY, json=QUEUE)
    assert first.status_code == 503
    assert "Service Unavailable" in first.text
    assert len(runs_of(emu.base_url)) == 1
    second = httpx.post(f"{emu.base_url}/v1/queue-simulation-run", headers=KEY, json=QUEUE)
    assert second.status_code == 200  # times=1: only the first request failed
    assert len(runs_of(emu.base_url)) == 2
    assert emu.count("POST", "/v1/queue-simulation-run") == 2


def test_drop_after_creates_the_run_and_closes_the_connection(emulator, billing_scenario):
    """kind=drop closes the connection without a response; with when=after the run exists."""
    emu = emulator(billing_scenario, clock=ManualClock())
    emu.set_faults([{"endpoint": "POST /v1/queue-simulation-run", "kind": "drop", "when": "after"}])
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{emu.base_url}/v1/queue-simulation-run", headers=KEY, json=QUEUE)
    assert len(runs_of(emu.base_url)) == 1
    record = emu.requests[0]
    assert (record.status, record.fault, record.body) == (0, "drop", QUEUE)


def test_drop_before_creates_nothing(emulator, billing_scenario):
    """kind=drop with when=before closes the connection and leaves the state alone."""
    emu = emulator(billing_scenario, clock=ManualClock())
    emu.set_faults(["POST /v1/queue-simulation-run:drop"])
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{emu.base_url}/v1/queue-simulation-run", headers=KEY, json=QUEUE)
    assert runs_of(emu.base_url) == []


def test_429_carries_retry_after(emulator):
    """kind=429 answers Too Many Requests with the configured Retry-After header."""
    emu = emulator({"faults": [{"kind": 429, "retry_after": 2}]})
    r = httpx.get(f"{emu.base_url}/v1/ping", headers=KEY)
    assert (r.status_code, r.headers["retry-after"]) == (429, "2")
    assert r.json()["detail"].startswith("Rate limit")


def test_slow_answers_after_the_delay(emulator):
    """kind=slow waits `delay` seconds and then answers normally."""
    emu = emulator({"faults": [{"endpoint": "GET /v1/ping", "kind": "slow", "delay": 0.3}]})
    started = time.perf_counter()
    r = httpx.get(f"{emu.base_url}/v1/ping", headers=KEY)
    elapsed = time.perf_counter() - started
    assert r.status_code == 200
    assert 0.3 <= elapsed < 1.5
    fast = httpx.get(f"{emu.base_url}/v1/all-agents", headers=KEY)
    assert fast.elapsed.total_seconds() < 0.3


def test_fault_choice_is_deterministic_for_a_seed(emulator):
    """Same seed, same request sequence: the same requests fail; another seed differs."""

    def pattern(seed: int) -> list[int]:
        emu = emulator({"faults": [{"endpoint": "/v1/ping", "kind": 500, "rate": 0.5}]}, seed=seed)
        with httpx.Client(base_url=emu.base_url, headers=KEY) as http:
            return [http.get("/v1/ping").status_code for _ in range(30)]

    first, again, other = pattern(1), pattern(1), pattern(2)
    assert first == again
    assert 5 <= first.count(500) <= 25
    assert first != other


def test_prefix_patterns_match_only_their_paths(emulator, billing_scenario):
    """'GET /v1/retrieve-simulation-results/*' hits that family and nothing else."""
    billing_scenario["faults"] = [
        {"endpoint": "GET /v1/retrieve-simulation-results/*", "kind": 502}
    ]
    emu = emulator(billing_scenario, clock=ManualClock())
    run = httpx.post(f"{emu.base_url}/v1/queue-simulation-run", headers=KEY, json=QUEUE).json()
    bad = httpx.get(
        f"{emu.base_url}/v1/retrieve-simulation-results/{run['simulation_run_id']}", headers=KEY
    )
    ok = httpx.get(
        f"{emu.base_url}/v1/retrieve-simulation-result/{run['simulation_result_ids'][0]}",
        headers=KEY,
    )
    assert (bad.status_code, ok.status_code) == (502, 200)


def test_auth_missing_wrong_and_right_key(emulator):
    """Started with a key: missing is 422 (required header), wrong is 401, right is 200."""
    emu = emulator(api_key="s3cret-key")
    missing = httpx.get(f"{emu.base_url}/v1/ping")
    wrong = httpx.get(f"{emu.base_url}/v1/ping", headers={"X-API-Key": "nope"})
    right = httpx.get(f"{emu.base_url}/v1/ping", headers={"X-API-Key": "s3cret-key"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["header", "X-API-Key"]
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid API key"})
    assert right.status_code == 200
    assert "s3cret-key" not in repr(emu)


def test_without_a_configured_key_any_key_is_accepted(emulator):
    """No api_key: any X-API-Key passes, but the header is still required."""
    emu = emulator()
    assert httpx.get(f"{emu.base_url}/v1/ping", headers={"X-API-Key": "x"}).status_code == 200
    assert httpx.get(f"{emu.base_url}/v1/ping").status_code == 422
