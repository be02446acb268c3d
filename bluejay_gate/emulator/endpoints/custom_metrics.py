"""The custom metric endpoints: create, list (paged, by agent), get, update, delete."""

from __future__ import annotations

import math

from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator.endpoints.registry import ok, route
from bluejay_gate.emulator.endpoints.render import METRIC_KEYS, metric_body
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.store import ORGANIZATION_ID, Store


def new_metric(store: Store, req: b.CreateCustomMetricRequest) -> Reply:
    data = req.model_dump(mode="json")
    agent_ids = list(data.pop("agent_ids") or [])
    legacy = data.pop("agent_id")
    if legacy is not None and legacy not in agent_ids:
        agent_ids.append(legacy)
    data["agent_ids"] = agent_ids
    metric_id = store.add_metric(data)
    return ok(metric_body(metric_id, store.metric(metric_id)))


@route("POST", "/v1/create-custom-metric", body=b.CreateCustomMetricRequest)
def create_custom_metric(store: Store, call: Call) -> Reply:
    return new_metric(store, call.body)


@route(
    "GET",
    "/v1/custom-metrics",
    query={"agent_id": (str | None, None), "page": (int, 1), "page_size": (int, 50)},
)
def list_custom_metrics(store: Store, call: Call) -> Reply:
    page = max(1, call.query["page"])
    size = max(1, call.query["page_size"])
    agent = call.query["agent_id"]
    with store.lock:
        metrics = [
            metric_body(i, m)
            for i, m in store.metrics.items()
            if agent is None or str(agent) in {str(a) for a in m.get("agent_ids") or []}
        ]
    chunk = metrics[(page - 1) * size : page * size]
    return ok(
        {
            "metrics": chunk,
            "total_count": len(metrics),
            "page": page,
            "page_size": size,
            "items_in_page": len(chunk),
            "total_pages": math.ceil(len(metrics) / size),
        }
    )


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
    metric_id = call.params["metric_id"]
    changes = call.body.model_dump(mode="json", exclude_unset=True)
    with store.lock:
        m = store.metric(metric_id)
        m.update(changes)
        return ok(metric_body(metric_id, m))
