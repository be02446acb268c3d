"""A validated ``SpecModel`` -> the frozen ``Spec``, plus the checks across sections.

Owns what no single key can say (call sets are ``call_sets``'s, what the spec keeps in
Bluejay ``managed``'s): a simulation listed twice (ids compare as Bluejay's integers),
``repeat`` with ``runs_per_digital_human``, ``max_repeats`` below ``repeat`` or with no
``confidence`` check to stop on, and a simulation with nothing to check. Problems go to
the caller's list with their lines. Pure but for the golden-call files ``call_sets`` reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bluejay_gate.spec.call_sets import build_call_sets, check_call_sets
from bluejay_gate.spec.checks import build_checks
from bluejay_gate.spec.managed import build_managed, build_metrics
from bluejay_gate.spec.messages import Problem
from bluejay_gate.spec.resolved import AgentSpec, RunSettings, SimulationSpec, Spec
from bluejay_gate.spec.simulation_model import QUEUE_OPTION_FIELDS
from bluejay_gate.spec.spec_model import SpecModel
from bluejay_gate.spec.yamlpos import Located
from bluejay_gate.spec.yamlpos import Path as KeyPath

_AGENT_NOT_SENT = frozenset({"external_id", "id"})
_QUEUE = frozenset(QUEUE_OPTION_FIELDS)


def build_spec(
    model: SpecModel, located: Located, spec_path: Path, problems: list[Problem]
) -> Spec:
    """The ``Spec`` of ``model``; cross-section problems are added to ``problems``."""
    agent_data = model.agent.model_dump(exclude_unset=True)
    agent = AgentSpec(
        external_id=_as_str(model.agent.external_id),
        id=_as_str(model.agent.id),
        name=model.agent.name,
        fields={k: v for k, v in agent_data.items() if k not in _AGENT_NOT_SENT},
        line=located.line_of(("agent",)),
        field_lines={k: located.line_of(("agent", k)) for k in agent_data},
    )
    run = RunSettings(
        timeout=float(model.run.timeout),
        poll_interval=float(model.run.poll_interval),
        wait=model.run.wait,
        webhook_poll_interval=float(model.run.webhook_poll_interval),
        max_parallel=model.run.max_parallel,
        allow_incomplete=float(model.run.allow_incomplete),
        repeat=model.run.repeat,
        max_repeats=model.run.max_repeats,
        confidence=None if model.run.confidence is None else float(model.run.confidence),
        stop_when_decided=model.run.stop_when_decided,
        max_conversations=model.run.max_conversations,
        max_conversations_line=located.line_of(("run", "max_conversations"))
        if model.run.max_conversations is not None
        else None,
    )
    level = run.confidence
    global_checks = build_checks(model.thresholds, ("thresholds",), located, problems, level)
    sims: list[SimulationSpec] = []
    seen: dict[tuple[str, str], tuple[int, str]] = {}
    for index, sim_model in enumerate(model.simulations):
        path: KeyPath = ("simulations", index)
        line = located.line_of(path)
        sim_id = _as_str(sim_model.id)
        # Ids compare as Bluejay's integers: 4821 and "04821" are one simulation.
        identity = (
            ("id", _same_id(sim_id)) if sim_id is not None else ("name", sim_model.name or "")
        )
        spelled = f"{sim_model.id!r}" if sim_id is not None else f"{sim_model.name!r}"
        if identity in seen:
            first_line, first_spelled = seen[identity]
            what = (
                f"simulation id {_same_id(sim_id)}"
                if sim_id is not None
                else f"simulation name {sim_model.name!r}"
            )
            problems.append(
                Problem(
                    line,
                    1,
                    path,
                    f"{what} is listed twice: line {first_line} ({first_spelled}) and line "
                    f"{line} ({spelled}) would queue the same simulation twice; remove one "
                    "(use repeat to run it more often)",
                )
            )
        seen.setdefault(identity, (line, spelled))
        options = {k: v for k, v in sim_model.model_dump(exclude_unset=True).items() if k in _QUEUE}
        dh = sim_model.digital_human_ids
        sim = SimulationSpec(
            id=sim_id,
            name=sim_model.name,
            digital_human_ids=None if dh is None else tuple(str(d) for d in dh),
            thresholds=build_checks(
                sim_model.thresholds, (*path, "thresholds"), located, problems, level
            ),
            queue_options=options,
            line=line,
            repeat=sim_model.repeat or run.repeat,
            max_repeats=sim_model.max_repeats or run.max_repeats,
            managed=build_managed(sim_model, path, located, problems),
        )
        sims.append(sim)
    call_sets = build_call_sets(model, located, spec_path, problems, level)
    metrics, prune_metrics = build_metrics(model.custom_metrics, located, problems)
    spec = Spec(
        path=spec_path,
        agent=agent,
        run=run,
        simulations=tuple(sims),
        thresholds=global_checks,
        calls=call_sets,
        custom_metrics=metrics,
        prune_metrics=prune_metrics,
    )
    if not sims and not call_sets and not problems:
        problems.append(
            Problem(
                1,
                2,
                (),
                "missing required key `simulations`: add a `simulations:` list with at "
                "least one `- id:` or `- name:` (or a `calls:` list of golden calls)",
            )
        )
    if problems:  # a dropped bad check must not also read as "nothing to check"
        return spec
    check_call_sets(spec, problems)
    for index, (sim, sim_model) in enumerate(zip(spec.simulations, model.simulations, strict=True)):
        _check_repeats(spec, sim, sim_model, ("simulations", index), located, problems)
    problems.extend(
        Problem(
            sim.line,
            1,
            ("simulations", index),
            f"{sim.label} has nothing to check: add `thresholds:` at the top level or under "
            "the simulation — a gate with no checks would pass without looking",
        )
        for index, sim in enumerate(spec.simulations)
        if not spec.checks_for(sim)
    )
    return spec


def _check_repeats(  # noqa: PLR0917 - private helper, one call
    spec: Spec,
    sim: SimulationSpec,
    sim_model: Any,
    path: KeyPath,
    located: Located,
    problems: list[Problem],
) -> None:
    """repeat vs runs_per_digital_human, max_repeats vs repeat, and early stopping that
    has nothing to stop on."""
    if "runs_per_digital_human" in sim.queue_options and sim.repeat > 1:
        where = (*path, "repeat") if sim_model.repeat else ("run", "repeat")
        problems.append(
            Problem(
                located.line_of(where),
                1,
                where,
                f"{sim.label} sets runs_per_digital_human and repeat > 1: both ask for "
                "conversations per digital human; keep only `repeat`",
            )
        )
        return
    if sim.max_repeats is None:
        return
    where = (*path, "max_repeats") if sim_model.max_repeats else ("run", "max_repeats")
    if sim.max_repeats < sim.repeat:
        problems.append(
            Problem(
                located.line_of(where),
                1,
                where,
                f"max_repeats {sim.max_repeats} is less than repeat {sim.repeat} for "
                f"{sim.label}: max_repeats is the most conversations per digital human, "
                "so raise it to at least repeat (or remove it)",
            )
        )
    elif sim.max_repeats > sim.repeat and not any(
        c.confidence is not None for c in spec.checks_for(sim)
    ):
        problems.append(
            Problem(
                located.line_of(where),
                1,
                where,
                f"max_repeats stops early only on checks with `confidence`, and no check of "
                f"{sim.label} has one: add `confidence: 0.95` under run: (or to a check), "
                "or remove max_repeats",
            )
        )


def _same_id(value: str) -> str:
    text = value.strip()
    return str(int(text)) if text.isascii() and text.isdigit() else text


def _as_str(value: int | str | None) -> str | None:
    return None if value is None else str(value)
