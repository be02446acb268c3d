"""The custom metric endpoints: create, list (paged, or the deprecated unpaged list by
agent), get, update (which can unlink a metric from every agent), delete."""

from __future__ import annotations

import math
from typing import Any

from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator.endpoints.registry import ok, route
from bluejay_gate.emulator.endpoints.render import METRIC_KEYS, metric_body
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.store import EVERY_AGENT, ORGANIZATION_ID, Store

# CustomMetricResponse fields that are never null (required, or a list or flag).
_NEVER_NULL = frozenset(
    {"name", "description", "response_type", "agent_ids", "allow_not_applicable"}
)


def new_metric(store: Store, req: b.CreateCustomMetricRequest) -> Reply:
    """Store the metric with every field given. Linked to ``agent_ids`` (plus the legacy
    ``agent_id``); with neither it scores every agent's runs, but an explicit empty
    ``agent_ids`` means linked to no agent."""
    data = req.model_dump(mode="json")
    agent_ids = list(data.pop("agent_ids") or [])
    legacy = data.pop("agent_id")
    if legacy is not None and legacy not in agent_ids:
        agent_ids.append(legacy)
    data["agent_ids"] = agent_ids
    data[EVERY_AGENT] = not agent_ids and "agent_ids" not in req.model_fields_set
    metric_id = store.add_metric(data)
    return ok(metric_body(metric_id, store.metric(metric_id)))


@route("POST", "/v1/create-custom-metric", body=b.CreateCustomMetricRequest)
def create_custom_metric(store: Store, call: Call) -> Reply:
    return new_metric(store, call.body)


@route(
    "GET",
    "/v1/custom-metrics",
    query={"agent_id": (int | None, None), "page": (int, 1), "page_size": (int, 50)},
)
def list_custom_metrics(store: Store, call: Call) -> Reply:
    page = max(1, call.query["page"])
    size = max(1, call.query["page_size"])
    metrics = _named_by(store, call.query["agent_id"])
    chunk = metrics[(page - 1) * size : page * size]
    return ok(_page(chunk, len(metrics), page, size))


@route("GET", "/v1/custom-metrics-by-agent/{agent_id}", path={"agent_id": int})
def custom_metrics_by_agent(store: Store, call: Call) -> Reply:
    """The deprecated unpaged list: every metric that names the agent, as one page."""
    agent_id = call.params["agent_id"]
    store.agent(agent_id)
    metrics = _named_by(store, agent_id)
    return ok(_page(metrics, len(metrics), 1, max(1, len(metrics))))


def _named_by(store: Store, agent_id: int | None) -> list[dict[str, Any]]:
    """Metric bodies, in creation order: all, or those whose ``agent_ids`` name the agent."""
    with store.lock:
        return [
            metric_body(i, m)
            for i, m in store.metrics.items()
            if agent_id is None or agent_id in (m.get("agent_ids") or [])
        ]


def _page(chunk: list[dict[str, Any]], total: int, page: int, size: int) -> dict[str, Any]:
    return {
        "metrics": chunk,
        "total_count": total,
        "page": page,
        "page_size": size,
        "items_in_page": len(chunk),
        "total_pages": math.ceil(total / size),
    }


@route("GET", "/v1/custom-metric/{metric_id}")
def get_custom_metric(store: Store, call: Call) -> Reply:
    metric_id = call.params["metric_id"]
    return ok(metric_body(metric_id, store.metric(metric_id)))


@route("DELETE", "/v1/custom-metric/{metric_id}")
def delete_custom_metric(store: Store, call: Call) -> Reply:
    metric_id = call.params["metric_id"]
    with store.lock:
        m = store.metric(metric_id)
        del store.metrics[metric_id]
    agents = m.get("agent_ids") or []
    return ok(
        {
            **{k: m.get(k) for k in METRIC_KEYS if k not in {"agent_ids", "bluejay_as_code_id"}},
            "id": metric_id,
            "agent_id": agents[0] if agents else None,
            "tags": list(m.get("tags") or []),
            "organization_id": ORGANIZATION_ID,
            "allow_not_applicable": bool(m.get("allow_not_applicable")),
        }
    )


@route(
    "PUT",
    "/v1/update-custom-metric/{metric_id}",
    body=b.UpdateCustomMetricRequest,
)
def update_custom_metric(store: Store, call: Call) -> Reply:
    """Only the fields given change (a null clears an optional field, and changes nothing
    where the answer needs a value); ``agent_ids`` replaces the links, and an empty list
    unlinks the metric from every agent (it no longer scores any run)."""
    metric_id = call.params["metric_id"]
    given = call.body.model_dump(mode="json", exclude_unset=True)
    changes = {k: v for k, v in given.items() if v is not None or k not in _NEVER_NULL}
    with store.lock:
        m = store.metric(metric_id)
        if "agent_ids" in changes:
            changes["agent_ids"] = list(dict.fromkeys(changes["agent_ids"]))
            m[EVERY_AGENT] = False
        m.update(changes)
        return ok(metric_body(metric_id, m))
