"""How the waiting stages pace themselves: poll interval, requests in flight, the one
deadline, the clock, the wait that says cancel, and where progress goes. One value for
the simulations' ``Poller`` and the recorded calls' ``CallRunner``, so both run under the
same budget and cancel. Plain data."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from bluejay_gate import events


def _sleep_uncancelled(seconds: float) -> bool:
    time.sleep(seconds)
    return False


@dataclass(frozen=True)
class Pacing:
    poll_interval: float
    max_parallel: int
    deadline: float
    emit: events.Emit = events.discard
    monotonic: Callable[[], float] = time.monotonic
    wait: Callable[[float], bool] = field(default=_sleep_uncancelled)

    def kwargs(self) -> dict[str, Any]:
        """As keyword arguments (``Poller(api, jobs, **pacing.kwargs())``)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def settle_window(self, given: float | None = None) -> float:
        """How long a scored answer without custom metrics is read again: ``given``, else
        two poll intervals, within 1..30 s."""
        return given if given is not None else min(30.0, max(1.0, 2 * self.poll_interval))
