"""Calls sent to ``POST /v1/evaluate``: the record each creates, its statuses over time
(``QUEUED`` -> ``EVALUATING`` -> ``COMPLETED``, or ``INCOMPLETED`` when its scenario rule
says so) and its ``CallLog`` body. Scores are deterministic: a pure function of the seed,
the call's transcript and metadata, and the first ``call_rules`` entry that matches it
(``scenario.CallRuleDef``). Changes the store under its lock; lazy like ``lifecycle``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bluejay_gate.emulator.queueing import metric_specs
from bluejay_gate.emulator.result_bodies import scored_evaluation
from bluejay_gate.emulator.scenario import CallRuleDef, ScoreSpec
from bluejay_gate.emulator.scoring import ConversationKey, Scores, score_conversation
from bluejay_gate.emulator.store import Store, links_agent
from bluejay_gate.emulator.timeline import iso


@dataclass(slots=True)
class CallRecord:
    id: str
    agent_id: int
    body: dict[str, Any]  # the request as sent (agent ids left out)
    queued_at: float  # store clock
    created: datetime
    outcome: str  # COMPLETED or INCOMPLETED
    scores: Scores
    queued_for: float  # scenario seconds QUEUED
    evaluating_for: float  # scenario seconds EVALUATING

    def status(self, now: float, speed: float) -> str:
        elapsed = (now - self.queued_at) * speed
        if elapsed < self.queued_for:
            return "QUEUED"
        if elapsed < self.queued_for + self.evaluating_for:
            return "EVALUATING"
        return self.outcome


def transcript_text(body: dict[str, Any]) -> str:
    turns = body.get("transcript") or []
    return "\n".join(str(t.get("utterance", "")) for t in turns if isinstance(t, dict))


def _rule(store: Store, body: dict[str, Any]) -> CallRuleDef | None:
    text, metadata = transcript_text(body), body.get("metadata") or {}
    return next((r for r in store.call_rules if r.matches(text, metadata)), None)


def _key(store: Store, body: dict[str, Any]) -> ConversationKey:
    """The call's own random streams: its transcript and metadata (not its trace id, so
    the same golden call always scores the same)."""
    metadata = {
        k: v for k, v in (body.get("metadata") or {}).items() if not k.startswith("bluejay_gate")
    }
    content = json.dumps(
        [body.get("transcript"), body.get("transcript_url"), metadata], sort_keys=True, default=str
    )
    digest = int(hashlib.sha256(content.encode()).hexdigest()[:12], 16)
    return ConversationKey(store.seed, 0, digest, 0, 0)


def new_call(store: Store, agent_id: int, body: dict[str, Any]) -> CallRecord:
    rule = _rule(store, body)
    specs: dict[str, ScoreSpec] = dict(rule.scores) if rule else {}
    wanted = rule.metrics if rule else None

    def scores_it(data: dict[str, Any]) -> bool:
        return links_agent(data, agent_id) and (wanted is None or data["name"] in wanted)

    with store.lock:
        metrics = metric_specs(store, scores_it)
    scores = score_conversation(_key(store, body), metrics, specs)
    with store.lock:
        record = CallRecord(
            id=store.new_uuid(),
            agent_id=agent_id,
            body=body,
            queued_at=store.clock(),
            created=datetime.now(UTC),
            outcome=rule.outcome if rule else "COMPLETED",
            scores=scores,
            queued_for=store.timing.queued,
            evaluating_for=store.timing.evaluating,
        )
        store.calls[record.id] = record
        return record


def call_body(store: Store, record: CallRecord) -> dict[str, Any]:
    """The ``CallLog`` of one call, at its status now."""
    status = record.status(store.clock(), store.speed)
    body = record.body
    agent = store.agents.get(record.agent_id, {})
    evaluations: list[dict[str, Any]] = []
    if status == "COMPLETED":
        done = record.created + timedelta(
            seconds=(record.queued_for + record.evaluating_for) / store.speed
        )
        evaluations.append(scored_evaluation(_key(store, body), record.scores, done, done))
    return {
        "id": record.id,
        "agent_id": str(record.agent_id),
        "external_agent_id": agent.get("external_agent_id"),
        "recording_url": body.get("recording_url"),
        "start_time_utc": body.get("start_time_utc"),
        "participants": body.get("participants") or [],
        "call_direction": body.get("call_direction") or "INBOUND",
        "interface": body.get("interface") or "PHONE",
        "status": status,
        "created_at": iso(record.created),
        "transcript_url": body.get("transcript_url")
        or f"{store.base_url}/files/call-transcripts/{record.id}.json",
        "tool_calls": body.get("tool_calls"),
        "events": body.get("events"),
        "tags": body.get("tags"),
        "duration_ms": record.scores.duration_ms if status == "COMPLETED" else 0,
        "evaluations": evaluations,
        "annotations": None,
        "metadata": body.get("metadata"),
        "custom_metrics": None,
        "conversation_ended_by": body.get("conversation_ended_by"),
    }
