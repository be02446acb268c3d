"""Metric values out of one Bluejay simulation result or evaluated call, normalised for
aggregation: a wire ``SimulationResult`` or ``CallLog`` (both ``scored.Scored``) read into
the gate's ``model.results.ReadResult``. The parts are read
by ``evaluations`` (which one is newest), ``metric_entries`` (custom-metric entries) and
``builtin_fields`` (Bluejay's own fields); this module joins them by the rules below.

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

from collections.abc import Mapping, Sequence
from typing import Any

from bluejay_gate.bluejay.builtin_fields import builtin_values, never_spoke_in
from bluejay_gate.bluejay.evaluations import evaluation_dicts, find_newest
from bluejay_gate.bluejay.metric_entries import custom_entries
from bluejay_gate.bluejay.scored import Scored
from bluejay_gate.model import statuses
from bluejay_gate.model.results import ReadResult, ResultMetrics
from bluejay_gate.model.values import MetricValue


def _custom(
    result: Scored,
    evaluations: Sequence[Mapping[str, Any]],
    newest: Mapping[str, Any] | None,
) -> dict[str, MetricValue]:
    if newest is not None:
        found = custom_entries(newest.get("custom_metrics"), bare_values=True)
        if found:
            return found
    if any(
        custom_entries(e.get("custom_metrics"), bare_values=True)
        for e in evaluations
        if e is not newest
    ):
        return {}  # an older evaluation's metrics are not the newest's: lacking, re-read
    found = custom_entries(
        result.custom_metrics, bare_values=True, where="in the result's custom_metrics"
    )
    if found or newest is None:
        return found
    return custom_entries(newest.get("custom_evals"), bare_values=False)


def has_custom_metrics(result: Scored) -> bool:
    """True when the result's newest evaluation (or, without any evaluation carrying
    them, the legacy copy) holds at least one custom metric."""
    return read(result).has_custom


def extract(result: Scored) -> dict[str, MetricValue]:
    """Every metric of one result by name: built-ins, then custom metrics over them."""
    return read(result).metrics


def newest_evaluation(result: Scored) -> dict[str, Any] | None:
    """The one evaluation that is judged; ``None`` without one or when it cannot be told."""
    return find_newest(result, evaluation_dicts(result)).evaluation


def never_spoke(result: Scored) -> bool:
    """True when the newest evaluation says the agent never spoke: ``num_turns`` <= 1 or
    ``agent_speak_percentage`` == 0 (each only when present and numeric)."""
    return never_spoke_in(newest_evaluation(result))


def _unclear(result: Scored, evaluations: Sequence[Mapping[str, Any]], why: str) -> ResultMetrics:
    """Every metric any evaluation carries, malformed: the newest cannot be told."""
    metrics: dict[str, MetricValue] = {}
    custom: dict[str, MetricValue] = {}
    for evaluation in evaluations:
        own = custom_entries(evaluation.get("custom_metrics"), bare_values=True)
        own.update(custom_entries(evaluation.get("custom_evals"), bare_values=False))
        for name, value in (*builtin_values(result, evaluation).items(), *own.items()):
            if name == "duration":  # the result's own field, not an evaluation's
                metrics[name] = value
                continue
            bad = MetricValue(name, value.raw, None, value.response_type, True, None, why)
            metrics.setdefault(name, bad)
            if name in own:
                custom.setdefault(name, bad)
    metrics.update(custom)
    return ResultMetrics(metrics, bool(custom), False, evaluated=True)


def read(result: Scored) -> ResultMetrics:
    """``extract``, ``has_custom_metrics`` and ``never_spoke`` at once (one pass)."""
    evaluations = evaluation_dicts(result)
    newest = find_newest(result, evaluations)
    if newest.unclear is not None:
        return _unclear(result, evaluations, newest.unclear)
    evaluation = newest.evaluation
    custom = _custom(result, evaluations, evaluation)
    metrics = builtin_values(result, evaluation or {})
    metrics.update(custom)
    return ResultMetrics(
        metrics,
        bool(custom),
        never_spoke_in(evaluation),
        evaluated=evaluation is not None or bool(custom),
    )


def read_result(result: Scored | ReadResult) -> ReadResult:
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
