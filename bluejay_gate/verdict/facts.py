"""What Bluejay says before paying, as the pure checks read it: the custom metric
definitions (``Definitions``), each simulation's facts (``SimulationFacts``), and a
threshold that cannot be judged (``Problem``). Plain data; the run stage reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class MetricDefinition:
    """One ``CustomMetricResponse``, as much of it as the checks need."""

    name: str
    response_type: str = ""
    id: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    enum_options: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Definitions:
    """The definitions read. ``complete``: the organisation's whole list is among them
    (or every name the spec needs was found), so a name not here does not exist."""

    metrics: tuple[MetricDefinition, ...]
    complete: bool = True
    where: str = "the agent's or the organisation's custom metrics"

    def named(self, name: str) -> list[MetricDefinition]:
        return [m for m in self.metrics if m.name == name]


@dataclass(frozen=True, slots=True)
class SimulationFacts:
    """What Bluejay says about one simulation; ``None`` is "unknown"."""

    label: str
    simulation_id: str
    digital_humans: int | None = None
    selected_metric_ids: frozenset[str] | None = None
    runs_per_digital_human: int | None = None  # the simulation's own setting
    # digital human id -> name (only names that tell them apart), for the reports
    digital_human_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Problem:
    """A threshold that cannot be judged: spec line, metric, one-line message."""

    line: int | None
    metric: str
    message: str
