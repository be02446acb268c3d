"""Create-or-update of the spec's Agent: find it, diff it, write only what differs.

Lookup order: ``agent.id`` (exactly that agent), else ``agent.external_id``
(``agent-by-external-id``), else an exact, unambiguous name match in ``all-agents``.

Comparison: the spec's fields against the stored ``AgentPydantic``. Bluejay stores the
system prompt as ``agent_description``. Fields the API never returns (``folder``) cannot
be compared: they are sent on create, and along with any other change on update.
Strings compare without surrounding whitespace (prompt files end with a newline).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bluejay_gate.bluejay.models import Agent
from bluejay_gate.errors import ResolveError, SpecError, UsageError
from bluejay_gate.manage.diff import same

# AgentRequest field -> AgentPydantic field where the names differ.
STORED_AS = {"system_prompt": "agent_description"}
NOT_RETURNED = frozenset({"folder", "bluejay_as_code_id"})
CREATE_REQUIRES = ("name", "system_prompt", "knowledge_base", "goals")


class AgentApi(Protocol):
    def get_agent(self, agent_id: str) -> Agent: ...
    def find_agent_by_external_id(self, external_id: str) -> Agent | None: ...
    def list_agents(self) -> list[Agent]: ...
    def add_agent(self, fields: dict[str, Any]) -> str: ...
    def update_agent(self, agent_id: str, fields: dict[str, Any]) -> None: ...
    def update_agent_by_external_id(self, external_id: str, fields: dict[str, Any]) -> None: ...


class AgentSpecLike(Protocol):
    @property
    def external_id(self) -> str | None: ...
    @property
    def id(self) -> str | None: ...
    @property
    def name(self) -> str: ...
    @property
    def fields(self) -> Mapping[str, Any]: ...
    @property
    def line(self) -> int: ...


@dataclass(frozen=True, slots=True)
class AgentPlan:
    """What the gate will do (or did) to the agent."""

    action: str  # "create" | "update" | "unchanged"
    agent_id: str | None
    changed: tuple[str, ...] = ()
    payload: Mapping[str, Any] = field(default_factory=dict)

    def describe(self, *, name: str, done: bool) -> str:
        if self.action == "create":
            verb = "created" if done else "would create"
            return f"agent {name!r}: {verb}" + (f" (id {self.agent_id})" if self.agent_id else "")
        if self.action == "update":
            verb = "updated" if done else "would update"
            return f"agent {name!r} (id {self.agent_id}): {verb} {', '.join(self.changed)}"
        return f"agent {name!r} (id {self.agent_id}): unchanged"


def find_agent(api: AgentApi, spec: AgentSpecLike) -> Agent | None:
    """The stored agent the spec describes, or None when it must be created."""
    if spec.id:
        return api.get_agent(spec.id)
    if spec.external_id:
        return api.find_agent_by_external_id(spec.external_id)
    matches = [a for a in api.list_agents() if a.name == spec.name]
    if len(matches) > 1:
        ids = ", ".join(str(a.id) for a in matches)
        raise ResolveError(
            f"agent name {spec.name!r} matches {len(matches)} agents (ids {ids}): "
            "set agent.external_id (recommended) or agent.id in the spec"
        )
    return matches[0] if matches else None


def _stored(agent: Agent, name: str) -> tuple[bool, Any]:
    stored = agent.model_dump()
    key = STORED_AS.get(name, name)
    if key not in stored:
        return False, None
    return True, stored[key]


def diff_agent(agent: Agent, wanted: Mapping[str, Any]) -> tuple[str, ...]:
    """Names of the spec fields whose stored value differs (or cannot be read back)."""
    changed = []
    for name, value in wanted.items():
        if name in NOT_RETURNED:
            continue
        present, stored = _stored(agent, name)
        if not present:
            if value is not None:
                changed.append(name)
            continue
        if not same(stored, value):
            changed.append(name)
    return tuple(changed)


def plan_agent(api: AgentApi, spec: AgentSpecLike) -> AgentPlan:
    """Look the agent up and work out what to write. GET requests only."""
    wanted = dict(spec.fields)
    if spec.external_id:
        wanted["external_agent_id"] = spec.external_id
    agent = find_agent(api, spec)
    if agent is None:
        missing = [f for f in CREATE_REQUIRES if wanted.get(f) in (None, "")]
        if missing:
            raise SpecError(
                f"agent {spec.name!r} does not exist yet and creating it needs "
                f"{', '.join(missing)}: add them to the agent section",
                line=spec.line,
                key="agent",
            )
        return AgentPlan(action="create", agent_id=None, payload=wanted)
    changed = diff_agent(agent, wanted)
    if not changed:
        return AgentPlan(action="unchanged", agent_id=agent.id)
    payload = {name: wanted[name] for name in changed}
    for name in NOT_RETURNED & wanted.keys():
        payload[name] = wanted[name]
    return AgentPlan(action="update", agent_id=agent.id, changed=changed, payload=payload)


def apply_plan(api: AgentApi, spec: AgentSpecLike, plan: AgentPlan) -> AgentPlan:
    """Carry the plan out; returns it with the agent id filled in."""
    if plan.action == "create":
        agent_id = api.add_agent(dict(plan.payload))
        return AgentPlan(action="create", agent_id=agent_id, payload=plan.payload)
    if plan.action == "update":
        # AgentUpdateWithExternalIdRequest has no bluejay_as_code_id; the id is the key.
        payload = {
            k: v
            for k, v in plan.payload.items()
            if k not in {"external_agent_id", "bluejay_as_code_id"}
        }
        if spec.external_id and not spec.id:
            api.update_agent_by_external_id(spec.external_id, payload)
        else:
            assert plan.agent_id is not None
            api.update_agent(plan.agent_id, dict(plan.payload))
    return plan


def refuse_unsynced(plan: AgentPlan, name: str) -> None:
    """``--no-sync``: the agent must already be as the spec says (a sync step ran first);
    testing a stale agent could pass what the spec's agent would fail. Nothing is sent."""
    if plan.action == "unchanged":
        return
    what = (
        "does not exist yet"
        if plan.action == "create"
        else f"differs from the spec ({', '.join(plan.changed)})"
    )
    raise UsageError(
        f"--no-sync: agent {name!r} {what}: run `bluejay-gate sync` first "
        "(one job before the shards), or drop --no-sync"
    )
