"""Runs and conversations over time: statuses, counters and the cached result bodies.

Lazy and deterministic: a conversation's status is a pure function of the elapsed
scenario time ``(now - queued_at) * speed`` and its timeline; nothing moves in the
background. A conversation's body (``result_bodies``) is rendered once it is final and
then cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bluejay_gate.emulator.result_bodies import result_body
from bluejay_gate.emulator.scenario import Quirks, ScoreSpec
from bluejay_gate.emulator.scoring import ConversationKey, MetricSpec, Scores, score_conversation
from bluejay_gate.emulator.timeline import (
    CANCELLED,
    COMPLETED,
    INSUFFICIENT_FUNDS,
    Timeline,
)
from bluejay_gate.model.statuses import RESULT_FINAL


@dataclass(slots=True)
class Conversation:
    """One simulation result."""

    id: int
    run_id: int
    digital_human_id: int
    key: ConversationKey
    queued_at: float
    created: datetime
    timeline: Timeline
    planned: str  # COMPLETED or a not-completed final status
    never_speaks: bool
    metrics: list[MetricSpec]
    specs: dict[str, ScoreSpec]
    quirks: Quirks
    speed: float
    base_url: str
    cancelled_at: float | None = None  # elapsed scenario seconds
    _scores: Scores | None = None
    _cache: dict[str, dict[str, Any]] = field(default_factory=dict)

    def elapsed(self, now: float) -> float:
        return (now - self.queued_at) * self.speed

    def status(self, now: float) -> str:
        e = self.elapsed(now)
        t = self.timeline
        if self.cancelled_at is not None and e >= self.cancelled_at:
            return CANCELLED
        if e < t.queued:
            return "QUEUED"
        if self.planned == INSUFFICIENT_FUNDS:
            return INSUFFICIENT_FUNDS
        if e < t.running:
            return "RUNNING"
        if self.planned != COMPLETED:
            return self.planned
        if e < t.ended:
            return "CONVERSATION_ENDED"
        if e < t.done:
            return "EVALUATING"
        return COMPLETED

    def _ends_at(self, completed: float) -> float:
        """Elapsed time of this conversation's end: ``completed`` for a completed one."""
        t = self.timeline
        natural = (
            t.queued
            if self.planned == INSUFFICIENT_FUNDS
            else t.running
            if self.planned != COMPLETED
            else completed
        )
        if self.cancelled_at is not None:
            return min(natural, self.cancelled_at)
        return natural

    def run_end(self) -> float:
        """When this conversation stops holding its run in ``RUNNING``."""
        return self._ends_at(self.timeline.evaluated)

    def final_at(self) -> float:
        """Clock time at which this conversation reaches its final status (scored, for a
        completed one): the moment the gate can have its verdict on it."""
        return self.queued_at + self._ends_at(self.timeline.done) / self.speed

    @property
    def bulk_lacks_metrics(self) -> bool:
        """The bulk results omit this conversation's custom metrics (``bulk_missing_metrics``)."""
        return self.key.stream("bulk_missing").random() < self.quirks.bulk_missing_metrics

    @property
    def scores(self) -> Scores:
        if self._scores is None:
            self._scores = score_conversation(
                self.key,
                self.metrics,
                self.specs,
                never_speaks=self.never_speaks,
                reasoning_length=self.quirks.reasoning_length,
            )
        return self._scores

    def cancel(self, elapsed: float) -> None:
        """End it at ``elapsed`` scenario seconds; its cached bodies are stale."""
        self.cancelled_at = elapsed
        self._cache.clear()

    def passed(self, now: float) -> bool:
        return self.status(now) == COMPLETED and self.scores.passed

    def _wall(self, elapsed: float) -> datetime:
        return self.created + timedelta(seconds=elapsed / self.speed)

    def times(self) -> tuple[datetime, datetime]:
        start = self._wall(self.timeline.queued)
        if self.cancelled_at is not None and self.cancelled_at < self.timeline.running:
            return start, self._wall(max(self.cancelled_at, self.timeline.queued))
        duration = self.scores.duration_ms if self.planned == COMPLETED else 4_000
        return start, start + timedelta(milliseconds=duration)

    def render(self, now: float, *, bulk: bool) -> dict[str, Any]:
        """``SimulationResultResponse`` as of ``now``; cached once final."""
        status = self.status(now)
        view = "bulk" if bulk else "single"
        final = status in RESULT_FINAL
        if final and view in self._cache:
            return self._cache[view]
        body = result_body(self, status, bulk=bulk)
        if final:
            self._cache[view] = body
        return body


@dataclass(slots=True)
class Run:
    id: int
    simulation_id: int
    agent_id: int
    run_number: int
    created: datetime
    queued_at: float
    outcome: str | None
    conversations: list[Conversation]
    final_results: bytes | None = None  # encoded bulk body once nothing can change any more

    def status(self, now: float) -> str:
        if not self.conversations:
            return self.outcome or COMPLETED
        e = self.conversations[0].elapsed(now)
        cancelled = any(c.cancelled_at is not None for c in self.conversations)
        if e < min(c.timeline.queued for c in self.conversations) and not cancelled:
            return "INITIALIZING"
        if self.outcome == INSUFFICIENT_FUNDS:
            return INSUFFICIENT_FUNDS
        if e < max(c.run_end() for c in self.conversations):
            return "RUNNING"
        if self.outcome:
            return self.outcome
        if any(c.cancelled_at is not None for c in self.conversations):
            return "INCOMPLETED"
        return COMPLETED

    def counters(self, now: float) -> dict[str, int]:
        completed = passed = incompleted = 0
        for c in self.conversations:
            status = c.status(now)
            if status == COMPLETED:
                completed += 1
                passed += c.scores.passed
            elif status in RESULT_FINAL:
                incompleted += 1
        return {
            "total_tests": len(self.conversations),
            "tests_passed": passed,
            "tests_failed": completed - passed,
            "tests_completed": completed,
            "tests_incompleted": incompleted,
        }
