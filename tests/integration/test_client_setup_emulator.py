"""The Bluejay-as-code calls against the emulator over loopback: custom metrics (every
page, create, update), simulations (create, read, update) and digital humans (create,
list), and once-only creates under faults (one record per intent, adopted after a lost
answer, sent again when nothing was created)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import RetryPolicy
from bluejay_gate.emulator import Emulator

KEY = "sk-canary-SETUP-0123456789"
AGENT = "101"
SIM = "4821"
Factory = Callable[..., Emulator]
CREATES = {
    "metric": "/v1/create-custom-metric",
    "simulation": "/v1/create-simulation",
    "human": "/v1/create-digital-human",
}


def client(emu: Emulator, logs: list[str] | None = None, timeout: float = 5.0) -> BluejayClient:
    return BluejayClient(
        KEY,
        emu.base_url,
        retry=RetryPolicy(max_attempts=6, jitter=0.0),
        sleep=lambda _: None,
        timeout=timeout,
        log=logs.append if logs is not None else None,
    )


def posts(emu: Emulator, path: str) -> list[str | None]:
    """The fault each POST to exactly ``path`` met (None: none)."""
    return [r.fault for r in emu.requests if r.method == "POST" and r.path == path]


def test_metric_create_read_update(emulator: Factory, billing_scenario: dict[str, Any]) -> None:
    """A metric created for the agent is read back in full; an update changes only what
    it sends."""
    emu = emulator(billing_scenario, api_key=KEY)
    fields = {
        "name": "Politeness",
        "description": "Was the agent polite throughout?",
        "response_type": "quantitative",
        "min_value": 0,
        "max_value": 10,
        "tags": ["tone"],
        "scoring_guidance": "10 is flawless",
        "category": None,
    }
    with client(emu) as c:
        created = c.create_metric(AGENT, fields)
        listed = c.agent_metrics(AGENT)
        updated = c.update_metric(created.id, {"max_value": 5, "description": "Polite?"})
        again = c.agent_metrics(AGENT)
    assert created.name == "Politeness"
    assert created.agent_ids == [AGENT]
    assert [m.id for m in listed] == [created.id]
    record = listed[0]
    assert record.response_type == "quantitative"
    assert record.stored("description") == (True, "Was the agent polite throughout?")
    assert record.stored("scoring_guidance") == (True, "10 is flawless")
    assert record.stored("tags") == (True, ["tone"])
    assert updated.stored("max_value") == (True, 5)
    assert again[0].stored("description") == (True, "Polite?")
    assert again[0].stored("scoring_guidance") == (True, "10 is flawless")
    assert again[0].stored("min_value") == (True, 0)


def test_agent_metrics_reads_every_page(
    emulator: Factory, billing_scenario: dict[str, Any]
) -> None:
    """250 metrics of the agent (three pages of 100) and one of another agent."""
    billing_scenario["custom_metrics"] += [
        {"name": f"Metric {i:03d}", "response_type": "pass_fail", "agent_ids": [101]}
        for i in range(250)
    ] + [{"name": "Elsewhere", "response_type": "pass_fail", "agent_ids": [7]}]
    emu = emulator(billing_scenario, api_key=KEY)
    with client(emu) as c:
        got = c.agent_metrics(AGENT)
    assert sorted(m.name for m in got) == [f"Metric {i:03d}" for i in range(250)]
    assert len({m.id for m in got}) == 250
    assert emu.count("GET", "/v1/custom-metrics") == 3


def test_simulation_create_read_update(emulator: Factory, billing_scenario: dict[str, Any]) -> None:
    """A simulation created under the agent is listed, read in full and updated."""
    emu = emulator(billing_scenario, api_key=KEY)
    with client(emu) as c:
        metric = c.create_metric(
            AGENT, {"name": "Tone", "description": "Calm?", "response_type": "pass_fail"}
        )
        fields = {
            "description": "Refund questions",
            "max_call_duration": 300,
            "selected_custom_metrics": [metric.id],
            "custom_metrics_passing_threshold": 80,
        }
        sim_id = c.create_simulation(AGENT, "Refunds", fields)
        listed = c.agent_simulation_ids(AGENT)
        record = c.simulation_record(sim_id)
        c.update_simulation(sim_id, {"max_turns": 12, "description": "Refunds, v2"})
        after = c.simulation_record(sim_id)
    assert listed == [(SIM, "Billing regressions"), (sim_id, "Refunds")]
    assert record.id == sim_id
    assert record.name == "Refunds"
    assert record.agent_id == AGENT
    assert record.stored("description") == (True, "Refund questions")
    assert record.stored("max_call_duration") == (True, 300)
    assert record.stored("custom_metrics_passing_threshold") == (True, 80)
    assert after.stored("max_turns") == (True, 12)
    assert after.stored("description") == (True, "Refunds, v2")
    assert after.stored("max_call_duration") == (True, 300)


def test_digital_human_create_and_list(emulator: Factory, billing_scenario: dict[str, Any]) -> None:
    """A digital human created in the simulation is listed with its fields."""
    emu = emulator(billing_scenario, api_key=KEY)
    fields = {
        "name": "Confused caller",
        "intent": "Asks about a double charge",
        "success_criteria": "The agent explains the charge",
        "language": "en",
        "tag": None,
    }
    with client(emu) as c:
        human_id = c.create_human(SIM, fields)
        humans = c.simulation_humans(SIM)
    assert [h.name for h in humans] == ["Angry caller", "Polite", "Confused caller"]
    created = humans[-1]
    assert created.id == human_id
    assert created.stored("intent") == (True, "Asks about a double charge")
    assert created.stored("success_criteria") == (True, "The agent explains the charge")
    assert created.stored("language") == (True, "en")


def create(c: BluejayClient, kind: str, name: str) -> str:
    if kind == "metric":
        fields = {"name": name, "description": "d", "response_type": "pass_fail"}
        return c.create_metric(AGENT, fields).id
    if kind == "simulation":
        return c.create_simulation(AGENT, name, {})
    return c.create_human(SIM, {"name": name, "intent": "Refund"})


def named(c: BluejayClient, kind: str, name: str) -> list[str]:
    """The ids of the records of ``kind`` named ``name``."""
    if kind == "metric":
        return [m.id for m in c.agent_metrics(AGENT) if m.name == name]
    if kind == "simulation":
        return [i for i, n in c.agent_simulation_ids(AGENT) if n == name]
    return [h.id for h in c.simulation_humans(SIM) if h.name == name]


@pytest.mark.parametrize("kind", list(CREATES))
@pytest.mark.parametrize("fault", ["502", "drop", "slow"])
def test_created_then_lost_is_adopted(
    emulator: Factory, billing_scenario: dict[str, Any], kind: str, fault: str
) -> None:
    """The emulator created the record and then failed (``slow``: answered after the
    client's read timeout): one record, adopted."""
    path = CREATES[kind]
    rule = {"endpoint": f"POST {path}", "kind": fault, "when": "after", "times": 1}
    billing_scenario["faults"] = [{**rule, "delay": 0.6} if fault == "slow" else rule]
    emu = emulator(billing_scenario, api_key=KEY)
    logs: list[str] = []
    with client(emu, logs, timeout=0.3 if fault == "slow" else 5.0) as c:
        got = create(c, kind, "Once")
        assert named(c, kind, "Once") == [got]
    assert posts(emu, path) == [fault]
    adopted = [line for line in logs if " adopted " in line]
    assert len(adopted) == 1
    assert adopted[0].startswith(f"POST {path}: adopted ")
    assert f" {got} (Once) after " in adopted[0]


@pytest.mark.parametrize("kind", list(CREATES))
@pytest.mark.parametrize("fault", ["503", "drop"])
def test_nothing_created_is_sent_again(
    emulator: Factory, billing_scenario: dict[str, Any], kind: str, fault: str
) -> None:
    """The emulator failed before creating: looked up, sent again once, one record."""
    path = CREATES[kind]
    billing_scenario["faults"] = [
        {"endpoint": f"POST {path}", "kind": fault, "when": "before", "times": 1}
    ]
    emu = emulator(billing_scenario, api_key=KEY)
    logs: list[str] = []
    with client(emu, logs) as c:
        got = create(c, kind, "Once")
        assert named(c, kind, "Once") == [got]
    assert posts(emu, path) == [fault, None]
    assert not [line for line in logs if " adopted " in line]
    assert any("was created; sending again" in line for line in logs)
