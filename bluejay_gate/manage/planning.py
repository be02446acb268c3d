"""Planning a spec's Bluejay setup: read what Bluejay has (GET requests only, through
``SetupApi``) and decide, record by record, what to create, update or unlink, and what
is drift. Nothing is written here; ``apply`` carries the plan out.

Identity is by name: a custom metric among the metrics linked to the agent, a managed
simulation among the agent's simulations, a digital human among its simulation's. Two
records with the spec's name in Bluejay are an error (``ResolveError``), never a guess.

Refused before anything is written (``SpecError`` at the field's line): a metric whose
``response_type`` differs from Bluejay's (a type change would re-score its history), and
a change Bluejay's API cannot make to an existing record (``sequential_calling`` /
``always_on`` of a simulation, ``bluejay_as_code_id`` / ``workflow_*`` of a digital human).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bluejay_gate.bluejay.fields import (
    HUMAN_UPDATE_FIELDS,
    SIMULATION_CREATE_FIELDS,
    SIMULATION_UPDATE_FIELDS,
)
from bluejay_gate.bluejay.setup_models import HumanRecord, MetricRecord, SimulationRecord
from bluejay_gate.errors import ResolveError, SpecError
from bluejay_gate.manage.api import SetupApi
from bluejay_gate.manage.diff import changed_fields
from bluejay_gate.manage.plan import CREATE, UNCHANGED, UNLINK, UPDATE, Change, Drift, SetupPlan
from bluejay_gate.spec.resolved import HumanSpec, MetricSpec, SimulationSpec, Spec

METRIC = "custom metric"
SIMULATION = "simulation"
HUMAN = "digital human"
SELECTED = "selected_custom_metrics"

R = TypeVar("R")


@dataclass(frozen=True)
class Planned:
    """The plan and the ids it was made with: metric name -> id of every metric linked
    to the agent (``selected_custom_metrics`` names resolve through it)."""

    plan: SetupPlan
    metric_ids: Mapping[str, str]


def plan_setup(api: SetupApi, spec: Spec, agent_id: str | None) -> Planned:
    """The setup plan of ``spec`` for the agent ``agent_id`` (``None``: the agent is
    still to be created, so everything is). GET requests only."""
    where = str(spec.path)
    managed = [s for s in spec.simulations if s.managed is not None]
    selects = any(SELECTED in (s.managed.fields if s.managed else {}) for s in managed)
    linked: list[MetricRecord] = []
    if agent_id is not None and (spec.custom_metrics is not None or selects):
        linked = api.agent_metrics(agent_id)
    metrics = _by_name(linked, lambda m: m.name, METRIC, f"agent {agent_id}")
    changes: list[Change] = []
    drift: list[Drift] = []
    wanted_metrics = {m.name for m in spec.custom_metrics or ()}
    changes.extend(_plan_metric(m, metrics.get(m.name), where) for m in spec.custom_metrics or ())
    for name, record in metrics.items():
        if spec.custom_metrics is None or name in wanted_metrics:
            continue
        if spec.prune_metrics:
            others = [
                int(a) for a in record.agent_ids or [] if str(a) != str(agent_id) and a.isdigit()
            ]
            changes.append(
                Change(METRIC, name, UNLINK, ident=record.id, payload={"agent_ids": others})
            )
        else:
            drift.append(
                Drift(
                    METRIC,
                    name,
                    record.id,
                    fix="add it to custom_metrics:, or set prune: true on that list to "
                    "unlink it from the agent",
                )
            )
    metric_ids = {name: record.id for name, record in metrics.items()}
    known = set(metric_ids) | wanted_metrics
    listed: list[tuple[str, str | None]] = []
    if managed and agent_id is not None:
        listed = api.agent_simulation_ids(agent_id)
    managed_names = {s.name for s in managed}
    sims = _by_name(
        [(i, n) for i, n in listed if n in managed_names],
        lambda s: s[1] or "",
        SIMULATION,
        f"agent {agent_id}",
    )
    for sim in managed:
        found = sims.get(sim.name or "")
        more, extra = _plan_simulation(
            api, sim, found[0] if found else None, metric_ids, known, where
        )
        changes.extend(more)
        drift.extend(extra)
    if managed:
        drift.extend(_simulation_drift(spec, listed))
    return Planned(SetupPlan(tuple(changes), tuple(drift)), metric_ids)


def _by_name(
    records: Iterable[R], name_of: Callable[[R], str | None], kind: str, within: str
) -> dict[str, R]:
    """Records by name; two with one name are an error (the spec could mean either)."""
    found: dict[str, R] = {}
    twice: dict[str, list[R]] = {}
    for record in records:
        name = name_of(record)
        if not name:
            continue
        if name in found:
            twice.setdefault(name, [found[name]]).append(record)
        found[name] = record
    if twice:
        name, same = next(iter(twice.items()))
        ids = ", ".join(str(getattr(r, "id", None) or r[0]) for r in same)  # type: ignore[index]
        raise ResolveError(
            f"{len(same)} {kind}s of {within} are named {name!r} (ids {ids}): the gate "
            f"finds a {kind} by name and will not guess; rename or remove one in the "
            "Bluejay dashboard"
        )
    return found


def _plan_metric(metric: MetricSpec, record: MetricRecord | None, where: str) -> Change:
    if record is None:
        return Change(METRIC, metric.name, CREATE, payload=dict(metric.fields))
    wanted = metric.fields.get("response_type")
    if wanted is not None and record.response_type is not None and wanted != record.response_type:
        raise SpecError(
            f"custom metric {metric.name!r} is {record.response_type} in Bluejay (id "
            f"{record.id}) and {wanted} in the spec: changing a metric's type would re-score "
            f"its history, so the gate does not do it. Set response_type: "
            f"{record.response_type}, or give the {wanted} metric a new name",
            file=where,
            line=metric.field_lines.get("response_type", metric.line),
            key="response_type",
        )
    changed = changed_fields(record.stored, metric.fields)
    if not changed:
        return Change(METRIC, metric.name, UNCHANGED, ident=record.id)
    payload = {k: metric.fields[k] for k in changed}
    return Change(METRIC, metric.name, UPDATE, ident=record.id, changed=changed, payload=payload)


def _selected(sim: SimulationSpec, names: Sequence[Any], known: set[str], where: str) -> None:
    for name in names:
        if str(name) in known:
            continue
        close = difflib.get_close_matches(str(name), sorted(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        line = sim.managed.field_lines.get(SELECTED, sim.line) if sim.managed else sim.line
        raise SpecError(
            f"simulation {sim.name!r} selects custom metric {name!r}, which is neither in "
            f"custom_metrics: nor linked to the agent{hint}",
            file=where,
            line=line,
            key=SELECTED,
        )


def _plan_simulation(  # noqa: PLR0917 - private, one caller
    api: SetupApi,
    sim: SimulationSpec,
    ident: str | None,
    metric_ids: Mapping[str, str],
    known: set[str],
    where: str,
) -> tuple[list[Change], list[Drift]]:
    assert sim.managed is not None
    name = sim.name or ""
    fields = dict(sim.managed.fields)
    _selected(sim, fields.get(SELECTED) or [], known, where)
    humans = sim.managed.digital_humans
    if ident is None:
        payload = {k: v for k, v in fields.items() if k in SIMULATION_CREATE_FIELDS}
        later = {k: v for k, v in fields.items() if k not in SIMULATION_CREATE_FIELDS}
        changes = [Change(SIMULATION, name, CREATE, payload=payload, later=later)]
        changes += [
            Change(HUMAN, h.name, CREATE, payload=dict(h.fields), parent=name) for h in humans
        ]
        return changes, []
    record = api.simulation_record(ident)
    compared = {k: v for k, v in fields.items() if k != SELECTED}
    changed = list(changed_fields(record.stored, compared))
    if SELECTED in fields and _selection_differs(record, fields[SELECTED], metric_ids):
        changed.append(SELECTED)
    frozen = [k for k in changed if k not in SIMULATION_UPDATE_FIELDS]
    if frozen:
        raise SpecError(
            f"simulation {name!r} (id {ident}) has a different {frozen[0]} in Bluejay, and "
            "Bluejay's API cannot change it on an existing simulation: change it in the "
            f"dashboard, or remove {frozen[0]} from the spec",
            file=where,
            line=sim.managed.field_lines.get(frozen[0], sim.line),
            key=frozen[0],
        )
    if changed:
        payload = {k: fields[k] for k in changed}
        head = Change(
            SIMULATION, name, UPDATE, ident=ident, changed=tuple(changed), payload=payload
        )
    else:
        head = Change(SIMULATION, name, UNCHANGED, ident=ident)
    planned, drift = _plan_humans(api, sim, ident, where)
    return [head, *planned], drift


def _selection_differs(
    record: SimulationRecord, names: Sequence[Any], metric_ids: Mapping[str, str]
) -> bool:
    present, stored = record.stored(SELECTED)
    wanted = {metric_ids.get(str(n)) for n in names}
    if None in wanted or not present or not isinstance(stored, list):
        return True  # a metric still to be created, or Bluejay does not say
    return {str(i) for i in stored} != wanted


def _plan_humans(
    api: SetupApi, sim: SimulationSpec, ident: str, where: str
) -> tuple[list[Change], list[Drift]]:
    assert sim.managed is not None
    name = sim.name or ""
    existing = _by_name(
        api.simulation_humans(ident), lambda h: h.name, HUMAN, f"simulation {name!r}"
    )
    changes = [
        _plan_human(h, existing.get(h.name), name, where) for h in sim.managed.digital_humans
    ]
    wanted = {h.name for h in sim.managed.digital_humans}
    drift: list[Drift] = []
    for other, record in existing.items():
        if other in wanted:
            continue
        if sim.managed.prune:
            changes.append(Change(HUMAN, other, UNLINK, ident=record.id, parent=name))
        else:
            fix = "add it to digital_humans:, or set prune: true on that list to unlink it"
            drift.append(Drift(HUMAN, other, record.id, parent=name, fix=fix))
    return changes, drift


def _plan_human(human: HumanSpec, record: HumanRecord | None, parent: str, where: str) -> Change:
    if record is None:
        return Change(HUMAN, human.name, CREATE, payload=dict(human.fields), parent=parent)
    changed = changed_fields(record.stored, human.fields)
    frozen = [k for k in changed if k not in HUMAN_UPDATE_FIELDS]
    if frozen:
        raise SpecError(
            f"digital human {human.name!r} of simulation {parent!r} (id {record.id}) has a "
            f"different {frozen[0]} in Bluejay, and Bluejay's API cannot change it: change "
            f"it in the dashboard, or remove {frozen[0]} from the spec",
            file=where,
            line=human.field_lines.get(frozen[0], human.line),
            key=frozen[0],
        )
    if not changed:
        return Change(HUMAN, human.name, UNCHANGED, ident=record.id, parent=parent)
    payload = {k: human.fields[k] for k in changed}
    return Change(
        HUMAN, human.name, UPDATE, ident=record.id, changed=changed, payload=payload, parent=parent
    )


def _simulation_drift(spec: Spec, listed: Sequence[tuple[str, str | None]]) -> list[Drift]:
    ids = {_same_id(s.id) for s in spec.simulations if s.id is not None}
    names = {s.name for s in spec.simulations if s.name is not None}
    return [
        Drift(
            SIMULATION,
            name or f"simulation {ident}",
            ident,
            fix="add it to simulations: (by id or name), or leave it: the gate never "
            "deletes or unlinks a simulation",
        )
        for ident, name in listed
        if _same_id(ident) not in ids and name not in names
    ]


def _same_id(value: str) -> str:
    text = str(value).strip()
    return str(int(text)) if text.isascii() and text.isdigit() else text
