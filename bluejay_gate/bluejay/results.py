"""Metric values out of one Bluejay simulation result, normalised for aggregation.

Pure: no I/O. The last word of Bluejay counts, nothing else:

- only the newest evaluation is judged: newest by ``created_at`` (RFC 3339 in any letter
  case, any offset, fractional seconds); list position (later is newer) decides only when
  no evaluation has a readable time. When some have a readable time and others do not, or
  two share the newest time but differ, the newest cannot be told: every metric of the
  result is malformed (no verdict), never decided by list order;
- custom metrics come from the newest evaluation's ``custom_metrics``. When it has none,
  the result lacks custom metrics (the poller re-reads it) even if an older evaluation has
  some. The deprecated top-level ``custom_metrics`` (a list of entries, or a dict keyed by
  name whose values are entries or bare values) count only when no evaluation carries any;
  else the newest evaluation's ``custom_evals``. An entry's name is ``name`` or
  ``metric_name``, exactly as sent (no stripping; a blank name is skipped);
- one metric twice in one list with different content is malformed, naming both values;
- Bluejay's built-in evaluation fields of the newest evaluation (``goal_success``,
  ``latency.p95_agent_latency``, ...) and the result's ``duration`` (ms).

A custom metric with the same name as a built-in wins (the user defined it).
A value that cannot be read for its ``response_type``, or lies outside the entry's
declared ``enum_options`` or ``min_value``..``max_value``, is kept as a *malformed*
``MetricValue`` (``error`` set), never dropped: dropping it could hide a failure.
``NA`` (any case) is not applicable, except on an enum that has ``NA`` as an option.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bluejay_gate.bluejay.models import SimulationResult
from bluejay_gate.model import statuses
from bluejay_gate.model.metric_names import (
    _EVALUATION_NUMBERS,
    BUILTIN_BOOL_TYPE,
    BUILTIN_BOOLEAN,
    BUILTIN_ENUM,
    BUILTIN_ENUM_TYPE,
    BUILTIN_NUMBER_TYPE,
    FILLER_LATENCY_FIELDS,
    LATENCY_FIELDS,
)
from bluejay_gate.model.results import ReadResult, ResultMetrics
from bluejay_gate.model.values import (
    _INTERN_LIMIT,
    _NUMBERS,
    _SCALARS,
    MetricValue,
    _Domain,
    _flag,
    _range_text,
    _to_number,
    _to_text,
    metric_value,
    normalise_type,
)

_REASONING_KEYS = {
    "goal_success": "goal_reasoning",
    "hallucination": "hallucination_reasoning",
    "redundancy": "redundancy_reasoning",
    "pronunciation_score": "pronunciation_reasoning",
}


def _bound(raw: object) -> float | None:
    """A declared ``min_value`` / ``max_value``; unreadable or non-finite: not declared."""
    if isinstance(raw, bool) or not isinstance(raw, _SCALARS):
        return None
    try:
        bound = float(raw)
    except (ValueError, OverflowError):
        return None
    return bound if math.isfinite(bound) else None


_OPTIONS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _options(raw: object) -> tuple[str, ...] | None:
    """Declared ``enum_options`` as a shared tuple; none, or an empty list: not declared."""
    if not isinstance(raw, list) or not raw:
        return None
    options = tuple(o if isinstance(o, str) else _to_text(o) for o in raw if o is not None)
    if not options:
        return None
    if len(_OPTIONS) >= _INTERN_LIMIT:
        _OPTIONS.clear()
    return _OPTIONS.setdefault(options, options)


def _entry_value(name: str, entry: Mapping[str, Any]) -> MetricValue:
    raw = entry["response_value"] if "response_value" in entry else entry.get("value")
    rtype = entry.get("response_type")
    flag = entry.get("is_not_applicable")
    low, high, options = entry.get("min_value"), entry.get("max_value"), entry.get("enum_options")
    return metric_value(
        name,
        raw,
        normalise_type(entry.get("type") if rtype is None else rtype),
        reasoning=entry.get("reasoning"),
        not_applicable=flag is not None and flag is not False and _flag(flag),
        min_value=None if low is None else _bound(low),
        max_value=None if high is None else _bound(high),
        options=None if options is None else _options(options),
    )


def _entry_name(entry: Mapping[str, Any]) -> str | None:
    """The entry's ``name`` (else ``metric_name``) exactly as sent; blank: none."""
    name = entry.get("name")
    if isinstance(name, str) and name and not name.isspace():
        return name
    name = entry.get("metric_name")
    if isinstance(name, str) and name and not name.isspace():
        return name
    return None


def _content(value: MetricValue) -> tuple[object, ...]:
    """What two copies of one metric must share to be the same answer (not reasoning)."""
    return (
        value.raw,
        value.value,
        value.applicable,
        value.response_type,
        value.error,
        value.min_value,
        value.max_value,
        value.options,
    )


def _shown(value: MetricValue, other: MetricValue) -> str:
    """``'7'``, plus whatever else tells it from ``other`` (N/A flag, type, domain)."""
    text = "null" if value.raw is None else repr(value.raw)
    extra: list[str] = []
    if not value.applicable and other.applicable:
        extra.append("not applicable")
    if value.response_type != other.response_type:
        extra.append(value.response_type or "no response_type")
    if (value.min_value, value.max_value) != (other.min_value, other.max_value):
        extra.append(f"range {_range_text(_Domain(value.min_value, value.max_value, None))}")
    if value.options != other.options:
        extra.append(f"options {', '.join(value.options or ()) or 'none'}")
    return f"{text} ({'; '.join(extra)})" if extra else text


def _conflict(name: str, first: MetricValue, second: MetricValue, where: str) -> MetricValue:
    """``name`` given twice in one list with different content: malformed, naming both."""
    message = (
        f"{name!r} is given twice {where} with different values "
        f"({_shown(first, second)} and {_shown(second, first)}); the value to judge "
        "cannot be told"
    )
    return MetricValue(name, first.raw, None, first.response_type, True, None, message)


def _custom_entries(
    container: object, *, bare_values: bool, where: str = "in one evaluation"
) -> dict[str, MetricValue]:
    """Entries of a ``custom_metrics`` list or dict, by their exact names. A name given
    twice with different content is malformed (never decided by list order)."""
    found: dict[str, MetricValue] = {}
    conflicted: set[str] = set()

    def add(name: str, value: MetricValue) -> None:
        earlier = found.get(name)
        if earlier is None:
            found[name] = value
        elif name not in conflicted and _content(earlier) != _content(value):
            found[name] = _conflict(name, earlier, value, where)
            conflicted.add(name)

    if isinstance(container, list):
        for entry in container:
            if isinstance(entry, dict) and (name := _entry_name(entry)):
                add(name, _entry_value(name, entry))
    elif isinstance(container, dict):
        for key, entry in container.items():
            name = key if isinstance(key, str) else str(key)  # the key names the metric
            if not name or name.isspace():
                continue
            if isinstance(entry, dict):
                add(name, _entry_value(name, entry))
            elif bare_values:
                add(name, metric_value(name, entry, ""))
    return found


def _moment(value: object) -> datetime | None:
    """An RFC 3339 time in any letter case (``2026-01-02t03:04:05z``, ``+02:00``,
    fractional seconds); ``None`` when unreadable. Without an offset: UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().upper()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _evaluations(result: SimulationResult) -> list[dict[str, Any]]:
    return [e for e in result.evaluations or [] if isinstance(e, dict)]


@dataclass(frozen=True, slots=True)
class _Newest:
    """The evaluation to judge, or why it cannot be told."""

    evaluation: dict[str, Any] | None
    unclear: str | None = None


def _signature(result: SimulationResult, evaluation: Mapping[str, Any]) -> dict[str, object]:
    values = _builtins(result, evaluation)
    values.update(_custom_entries(evaluation.get("custom_metrics"), bare_values=True))
    return {name: _content(v) for name, v in values.items()}


def _differs(result: SimulationResult, tied: Sequence[Mapping[str, Any]]) -> str | None:
    """The first metric the tied evaluations disagree on, or ``None`` when they agree."""
    signatures = [_signature(result, e) for e in tied]
    first = signatures[0]
    for other in signatures[1:]:
        for name in sorted(set(first) | set(other)):
            if first.get(name) != other.get(name):
                return name
    return None


def _newest(result: SimulationResult, evaluations: Sequence[dict[str, Any]]) -> _Newest:
    if len(evaluations) < 2:
        return _Newest(evaluations[0] if evaluations else None)
    moments = [_moment(e.get("created_at")) for e in evaluations]
    if all(m is None for m in moments):
        return _Newest(evaluations[-1])  # no times at all: later in the list is newer
    undated = sum(1 for m in moments if m is None)
    if undated:
        return _Newest(
            None,
            f"{undated} of its {len(evaluations)} evaluations have no readable created_at, "
            "so the newest evaluation cannot be told",
        )
    latest = max(m for m in moments if m is not None)
    tied = [e for e, m in zip(evaluations, moments, strict=True) if m == latest]
    if len(tied) == 1:
        return _Newest(tied[0])
    name = _differs(result, tied)
    if name is None:
        return _Newest(tied[-1])  # identical copies: any one is the same answer
    return _Newest(
        None,
        f"{len(tied)} evaluations share the newest created_at "
        f"{tied[0].get('created_at')!r} but differ on {name!r}, so the newest evaluation "
        "cannot be told",
    )


def evaluations_newest_first(result: SimulationResult) -> list[dict[str, Any]]:
    """The result's evaluations, newest first: by ``created_at``, else (no evaluation has
    a readable one) by list position, later first. Undated ones rank below dated ones
    (``read`` treats such a mix as unclear rather than trusting this order)."""
    evaluations = _evaluations(result)
    if len(evaluations) < 2:
        return evaluations
    _never = datetime.min.replace(tzinfo=UTC)
    order = sorted(
        range(len(evaluations)),
        key=lambda i: (_moment(evaluations[i].get("created_at")) or _never, i),
        reverse=True,
    )
    return [evaluations[i] for i in order]


def newest_evaluation(result: SimulationResult) -> dict[str, Any] | None:
    """The one evaluation that is judged; ``None`` without one or when it cannot be told."""
    return _newest(result, _evaluations(result)).evaluation


def _custom(
    result: SimulationResult,
    evaluations: Sequence[Mapping[str, Any]],
    newest: Mapping[str, Any] | None,
) -> dict[str, MetricValue]:
    if newest is not None:
        found = _custom_entries(newest.get("custom_metrics"), bare_values=True)
        if found:
            return found
    if any(
        _custom_entries(e.get("custom_metrics"), bare_values=True)
        for e in evaluations
        if e is not newest
    ):
        return {}  # an older evaluation's metrics are not the newest's: lacking, re-read
    found = _custom_entries(
        result.custom_metrics, bare_values=True, where="in the result's custom_metrics"
    )
    if found or newest is None:
        return found
    return _custom_entries(newest.get("custom_evals"), bare_values=False)


def custom_metrics(result: SimulationResult) -> dict[str, MetricValue]:
    """The result's custom metrics (see module doc); newest unclear: each malformed."""
    return _read(result)[1]


def has_custom_metrics(result: SimulationResult) -> bool:
    """True when the result's newest evaluation (or, without any evaluation carrying
    them, the legacy copy) holds at least one custom metric."""
    return read(result).has_custom


def _latency_from_list(items: Sequence[Any]) -> dict[str, Any]:
    """Old payloads: a list of latency dicts (merged) or of per-turn numbers (summarised)."""
    merged: dict[str, Any] = {}
    numbers: list[float] = []
    for item in items:
        if isinstance(item, dict):
            merged.update(item)
        elif isinstance(item, _NUMBERS) and not isinstance(item, bool):
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


def _latency(result: SimulationResult, evaluation: Mapping[str, Any]) -> Mapping[str, Any]:
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


def _builtins(result: SimulationResult, evaluation: Mapping[str, Any]) -> dict[str, MetricValue]:
    found: dict[str, MetricValue] = {}
    for name in BUILTIN_BOOLEAN:
        if name in evaluation:
            reasoning = evaluation.get(_REASONING_KEYS.get(name, ""))
            found[name] = metric_value(
                name, evaluation[name], BUILTIN_BOOL_TYPE, reasoning=reasoning
            )
    _add_numbers(found, evaluation, "", _EVALUATION_NUMBERS)
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


def builtin_metrics(result: SimulationResult) -> dict[str, MetricValue]:
    """Bluejay's own evaluation fields (newest evaluation) and the result's ``duration``."""
    return _builtins(result, newest_evaluation(result) or {})


def extract(result: SimulationResult) -> dict[str, MetricValue]:
    """Every metric of one result by name: built-ins, then custom metrics over them."""
    return read(result).metrics


def _speaker_number(evaluation: Mapping[str, Any], key: str) -> float | None:
    try:
        return _to_number(evaluation.get(key)) if evaluation.get(key) is not None else None
    except ValueError:
        return None


def _never_spoke(evaluation: Mapping[str, Any] | None) -> bool:
    if evaluation is None:
        return False
    turns = _speaker_number(evaluation, "num_turns")
    share = _speaker_number(evaluation, "agent_speak_percentage")
    return (turns is not None and turns <= 1) or share == 0


def never_spoke(result: SimulationResult) -> bool:
    """True when the newest evaluation says the agent never spoke: ``num_turns`` <= 1 or
    ``agent_speak_percentage`` == 0 (each only when present and numeric)."""
    return _never_spoke(newest_evaluation(result))


def _unclear(
    result: SimulationResult, evaluations: Sequence[Mapping[str, Any]], why: str
) -> tuple[ResultMetrics, dict[str, MetricValue]]:
    """Every metric any evaluation carries, malformed: the newest cannot be told."""
    metrics: dict[str, MetricValue] = {}
    custom: dict[str, MetricValue] = {}
    for evaluation in evaluations:
        own = _custom_entries(evaluation.get("custom_metrics"), bare_values=True)
        own.update(_custom_entries(evaluation.get("custom_evals"), bare_values=False))
        for name, value in (*_builtins(result, evaluation).items(), *own.items()):
            if name == "duration":  # the result's own field, not an evaluation's
                metrics[name] = value
                continue
            bad = MetricValue(name, value.raw, None, value.response_type, True, None, why)
            metrics.setdefault(name, bad)
            if name in own:
                custom.setdefault(name, bad)
    metrics.update(custom)
    return ResultMetrics(metrics, bool(custom), False, evaluated=True), custom


def _read(result: SimulationResult) -> tuple[ResultMetrics, dict[str, MetricValue]]:
    evaluations = _evaluations(result)
    newest = _newest(result, evaluations)
    if newest.unclear is not None:
        return _unclear(result, evaluations, newest.unclear)
    evaluation = newest.evaluation
    custom = _custom(result, evaluations, evaluation)
    metrics = _builtins(result, evaluation or {})
    metrics.update(custom)
    found = ResultMetrics(
        metrics,
        bool(custom),
        _never_spoke(evaluation),
        evaluated=evaluation is not None or bool(custom),
    )
    return found, custom


def read(result: SimulationResult) -> ResultMetrics:
    """``extract``, ``has_custom_metrics`` and ``never_spoke`` at once (one pass)."""
    return _read(result)[0]


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
