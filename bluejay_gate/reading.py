"""A simulation result read once: its ids, status, links and every metric, without the
raw JSON it came in.

Reading the metrics is the costly part of a big run (hundreds of thousands of values
with long reasoning texts), and the raw answer holds every value twice over in dicts.
The poller keeps only this form of each result, read from the first answer that has it
final with its metrics (see ``poll._keeps``); the evaluator takes either form
(``read_result`` passes a ``ReadResult`` through).
"""

from __future__ import annotations

from dataclasses import dataclass

from bluejay_gate import statuses
from bluejay_gate.apimodels import SimulationResult
from bluejay_gate.metrics import ResultMetrics, read
from bluejay_gate.verdict import MetricValue


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


def read_result(result: SimulationResult | ReadResult) -> ReadResult:
    """``result`` read once (a ``ReadResult`` is returned as it is)."""
    if isinstance(result, ReadResult):
        return result
    return ReadResult(
        id=result.id,
        digital_human_id=result.digital_human_id,
        status=result.status,
        duration=result.duration,
        transcript_url=result.transcript_url,
        audio_url=result.audio_url,
        found=read(result),
    )


def lacks_custom_metrics(result: ReadResult) -> bool:
    """Scored, yet without a custom metric: the bulk answer may have left them out."""
    return statuses.normalise(result.status) in statuses.RESULT_SCORED and not (
        result.found.has_custom
    )
