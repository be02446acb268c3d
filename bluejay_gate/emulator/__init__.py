"""A local stand-in for the Bluejay API, for tests, demos and trying a spec offline.

::

    from bluejay_gate.emulator import Emulator, ManualClock, Scenario

    clock = ManualClock()
    with Emulator(Scenario.from_file("scenario.yml"), api_key="k", clock=clock) as emu:
        ...  # talk to emu.base_url + "/v1/..."; clock.advance(5); emu.requests

See ``bluejay_gate/emulator/README.md`` for the scenario format, faults, webhooks and
what it does not emulate.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bluejay_gate.emulator.clock import ManualClock
    from bluejay_gate.emulator.faults import parse_fault
    from bluejay_gate.emulator.requestlog import RequestRecord
    from bluejay_gate.emulator.scenario import FaultDef, Scenario, ScenarioError
    from bluejay_gate.emulator.server import Emulator
    from bluejay_gate.emulator.webhooks import Delivery, sign

# Imported on first use, so `bluejay-gate --version` and `validate` (whose parser knows
# the emulator's flags) do not load the server.
_LAZY = {
    "ManualClock": "clock",
    "parse_fault": "faults",
    "FaultDef": "scenario",
    "Scenario": "scenario",
    "ScenarioError": "scenario",
    "Emulator": "server",
    "RequestRecord": "requestlog",
    "Delivery": "webhooks",
    "sign": "webhooks",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f"bluejay_gate.emulator.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'bluejay_gate.emulator' has no attribute {name!r}")


__all__ = [
    "Delivery",
    "Emulator",
    "FaultDef",
    "ManualClock",
    "RequestRecord",
    "Scenario",
    "ScenarioError",
    "parse_fault",
    "sign",
]
