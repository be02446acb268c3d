"""Queueing a run and ending conversations: which custom metrics a simulation's run
scores, the conversations a queued run creates (one per digital human and repetition,
each with its timeline, planned status and score specs), and cancelling active ones.
Changes the store under its lock; renders nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from bluejay_gate.emulator.lifecycle import Conversation, Run
from bluejay_gate.emulator.scenario import ScoreSpec
from bluejay_gate.emulator.scoring import ConversationKey, MetricSpec
from bluejay_gate.emulator.store import (
    Behaviour,
    Conflict,
    NotFound,
    SimulationRecord,
    Store,
    links_agent,
)
from bluejay_gate.emulator.timeline import COMPLETED, INSUFFICIENT_FUNDS, Timeline

ACTIVE = frozenset({"QUEUED", "RUNNING", "INITIALIZING", "READY", "DISPATCHED"})


def scored_metric_ids(store: Store, sim: SimulationRecord) -> list[str]:
    """Ids of the custom metrics a run of ``sim`` queued now would score: the simulation's
    stored ``selected_custom_metrics`` (those that exist, in that order) when it selects
    any through the API; else the agent's metrics, limited to the scenario's ``metrics``."""
    with store.lock:
        selected = sim.fields.get("selected_custom_metrics")
        if selected:
            return [i for i in dict.fromkeys(selected) if i in store.metrics]
        wanted = sim.behaviour.metrics
        return [
            i
            for i, data in store.metrics.items()
            if links_agent(data, sim.agent_id) and (wanted is None or data["name"] in wanted)
        ]


def metric_specs(store: Store, scores: Callable[[dict[str, Any]], bool]) -> list[MetricSpec]:
    """The custom metrics ``scores`` picks, as snapshotted for one conversation or call."""
    return _specs(data for data in store.metrics.values() if scores(data))


def _specs(chosen: Iterable[dict[str, Any]]) -> list[MetricSpec]:
    specs = []
    for data in chosen:
        options = data.get("enum_options")
        specs.append(
            MetricSpec(
                name=data["name"],
                description=data.get("description") or "",
                response_type=str(data["response_type"]),
                min_value=data.get("min_value"),
                max_value=data.get("max_value"),
                enum_options=tuple(options) if options else None,
                allow_not_applicable=bool(data.get("allow_not_applicable")),
            )
        )
    return specs


def queue_run(
    store: Store, sim_id: int, digital_human_ids: list[int] | None, runs_per_dh: int | None
) -> Run:
    with store.lock:
        sim = store.simulation(sim_id)
        members = sim.digital_human_ids
        if digital_human_ids:
            unknown = [d for d in digital_human_ids if d not in members]
            if unknown:
                raise NotFound(
                    f"Digital humans {unknown} not found in simulation {sim_id} "
                    f"(its digital humans: {members})"
                )
            chosen = list(dict.fromkeys(digital_human_ids))
        else:
            chosen = list(members)
        if not chosen:
            raise Conflict(f"Simulation {sim_id} has no digital humans to run")
        reps = runs_per_dh or int(sim.fields.get("runs_per_digital_human") or 1)
        sim.runs += 1
        b = sim.behaviour
        timing = b.timing or store.timing
        quirks = b.quirks or store.quirks
        metrics = _specs(store.metrics[i] for i in scored_metric_ids(store, sim))
        now = store.clock()
        created = datetime.now(UTC)
        run = Run(
            id=store.new_id("run"),
            simulation_id=sim_id,
            agent_id=sim.agent_id,
            run_number=sim.runs,
            created=created,
            queued_at=now,
            outcome=b.run_outcome,
            conversations=[],
        )
        for dh_id in chosen:
            specs = _human_specs(b, dh_id, store.digital_humans[dh_id].get("name"))
            planned = b.result_statuses.get(dh_id, COMPLETED)
            if b.run_outcome == INSUFFICIENT_FUNDS:
                planned = INSUFFICIENT_FUNDS
            for rep in range(reps):
                key = ConversationKey(store.seed, sim_id, dh_id, sim.runs, rep)
                jitter = key.stream("jitter").uniform(-1.0, 1.0)
                conv = Conversation(
                    id=store.new_id("result"),
                    run_id=run.id,
                    digital_human_id=dh_id,
                    key=key,
                    queued_at=now,
                    created=created,
                    timeline=Timeline.build(timing, quirks, jitter),
                    planned=planned,
                    never_speaks=dh_id in b.never_speaks,
                    metrics=metrics,
                    specs=specs,
                    quirks=quirks,
                    speed=store.speed,
                    base_url=store.base_url,
                )
                run.conversations.append(conv)
                store.conversations[conv.id] = conv
        store.runs[run.id] = run
        return run


def _human_specs(b: Behaviour, dh_id: int, dh_name: str | None) -> dict[str, ScoreSpec]:
    """The simulation's score specs with the digital human's merged over them, key by key:
    first those for its name, then those for its id."""
    specs = {**b.scores}
    for override in (
        b.named_human_scores.get(dh_name or "", {}),
        b.digital_human_scores.get(dh_id, {}),
    ):
        for name, spec in override.items():
            base = specs.get(name)
            specs[name] = (
                base.model_copy(update=spec.model_dump(exclude_unset=True)) if base else spec
            )
    return specs


def end_conversations(store: Store, result_ids: list[int]) -> tuple[list[int], list[int]]:
    """Cancel the active ones; return (ended ids, failed ids: unknown or not active)."""
    ended: list[int] = []
    failed: list[int] = []
    with store.lock:
        now = store.clock()
        for rid in result_ids:
            conv = store.conversations.get(rid)
            if conv is None or conv.status(now) not in ACTIVE:
                failed.append(rid)
                continue
            conv.cancel(conv.elapsed(now))
            store.runs[conv.run_id].final_results = None
            ended.append(rid)
    return ended, failed
