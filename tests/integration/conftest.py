"""Integration fixtures: a factory for in-process emulators on a free loopback port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bluejay_gate.emulator import Emulator
from tests.helpers.forges import ScriptedGitHub, ScriptedGitLab


@pytest.fixture
def emulator() -> Iterator[Callable[..., Emulator]]:
    """Factory: ``emulator(scenario=..., api_key=..., speed=..., clock=...)`` -> a started
    Emulator on 127.0.0.1:<free port>; every one is stopped at teardown."""
    started: list[Emulator] = []

    def make(scenario: Any = None, **kwargs: Any) -> Emulator:
        emu = Emulator(scenario, **kwargs).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def github() -> Iterator[ScriptedGitHub]:
    """A scripted GitHub API on loopback (tests/helpers/forges.py), closed at teardown."""
    server = ScriptedGitHub()
    yield server
    server.close()


@pytest.fixture
def gitlab() -> Iterator[ScriptedGitLab]:
    """A scripted GitLab API on loopback (tests/helpers/forges.py), closed at teardown."""
    server = ScriptedGitLab()
    yield server
    server.close()


BILLING_SCENARIO: dict[str, Any] = {
    "seed": 7,
    "timing": {"queued": 1.0, "running": 2.0, "conversation_ended": 1.0, "evaluating": 1.0},
    "agents": [
        {
            "id": 101,
            "name": "Support Bot v2",
            "external_agent_id": "support-bot",
            "system_prompt": "You are a support agent.",
            "knowledge_base": "Refunds within 30 days.",
            "goals": ["Resolve billing questions"],
        }
    ],
    "custom_metrics": [
        {"name": "Greeting compliance", "response_type": "pass_fail"},
        {"name": "Empathy", "response_type": "quantitative", "min_value": 0, "max_value": 10},
        {
            "name": "Resolution",
            "response_type": "enum",
            "enum_options": ["resolved", "escalated", "unresolved"],
            "allow_not_applicable": True,
        },
        {"name": "Notes", "response_type": "qualitative"},
    ],
    "simulations": [
        {
            "id": 4821,
            "name": "Billing regressions",
            "agent": "support-bot",
            "digital_humans": [{"id": 12, "name": "Angry caller"}, {"id": 13, "name": "Polite"}],
            "scores": {
                "Greeting compliance": {"pass_rate": 1.0},
                "Empathy": {"mean": 7.5, "spread": 1.5},
                "Resolution": {"weights": {"resolved": 0.8, "escalated": 0.2}},
                "goal_success": {"rate": 1.0},
                "latency": {"p95_agent_latency": 1200},
            },
            "digital_human_scores": {13: {"Empathy": {"mean": 3, "spread": 0}}},
        }
    ],
}


@pytest.fixture
def billing_scenario() -> dict[str, Any]:
    """One agent (101, external id support-bot), four metrics, simulation 4821 with digital
    humans 12 and 13; stages of 1 s queued, 2 s running, 1 s ended, 1 s evaluating."""
    import copy

    return copy.deepcopy(BILLING_SCENARIO)
