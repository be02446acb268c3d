"""A simulation result's body (``SimulationResultResponse``) at a given status: times,
links, latency, the evaluation(s) and its custom metrics, with the scenario's quirks (bulk
view missing metrics, legacy metric shapes, a stale older evaluation). Renders only: the
status and the cache are the conversation's (``lifecycle``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bluejay_gate.emulator.scoring import ConversationKey, Scores, score_conversation
from bluejay_gate.emulator.timeline import CANCELLED, COMPLETED, INSUFFICIENT_FUNDS, iso

if TYPE_CHECKING:
    from bluejay_gate.emulator.lifecycle import Conversation


def result_body(conv: Conversation, status: str, *, bulk: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": conv.id,
        "digital_human_id": conv.digital_human_id,
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
        status == CANCELLED and (conv.cancelled_at or 0.0) < conv.timeline.queued
    ):
        return body
    start, end = conv.times()
    body["start_time"] = iso(start)
    if status == "RUNNING":
        return body
    body["end_time"] = iso(end)
    body["duration"] = round((end - start).total_seconds() * 1000)
    body["transcript_url"] = f"{conv.base_url}/files/transcripts/{conv.id}.json"
    body["audio_url"] = f"{conv.base_url}/files/audio/{conv.id}.wav"
    body["events"] = [{"title": "call_started", "start_offset_ms": 0}]
    if status != COMPLETED:
        return body
    scores = conv.scores
    body["latency"] = dict(scores.builtins["latency"])
    evaluation = evaluation_body(conv, scores, end)
    metrics = scores.metrics
    missing = bulk and conv.bulk_lacks_metrics
    if missing:
        evaluation["custom_metrics"] = None
    elif conv.quirks.legacy_metrics_dict:
        evaluation["custom_metrics"] = None
        body["custom_metrics"] = {m["name"]: _legacy_entry(m) for m in metrics}
    elif conv.quirks.legacy_metrics_list:
        evaluation["custom_metrics"] = None
        body["custom_metrics"] = [{"metric_name": m["name"], **_legacy_entry(m)} for m in metrics]
    evaluations = [evaluation]
    if conv.quirks.stale_evaluation:
        stale_key = ConversationKey(
            conv.key.seed,
            conv.key.simulation_id,
            conv.key.digital_human_id,
            conv.key.run_number,
            conv.key.repetition + 100_000,
        )
        stale = score_conversation(stale_key, conv.metrics, conv.specs)
        older = evaluation_body(conv, stale, end - timedelta(seconds=1))
        if missing or conv.quirks.legacy_metrics_dict or conv.quirks.legacy_metrics_list:
            older["custom_metrics"] = None
        evaluations.insert(0, older)
    body["evaluations"] = evaluations
    return body


def evaluation_body(conv: Conversation, scores: Scores, ended: datetime) -> dict[str, Any]:
    t = conv.timeline
    created = ended + timedelta(seconds=(t.evaluated - t.ended) / conv.speed)
    return scored_evaluation(conv.key, scores, ended, created)


def scored_evaluation(
    key: ConversationKey, scores: Scores, ended: datetime, created: datetime
) -> dict[str, Any]:
    """One ``Evaluation`` body (a simulation result's or a call log's)."""
    b = scores.builtins
    rng = key.stream(f"evaluation|{ended.timestamp()}")
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
