"""Integration fixtures: a factory for in-process emulators on a free loopback port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bluejay_gate.emulator import Emulator


@pytest.fixture
def emulator() -> Iterator[Callable[..., Emulator]]:
    """Factory: ``emulator(scenario=..., api_key=..., speed=..., clock=...)`` -> a started
    Emulator on 127.0.0.1:<free port>; every one is stopped at teardown."""
    started: list[Emulator] = []

    def make(scenario: Any = None, **kwargs: Any) -> Emulator:
        emu = Emulator(scenario, **kwargs).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()
