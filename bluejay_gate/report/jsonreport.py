"""The JSON report: the whole outcome, machine-readable, with ``schema_version``.

Keys come in a fixed order. The layout is ``json.dumps(indent=2, ensure_ascii=False)``
except that each per-conversation metric object sits on one line (``json_conversations``
writes them); the document is streamed in parts by ``jsontext``, so a large report is
written as it is made. This module owns the keys and their values.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from bluejay_gate.report import formatting as fmt
from bluejay_gate.report import wording
from bluejay_gate.report.early import early_json
from bluejay_gate.report.info import RunInfo
from bluejay_gate.report.json_calls import call_set_entry
from bluejay_gate.report.json_conversations import conversation_fragment
from bluejay_gate.report.jsontext import iter_parts
from bluejay_gate.verdict.model import CheckResult, Conversation, SimulationVerdict, Verdict

# 2: identity (spec_sha256, agent external_id and fields_sha256), shards, and what a
# report must keep to be judged again (runs, run_errors, unseen, per-metric domain),
# checks' baseline and delta
SCHEMA_VERSION = 2
TOOL_NAME = "bluejay-gate"


def render_json(verdict: Verdict, info: RunInfo) -> str:
    """The report as a JSON document (ends with a newline)."""
    return "".join(iter_json(verdict, info))


def iter_json(verdict: Verdict, info: RunInfo) -> Iterator[str]:
    """``render_json`` in parts, one conversation at most each: written as it is made."""
    yield from iter_parts(_document(verdict, info), 0)
    yield "\n"


def _document(verdict: Verdict, info: RunInfo) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": info.version},
        "spec": info.spec_path,
        "spec_sha256": info.spec_sha256,
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
            "external_id": info.agent_external_id,
            "fields_sha256": info.agent_fields_sha256,
        },
        "baseline": info.baseline,
        "setup": {
            "changes": [dict(c) for c in info.setup_changes],
            "drift": [dict(d) for d in info.drift],
        },
        "run_ids": list(info.run_ids),
        "shard": None
        if info.shard is None
        else {
            "index": info.shard.index,
            "count": info.shard.count,
            "units": list(info.shard.units),
        },
        "merged_from": list(info.merged_from),
        "simulations": [_simulation(s, info) for s in verdict.simulations if not s.is_call_set],
        "call_sets": [
            call_set_entry(s, _simulation(s, info), info.call_file_sha256.get(s.label))
            for s in verdict.simulations
            if s.is_call_set
        ],
        **early_json(verdict.early),
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
        # digital human id -> name, as read from digital-humans-by-simulation (names that
        # tell them apart only; the others are known by id)
        "digital_humans": dict(info.digital_human_names.get(simulation.simulation_id, {})),
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
        "reused_from": simulation.reused_from,
        "runs": [
            {
                "id": r.id,
                "status": r.status,
                "total_tests": r.total_tests,
                "tests_passed": r.tests_passed,
            }
            for r in simulation.runs
        ],
        "run_errors": list(simulation.run_errors),
        "unseen": dict(simulation.unseen),
        "conversations": [conversation_fragment(c) for c in simulation.conversations],
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
                "digital_human_name": entry.name,
                "value": entry.value,
                "reasoning": entry.reasoning,
                "dashboard_url": entry.link,
                "transcript_url": entry.transcript_url,
            }
            for entry in wording.worst_entries(result, index, simulation, info)
        ],
        "interval": None if result.interval is None else [_num(v) for v in result.interval],
        "confidence": check.confidence,
        "confidence_used": _num(result.level),
        "inconclusive": result.inconclusive,
        "more_needed": result.more_needed,
        "per_digital_human": check.per_digital_human,
        "delta": check.delta,
        "baseline": _baseline(result),
    }


def _baseline(result: CheckResult) -> dict[str, Any] | None:
    figures = result.baseline
    if figures is None:
        return None
    return {
        "value": _num(figures.value),
        "delta": _num(figures.delta),
        "samples": figures.samples,
    }


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return value
