"""The validated spec the rest of the gate reads: frozen, resolved, with lines.

``Spec`` holds the agent (prompt files read, ``${VAR}`` substituted), the run settings, the
simulations, the golden-call sets (files read) and the global thresholds;
``Spec.checks_for`` merges the global checks with one simulation's (or call set's) own.
Plain data: nothing here reads files or validates.
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
    wait: str = "poll"  # poll | webhook
    webhook_poll_interval: float = 60.0  # the safety-net poll with wait: webhook


@dataclass(frozen=True)
class MetricSpec:
    """One entry of ``custom_metrics:``: a custom metric the spec manages, by name within
    the agent. ``fields`` are ``CreateCustomMetricRequest`` fields as written (``{file:}``
    texts read, ``${VAR}`` substituted; ``name`` included; never ``agent_id``/``agent_ids``:
    the gate links it to the spec's agent)."""

    name: str
    fields: Mapping[str, Any]
    line: int
    field_lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class HumanSpec:
    """One digital human of a managed simulation, by name within the simulation.
    ``fields`` are ``DigitalHumanRequestData`` fields as written (``name`` included)."""

    name: str
    fields: Mapping[str, Any]
    line: int
    field_lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ManagedSimulation:
    """What a managed ``simulations:`` entry (one with ``digital_humans:`` mappings) keeps
    in Bluejay: the simulation's fields (``SimulationRequest`` / ``UpdateSimulationRequest``
    fields as written, without ``name`` and ``agent_id``; ``selected_custom_metrics`` as
    metric *names*), its digital humans, and whether the ones Bluejay has beyond them are
    unlinked (``prune: true``) or only reported as drift."""

    fields: Mapping[str, Any]
    digital_humans: tuple[HumanSpec, ...]
    prune: bool = False
    field_lines: Mapping[str, int] = field(default_factory=dict)


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
    managed: ManagedSimulation | None = None  # None: a reference to an existing simulation

    @property
    def label(self) -> str:
        """The report label: the spec's name, else ``simulation <id>``."""
        return self.name if self.name is not None else f"simulation {self.id}"


@dataclass(frozen=True)
class CallFile:
    """One golden call: its file, as shown in reports (relative to the spec), and the
    body it sends (metadata merged; no agent: the gate adds it), and the sha256 of the
    file's bytes (``--rerun-failed`` tells a changed file by it; "" when unknown)."""

    path: Path
    shown: str
    body: Mapping[str, Any]
    sha256: str = ""


@dataclass(frozen=True)
class CallSetSpec:
    """One entry of ``calls:``: recorded calls judged like a simulation."""

    name: str
    pattern: str  # the ``files:`` glob as written
    files: tuple[CallFile, ...]
    thresholds: Mapping[str, tuple[Check, ...]]  # this set's own, before merging
    line: int

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True)
class Spec:
    """A validated spec file."""

    path: Path
    agent: AgentSpec
    run: RunSettings
    simulations: tuple[SimulationSpec, ...]
    thresholds: Mapping[str, tuple[Check, ...]]  # global
    calls: tuple[CallSetSpec, ...] = ()  # golden-call sets (``calls:``)
    # ``custom_metrics:``: None when the spec does not manage metrics (no drift reported)
    custom_metrics: tuple[MetricSpec, ...] | None = None
    prune_metrics: bool = False  # ``custom_metrics: {prune: true, items: [...]}``

    @property
    def manages_setup(self) -> bool:
        """The spec keeps metrics or simulations in Bluejay (not only the agent)."""
        return self.custom_metrics is not None or any(
            s.managed is not None for s in self.simulations
        )

    def checks_for(self, sim: SimulationSpec | CallSetSpec) -> tuple[Check, ...]:
        """Global checks merged with ``sim``'s (a simulation or a call set): a metric the
        entry lists replaces every global check on that metric. Order: global metrics,
        then the entry's own."""
        merged: list[Check] = []
        for metric, checks in self.thresholds.items():
            merged.extend(sim.thresholds.get(metric, checks))
        for metric, checks in sim.thresholds.items():
            if metric not in self.thresholds:
                merged.extend(checks)
        return tuple(merged)
