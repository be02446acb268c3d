"""The validated spec the rest of the gate reads: frozen, resolved, with lines.

``Spec`` holds the agent (prompt files read, ``${VAR}`` substituted), the run settings, the
simulations and the global thresholds; ``Spec.checks_for`` merges the global checks with one
simulation's own. Plain data: nothing here reads files or validates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bluejay_gate.spec.thresholds import Check


@dataclass(frozen=True)
class AgentSpec:
    """The agent section, resolved: prompt files read, ``${VAR}`` substituted."""

    external_id: str | None
    id: str | None
    name: str
    fields: Mapping[str, Any]  # AgentRequest fields to send (snake_case); no external_id
    line: int
    field_lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RunSettings:
    """``run:``: seconds, seconds, count, fraction 0..1."""

    timeout: float = 1800.0
    poll_interval: float = 10.0
    max_parallel: int = 10
    allow_incomplete: float = 0.0
    repeat: int = 1
    max_repeats: int | None = None
    confidence: float | None = None
    stop_when_decided: bool = False
    max_conversations: int | None = None
    max_conversations_line: int | None = None  # its line in the spec


@dataclass(frozen=True)
class SimulationSpec:
    """One entry of ``simulations:``."""

    id: str | None
    name: str | None
    digital_human_ids: tuple[str, ...] | None
    thresholds: Mapping[str, tuple[Check, ...]]  # this simulation's own, before merging
    queue_options: Mapping[str, Any]  # other queue-simulation-run fields given in the spec
    line: int
    repeat: int = 1  # conversations per digital human in the first look
    max_repeats: int | None = None  # early stopping: at most this many per digital human

    @property
    def label(self) -> str:
        """The report label: the spec's name, else ``simulation <id>``."""
        return self.name if self.name is not None else f"simulation {self.id}"


@dataclass(frozen=True)
class Spec:
    """A validated spec file."""

    path: Path
    agent: AgentSpec
    run: RunSettings
    simulations: tuple[SimulationSpec, ...]
    thresholds: Mapping[str, tuple[Check, ...]]  # global

    def checks_for(self, sim: SimulationSpec) -> tuple[Check, ...]:
        """Global checks merged with ``sim``'s: a metric the simulation lists replaces every
        global check on that metric. Order: global metrics, then the simulation's own."""
        merged: list[Check] = []
        for metric, checks in self.thresholds.items():
            merged.extend(sim.thresholds.get(metric, checks))
        for metric, checks in sim.thresholds.items():
            if metric not in self.thresholds:
                merged.extend(checks)
        return tuple(merged)
