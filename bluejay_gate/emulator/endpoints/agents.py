"""The agent endpoints: add, update (by id or external id), get, list, delete."""

from __future__ import annotations

from typing import Any

from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator.endpoints.registry import int_id, ok, route
from bluejay_gate.emulator.endpoints.render import agent_body, agent_update_body
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.store import Conflict, NotFound, Store


@route("POST", "/v1/add-agent", body=b.AgentRequest)
def add_agent(store: Store, call: Call) -> Reply:
    req: b.AgentRequest = call.body
    with store.lock:
        if req.external_agent_id:
            try:
                store.agent_by_external_id(req.external_agent_id)
            except NotFound:
                pass
            else:
                raise Conflict(
                    f"Agent with external_agent_id {req.external_agent_id!r} already exists"
                )
        agent_id = store.add_agent(req.model_dump(mode="json"))
    return ok({"agent_id": agent_id, "status": "200", "http_webhook_key": None})


def _apply_update(store: Store, agent_id: int, changes: dict[str, Any]) -> Reply:
    with store.lock:
        agent = store.agent(agent_id)
        agent.update(changes)
        return ok({"agent": agent_update_body(agent_id, agent), "status": "200"})


@route("POST", "/v1/update-agent", body=b.AgentUpdateRequest)
def update_agent(store: Store, call: Call) -> Reply:
    req: b.AgentUpdateRequest = call.body
    changes = req.model_dump(mode="json", exclude_unset=True)
    changes.pop("agent_id", None)
    if req.agent_id is None:
        if not req.external_agent_id:
            raise Conflict("agent_id is null and no external_agent_id was given")
        agent_id = store.agent_by_external_id(req.external_agent_id)
    else:
        agent_id = int_id(req.agent_id, "Agent")
    return _apply_update(store, agent_id, changes)


@route("PUT", "/v1/update-agent-by-external-id", body=b.AgentUpdateWithExternalIdRequest)
def update_agent_by_external_id(store: Store, call: Call) -> Reply:
    req: b.AgentUpdateWithExternalIdRequest = call.body
    agent_id = store.agent_by_external_id(req.external_agent_id)
    return _apply_update(store, agent_id, req.model_dump(mode="json", exclude_unset=True))


@route("GET", "/v1/agents/{agent_id}", path={"agent_id": int})
def get_agent(store: Store, call: Call) -> Reply:
    agent_id = call.params["agent_id"]
    return ok(agent_body(agent_id, store.agent(agent_id)))


@route("GET", "/v1/agent-by-external-id/{external_id}")
def get_agent_by_external_id(store: Store, call: Call) -> Reply:
    agent_id = store.agent_by_external_id(call.params["external_id"])
    return ok(agent_body(agent_id, store.agent(agent_id)))


@route("GET", "/v1/all-agents")
def all_agents(store: Store, call: Call) -> Reply:
    with store.lock:
        return ok([agent_body(i, a) for i, a in store.agents.items()])


@route("DELETE", "/v1/agent/{agent_id}", path={"agent_id": int})
def delete_agent(store: Store, call: Call) -> Reply:
    agent_id = call.params["agent_id"]
    with store.lock:
        store.agent(agent_id)
        del store.agents[agent_id]
    return ok({"agent_id": agent_id, "status": "200", "http_webhook_key": None})
