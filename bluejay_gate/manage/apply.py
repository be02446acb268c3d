"""Carrying a setup plan out, in order: custom metrics (so their ids exist), then each
managed simulation (its ``selected_custom_metrics`` names turned into those ids) and its
digital humans. Only what the plan says differs is written; each write is reported as
it is done, so a failure half-way tells exactly what was written before it. Creates are
once-only in the client (looked up before they are sent again)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bluejay_gate.errors import UsageError
from bluejay_gate.manage.api import SetupApi
from bluejay_gate.manage.plan import CREATE, UNCHANGED, UNLINK, UPDATE, Change, SetupPlan
from bluejay_gate.manage.planning import HUMAN, METRIC, SELECTED, SIMULATION, Planned


def apply_setup(
    api: SetupApi, planned: Planned, agent_id: str, report: Callable[[str], None]
) -> SetupPlan:
    """Write ``planned`` for the agent ``agent_id``; returns the plan with every created
    record's id. ``report`` gets one line per write."""
    metric_ids = dict(planned.metric_ids)
    simulation_ids: dict[str, str] = {}
    done: list[Change] = []
    for change in planned.plan.changes:
        ident = change.ident
        if change.action != UNCHANGED:
            ident = _write(api, change, agent_id, metric_ids, simulation_ids)
            report(change.done(ident).describe(done=True))
        if change.kind == METRIC and ident is not None:
            metric_ids[change.name] = ident
        if change.kind == SIMULATION and ident is not None:
            simulation_ids[change.name] = ident
        done.append(change.done(ident))
    return SetupPlan(tuple(done), planned.plan.drift)


def _write(
    api: SetupApi,
    change: Change,
    agent_id: str,
    metric_ids: Mapping[str, str],
    simulation_ids: Mapping[str, str],
) -> str | None:
    if change.kind == METRIC:
        if change.action == CREATE:
            return api.create_metric(agent_id, change.payload).id
        api.update_metric(_ident(change), change.payload)  # update, or unlink (agent_ids)
        return change.ident
    if change.kind == SIMULATION:
        payload = _with_metric_ids(change.payload, metric_ids)
        if change.action == CREATE:
            ident = api.create_simulation(agent_id, change.name, payload)
            if change.later:
                api.update_simulation(ident, _with_metric_ids(change.later, metric_ids))
            return ident
        api.update_simulation(_ident(change), payload)
        return change.ident
    assert change.kind == HUMAN
    assert change.parent is not None
    simulation = simulation_ids[change.parent]
    if change.action == CREATE:
        return api.create_human(simulation, change.payload)
    if change.action == UPDATE:
        api.update_human(_ident(change), change.payload)
    elif change.action == UNLINK:
        api.remove_humans(simulation, [_ident(change)])
    return change.ident


def _ident(change: Change) -> str:
    assert change.ident is not None, change
    return change.ident


def _with_metric_ids(payload: Mapping[str, Any], metric_ids: Mapping[str, str]) -> dict[str, Any]:
    """``selected_custom_metrics`` as the metric ids Bluejay expects (names in the spec)."""
    out = dict(payload)
    if SELECTED in out and out[SELECTED] is not None:
        out[SELECTED] = [metric_ids[str(name)] for name in out[SELECTED]]
    return out


def refuse_unsynced_setup(plan: SetupPlan) -> None:
    """``--no-sync``: the setup must already be as the spec says (``bluejay-gate sync``
    ran first); nothing is sent."""
    writes = plan.writes
    if not writes:
        return
    first = writes[0].describe(done=False)
    more = f" (and {len(writes) - 1} more)" if len(writes) > 1 else ""
    raise UsageError(
        f"--no-sync: the Bluejay setup differs from the spec: {first}{more}: run "
        "`bluejay-gate sync` first (one job before the shards), or drop --no-sync"
    )
