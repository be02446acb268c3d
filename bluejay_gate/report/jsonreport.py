"""The JSON report: the whole outcome, machine-readable, with ``schema_version``.

Keys come in a fixed order. The layout is ``json.dumps(indent=2, ensure_ascii=False)``
except that each per-conversation metric object sits on one line: a large run has
hundreds of thousands of them, and Python's indenting encoder is pure Python (several
seconds there) while the one-line encoder is C. ``json.loads`` reads both the same.
Lone surrogates (possible in API text) are written as ``\\udXXX`` escapes so the file is
always valid UTF-8; non-finite numbers become ``null``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from bluejay_gate.report import formatting as fmt
from bluejay_gate.report.info import RunInfo
from bluejay_gate.verdict import (
    CheckResult,
    Conversation,
    MetricValue,
    SimulationVerdict,
    Verdict,
)

SCHEMA_VERSION = 1
TOOL_NAME = "bluejay-gate"
INDENT = "  "

_SURROGATE = re.compile("[\ud800-\udfff]")
_encode_str = json.encoder.encode_basestring  # the C version when available
_compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False)


class _OneLine:
    """A JSON value written on a single line (via the C encoder)."""

    __slots__ = ("value",)

    def __init__(self, value: dict[str, Any]) -> None:
        self.value = value


def render_json(verdict: Verdict, info: RunInfo) -> str:
    """The report as a JSON document (ends with a newline)."""
    out: list[str] = []
    _write(_document(verdict, info), 0, out)
    out.append("\n")
    text = "".join(out)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    return text


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
        "errors": list(fmt.gate_errors(verdict)),
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
    errors = list(fmt.simulation_errors(simulation)) if fmt.simulation_undecided(simulation) else []
    index = fmt.conversation_index(simulation)
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
        "checks": [_check(c, simulation, index, info) for c in simulation.checks],
        "conversations": [_conversation(c) for c in simulation.conversations],
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
        "line": fmt.check_line(check, info),
        "outcome": fmt.display_outcome(result).value,
        "observed": _num(result.observed),
        "observed_text": fmt.format_observed(result),
        "expected_text": fmt.format_expected(check),
        "samples": result.samples,
        "not_applicable": result.not_applicable,
        "message": fmt.check_message(result),
        "worst": [
            {
                "result_id": entry.result_id,
                "digital_human_id": entry.digital_human_id,
                "value": entry.value,
                "dashboard_url": entry.link,
            }
            for entry in fmt.worst_entries(result, index, simulation)
        ],
        "interval": None if result.interval is None else [_num(v) for v in result.interval],
        "confidence": check.confidence,
    }


def _conversation(conversation: Conversation) -> dict[str, Any]:
    return {
        "result_id": conversation.result_id,
        "run_id": conversation.run_id,
        "digital_human_id": conversation.digital_human_id,
        "status": conversation.status,
        "completed": conversation.completed,
        "never_spoke": conversation.never_spoke,
        "dashboard_url": conversation.dashboard_url,
        "transcript_url": conversation.transcript_url,
        "audio_url": conversation.audio_url,
        "duration_ms": _num(conversation.duration_ms),
        "metrics": {name: _metric(value) for name, value in conversation.metrics.items()},
    }


def _metric(metric: MetricValue) -> _OneLine:
    value = metric.value
    if isinstance(value, float) and not isinstance(value, bool):
        value = _num(value)
    return _OneLine(
        {
            "value": value,
            "raw": metric.raw,
            "response_type": metric.response_type,
            "applicable": metric.applicable,
            "reasoning": metric.reasoning,
        }
    )


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return value


def _write(value: Any, level: int, out: list[str]) -> None:
    """``json.dumps(indent=2)``'s layout, with ``_OneLine`` values on one line."""
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = "\n" + INDENT * (level + 1)
        out.append("{")
        first = True
        for key, item in value.items():
            out.append(inner if first else "," + inner)
            first = False
            out.append(_encode_str(str(key)))
            out.append(": ")
            _write(item, level + 1, out)
        out.append("\n" + INDENT * level + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = "\n" + INDENT * (level + 1)
        out.append("[")
        first = True
        for item in value:
            out.append(inner if first else "," + inner)
            first = False
            _write(item, level + 1, out)
        out.append("\n" + INDENT * level + "]")
    elif isinstance(value, _OneLine):
        out.append(_compact.encode(value.value))
    elif isinstance(value, str):
        out.append(_encode_str(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(float.__repr__(value) if math.isfinite(value) else "null")
    else:
        out.append(_compact.encode(value))
