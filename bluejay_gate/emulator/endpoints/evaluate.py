"""``POST /v1/evaluate`` (the real path, also the lesson's): queue a call for evaluation;
``calls`` scores it and moves it through the call-log statuses."""

from __future__ import annotations

from typing import Any

from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator.calls import new_call
from bluejay_gate.emulator.endpoints.registry import int_id, ok, route
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.store import Store


def _call_model(data: Any) -> type[b.Body]:
    if isinstance(data, dict) and "external_agent_id" in data and "agent_id" not in data:
        return b.CallRequestUsingExternalAgentId
    return b.CallRequestUsingAgentId


@route("POST", "/v1/evaluate", body=_call_model)
def evaluate(store: Store, call: Call) -> Reply:
    req = call.body
    if isinstance(req, b.CallRequestUsingExternalAgentId):
        agent_id = store.agent_by_external_id(req.external_agent_id)
    else:
        agent_id = int_id(req.agent_id, "Agent")
        store.agent(agent_id)
    sent = req.model_dump(mode="json", exclude_none=True, exclude={"agent_id", "external_agent_id"})
    record = new_call(store, agent_id, sent)
    return ok({"status": "queued", "call_id": record.id, "message": "Call queued for evaluation"})
