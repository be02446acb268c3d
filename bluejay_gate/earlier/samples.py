"""Back from an earlier report's simulations to what the verdict judges: each report
simulation matched to the spec's (``match_simulations``: by simulation id, then by
name), and turned into the ``SimulationInput`` it was judged from (``simulation_input``:
its runs' counters, the orchestrator's errors, every conversation with every metric as
observed, status, digital human and result id). Judging that input again gives the
verdict the report shows.

Pure: reads the parsed document only. Anything not of the shape the gate writes is an
``EarlierReportError`` naming the file and the place (never a guess that could pass).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from bluejay_gate.errors import EarlierReportError
from bluejay_gate.model.results import ReadResult, ResultMetrics, RunSummary
from bluejay_gate.model.shards import simulation_unit
from bluejay_gate.model.values import MetricValue
from bluejay_gate.spec.resolved import SimulationSpec, Spec
from bluejay_gate.verdict.inputs import SimulationInput
from bluejay_gate.verdict.model import Repeats
from bluejay_gate.verdict.repeats import looks_for


def match_simulations(
    spec: Spec, docs: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any] | None]:
    """For each spec simulation (in spec order), the report simulation it ran as, or
    ``None``: the one with its ``id``, else (a simulation given by name) the one with
    its name as label."""
    by_id = {simulation_unit(str(d.get("simulation_id", ""))): d for d in docs}
    by_label = {d.get("label"): d for d in docs}
    matched: list[Mapping[str, Any] | None] = []
    for sim in spec.simulations:
        if sim.id is not None:
            matched.append(by_id.get(simulation_unit(sim.id)))
        else:
            matched.append(by_label.get(sim.name))
    return matched


def simulation_input(
    spec: Spec,
    sim_spec: SimulationSpec,
    doc: Mapping[str, Any],
    *,
    where: str,
    reused_from: str | None,
) -> SimulationInput:
    """The input ``doc`` was judged from, with the spec's checks. ``where`` names it in
    errors (``report.json: simulations[1]``)."""
    read = _Reader(where)
    conversations = read.objects(doc, "conversations")
    results = tuple(read.result(c, f"conversations[{i}]") for i, c in enumerate(conversations))
    result_runs = {
        read.text(c, "result_id"): run for c in conversations if (run := read.text(c, "run_id"))
    }
    unseen = doc.get("unseen", {})
    if not isinstance(unseen, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in unseen.values()
    ):
        raise read.bad("unseen", "an object of counts")
    recorded = doc.get("reused_from")
    return SimulationInput(
        label=read.text(doc, "label"),
        simulation_id=read.text(doc, "simulation_id"),
        checks=spec.checks_for(sim_spec),
        runs=tuple(read.run(r, f"runs[{i}]") for i, r in enumerate(read.objects(doc, "runs"))),
        results=results,
        result_runs=result_runs,
        errors=read.texts(doc, "run_errors"),
        looks=looks_for(sim_spec.repeat, sim_spec.max_repeats),
        repeats=read.repeats(doc.get("repeats")),
        notes=read.texts(doc, "notes"),
        unseen={str(k): v for k, v in unseen.items()},
        reused_from=recorded if isinstance(recorded, str) else reused_from,
    )


class _Reader:
    """Typed reads of one report simulation; a wrong shape is one located error."""

    def __init__(self, where: str) -> None:
        self.where = where

    def bad(self, path: str, wanted: str) -> EarlierReportError:
        return EarlierReportError(
            f"{self.where}.{path}: not {wanted}: the report was not written by this "
            "bluejay-gate or was edited; use the report as the gate wrote it"
        )

    def text(self, obj: Mapping[str, Any], key: str, path: str = "") -> str:
        value = obj.get(key)
        if not isinstance(value, str):
            raise self.bad(path + key, "a string")
        return value

    def opt_text(self, obj: Mapping[str, Any], key: str, path: str = "") -> str | None:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise self.bad(path + key, "a string or null")
        return value

    def flag(self, obj: Mapping[str, Any], key: str, path: str = "") -> bool:
        value = obj.get(key)
        if not isinstance(value, bool):
            raise self.bad(path + key, "true or false")
        return value

    def opt_number(self, obj: Mapping[str, Any], key: str, path: str = "") -> float | None:
        value = obj.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise self.bad(path + key, "a number or null")
        return value

    def opt_count(self, obj: Mapping[str, Any], key: str, path: str = "") -> int | None:
        value = obj.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.bad(path + key, "a whole number or null")
        return value

    def objects(self, obj: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = obj.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.bad(key, "a list of objects")
        return value

    def texts(self, obj: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = obj.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.bad(key, "a list of strings")
        return tuple(value)

    def run(self, obj: Mapping[str, Any], path: str) -> RunSummary:
        p = path + "."
        return RunSummary(
            id=self.text(obj, "id", p),
            status=self.opt_text(obj, "status", p),
            total_tests=self.opt_count(obj, "total_tests", p),
            tests_passed=self.opt_count(obj, "tests_passed", p),
        )

    def repeats(self, value: object) -> Repeats | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.bad("repeats", "an object or null")
        counts = {}
        for key in ("repeat", "looks", "planned_looks", "digital_humans", "conversations"):
            count = self.opt_count(value, key, "repeats.")
            if count is None:
                raise self.bad(f"repeats.{key}", "a whole number")
            counts[key] = count
        most = self.opt_count(value, "conversations_max", "repeats.")
        if most is None:
            raise self.bad("repeats.conversations_max", "a whole number")
        return Repeats(
            max_repeats=self.opt_count(value, "max_repeats", "repeats."),
            conversations_max=most,
            **counts,
        )

    def result(self, obj: Mapping[str, Any], path: str) -> ReadResult:
        p = path + "."
        metrics_doc = obj.get("metrics")
        if not isinstance(metrics_doc, dict):
            raise self.bad(p + "metrics", "an object")
        metrics = {
            name: self.metric(name, m, f"{p}metrics[{name!r}]") for name, m in metrics_doc.items()
        }
        self.flag(obj, "completed", p)  # shape only: the verdict decides it again
        never_spoke = self.flag(obj, "never_spoke", p)
        duration = self.opt_number(obj, "duration_ms", p)
        return ReadResult(
            id=self.text(obj, "result_id", p),
            digital_human_id=self.opt_text(obj, "digital_human_id", p),
            status=self.opt_text(obj, "status_as_sent", p),
            duration=None if duration is None else duration,
            transcript_url=self.opt_text(obj, "transcript_url", p),
            audio_url=self.opt_text(obj, "audio_url", p),
            found=ResultMetrics(
                metrics,
                has_custom=self.flag(obj, "has_custom", p),
                never_spoke=never_spoke,
                evaluated=bool(metrics),
            ),
        )

    def metric(self, name: str, obj: object, path: str) -> MetricValue:
        if not isinstance(obj, dict):
            raise self.bad(path, "an object")
        p = path + "."
        value = obj.get("value")
        if value is not None and not isinstance(value, bool | int | float | str):
            raise self.bad(p + "value", "a scalar")
        if isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        options = obj.get("options")
        if options is not None and (
            not isinstance(options, list) or not all(isinstance(o, str) for o in options)
        ):
            raise self.bad(p + "options", "a list of strings or null")
        raw = self.opt_text(obj, "raw", p)
        low = self.opt_number(obj, "min_value", p)
        high = self.opt_number(obj, "max_value", p)
        return MetricValue(
            name=name,
            raw=raw,
            value=value,
            response_type=self.text(obj, "response_type", p),
            applicable=self.flag(obj, "applicable", p),
            reasoning=self.opt_text(obj, "reasoning", p),
            error=self.opt_text(obj, "error", p),
            min_value=None if low is None else float(low),
            max_value=None if high is None else float(high),
            options=None if options is None else tuple(options),
            exact=_exact(raw, value),
        )


def _exact(raw: str | None, value: object) -> Decimal | None:
    """A number's exact decimal from its text, as the first reading kept it (the float
    otherwise: the aggregate then reads it from ``repr``, the same number)."""
    if not isinstance(value, float) or raw is None:
        return None
    try:
        exact = Decimal(raw.strip())
    except InvalidOperation:
        return None
    return exact if exact.is_finite() else None
