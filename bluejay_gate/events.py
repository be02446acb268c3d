"""Progress as a stream of events. The gate emits them; a renderer decides how to show them.

The poller only emits an event when something changed (queued, n/m scored, finished),
never once per poll, so a CI log gets a line per change of state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Info:
    """A plain line: agent synced, plan, retries adopted..."""

    message: str


@dataclass(frozen=True, slots=True)
class Warning:
    message: str


@dataclass(frozen=True, slots=True)
class RunQueued:
    label: str
    simulation_id: str
    run_id: str
    conversations: int
    url: str


@dataclass(frozen=True, slots=True)
class RunProgress:
    label: str
    run_id: str
    run_status: str
    scored: int  # final conversations (scored or not completed)
    total: int


@dataclass(frozen=True, slots=True)
class RunFinished:
    label: str
    run_id: str
    run_status: str
    scored: int
    total: int


Event = Info | Warning | RunQueued | RunProgress | RunFinished
Emit = Callable[[Event], None]


def discard(_event: Event) -> None:
    """An emitter that shows nothing (tests, --quiet)."""
