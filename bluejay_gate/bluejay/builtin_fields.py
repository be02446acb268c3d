"""Bluejay's built-in evaluation fields of one evaluation (``goal_success``,
``latency.p95_agent_latency``, ``filler_ignored_latency.*``, ...) and the result's
``duration`` (ms), read into ``MetricValue``s; old latency shapes (a list of dicts or of
per-turn numbers) included; and whether the agent never spoke. Pure."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bluejay_gate.bluejay.scored import Scored
from bluejay_gate.model.metric_names import (
    BUILTIN_BOOL_TYPE,
    BUILTIN_BOOLEAN,
    BUILTIN_ENUM,
    BUILTIN_ENUM_TYPE,
    BUILTIN_NUMBER_TYPE,
    EVALUATION_NUMBERS,
    FILLER_LATENCY_FIELDS,
    LATENCY_FIELDS,
)
from bluejay_gate.model.value_words import NUMERIC_CLASSES, to_number
from bluejay_gate.model.values import MetricValue, metric_value

_REASONING_KEYS = {
    "goal_success": "goal_reasoning",
    "hallucination": "hallucination_reasoning",
    "redundancy": "redundancy_reasoning",
    "pronunciation_score": "pronunciation_reasoning",
}


def _latency_from_list(items: Sequence[Any]) -> dict[str, Any]:
    """Old payloads: a list of latency dicts (merged) or of per-turn numbers (summarised)."""
    merged: dict[str, Any] = {}
    numbers: list[float] = []
    for item in items:
        if isinstance(item, dict):
            merged.update(item)
        elif isinstance(item, NUMERIC_CLASSES) and not isinstance(item, bool):
            numbers.append(float(item))
    if merged or not numbers:
        return merged
    numbers.sort()
    count = len(numbers)

    def rank(pct: int) -> float:
        return numbers[max(1, -(-pct * count // 100)) - 1]

    return {
        "avg_agent_latency": math.fsum(numbers) / count,
        "max_agent_latency": numbers[-1],
        "p50_agent_latency": rank(50),
        "p90_agent_latency": rank(90),
        "p95_agent_latency": rank(95),
        "p99_agent_latency": rank(99),
    }


def _latency(result: Scored, evaluation: Mapping[str, Any]) -> Mapping[str, Any]:
    latency = evaluation.get("latency")
    if isinstance(latency, dict):
        return latency
    if isinstance(result.latency, dict):
        return result.latency
    if isinstance(result.latency, list):
        return _latency_from_list(result.latency)
    return {}


def _add_numbers(
    found: dict[str, MetricValue], source: Mapping[str, Any], prefix: str, fields: Iterable[str]
) -> None:
    for field in fields:
        if field in source:
            name = f"{prefix}{field}"
            found[name] = metric_value(name, source[field], BUILTIN_NUMBER_TYPE)


def builtin_values(result: Scored, evaluation: Mapping[str, Any]) -> dict[str, MetricValue]:
    found: dict[str, MetricValue] = {}
    for name in BUILTIN_BOOLEAN:
        if name in evaluation:
            reasoning = evaluation.get(_REASONING_KEYS.get(name, ""))
            found[name] = metric_value(
                name, evaluation[name], BUILTIN_BOOL_TYPE, reasoning=reasoning
            )
    _add_numbers(found, evaluation, "", EVALUATION_NUMBERS)
    latency = _latency(result, evaluation)
    _add_numbers(found, latency, "latency.", LATENCY_FIELDS)
    if "avg_agent_latency" not in found and "avg_agent_latency" in latency:
        _add_numbers(found, latency, "", ("avg_agent_latency",))
    filler = evaluation.get("filler_ignored_latency")
    if isinstance(filler, dict):
        _add_numbers(found, filler, "filler_ignored_latency.", FILLER_LATENCY_FIELDS)
    for name in BUILTIN_ENUM:
        if name in evaluation:
            found[name] = metric_value(name, evaluation[name], BUILTIN_ENUM_TYPE)
    found["duration"] = metric_value("duration", result.duration, BUILTIN_NUMBER_TYPE)
    return found


def _speaker_number(evaluation: Mapping[str, Any], key: str) -> float | None:
    try:
        return to_number(evaluation.get(key)) if evaluation.get(key) is not None else None
    except ValueError:
        return None


def never_spoke_in(evaluation: Mapping[str, Any] | None) -> bool:
    if evaluation is None:
        return False
    turns = _speaker_number(evaluation, "num_turns")
    share = _speaker_number(evaluation, "agent_speak_percentage")
    return (turns is not None and turns <= 1) or share == 0
