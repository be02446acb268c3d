"""BluejayClient against the emulator over loopback: one run per intended run, whatever
the faults; the whole read path; auth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import RetryPolicy
from bluejay_gate.emulator import Emulator, ManualClock
from bluejay_gate.errors import AuthError, NotFoundError, RequestRejected
from bluejay_gate.model.statuses import RESULT_FINAL, run_is_done

KEY = "sk-canary-EMULATOR-0123456789"
SIM = "4821"
QUEUE = "POST /v1/queue-simulation-run"
Factory = Callable[..., Emulator]


def client(emu: Emulator, logs: list[str] | None = None, key: str = KEY) -> BluejayClient:
    return BluejayClient(
        key,
        emu.base_url,
        retry=RetryPolicy(max_attempts=8, jitter=0.0),
        sleep=lambda _: None,
        timeout=5.0,
        log=logs.append if logs is not None else None,
    )


def run_ids(emu: Emulator) -> list[str]:
    """The simulation's runs as the emulator's state has them (read without faults)."""
    with client(emu) as c:
        return sorted(run.id for run in c.list_runs(SIM))


@pytest.mark.parametrize("kind", ["503", "drop"])
def test_fault_after_queue_is_adopted(
    emulator: Factory, billing_scenario: dict[str, Any], kind: str
) -> None:
    """The run is created, the answer lost: the client adopts it; exactly one run exists."""
    billing_scenario["faults"] = [{"endpoint": QUEUE, "kind": kind, "when": "after", "times": 1}]
    emu = emulator(billing_scenario, api_key=KEY)
    logs: list[str] = []
    with client(emu, logs) as c:
        queued = c.queue_run(SIM, digital_human_ids=["12", "13"])
    assert run_ids(emu) == [queued.simulation_run_id]
    posts = [r for r in emu.requests if r.method == "POST"]
    assert [(r.path, r.fault) for r in posts] == [("/v1/queue-simulation-run", kind)]
    assert len(queued.simulation_result_ids) == 2
    assert logs[-1].startswith(f"{QUEUE}: adopted run {queued.simulation_run_id} after ")


@pytest.mark.parametrize("kind", ["503", "drop", "429"])
def test_fault_before_queue_is_resent(
    emulator: Factory, billing_scenario: dict[str, Any], kind: str
) -> None:
    """Nothing was created: the client queues again and ends with exactly one run."""
    billing_scenario["faults"] = [
        {"endpoint": QUEUE, "kind": kind, "when": "before", "times": 2, "retry_after": 0}
    ]
    emu = emulator(billing_scenario, api_key=KEY)
    with client(emu) as c:
        queued = c.queue_run(SIM)
    assert run_ids(emu) == [queued.simulation_run_id]
    assert emu.count("POST", "/v1/queue-simulation-run") == 3


def test_many_intended_runs_under_random_faults(
    emulator: Factory, billing_scenario: dict[str, Any]
) -> None:
    """Twelve queue calls under 503/drop faults before and after: twelve distinct runs."""
    billing_scenario["faults"] = [
        {"endpoint": QUEUE, "kind": "503", "when": "after", "rate": 0.25},
        {"endpoint": QUEUE, "kind": "drop", "when": "after", "rate": 0.25},
        {"endpoint": QUEUE, "kind": "503", "when": "before", "rate": 0.2},
        {"endpoint": QUEUE, "kind": "drop", "when": "before", "rate": 0.2},
    ]
    emu = emulator(billing_scenario, api_key=KEY)
    logs: list[str] = []
    with client(emu, logs) as c:
        returned = [c.queue_run(SIM).simulation_run_id for _ in range(12)]
    assert len(set(returned)) == 12
    assert run_ids(emu) == sorted(returned)
    adopted = [line for line in logs if ": adopted run " in line]
    resent = [line for line in logs if "no run was created; sending again" in line]
    assert adopted, "the seed caused no adoption: the test would prove nothing"
    assert resent, "the seed caused no re-send: the test would prove nothing"
    posts = emu.count("POST", "/v1/queue-simulation-run")
    assert posts == 12 + len(resent) + sum("connect error" in line for line in logs)


def test_add_agent_after_drop_is_adopted(
    emulator: Factory, billing_scenario: dict[str, Any]
) -> None:
    """add-agent's answer dropped after creation: one agent, found by external id."""
    billing_scenario["faults"] = [
        {"endpoint": "POST /v1/add-agent", "kind": "drop", "when": "after", "times": 1}
    ]
    emu = emulator(billing_scenario, api_key=KEY)
    fields = {
        "name": "Checkout Bot",
        "system_prompt": "You sell.",
        "knowledge_base": "Prices.",
        "goals": ["Close the sale"],
        "external_agent_id": "checkout-bot",
    }
    with client(emu) as c:
        agent_id = c.add_agent(fields)
        matching = [a for a in c.list_agents() if a.external_agent_id == "checkout-bot"]
    assert [a.id for a in matching] == [agent_id]
    assert emu.count("POST", "/v1/add-agent") == 1


def test_full_read_path_with_manual_clock(
    emulator: Factory, billing_scenario: dict[str, Any]
) -> None:
    """ping, agent, simulation, queue, poll to the end, one result, end-conversations."""
    clock = ManualClock()
    emu = emulator(billing_scenario, api_key=KEY, clock=clock)
    with client(emu) as c:
        c.ping()
        agent = c.find_agent_by_external_id("support-bot")
        assert agent is not None
        assert agent.id == "101"
        assert c.get_agent("101").name == "Support Bot v2"
        assert c.find_agent_by_external_id("nobody") is None
        sims = c.list_agent_simulations("101")
        assert [s.id for s in sims] == [SIM]
        assert c.get_simulation(SIM).name == "Billing regressions"
        queued = c.queue_run(SIM, runs_per_digital_human=2)
        assert len(queued.simulation_result_ids) == 4
        first = c.get_run_results(queued.simulation_run_id)
        assert not run_is_done(first.simulation_run.status, [r.status for r in first.results])
        clock.advance(60)
        done = c.get_run_results(queued.simulation_run_id)
        statuses = [r.status for r in done.results]
        assert all(s in RESULT_FINAL for s in statuses), statuses
        assert done.simulation_run.score == 100.0
        one = c.get_result(queued.simulation_result_ids[0])
        assert one.id == queued.simulation_result_ids[0]
        assert one.evaluations
        c.end_conversations(queued.simulation_result_ids)
        with pytest.raises(NotFoundError, match="simulation 999999 not found"):
            c.get_simulation("999999")
    assert emu.count("POST", "/v1/end-conversations") == 1


def test_wrong_key_is_auth_error(emulator: Factory, billing_scenario: dict[str, Any]) -> None:
    """A key the emulator does not know is a 401 AuthError naming BLUEJAY_API_KEY."""
    emu = emulator(billing_scenario, api_key=KEY)
    with client(emu, key="sk-wrong-key") as c, pytest.raises(AuthError) as info:
        c.ping()
    assert str(info.value).startswith("GET /v1/ping: API key rejected (401): check BLUEJAY_API_KEY")
    assert "sk-wrong-key" not in str(info.value)
    assert emu.count("GET", "/v1/ping") == 1


def test_unknown_digital_human_is_refused_with_detail(
    emulator: Factory, billing_scenario: dict[str, Any]
) -> None:
    """Queueing an unknown digital human fails with the server's reason and creates nothing."""
    emu = emulator(billing_scenario, api_key=KEY)
    with client(emu) as c, pytest.raises((NotFoundError, RequestRejected)) as info:
        c.queue_run(SIM, digital_human_ids=["99999"])
    assert str(info.value).startswith(f"{QUEUE}: ")
    assert "99999" in str(info.value)
    assert "--base-url" not in str(info.value)
    assert run_ids(emu) == []
    assert emu.count("POST", "/v1/queue-simulation-run") == 1
