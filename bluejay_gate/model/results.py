"""A simulation result as the gate keeps it once read (``ReadResult``): ids, status,
links and every metric, without the raw JSON it came in."""

from __future__ import annotations

from dataclasses import dataclass

from bluejay_gate.model.values import MetricValue


@dataclass(frozen=True, slots=True)
class ResultMetrics:
    """Everything the evaluator reads from one result, in one pass."""

    metrics: dict[str, MetricValue]  # built-ins, then custom metrics over them
    has_custom: bool
    never_spoke: bool
    evaluated: bool = False  # an evaluation (or legacy custom metrics) is there at all


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What the gate keeps of one ``SimulationResult`` once its metrics are read."""

    id: str
    digital_human_id: str | None
    status: str | None
    duration: float | None
    transcript_url: str | None
    audio_url: str | None
    found: ResultMetrics

    @property
    def metrics(self) -> dict[str, MetricValue]:
        return self.found.metrics
