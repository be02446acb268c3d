"""Agent create-or-update planning: lookup order and field diffing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from bluejay_gate.bluejay.models import Agent
from bluejay_gate.errors import ResolveError, SpecError
from bluejay_gate.run.agent_sync import apply_plan, diff_agent, plan_agent


@dataclass
class FakeAgents:
    """An in-memory AgentApi that records writes."""

    agents: list[Agent] = field(default_factory=list)
    calls: list[tuple[str, Any]] = field(default_factory=list)

    def get_agent(self, agent_id: str) -> Agent:
        return next(a for a in self.agents if a.id == agent_id)

    def find_agent_by_external_id(self, external_id: str) -> Agent | None:
        return next((a for a in self.agents if a.external_agent_id == external_id), None)

    def list_agents(self) -> list[Agent]:
        return list(self.agents)

    def add_agent(self, fields: dict[str, Any]) -> str:
        self.calls.append(("add", fields))
        return "999"

    def update_agent(self, agent_id: str, fields: dict[str, Any]) -> None:
        self.calls.append(("update", (agent_id, fields)))

    def update_agent_by_external_id(self, external_id: str, fields: dict[str, Any]) -> None:
        self.calls.append(("update_ext", (external_id, fields)))


@dataclass(frozen=True)
class SpecAgent:
    name: str
    fields: dict[str, Any]
    external_id: str | None = None
    id: str | None = None
    line: int = 3


STORED = Agent.model_validate(
    {
        "id": 7,
        "name": "Bot",
        "agent_description": "Be kind.\n",
        "knowledge_base": "kb",
        "goals": ["a"],
        "external_agent_id": "bot",
        "mode": "VOICE",
        "organization_id": "o",
    }
)


def test_diff_maps_system_prompt_to_agent_description() -> None:
    """system_prompt is compared with the stored agent_description, whitespace-trimmed."""
    assert diff_agent(STORED, {"system_prompt": "Be kind.", "name": "Bot"}) == ()
    assert diff_agent(STORED, {"system_prompt": "Be curt.", "goals": ["a", "b"]}) == (
        "system_prompt",
        "goals",
    )


def test_unchanged_agent_is_not_written() -> None:
    """A spec equal to the stored agent plans no write at all."""
    api = FakeAgents([STORED])
    spec = SpecAgent("Bot", {"name": "Bot", "knowledge_base": "kb"}, external_id="bot")
    plan = plan_agent(api, spec)
    assert plan.action == "unchanged"
    assert plan.agent_id == "7"
    apply_plan(api, spec, plan)
    assert api.calls == []


def test_update_by_external_id_sends_only_changed_fields() -> None:
    """An update through the external id carries just the fields that differ."""
    api = FakeAgents([STORED])
    spec = SpecAgent("Bot", {"name": "Bot", "knowledge_base": "new kb"}, external_id="bot")
    plan = apply_plan(api, spec, plan_agent(api, spec))
    assert plan.changed == ("knowledge_base",)
    assert api.calls == [("update_ext", ("bot", {"knowledge_base": "new kb"}))]


def test_create_needs_the_agent_request_fields() -> None:
    """Creating an agent without system_prompt is a spec error naming what is missing."""
    api = FakeAgents([])
    spec = SpecAgent("New", {"name": "New", "goals": ["x"]}, external_id="new")
    with pytest.raises(SpecError) as info:
        plan_agent(api, spec)
    assert "system_prompt, knowledge_base" in str(info.value)
    assert info.value.line == 3


def test_create_sends_external_agent_id() -> None:
    """A new agent is created with its external id."""
    api = FakeAgents([])
    fields = {"name": "New", "system_prompt": "p", "knowledge_base": "k", "goals": ["g"]}
    spec = SpecAgent("New", fields, external_id="new")
    plan = apply_plan(api, spec, plan_agent(api, spec))
    assert plan.agent_id == "999"
    assert api.calls == [("add", {**fields, "external_agent_id": "new"})]


def test_ambiguous_name_is_an_error() -> None:
    """Two agents with the spec's exact name cannot be told apart."""
    twin = STORED.model_copy(update={"id": "8"})
    api = FakeAgents([STORED, twin])
    with pytest.raises(ResolveError, match=r"matches 2 agents \(ids 7, 8\)"):
        plan_agent(api, SpecAgent("Bot", {"name": "Bot"}))
