"""Deterministic scores for one conversation.

Every value is a pure function of (seed, simulation, digital human, run number,
repetition, metric name) and the scenario's generator for that metric: each metric
draws from its own random stream, so adding a metric never changes another's values.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from bluejay_gate.emulator.reasoning import reasoning_for
from bluejay_gate.emulator.scenario import ScoreSpec

NOT_APPLICABLE = "Not Applicable"
BOOLEAN_TYPES = frozenset({"pass_fail", "yes_no"})
_TRUE_WORDS = {"pass", "yes", "true", "1"}
_DEFAULT_TRUE_RATE = {"goal_success": 0.9, "hallucination": 0.05, "redundancy": 0.1}
_REASONS = (
    "The agent greeted the caller, confirmed the account, and explained the next steps.",
    "The caller's request was restated correctly before any action was taken.",
    "The agent kept a calm tone while the caller interrupted twice.",
    "Policy wording matched the knowledge base; no unsupported promises were made.",
)


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """A custom metric definition, as snapshotted when the run was queued."""

    name: str
    description: str
    response_type: str
    min_value: float | None = None
    max_value: float | None = None
    enum_options: tuple[str, ...] | None = None
    allow_not_applicable: bool = False


@dataclass(frozen=True, slots=True)
class ConversationKey:
    seed: int
    simulation_id: int
    digital_human_id: int
    run_number: int
    repetition: int

    def stream(self, name: str) -> random.Random:
        return random.Random(
            f"{self.seed}|{self.simulation_id}|{self.digital_human_id}|"
            f"{self.run_number}|{self.repetition}|{name}"
        )


@dataclass(slots=True)
class Scores:
    """What one evaluation says. ``metrics`` are ``CustomMetric`` entries (API shape)."""

    metrics: list[dict[str, Any]] = field(default_factory=list)
    builtins: dict[str, Any] = field(default_factory=dict)
    duration_ms: int = 0
    passed: bool = False


def reasoning(rng: random.Random, length: int) -> str:
    text = rng.choice(_REASONS)
    while len(text) < length:
        text += " " + rng.choice(_REASONS)
    return text[:length] if length else text


def _gauss(rng: random.Random, spec: ScoreSpec | None, mean: float, spread: float) -> float:
    m = spec.mean if spec and spec.mean is not None else mean
    s = spec.spread if spec and spec.spread is not None else spread
    value = rng.gauss(m, s) if s > 0 else m
    if spec and spec.min is not None:
        value = max(spec.min, value)
    if spec and spec.max is not None:
        value = min(spec.max, value)
    return value


def _truth(rng: random.Random, spec: ScoreSpec | None, default_rate: float) -> bool:
    if spec and spec.value is not None:
        return str(spec.value).strip().lower() in _TRUE_WORDS
    rate = spec.true_rate if spec and spec.true_rate is not None else default_rate
    return rng.random() < rate


def _format_number(value: float, decimals: int) -> str:
    return str(round(value)) if decimals == 0 else f"{value:.{decimals}f}"


def metric_value(metric: MetricSpec, spec: ScoreSpec | None, rng: random.Random) -> str:
    """One custom metric's ``response_value`` (always a string)."""
    na_rate = spec.not_applicable if spec and metric.allow_not_applicable else None
    if na_rate and rng.random() < na_rate:
        return NOT_APPLICABLE
    if spec and spec.value is not None and metric.response_type not in BOOLEAN_TYPES:
        return str(spec.value)
    kind = metric.response_type
    if kind in BOOLEAN_TYPES:
        ok = _truth(rng, spec, 0.9)
        words = ("pass", "fail") if kind == "pass_fail" else ("yes", "no")
        return words[0] if ok else words[1]
    if kind == "quantitative":
        low = metric.min_value if metric.min_value is not None else 0.0
        high = metric.max_value if metric.max_value is not None else 10.0
        value = _gauss(rng, spec, low + 0.75 * (high - low), 0.1 * (high - low))
        value = min(high, max(low, value))
        decimals = spec.decimals if spec and spec.decimals is not None else 0
        return _format_number(value, decimals)
    if kind == "enum":
        options = list(metric.enum_options or ("unknown",))
        weights = [(spec.weights or {}).get(o, 0.0) for o in options] if spec else []
        if not any(weights):
            weights = [1.0] * len(options)
        return rng.choices(options, weights=weights)[0]
    if kind == "json":
        return spec.text if spec and spec.text else json.dumps({"score": rng.randint(1, 5)})
    return spec.text if spec and spec.text else reasoning(rng, 0)


def score_conversation(
    key: ConversationKey,
    metrics: list[MetricSpec],
    specs: dict[str, ScoreSpec],
    *,
    never_speaks: bool = False,
    reasoning_length: int = 0,
) -> Scores:
    """Generate one conversation's evaluation."""
    out = Scores()
    all_pass = True
    booleans: list[bool] = []
    for metric in metrics:
        rng = key.stream(metric.name)
        value = metric_value(metric, specs.get(metric.name), rng)
        if metric.response_type in BOOLEAN_TYPES and value != NOT_APPLICABLE:
            ok = value in {"pass", "yes"}
            booleans.append(ok)
            all_pass = all_pass and ok
        out.metrics.append(
            {
                "name": metric.name,
                "description": metric.description,
                "response_type": metric.response_type,
                "response_value": value,
                "reasoning": reasoning_for(
                    metric.name,
                    metric.response_type,
                    value,
                    rng,
                    low=metric.min_value,
                    high=metric.max_value,
                    length=reasoning_length,
                ),
                "min_value": metric.min_value,
                "max_value": metric.max_value,
                "enum_options": list(metric.enum_options) if metric.enum_options else None,
            }
        )
    b = out.builtins
    for name, default in _DEFAULT_TRUE_RATE.items():
        b[name] = _truth(key.stream(name), specs.get(name), default)
    if never_speaks:
        b["goal_success"] = False
    rng = key.stream("latency")
    lat = specs.get("latency")
    if lat and lat.p95_agent_latency is not None and lat.avg_agent_latency is None:
        base = lat.p95_agent_latency / 1.5
    else:
        base = lat.avg_agent_latency if lat and lat.avg_agent_latency is not None else 800.0
    spread = lat.spread if lat and lat.spread is not None else 0.1
    factor = max(0.3, rng.gauss(1.0, spread)) if spread > 0 else 1.0
    avg = base * factor
    b["latency"] = {
        "avg_agent_latency": round(avg, 1),
        "max_agent_latency": round(avg * 2.2, 1),
        "p50_agent_latency": round(avg * 0.92, 1),
        "p90_agent_latency": round(avg * 1.35, 1),
        "p95_agent_latency": round(avg * 1.5, 1),
        "p99_agent_latency": round(avg * 1.9, 1),
    }
    b["avg_agent_latency"] = b["latency"]["avg_agent_latency"]
    turns = _gauss(key.stream("num_turns"), specs.get("num_turns"), 12, 4)
    speak = _gauss(key.stream("agent_speak_percentage"), specs.get("agent_speak_percentage"), 45, 8)
    b["num_turns"] = 1 if never_speaks else max(2, round(turns))
    b["agent_speak_percentage"] = 0.0 if never_speaks else round(min(95.0, max(5.0, speak)), 1)
    sentiment = _gauss(key.stream("sentiment_score"), specs.get("sentiment_score"), 0.7, 0.15)
    b["sentiment_score"] = round(min(1.0, max(0.0, sentiment)), 3)
    b["sentiment_label"] = (
        "positive" if sentiment >= 0.6 else "neutral" if sentiment >= 0.4 else "negative"
    )
    pron = _gauss(key.stream("pronunciation_score"), specs.get("pronunciation_score"), 0.92, 0.04)
    b["pronunciation_score"] = round(min(1.0, max(0.0, pron)), 3)
    fixed = specs.get("custom_evals_success_rate")
    if fixed and fixed.value is not None:
        b["custom_evals_success_rate"] = float(fixed.value)
    else:
        b["custom_evals_success_rate"] = (
            round(100.0 * sum(booleans) / len(booleans), 1) if booleans else None
        )
    duration = _gauss(key.stream("duration"), specs.get("duration"), 90_000, 25_000)
    out.duration_ms = 3_000 if never_speaks else max(5_000, round(duration))
    out.passed = all_pass and bool(b["goal_success"])
    return out
