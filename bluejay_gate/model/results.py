"""What the gate keeps of Bluejay's answers once read, for the verdict: one simulation
result (``ReadResult``: ids, status, links and every metric, without the raw JSON it came
in) and one run (``RunSummary``: id, status, counters). The API's wire models never get
past the run stage."""

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


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What the verdict reads of one run once it settled: its id, status and Bluejay's
    own counters (``tests_passed`` / ``total_tests``, the run-level ``score``)."""

    id: str
    status: str | None = None
    total_tests: int | None = None
    tests_passed: int | None = None
