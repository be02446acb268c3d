"""The emulated endpoints: the real Bluejay paths and the lesson's REST view.

Each handler turns a validated ``Call`` into a ``Reply`` whose body has the shape of the
OpenAPI document's 200 schema for that operation. One module per endpoint family; each
registers its handlers with ``@route`` when imported, so this package imports them all
(in the order the routes are matched) and the server takes ``router`` from here.
"""

from __future__ import annotations

from bluejay_gate.emulator.endpoints import (  # noqa: F401 - importing registers the routes
    agents,
    call_logs,
    custom_metrics,
    dashboard,
    digital_humans,
    evaluate,
    files,
    health,
    lesson,
    runs,
    simulations,
)
from bluejay_gate.emulator.endpoints.registry import router

__all__ = ["router"]
