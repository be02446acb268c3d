"""Clocks for the emulator: a monotonic default and a manual one that tests move."""

from __future__ import annotations

import threading
from collections.abc import Callable

Clock = Callable[[], float]


class ManualClock:
    """A clock that only moves when told to: ``clock.advance(1.5)``.

    Thread-safe, so a test can advance it while the emulator's server threads read it.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (never backwards); return the new time."""
        if seconds < 0:
            raise ValueError(f"ManualClock.advance: seconds must be >= 0, got {seconds}")
        with self._lock:
            self._now += seconds
            return self._now

    def __repr__(self) -> str:
        return f"ManualClock(now={self():.3f})"
