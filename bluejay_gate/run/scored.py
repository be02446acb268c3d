"""Which conversations of a run still in progress are final, and how many are not: what
stop-when-decided judges a run on (``scored_results``) and what it may still score
(``unscored``). Pure: reads a ``Tracker``, sends nothing.
"""

from __future__ import annotations

from bluejay_gate.bluejay.results import lacks_custom_metrics
from bluejay_gate.model import statuses
from bluejay_gate.model.results import ReadResult
from bluejay_gate.run.tracking import Tracker


def scored_results(tracker: Tracker) -> list[ReadResult]:
    """The run's queued conversations that are final: not completed, or completed with
    the metrics the checks need (one the bulk answer left without them may be re-read)."""
    found = []
    for rid in tracker.expected_results:
        result = tracker.results.get(rid)
        if result is None or not statuses.result_is_final(result.status):
            continue
        scored = statuses.normalise(result.status) in statuses.RESULT_SCORED
        if scored and tracker.job.needs_custom_metrics and lacks_custom_metrics(result):
            continue
        found.append(result)
    return found


def unscored(tracker: Tracker) -> int | None:
    """Conversations of the run that may still score, ``None`` when unknown (its
    conversations were never listed, it counts more than were listed, an answer listed
    one twice, or polling it failed)."""
    if tracker.settled and tracker.error is None:
        return 0
    if tracker.error is not None or not tracker.expected_results or tracker.duplicates:
        return None
    counted = tracker.run.total_tests if tracker.run is not None else None
    if counted is not None and counted > len(tracker.expected_results):
        return None
    return len(tracker.expected_results) - len(scored_results(tracker))
