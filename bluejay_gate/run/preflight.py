"""The checks before paying, at the I/O edge: read what ``verdict.definitions`` checks,
before anything is changed or queued, and refuse the spec (``SpecError``, exit 2) when a
threshold cannot be judged (``check_before_paying``).

- The custom metric definitions: the agent's (``GET /v1/custom-metrics?agent_id=``), and
  the organisation's whole list only when a threshold names a metric the agent's lacks.
  When they cannot be read at all (any API error but a rejected key, or an unreadable
  answer) one warning says so and the gate goes on with the definition-free checks.
- Per simulation, how many digital humans it has (unless the spec lists
  ``digital_human_ids``) and which metrics it scores (from the resolved simulation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from bluejay_gate import events
from bluejay_gate.bluejay.models import CustomMetric
from bluejay_gate.errors import ApiError, AuthError, SpecError
from bluejay_gate.run.fanout import answer, fetch_all
from bluejay_gate.run.simulations import ResolvedSimulation
from bluejay_gate.spec.resolved import Spec
from bluejay_gate.verdict import definitions
from bluejay_gate.verdict.costs import SimulationCost, over_budget, plan_costs
from bluejay_gate.verdict.definitions import needed_metrics
from bluejay_gate.verdict.facts import Definitions, MetricDefinition, SimulationFacts


class PreflightApi(Protocol):
    def list_custom_metrics(self, agent_id: str | None = None) -> list[CustomMetric]: ...
    def count_digital_humans(self, simulation_id: str) -> int: ...


def check_before_paying(
    api: PreflightApi,
    spec: Spec,
    agent_id: str | None,
    sims: Sequence[ResolvedSimulation],
    emit: events.Emit,
) -> list[SimulationCost]:
    """Check every threshold against Bluejay's definitions before paying; a threshold
    that cannot be judged is a ``SpecError`` (exit 2). Returns the cost plan."""

    def warn(message: str) -> None:
        emit(events.Warning(message))

    # The definitions and the digital humans are read at once (``fanout``); their
    # warnings and errors come out in the order they did one after another.
    # With max_parallel 1, one after another.
    told: list[str] = []
    if spec.run.max_parallel <= 1:
        found = read_definitions(api, spec, agent_id, told.append)
        counts = _counts(api, spec, sims, 1)
    else:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="definitions") as pool:
            reading = pool.submit(read_definitions, api, spec, agent_id, told.append)
            counts = _counts(api, spec, sims, spec.run.max_parallel - 1)
            found = reading.result()
    for message in told:
        warn(message)
    facts = read_facts(api, spec, sims, warn, counts)
    problems = definitions.check(spec, found, facts)
    if problems:
        first = problems[0]
        for problem in problems[1:]:  # each in full; the error line ends with the first
            emit(events.Info(definitions.located(problem, str(spec.path))))
        raise SpecError(
            definitions.summary(problems),
            file=str(spec.path),
            line=first.line,
            key=first.metric,
        )
    return plan_costs(spec, facts)


def refuse_over_budget(spec: Spec, costs: Sequence[SimulationCost]) -> None:
    """``run.max_conversations``: a plan that may queue more is a ``SpecError`` (exit 2)
    before anything is changed or queued."""
    problem = over_budget(spec.run.max_conversations, costs)
    if problem is not None:
        line = spec.run.max_conversations_line
        raise SpecError(problem, file=str(spec.path), line=line, key="run.max_conversations")


def read_definitions(
    api: PreflightApi, spec: Spec, agent_id: str | None, warn: Callable[[str], None]
) -> Definitions | None:
    """The definitions the thresholds need, or ``None`` (warned) when unreadable or when
    no threshold names a custom metric."""
    needed = needed_metrics(spec)
    if not needed:
        return None
    metrics: list[CustomMetric] = []
    where = "the organisation's custom metrics"
    try:
        if agent_id is not None and agent_id.strip().isdigit():
            metrics = api.list_custom_metrics(agent_id)
            where = f"agent {agent_id}'s custom metrics"
        names = {m.name for m in metrics}
        if any(name not in names for name in needed):
            try:
                everyone = api.list_custom_metrics(None)
            except ApiError as exc:
                if not metrics or _stops(exc):
                    raise
                warn(_unreadable(exc, partial=True))
                return Definitions(_definitions(metrics), complete=False, where=where)
            known = {m.id for m in metrics if m.id is not None}
            metrics += [m for m in everyone if m.id is None or m.id not in known]
            if where != "the organisation's custom metrics":
                where = f"{where} or the organisation's"
    except ApiError as exc:
        if _stops(exc):
            raise
        warn(_unreadable(exc, partial=False))
        return None
    return Definitions(_definitions(metrics), complete=True, where=where)


def _counts(
    api: PreflightApi, spec: Spec, sims: Sequence[ResolvedSimulation], max_parallel: int
) -> dict[str, int | Exception]:
    """Every simulation's digital humans counted at once (those the spec does not list)."""
    wanted = [
        sim.simulation_id
        for sim_spec, sim in zip(spec.simulations, sims, strict=True)
        if sim_spec.digital_human_ids is None
    ]
    return fetch_all(api.count_digital_humans, wanted, max_parallel)


def read_facts(
    api: PreflightApi,
    spec: Spec,
    sims: Sequence[ResolvedSimulation],
    warn: Callable[[str], None],
    counts: Mapping[str, int | Exception] | None = None,
) -> list[SimulationFacts]:
    """Digital humans and selected metrics of each simulation, in spec order (``counts``:
    the digital humans already counted, by simulation id)."""
    if counts is None:
        counts = _counts(api, spec, sims, spec.run.max_parallel)
    facts = []
    counted: dict[str, int | None] = {}
    for sim_spec, sim in zip(spec.simulations, sims, strict=True):
        humans: int | None = None
        if sim_spec.digital_human_ids is None:
            if sim.simulation_id not in counted:
                counted[sim.simulation_id] = _count(counts[sim.simulation_id], sim, warn)
            humans = counted[sim.simulation_id]
        facts.append(
            SimulationFacts(
                label=sim.label,
                simulation_id=sim.simulation_id,
                digital_humans=humans,
                selected_metric_ids=sim.selected_metric_ids,
                runs_per_digital_human=sim.runs_per_digital_human,
            )
        )
    return facts


def _count(
    got: int | Exception, sim: ResolvedSimulation, warn: Callable[[str], None]
) -> int | None:
    try:
        return answer(got)
    except ApiError as exc:
        if _stops(exc):
            raise
        warn(
            f"could not count the digital humans of {sim.label} ({exc.message}): its cost is "
            "unknown and min_samples is not checked before queueing"
        )
        return None


def _stops(exc: ApiError) -> bool:
    """A rejected key stops the gate as everywhere else; a 403 here may be a key that
    may not read metrics, which costs only the check."""
    return isinstance(exc, AuthError) and exc.status != 403


def _unreadable(exc: ApiError, *, partial: bool) -> str:
    what = "the organisation's custom metrics" if partial else "the custom metric definitions"
    return (
        f"could not read {what} ({exc.message}): thresholds are not checked against "
        "Bluejay's metric definitions before queueing; the verdict still checks every value"
    )


def _definitions(metrics: Sequence[CustomMetric]) -> tuple[MetricDefinition, ...]:
    return tuple(
        MetricDefinition(
            name=m.name,
            response_type=m.response_type or "",
            id=m.id,
            min_value=m.min_value,
            max_value=m.max_value,
            enum_options=tuple(m.enum_options) if m.enum_options else None,
        )
        for m in metrics
    )
