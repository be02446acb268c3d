"""Call logs: ``GET /v1/retrieve-call-log/{call_id}``, ``GET /v1/retrieve-call-logs/{agent_id}``
(``page``, ``page_size``, ``last``; newest first) and the transcript a call log links to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import Field

from bluejay_gate.emulator.calls import CallRecord, call_body
from bluejay_gate.emulator.endpoints.registry import int_id, ok, route
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.store import NotFound, Store

Window = Literal["1day", "3days", "7days", "30days", "90days", "all"]
_DAYS = {"1day": 1, "3days": 3, "7days": 7, "30days": 30, "90days": 90}


def _record(store: Store, call_id: str) -> CallRecord:
    with store.lock:
        record = store.calls.get(call_id)
    if record is None:
        raise NotFound(f"Call {call_id} not found")
    assert isinstance(record, CallRecord)
    return record


@route("GET", "/v1/retrieve-call-log/{call_id}")
def retrieve_call_log(store: Store, call: Call) -> Reply:
    return ok(
        {"call_log": call_body(store, _record(store, call.params["call_id"])), "status": "200"}
    )


@route(
    "GET",
    "/v1/retrieve-call-logs/{agent_id}",
    query={
        "page": (Annotated[int, Field(ge=1)], 1),
        "page_size": (Annotated[int, Field(ge=1, le=100)], 20),
        "last": (Window, "1day"),
        "label": (str | None, None),
    },
)
def retrieve_call_logs(store: Store, call: Call) -> Reply:
    agent_id = int_id(call.params["agent_id"], "Agent")
    store.agent(agent_id)
    page, size, last = call.query["page"], call.query["page_size"], call.query["last"]
    since = None if last == "all" else datetime.now(UTC) - timedelta(days=_DAYS[last])
    with store.lock:
        records = [
            r
            for r in store.calls.values()
            if isinstance(r, CallRecord)
            and r.agent_id == agent_id
            and (since is None or r.created >= since)
        ]
    records.sort(key=lambda r: (r.created, r.id), reverse=True)
    total = len(records)
    pages = max(1, -(-total // size))
    shown = records[(page - 1) * size : page * size]
    return ok(
        {
            "call_logs": [call_body(store, r) for r in shown],
            "total_count": total,
            "page": page,
            "page_size": size,
            "total_pages": pages,
        }
    )


@route("GET", "/files/call-transcripts/{name}", auth=False)
def call_transcript(store: Store, call: Call) -> Reply:
    record = _record(store, call.params["name"].removesuffix(".json"))
    return ok(record.body.get("transcript") or [])
