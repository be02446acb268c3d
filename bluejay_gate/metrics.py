"""Metric values out of one Bluejay simulation result, normalised for aggregation.

Pure: no I/O. Reads every historical shape of a result:

- custom metrics from the newest evaluation that carries any (``evaluations[].custom_metrics``,
  newest by ``created_at``; without it, the later in the list), else the result's
  deprecated top-level ``custom_metrics`` (a list of entries, or a dict keyed by name
  whose values are entries or bare values), else the evaluation's ``custom_evals``
  entries. An entry's name is ``name`` or ``metric_name``;
- Bluejay's built-in evaluation fields of the newest evaluation (``goal_success``,
  ``latency.p95_agent_latency``, ...) and the result's ``duration`` (ms).

A custom metric with the same name as a built-in wins (the user defined it).
A value that cannot be read for its ``response_type`` is kept as a *malformed*
``MetricValue`` (``error`` set), never dropped: dropping it could hide a failure.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from bluejay_gate.apimodels import SimulationResult
from bluejay_gate.verdict import MetricValue

BUILTIN_BOOLEAN = ("goal_success", "hallucination", "redundancy")
LATENCY_FIELDS = (
    "avg_agent_latency",
    "max_agent_latency",
    "p50_agent_latency",
    "p90_agent_latency",
    "p95_agent_latency",
    "p99_agent_latency",
)
FILLER_LATENCY_FIELDS = (
    "avg_filler_ignored_latency",
    "p50_filler_ignored_latency",
    "p90_filler_ignored_latency",
    "p95_filler_ignored_latency",
    "p99_filler_ignored_latency",
)
_EVALUATION_NUMBERS = (
    "avg_agent_latency",
    "num_turns",
    "sentiment_score",
    "pronunciation_score",
    "agent_speak_percentage",
    "custom_evals_success_rate",
)
BUILTIN_NUMBER = (
    *_EVALUATION_NUMBERS,
    *(f"latency.{f}" for f in LATENCY_FIELDS),
    *(f"filler_ignored_latency.{f}" for f in FILLER_LATENCY_FIELDS),
    "duration",
)
BUILTIN_ENUM = ("sentiment_label",)
RUN_LEVEL = ("score",)
BUILTIN_NAMES = (*BUILTIN_BOOLEAN, *BUILTIN_NUMBER, *BUILTIN_ENUM)

BUILTIN_BOOL_TYPE = "builtin_bool"
BUILTIN_NUMBER_TYPE = "builtin_number"
BUILTIN_ENUM_TYPE = "builtin_enum"

Kind = Literal["boolean", "number", "enum", "raw"]

BOOLEAN_TYPES = frozenset(
    {"pass_fail", "yes_no", "tool_call", "boolean", "bool", BUILTIN_BOOL_TYPE}
)
NUMBER_TYPES = frozenset(
    {"quantitative", "number", "numeric", "integer", "float", "score", BUILTIN_NUMBER_TYPE}
)
ENUM_TYPES = frozenset({"enum", "categorical", BUILTIN_ENUM_TYPE})
RAW_TYPES = frozenset({"qualitative", "json", "text"})

TRUE_WORDS = frozenset({"pass", "passed", "yes", "true", "1"})
FALSE_WORDS = frozenset({"fail", "failed", "no", "false", "0"})
NOT_APPLICABLE_WORDS = frozenset({"not applicable", "n/a", "not_applicable"})

_REASONING_KEYS = {
    "goal_success": "goal_reasoning",
    "hallucination": "hallucination_reasoning",
    "redundancy": "redundancy_reasoning",
    "pronunciation_score": "pronunciation_reasoning",
}


# isinstance tuples (``int | float`` would build a union object on every call: hot path)
_NUMBERS = (int, float)
_SCALARS = (str, int, float)
_CONTAINERS = (dict, list)

_TYPE_KINDS: dict[str, Kind] = {
    **dict.fromkeys(BOOLEAN_TYPES, "boolean"),
    **dict.fromkeys(NUMBER_TYPES, "number"),
    **dict.fromkeys(ENUM_TYPES, "enum"),
    **dict.fromkeys(RAW_TYPES, "raw"),
}


def normalise_type(response_type: object) -> str:
    """``" Pass_Fail "`` -> ``"pass_fail"``; anything not a string -> ``""`` (unknown)."""
    if isinstance(response_type, str):
        return response_type if response_type in _TYPE_KINDS else response_type.strip().lower()
    return ""


def type_kind(response_type: str) -> Kind | None:
    """The kind a known ``response_type`` holds; ``None`` when unknown (inferred per value)."""
    kind = _TYPE_KINDS.get(response_type)
    if kind is None and response_type:
        kind = _TYPE_KINDS.get(normalise_type(response_type))
    return kind


def kind_of(value: MetricValue) -> Kind | None:
    """What aggregates apply to ``value``: from its response_type, else from its value."""
    declared = type_kind(value.response_type)
    if declared is not None:
        return declared
    if isinstance(value.value, bool):
        return "boolean"
    if isinstance(value.value, float):
        return "number"
    if isinstance(value.value, str):
        return "enum"
    return None


def is_not_applicable(raw: object) -> bool:
    """``None``, ``"Not Applicable"``, ``"N/A"``, ``"not_applicable"`` (any case)."""
    if raw is None:
        return True
    return isinstance(raw, str) and raw.strip().casefold() in NOT_APPLICABLE_WORDS


def _finite(number: float, raw: object) -> float:
    if not math.isfinite(number):
        raise ValueError(f"{raw!r} is not a finite number")
    return number


def _to_number(raw: object) -> float:
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is a boolean, not a number")  # noqa: TRY004 - parse_value contract: ValueError
    if isinstance(raw, _NUMBERS):
        return _finite(float(raw), raw)
    if isinstance(raw, str):
        try:
            number = float(raw.strip())
        except ValueError:
            raise ValueError(f"{raw!r} is not a number") from None
        return _finite(number, raw)
    raise ValueError(f"{raw!r} is not a number")


def _to_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, _NUMBERS) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.strip().casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        try:
            number = float(word)
        except ValueError:
            number = math.nan
        if number in (0.0, 1.0):
            return number == 1.0
    raise ValueError(f"{raw!r} is not a boolean (expected pass/fail, yes/no, true/false, 1/0)")


def _to_text(raw: object) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, _NUMBERS):
        return str(raw)
    return json.dumps(raw, sort_keys=True, default=str)


def _infer_text(word: str, folded: str) -> bool | float | str:
    if folded in TRUE_WORDS and folded != "1":
        return True
    if folded in FALSE_WORDS and folded != "0":
        return False
    try:
        return _to_number(word)
    except ValueError:
        return word


@functools.lru_cache(maxsize=4096)
def _parse_text(raw: str, kind: Kind | None) -> tuple[bool | float | str | None, bool]:
    """A string value. Cached: response values repeat a lot (pass/fail, 1..10, enum words)."""
    word = raw.strip()
    folded = word.casefold()
    if folded in NOT_APPLICABLE_WORDS:
        return None, False
    if kind == "raw":
        return raw, True
    if not word:
        raise ValueError("the value is empty")
    if kind == "boolean":
        if folded in TRUE_WORDS:
            return True, True
        if folded in FALSE_WORDS:
            return False, True
        return _to_bool(raw), True
    if kind == "number":
        return _to_number(raw), True
    if kind == "enum":
        return word, True
    return _infer_text(word, folded), True


def _parse(raw: object, kind: Kind | None) -> tuple[bool | float | str | None, bool]:
    """``parse_value`` for an already-resolved kind."""
    if raw is None:
        return None, False
    if isinstance(raw, str):
        return _parse_text(raw, kind)
    if kind == "raw":
        return _to_text(raw), True
    if kind == "boolean":
        return _to_bool(raw), True
    if kind == "number":
        return _to_number(raw), True
    if kind == "enum" and isinstance(raw, _CONTAINERS):
        raise ValueError(f"{_to_text(raw)!r} is not an enum value")
    if kind is None and isinstance(raw, bool):
        return raw, True
    if kind is None and isinstance(raw, _NUMBERS):
        return _to_number(raw), True
    return _to_text(raw), True


def parse_value(raw: object, response_type: str) -> tuple[bool | float | str | None, bool]:
    """``(value, applicable)`` for one ``response_value``.

    Booleans for pass_fail / yes_no / tool_call, floats for quantitative, stripped strings
    for enum, the raw text for qualitative / json; an unknown type is inferred from the
    value (clearly boolean, else numeric, else kept as a string). ``(None, False)`` when
    not applicable. Raises ``ValueError`` saying why when the value cannot be read.
    """
    return _parse(raw, type_kind(normalise_type(response_type)))


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in TRUE_WORDS
    return value is True or value == 1


_CANONICAL_TYPES = {name: name for name in _TYPE_KINDS}
_INTERN_TEXT = 40  # values up to this length are shared (sys.intern)
_INTERNED: dict[tuple[object, ...], MetricValue] = {}
_INTERN_LIMIT = 20_000  # bounded: reasoning texts can be long


def metric_value(
    name: str,
    raw: object,
    response_type: str,
    *,
    reasoning: object = None,
    not_applicable: bool = False,
) -> MetricValue:
    """One ``MetricValue``; an unreadable value becomes a malformed one (``error`` set).

    Equal inputs share one (immutable) instance: conversations repeat the same values, and
    building a frozen dataclass is most of the cost of reading a large run.
    """
    rt = _CANONICAL_TYPES.get(response_type) or sys.intern(normalise_type(response_type))
    why = reasoning if isinstance(reasoning, str) else None
    # One shared object per metric name and per short value ("M01", "pass", "8"): a big
    # run repeats them hundreds of thousands of times, each a separate string from JSON.
    name = sys.intern(name)
    if isinstance(raw, str) and len(raw) <= _INTERN_TEXT:
        raw = sys.intern(raw)
    key: tuple[object, ...] | None = None
    if raw is None or isinstance(raw, _SCALARS):
        key = (name, raw, type(raw), rt, why, not_applicable)
        cached = _INTERNED.get(key)
        if cached is not None:
            return cached
    made = _make_value(name, raw, rt, why, not_applicable=not_applicable)
    if key is not None:
        if len(_INTERNED) >= _INTERN_LIMIT:
            _INTERNED.clear()
        _INTERNED[key] = made
    return made


def _make_value(
    name: str, raw: object, rt: str, why: str | None, *, not_applicable: bool
) -> MetricValue:
    text = raw if isinstance(raw, str) or raw is None else _to_text(raw)
    if not_applicable:
        return MetricValue(name, text, None, rt, False, why)
    try:
        value, applicable = _parse(raw, _TYPE_KINDS.get(rt))
    except ValueError as exc:
        return MetricValue(name, text, None, rt, True, why, str(exc))
    return MetricValue(name, text, value, rt, applicable, why)


def _entry_value(name: str, entry: Mapping[str, Any]) -> MetricValue:
    raw = entry["response_value"] if "response_value" in entry else entry.get("value")
    rtype = entry.get("response_type")
    flag = entry.get("is_not_applicable")
    return metric_value(
        name,
        raw,
        normalise_type(entry.get("type") if rtype is None else rtype),
        reasoning=entry.get("reasoning"),
        not_applicable=flag is not None and flag is not False and _flag(flag),
    )


def _entry_name(entry: Mapping[str, Any]) -> str | None:
    name = entry.get("name")
    if isinstance(name, str) and (name := name.strip()):
        return name
    name = entry.get("metric_name")
    if isinstance(name, str) and (name := name.strip()):
        return name
    return None


def _custom_entries(container: object, *, bare_values: bool) -> dict[str, MetricValue]:
    """Entries of a ``custom_metrics`` list or dict; later duplicates replace earlier."""
    found: dict[str, MetricValue] = {}
    if isinstance(container, list):
        for entry in container:
            if isinstance(entry, dict) and (name := _entry_name(entry)):
                found[name] = _entry_value(name, entry)
    elif isinstance(container, dict):
        for key, entry in container.items():
            name = str(key).strip()  # the key names the metric, whatever the entry says
            if not name:
                continue
            if isinstance(entry, dict):
                found[name] = _entry_value(name, entry)
            elif bare_values:
                found[name] = metric_value(name, entry, "")
    return found


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_NEVER = datetime.min.replace(tzinfo=UTC)


def evaluations_newest_first(result: SimulationResult) -> list[dict[str, Any]]:
    """The result's evaluations, newest first: by ``created_at``, then by list position
    (later is newer); an evaluation without a readable ``created_at`` ranks below dated ones."""
    evaluations = [e for e in result.evaluations or [] if isinstance(e, dict)]
    if len(evaluations) < 2:
        return evaluations
    order = sorted(
        range(len(evaluations)),
        key=lambda i: (_moment(evaluations[i].get("created_at")) or _NEVER, i),
        reverse=True,
    )
    return [evaluations[i] for i in order]


def newest_evaluation(result: SimulationResult) -> dict[str, Any] | None:
    ordered = evaluations_newest_first(result)
    return ordered[0] if ordered else None


def _custom(
    result: SimulationResult, ordered: Sequence[Mapping[str, Any]]
) -> dict[str, MetricValue]:
    for evaluation in ordered:
        found = _custom_entries(evaluation.get("custom_metrics"), bare_values=True)
        if found:
            return found
    found = _custom_entries(result.custom_metrics, bare_values=True)
    if found:
        return found
    for evaluation in ordered:
        found = _custom_entries(evaluation.get("custom_evals"), bare_values=False)
        if found:
            return found
    return {}


def custom_metrics(result: SimulationResult) -> dict[str, MetricValue]:
    """The result's custom metrics, from the first source that has any (see module doc)."""
    return _custom(result, evaluations_newest_first(result))


def has_custom_metrics(result: SimulationResult) -> bool:
    """True when the result carries at least one custom metric in any accepted shape."""
    return bool(custom_metrics(result))


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


@dataclass(frozen=True, slots=True)
class ResultMetrics:
    """Everything the evaluator reads from one result, in one pass."""

    metrics: dict[str, MetricValue]  # built-ins, then custom metrics over them
    has_custom: bool
    never_spoke: bool
    evaluated: bool = False  # an evaluation (or legacy custom metrics) is there at all


def read(result: SimulationResult) -> ResultMetrics:
    """``extract``, ``has_custom_metrics`` and ``never_spoke`` at once (evaluations sorted once)."""
    ordered = evaluations_newest_first(result)
    newest = ordered[0] if ordered else None
    custom = _custom(result, ordered)
    metrics = _builtins(result, newest or {})
    metrics.update(custom)
    return ResultMetrics(
        metrics, bool(custom), _never_spoke(newest), evaluated=newest is not None or bool(custom)
    )
