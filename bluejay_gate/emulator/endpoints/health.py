"""The health check: ``GET /v1/ping``."""

from __future__ import annotations

from bluejay_gate.emulator.endpoints.registry import ok, route
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.store import Store


@route("GET", "/v1/ping")
def ping(store: Store, call: Call) -> Reply:
    return ok({"message": "pong", "status": "200"})
