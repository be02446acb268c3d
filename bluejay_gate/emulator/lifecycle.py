"""Runs and conversations over time: statuses, counters and result bodies.

Lazy and deterministic: a conversation's status is a pure function of the elapsed
scenario time ``(now - queued_at) * speed`` and its timeline; nothing moves in the
background. A conversation's body is rendered once it is final and then cached.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bluejay_gate.emulator.scenario import Quirks, ScoreSpec, Timing
from bluejay_gate.emulator.scoring import ConversationKey, MetricSpec, Scores, score_conversation
from bluejay_gate.model.statuses import RESULT_FINAL

COMPLETED = "COMPLETED"
CANCELLED = "CANCELLED"
INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
# Statuses in which the conversation itself is over (the ``simulation_ended`` moment).
ENDED = frozenset({"CONVERSATION_ENDED", "EVALUATING"}) | RESULT_FINAL


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Timeline:
    """Elapsed scenario seconds at which a conversation leaves each stage."""

    queued: float  # QUEUED -> RUNNING
    running: float  # RUNNING -> CONVERSATION_ENDED (or its not-completed final status)
    ended: float  # CONVERSATION_ENDED -> EVALUATING
    evaluated: float  # EVALUATING -> COMPLETED as far as the run is concerned
    done: float  # EVALUATING -> COMPLETED for the result itself (stuck_evaluating)

    @classmethod
    def build(cls, timing: Timing, quirks: Quirks, jitter: float) -> Timeline:
        """``jitter`` in [-1, 1] stretches running and evaluating by ``timing.jitter``."""
        stretch = 1.0 + timing.jitter * jitter
        q = timing.queued
        r = q + timing.running * stretch
        e = r + timing.conversation_ended
        v = e + timing.evaluating * stretch
        return cls(q, r, e, v, v + quirks.stuck_evaluating)


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
        body = self._render(status, bulk=bulk)
        if final:
            self._cache[view] = body
        return body

    def _render(self, status: str, *, bulk: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "digital_human_id": self.digital_human_id,
            "status": status,
            "result": None,
            "duration": None,
            "start_time": None,
            "end_time": None,
            "custom_metrics": None,
            "latency": None,
            "events": None,
            "transcript_url": None,
            "audio_url": None,
            "evaluations": [],
            "tool_calls": None,
        }
        if status in {"QUEUED", INSUFFICIENT_FUNDS} or (
            status == CANCELLED and (self.cancelled_at or 0.0) < self.timeline.queued
        ):
            return body
        start, end = self.times()
        body["start_time"] = iso(start)
        if status == "RUNNING":
            return body
        body["end_time"] = iso(end)
        body["duration"] = round((end - start).total_seconds() * 1000)
        body["transcript_url"] = f"{self.base_url}/files/transcripts/{self.id}.json"
        body["audio_url"] = f"{self.base_url}/files/audio/{self.id}.wav"
        body["events"] = [{"title": "call_started", "start_offset_ms": 0}]
        if status != COMPLETED:
            return body
        scores = self.scores
        body["latency"] = dict(scores.builtins["latency"])
        evaluation = self._evaluation(scores, end)
        metrics = scores.metrics
        missing = bulk and self.bulk_lacks_metrics
        if missing:
            evaluation["custom_metrics"] = None
        elif self.quirks.legacy_metrics_dict:
            evaluation["custom_metrics"] = None
            body["custom_metrics"] = {m["name"]: _legacy_entry(m) for m in metrics}
        elif self.quirks.legacy_metrics_list:
            evaluation["custom_metrics"] = None
            body["custom_metrics"] = [
                {"metric_name": m["name"], **_legacy_entry(m)} for m in metrics
            ]
        evaluations = [evaluation]
        if self.quirks.stale_evaluation:
            stale_key = ConversationKey(
                self.key.seed,
                self.key.simulation_id,
                self.key.digital_human_id,
                self.key.run_number,
                self.key.repetition + 100_000,
            )
            stale = score_conversation(stale_key, self.metrics, self.specs)
            older = self._evaluation(stale, end - timedelta(seconds=1))
            if missing or self.quirks.legacy_metrics_dict or self.quirks.legacy_metrics_list:
                older["custom_metrics"] = None
            evaluations.insert(0, older)
        body["evaluations"] = evaluations
        return body

    def _evaluation(self, scores: Scores, ended: datetime) -> dict[str, Any]:
        b = scores.builtins
        rng = self.key.stream(f"evaluation|{ended.timestamp()}")
        t = self.timeline
        created = ended + timedelta(seconds=(t.evaluated - t.ended) / self.speed)
        return {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "created_at": iso(created),
            "hallucination": b["hallucination"],
            "hallucination_reasoning": "No statements contradicted the knowledge base."
            if not b["hallucination"]
            else "The agent quoted a refund window that is not in the knowledge base.",
            "redundancy": b["redundancy"],
            "redundancy_reasoning": "The agent repeated the account verification step."
            if b["redundancy"]
            else "No redundant turns.",
            "agent_speak_percentage": b["agent_speak_percentage"],
            "avg_agent_latency": b["avg_agent_latency"],
            "latency": dict(b["latency"]),
            "filler_ignored_latency": None,
            "num_turns": b["num_turns"],
            "call_summary": "The caller asked about a billing issue; the agent responded.",
            "custom_evals": None,
            "custom_evals_success_rate": b["custom_evals_success_rate"],
            "goal_success": b["goal_success"],
            "goal_reasoning": "The caller's goal was met."
            if b["goal_success"]
            else "The caller's goal was not met.",
            "pronunciation_score": b["pronunciation_score"],
            "pronunciation_reasoning": None,
            "sentiment_label": b["sentiment_label"],
            "sentiment_score": b["sentiment_score"],
            "sentiment_scores": None,
            "custom_metrics": [dict(m) for m in scores.metrics],
        }


def _legacy_entry(metric: dict[str, Any]) -> dict[str, Any]:
    entry = {k: v for k, v in metric.items() if k != "name"}
    if entry["response_value"] == "Not Applicable":
        entry["is_not_applicable"] = True
    return entry


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
