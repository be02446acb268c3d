"""Back from an earlier report's simulations to what the verdict judges.

Which item is which (``match``: by simulation id, compared as Bluejay compares them, then
by name; ``match_simulations`` for the spec's simulations). What ``--rerun-failed`` and
``merge`` judge again (``simulation_input``: the ``SimulationInput`` an item was judged
from: its runs' counters, the orchestrator's errors, every conversation with every metric
as observed, status, digital human and result id; judging it again gives the verdict the
report shows; ``call_set_input`` the same for a call set, matched by name with
``match_call_sets``). What ``--baseline`` compares with (``conversations_of``: each
conversation as a ``verdict.model.Conversation``, each metric read again from its raw
text).

Pure: reads the parsed document only. Anything not of the shape the gate writes is an
``EarlierReportError`` naming the file and the place (never a guess that could pass, and
never read as "no samples").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from bluejay_gate.earlier.document import EarlierCallSet, EarlierSimulation
from bluejay_gate.errors import EarlierReportError
from bluejay_gate.model.results import ReadResult, ResultMetrics, RunSummary
from bluejay_gate.model.shards import simulation_unit
from bluejay_gate.model.values import MetricValue, metric_value
from bluejay_gate.spec.resolved import CallSetSpec, SimulationSpec, Spec
from bluejay_gate.verdict.inputs import SimulationInput
from bluejay_gate.verdict.model import CALL_SET, Conversation, Repeats
from bluejay_gate.verdict.repeats import looks_for

_Item = TypeVar("_Item")


def match(
    items: Sequence[_Item],
    item_id: Callable[[_Item], str],
    item_name: Callable[[_Item], str],
    wanted_id: str | None,
    wanted_name: str | None,
) -> _Item | None:
    """The item with ``wanted_id`` (``04821`` is ``4821``: ``model.shards.simulation_unit``),
    else (none or several with it) the one named ``wanted_name``; ``None`` when neither
    tells one item."""
    by_id: list[_Item] = []
    if wanted_id is not None:
        unit = simulation_unit(wanted_id)
        by_id = [item for item in items if simulation_unit(item_id(item)) == unit]
        if len(by_id) == 1:
            return by_id[0]
    if wanted_name is None:
        return None
    pool = by_id or list(items)
    by_name = [item for item in pool if item_name(item) == wanted_name]
    return by_name[0] if len(by_name) == 1 else None


def match_simulations(
    spec: Spec, sims: Sequence[EarlierSimulation]
) -> list[EarlierSimulation | None]:
    """For each spec simulation (in spec order), the report simulation it ran as, or
    ``None`` (``match``: its id, then its name as label)."""
    return [
        match(sims, lambda s: s.simulation_id, lambda s: s.label, sim.id, sim.name)
        for sim in spec.simulations
    ]


def simulation_input(
    spec: Spec,
    sim_spec: SimulationSpec,
    sim: EarlierSimulation,
    *,
    where: str,
    reused_from: str | None,
) -> SimulationInput:
    """The input ``sim`` was judged from, with the spec's checks. ``where`` names it in
    errors (``report.json: simulations[1]``)."""
    read = _Reader(where)
    doc = sim.doc
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


def match_call_sets(spec: Spec, call_sets: Sequence[EarlierCallSet]) -> list[EarlierCallSet | None]:
    """For each spec call set (in spec order), the report call set of its name, or ``None``
    (none, or several: an edited report)."""
    found: list[EarlierCallSet | None] = []
    for call_set in spec.calls:
        named = [c for c in call_sets if c.name == call_set.name]
        found.append(named[0] if len(named) == 1 else None)
    return found


def call_set_input(
    spec: Spec,
    set_spec: CallSetSpec,
    call_set: EarlierCallSet,
    *,
    where: str,
    reused_from: str | None,
) -> SimulationInput:
    """The input ``call_set`` was judged from (each call as read, its file, every reason
    one did not finish), with the spec's checks. ``where`` names it in errors
    (``report.json: call_sets[0]``)."""
    read = _Reader(where)
    doc = call_set.doc
    conversations = read.objects(doc, "conversations")
    results = tuple(read.result(c, f"conversations[{i}]") for i, c in enumerate(conversations))
    calls = read.objects(doc, "calls")
    result_files = {
        read.text(c, "call_id", f"calls[{i}]."): file
        for i, c in enumerate(calls)
        if (file := read.opt_text(c, "file", f"calls[{i}].")) is not None
    }
    recorded = doc.get("reused_from")
    return SimulationInput(
        label=read.text(doc, "name"),
        simulation_id="",
        checks=spec.checks_for(set_spec),
        runs=(),
        results=results,
        errors=read.texts(doc, "run_errors"),
        notes=read.texts(doc, "notes"),
        kind=CALL_SET,
        files=read.texts(doc, "files"),
        result_files=result_files,
        reused_from=recorded if isinstance(recorded, str) else reused_from,
    )


def recorded_hashes(call_set: EarlierCallSet) -> dict[str, str]:
    """File -> sha256 as the report recorded them (``file_sha256``); a hash not recorded
    (or not a string) is left out: unknown, so that file counts as changed."""
    value = call_set.doc.get("file_sha256")
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str) and v}


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


# --baseline's reading of the conversations. Not ``_Reader.result``, on purpose: the two
# readers were written apart and their tests pin different behaviour on an edited report
# (test_earlier.py: "simulations[1].conversations[0].metrics['Empathy'].applicable: not true
# or false"; test_earlier_baseline.py / test_baseline.py: "metric 'Empathy' has applicable
# 'yes', not true or false", "a conversation has no result_id", "has no completed
# true/false", "conversation 1 is listed twice") and on what a metric is: ``--rerun-failed``
# takes each value as observed (judging it again must give the same report byte for byte),
# a baseline reads it again from its raw text, keeps a value that run found malformed
# malformed ("'-100' was malformed in the baseline report"), and reads a missing
# ``applicable``/``metrics``/``never_spoke`` as the gate's defaults.


def conversations_of(
    source: str, simulation: EarlierSimulation | EarlierCallSet
) -> tuple[Conversation, ...]:
    """The simulation's (or call set's) conversations as the verdict reads them for a
    delta; an ``EarlierReportError`` when the report cannot have written one of them."""
    kind = "call set" if isinstance(simulation, EarlierCallSet) else "simulation"

    def bad(what: str) -> EarlierReportError:
        return EarlierReportError(f"{source}: {kind} {simulation.label!r}: {what}")

    seen: set[str] = set()
    found = []
    for item in simulation.conversations:
        conversation = _conversation(item, bad)
        if conversation.result_id in seen:
            raise bad(f"conversation {conversation.result_id} is listed twice")
        seen.add(conversation.result_id)
        found.append(conversation)
    return tuple(found)


def _conversation(
    item: Mapping[str, Any], bad: Callable[[str], EarlierReportError]
) -> Conversation:
    result_id = item.get("result_id")
    if not isinstance(result_id, str) or not result_id:
        raise bad("a conversation has no result_id")
    completed = item.get("completed")
    if not isinstance(completed, bool):
        raise bad(f"conversation {result_id} has no completed true/false")
    metrics = item.get("metrics", {})
    if not isinstance(metrics, dict):
        raise bad(f"conversation {result_id} has metrics that are not an object")
    return Conversation(
        result_id=result_id,
        run_id=_optional_text(item.get("run_id")) or "",
        digital_human_id=_optional_text(item.get("digital_human_id")),
        status=_optional_text(item.get("status")) or "UNKNOWN",
        completed=completed,
        never_spoke=item.get("never_spoke") is True,
        metrics={str(name): _metric(str(name), entry, bad) for name, entry in metrics.items()},
    )


def _metric(name: str, entry: object, bad: Callable[[str], EarlierReportError]) -> MetricValue:
    if not isinstance(entry, dict):
        raise bad(f"metric {name!r} is not an object")
    response_type = entry.get("response_type")
    if not isinstance(response_type, str):
        raise bad(f"metric {name!r} has no response_type")
    raw = entry.get("raw")
    applicable = entry.get("applicable", True)
    if not isinstance(applicable, bool):
        raise bad(f"metric {name!r} has applicable {applicable!r}, not true or false")
    if applicable and entry.get("value") is None:
        # malformed in that run (the report keeps no value for it): malformed here too,
        # never read again as a fine number
        shown = "no value" if raw is None else repr(raw)
        return MetricValue(
            name,
            raw if isinstance(raw, str) else None,
            None,
            response_type,
            True,
            None,
            error=f"{shown} was malformed in the baseline report",
        )
    if raw is None:
        raw = entry.get("value")
    low, high, options = entry.get("min_value"), entry.get("max_value"), entry.get("options")
    if not all(_is_number(b) for b in (low, high) if b is not None):
        raise bad(f"metric {name!r} has a min_value or max_value that is not a number")
    if options is not None and not (
        isinstance(options, list) and all(isinstance(o, str) for o in options)
    ):
        raise bad(f"metric {name!r} has options that are not a list of strings")
    return metric_value(
        name,
        raw,
        response_type,
        reasoning=entry.get("reasoning"),
        not_applicable=not applicable,
        min_value=None if low is None else float(low),
        max_value=None if high is None else float(high),
        options=None if options is None else tuple(options),
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) else None
