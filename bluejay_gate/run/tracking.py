"""What the gate knows about its runs while it waits: the intended run (``Job``), one
queued run as polled so far (``Tracker``) and how polling ended (``PollOutcome``).

Plain data; never sends a request (``poll`` fills these, ``rounds`` reads them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bluejay_gate.bluejay.models import RunStatus
from bluejay_gate.model import statuses
from bluejay_gate.model.results import ReadResult


@dataclass(frozen=True, slots=True)
class Job:
    """One intended run of one spec simulation."""

    sim_index: int
    label: str
    simulation_id: str
    digital_human_ids: tuple[str, ...] | None = None
    runs_per_digital_human: int | None = None
    queue_options: Mapping[str, Any] = field(default_factory=dict)
    needs_custom_metrics: bool = True


@dataclass(slots=True)
class Tracker:
    """What the gate knows about one queued run."""

    job: Job
    run_id: str
    expected_results: tuple[str, ...]
    run: RunStatus | None = None
    # every result as last read (``ReadResult``: metrics parsed, raw JSON dropped)
    results: dict[str, ReadResult] = field(default_factory=dict)
    done: bool = False  # no more polling of the whole run
    settled: bool = False  # re-reads finished too: final
    settle_until: float | None = None
    # the earliest next poll (or re-read round): one poll interval after the last answer
    next_poll_at: float = 0.0
    error: str | None = None
    last_progress: tuple[str, int, int] | None = None
    # Scored results the bulk answer left without custom metrics: worked out once when
    # the run is done (parsing every metric is the costly part of a big run), then
    # updated per re-read.
    lacking: list[str] = field(default_factory=list)
    # per result: the fingerprint of the answer it was last read from (see ``fingerprint``)
    fingerprints: dict[str, int] = field(default_factory=dict)
    # results an answer listed that are not among the run's queued conversations
    ignored: dict[str, None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # for the reports
    # result id -> what differs between its copies in the last answer (no verdict)
    duplicates: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return max(len(self.expected_results), len(self.results))

    @property
    def final_count(self) -> int:
        return sum(1 for r in self.results.values() if statuses.result_is_final(r.status))

    def unfinished_result_ids(self) -> list[str]:
        ids = [
            rid
            for rid, r in self.results.items()
            if not statuses.result_is_final(r.status)
            and statuses.normalise(r.status) not in statuses.RESULT_PAST_CONVERSATION
        ]
        ids += [rid for rid in self.expected_results if rid not in self.results]
        return ids


@dataclass(slots=True)
class PollOutcome:
    trackers: list[Tracker]
    unqueued: list[tuple[Job, str]]  # jobs that never got a run, with the reason
    timed_out: bool = False
    cancelled: bool = False
    ended: int = 0  # conversations stopped with end-conversations
    # stopped because the verdict was certain (``run.stop_when_decided``): runs still
    # going are judged on what scored, without an error
    decided: bool = False
