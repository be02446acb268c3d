"""The JSON report: the whole outcome, machine-readable, with ``schema_version``.

Keys come in a fixed order. The layout is ``json.dumps(indent=2, ensure_ascii=False)``
except that each per-conversation metric object sits on one line. A large run has
hundreds of thousands of them, and ``json.dumps(indent=2)`` runs its pure-Python encoder
(several seconds there), so conversations are written straight to text by a small
dedicated encoder; ``json.loads`` reads the result like any other JSON.
Lone surrogates (possible in API text) are written as ``\\udXXX`` escapes so the file is
always valid UTF-8; non-finite numbers become ``null``.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from bluejay_gate.model.values import MetricValue
from bluejay_gate.report import formatting as fmt
from bluejay_gate.report import wording
from bluejay_gate.report.info import RunInfo
from bluejay_gate.verdict.model import CheckResult, Conversation, SimulationVerdict, Verdict

SCHEMA_VERSION = 1
TOOL_NAME = "bluejay-gate"
INDENT = "  "

_SURROGATE = re.compile("[\ud800-\udfff]")
_encode_basestring = json.encoder.encode_basestring  # the C version when available


def _encode_str(value: str) -> str:
    """A JSON string literal that is always valid UTF-8 (lone surrogates escaped)."""
    text = _encode_basestring(value)
    return text if text.isascii() else _utf8_safe(text)  # isascii is O(1): the common case


_compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False)


class _Fragment:
    """A value that renders itself: ``render(level)`` returns its JSON text."""

    __slots__ = ("render",)

    def __init__(self, render: Callable[[int], str]) -> None:
        self.render = render


def render_json(verdict: Verdict, info: RunInfo) -> str:
    """The report as a JSON document (ends with a newline)."""
    return "".join(iter_json(verdict, info))


def iter_json(verdict: Verdict, info: RunInfo) -> Iterator[str]:
    """``render_json`` in parts, one conversation at most each: written as it is made."""
    yield from _parts(_document(verdict, info), 0)
    yield "\n"


def _document(verdict: Verdict, info: RunInfo) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": info.version},
        "spec": info.spec_path,
        "base_url": info.base_url,
        "started_at": fmt.iso(info.started_at),
        "finished_at": fmt.iso(info.finished_at),
        "duration_s": _num(info.duration_s),
        "dry_run": info.dry_run,
        "exit_code": verdict.exit_code,
        "outcome": verdict.outcome.value,
        "errors": list(wording.gate_errors(verdict)),
        "agent": {
            "id": info.agent_id,
            "name": info.agent_name,
            "action": info.agent_action,
            "changed_fields": list(info.changed_fields),
        },
        "run_ids": list(info.run_ids),
        "simulations": [_simulation(s, info) for s in verdict.simulations],
    }


def _simulation(simulation: SimulationVerdict, info: RunInfo) -> dict[str, Any]:
    errors = (
        list(wording.simulation_errors(simulation))
        if wording.simulation_undecided(simulation)
        else []
    )
    index = wording.conversation_index(simulation)
    return {
        "label": simulation.label,
        "simulation_id": simulation.simulation_id,
        "run_ids": list(simulation.run_ids),
        "run_status": simulation.run_status,
        "outcome": simulation.outcome.value,
        "dashboard_url": simulation.dashboard_url,
        "counts": {
            "total": simulation.total,
            "completed": simulation.completed,
            "not_completed": simulation.not_completed,
            "never_spoke": simulation.never_spoke,
        },
        "score": _num(simulation.score),
        "errors": errors,
        "notes": list(simulation.notes),
        "checks": [_check(c, simulation, index, info) for c in simulation.checks],
        "repeats": _repeats(simulation),
        "flips": [
            {
                "digital_human_id": f.digital_human_id,
                "metric": f.metric,
                "passed": f.passed,
                "total": f.total,
            }
            for f in simulation.flips
        ],
        "conversations": [_conversation(c) for c in simulation.conversations],
    }


def _repeats(simulation: SimulationVerdict) -> dict[str, Any] | None:
    r = simulation.repeats
    if r is None:
        return None
    return {
        "repeat": r.repeat,
        "max_repeats": r.max_repeats,
        "looks": r.looks,
        "planned_looks": r.planned_looks,
        "digital_humans": r.digital_humans,
        "repeated_digital_humans": simulation.repeated_digital_humans,
        "conversations": r.conversations,
        "conversations_max": r.conversations_max,
        "conversations_saved": r.saved,
    }


def _check(
    result: CheckResult,
    simulation: SimulationVerdict,
    index: dict[str, Conversation],
    info: RunInfo,
) -> dict[str, Any]:
    check = result.check
    return {
        "metric": check.metric,
        "label": check.label,
        "expression": check.expression,
        "aggregate": check.aggregate.value,
        "percentile": check.percentile,
        "share_value": check.share_value,
        "operator": check.op.value,
        "threshold": _num(check.threshold),
        "percent": check.percent,
        "severity": check.severity.value,
        "min_samples": check.min_samples,
        "line": wording.check_line(check, info),
        "outcome": wording.display_outcome(result).value,
        "observed": _num(result.observed),
        "observed_text": wording.format_observed(result),
        "expected_text": wording.format_expected(check),
        "samples": result.samples,
        "not_applicable": result.not_applicable,
        "message": wording.check_message(result),
        "worst": [
            {
                "result_id": entry.result_id,
                "digital_human_id": entry.digital_human_id,
                "value": entry.value,
                "dashboard_url": entry.link,
            }
            for entry in wording.worst_entries(result, index, simulation)
        ],
        "interval": None if result.interval is None else [_num(v) for v in result.interval],
        "confidence": check.confidence,
        "confidence_used": _num(result.level),
        "inconclusive": result.inconclusive,
        "more_needed": result.more_needed,
        "per_digital_human": check.per_digital_human,
    }


def _conversation(conversation: Conversation) -> _Fragment:
    """A conversation, rendered straight to text: the hot path of a large report."""
    return _Fragment(lambda level: _conversation_text(conversation, level))


def _conversation_text(conversation: Conversation, level: int) -> str:
    pad = "\n" + INDENT * (level + 1)
    enc = _encode_str
    fields = (
        ("result_id", enc(conversation.result_id)),
        ("run_id", enc(conversation.run_id)),
        ("digital_human_id", _opt_str(conversation.digital_human_id)),
        ("status", enc(conversation.status)),
        ("completed", "true" if conversation.completed else "false"),
        ("never_spoke", "true" if conversation.never_spoke else "false"),
        ("dashboard_url", _opt_str(conversation.dashboard_url)),
        ("transcript_url", _opt_str(conversation.transcript_url)),
        ("audio_url", _opt_str(conversation.audio_url)),
        ("duration_ms", _scalar(conversation.duration_ms)),
    )
    head = "{" + ",".join(f'{pad}"{key}": {text}' for key, text in fields)
    metrics = conversation.metrics
    if not metrics:
        return f'{head},{pad}"metrics": {{}}\n{INDENT * level}}}'
    inner = pad + INDENT
    # One metric per line, built inline: this loop runs runs × conversations × metrics
    # times in a large report.
    parts = []
    heads = _METRIC_HEADS
    raw_enc = _encode_basestring  # the C encoder; lone surrogates are escaped once below
    isfinite = math.isfinite
    for name, metric in metrics.items():
        value = metric.value
        reasoning = metric.reasoning
        why = "null" if reasoning is None else raw_enc(reasoning)
        if value.__class__ is float:
            # Numbers rarely repeat (latencies, durations): name and type parts are shared.
            raw = metric.raw
            parts.append(
                f"{_number_head(inner, name)}"
                f"{float.__repr__(value) if isfinite(value) else 'null'}, "
                f'"raw": {"null" if raw is None else raw_enc(raw)}'
                f"{_number_tail(metric.response_type, metric.applicable)}{why}}}"
            )
            continue
        # Everything but the reasoning repeats across conversations (pass/fail, enum
        # words): rendered once per distinct (name, value, raw, type, applicable, depth).
        key = (
            name,
            value,
            value.__class__,
            metric.raw,
            metric.response_type,
            metric.applicable,
            level,
        )
        start = heads.get(key)
        if start is None:
            start = _metric_head(inner, name, metric)
            if len(heads) >= _METRIC_HEADS_LIMIT:
                heads.clear()
            heads[key] = start
        parts.append(f"{start}{why}}}")
    text = f'{head},{pad}"metrics": {{{",".join(parts)}{pad}}}\n{INDENT * level}}}'
    return text if text.isascii() else _utf8_safe(text)


def _utf8_safe(text: str) -> str:
    """JSON text with any lone surrogate (only ever inside a string literal) escaped."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    return text


_METRIC_HEADS: dict[tuple[object, ...], str] = {}
_METRIC_HEADS_LIMIT = 50_000


@functools.lru_cache(maxsize=4096)
def _number_head(inner: str, name: str) -> str:
    return f'{inner}{_encode_str(name)}: {{"value": '


@functools.lru_cache(maxsize=256)
def _number_tail(response_type: str, applicable: bool) -> str:
    return (
        f', "response_type": {_encode_str(response_type)}, '
        f'"applicable": {"true" if applicable else "false"}, "reasoning": '
    )


def _metric_head(inner: str, name: str, metric: MetricValue) -> str:
    """A metric's line up to its reasoning value."""
    raw = metric.raw
    return (
        f'{inner}{_encode_str(name)}: {{"value": {_scalar(metric.value)}, '
        f'"raw": {"null" if raw is None else _encode_str(raw)}, '
        f'"response_type": {_encode_str(metric.response_type)}, '
        f'"applicable": {"true" if metric.applicable else "false"}, '
        '"reasoning": '
    )


def _opt_str(value: str | None) -> str:
    return "null" if value is None else _encode_str(value)


def _scalar(value: object) -> str:
    """JSON for a leaf value, exactly as ``json.dumps`` writes it (non-finite -> null)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _encode_str(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value) if math.isfinite(value) else "null"
    return _compact.encode(value)


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return value


def _parts(value: Any, level: int) -> Iterator[str]:
    """``json.dumps(indent=2)``'s layout; a ``_Fragment`` renders itself."""
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        inner = "\n" + INDENT * (level + 1)
        yield "{"
        first = True
        for key, item in value.items():
            yield f"{inner if first else ',' + inner}{_encode_str(str(key))}: "
            first = False
            yield from _parts(item, level + 1)
        yield "\n" + INDENT * level + "}"
    elif isinstance(value, list):
        if not value:
            yield "[]"
            return
        inner = "\n" + INDENT * (level + 1)
        yield "["
        first = True
        for item in value:
            yield inner if first else "," + inner
            first = False
            yield from _parts(item, level + 1)
        yield "\n" + INDENT * level + "]"
    elif isinstance(value, _Fragment):
        yield value.render(level)
    else:
        yield _scalar(value)
