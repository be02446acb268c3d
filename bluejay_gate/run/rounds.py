"""The rounds of a run: which jobs to queue from the spec (``build_jobs``), what the
evaluator is given once polling stops (``build_inputs``: the run's wire state turned into
the gate's own ``RunSummary`` and ``ReadResult``s, with every reason a run could not
finish), and early stopping's next round (``next_round``). Pure: sends nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from bluejay_gate.bluejay.models import RunStatus
from bluejay_gate.model import statuses
from bluejay_gate.model.metric_names import NOT_CUSTOM
from bluejay_gate.model.results import RunSummary
from bluejay_gate.run.scored import scored_results, unscored
from bluejay_gate.run.simulations import ResolvedSimulation
from bluejay_gate.run.tracking import Job, PollOutcome, Tracker
from bluejay_gate.spec.resolved import SimulationSpec, Spec
from bluejay_gate.verdict.decided import SimulationState
from bluejay_gate.verdict.evaluate import evaluate_simulation
from bluejay_gate.verdict.inputs import SimulationInput
from bluejay_gate.verdict.model import Repeats
from bluejay_gate.verdict.repeats import (
    digital_humans_of,
    looks_for,
    repeat_summary,
    wants_more,
)


def run_summary(run: RunStatus) -> RunSummary:
    """What the verdict reads of a run's wire state."""
    return RunSummary(
        id=run.id, status=run.status, total_tests=run.total_tests, tests_passed=run.tests_passed
    )


def build_jobs(spec: Spec, sims: Sequence[ResolvedSimulation]) -> list[Job]:
    jobs = []
    for index, (sim_spec, sim) in enumerate(zip(spec.simulations, sims, strict=True)):
        checks = spec.checks_for(sim_spec)
        options = dict(sim_spec.queue_options)
        per_dh = options.pop("runs_per_digital_human", None)
        if sim_spec.repeat > 1:  # the spec refuses both at once
            per_dh = sim_spec.repeat
        elif per_dh is None and sim_spec.max_repeats is not None:
            # Sent even at 1: left out, Bluejay falls back to the simulation's own setting,
            # and early stopping would plan its looks on a count it did not choose.
            per_dh = 1
        jobs.append(
            Job(
                sim_index=index,
                label=sim.label,
                simulation_id=sim.simulation_id,
                digital_human_ids=sim_spec.digital_human_ids,
                runs_per_digital_human=per_dh,
                queue_options=options,
                needs_custom_metrics=any(c.metric not in NOT_CUSTOM for c in checks),
            )
        )
    return jobs


def _counts_trusted(t: Tracker) -> bool:
    """A run's counters (the run-level ``score``) mean something only once it settled
    normally: a timed-out or unfunded run's 0/N would be a false "no"."""
    status = statuses.normalise(t.run.status if t.run else None)
    return t.settled and t.error is None and status != "INSUFFICIENT_FUNDS"


def _stopped_early(t: Tracker, outcome: PollOutcome) -> bool:
    """A run still going when the verdict was decided (``run.stop_when_decided``)."""
    return outcome.decided and not t.settled and t.error is None


def _uncounted(run: RunStatus) -> RunSummary:
    """A run stopped early: in the reports, but its counters (a partial 3/10) never judged."""
    return RunSummary(id=run.id, status=run.status)


def _tracker_errors(t: Tracker, outcome: PollOutcome) -> list[str]:
    if t.error:
        return [t.error]
    if t.run is not None and statuses.normalise(t.run.status) == "INSUFFICIENT_FUNDS":
        return [
            f"run {t.run_id} ended INSUFFICIENT_FUNDS: add credits to the Bluejay "
            "organisation, then run the gate again"
        ]
    if t.settled or outcome.decided:
        return []
    if outcome.timed_out or outcome.cancelled:
        reason = "timed out" if outcome.timed_out else "cancelled"
        return [f"{reason} with run {t.run_id} at {t.final_count}/{t.total} conversations final"]
    return [
        f"stopped polling run {t.run_id} at {t.final_count}/{t.total} conversations final "
        "after an error (see the gate errors)"
    ]


def _tracker_notes(t: Tracker) -> list[str]:
    notes = list(t.notes)
    if t.ignored:
        count = len(t.ignored)
        ids = list(t.ignored)
        shown = ", ".join(ids[:10]) + (f" and {count - 10} more" if count > 10 else "")
        noun = "result that is" if count == 1 else "results that are"
        notes.append(
            f"ignored {count} {noun} not among run {t.run_id}'s queued conversations: {shown}"
        )
    return notes


def _unseen(t: Tracker) -> int:
    """Conversations a finished run counts (``total_tests``) that no answer returned."""
    if not _counts_trusted(t) or t.run is None or t.run.total_tests is None:
        return 0
    return max(0, t.run.total_tests - len(t.results))


def build_inputs(
    spec: Spec, sims: Sequence[ResolvedSimulation], outcome: PollOutcome
) -> list[SimulationInput]:
    inputs = []
    for index, (sim_spec, sim) in enumerate(zip(spec.simulations, sims, strict=True)):
        trackers = [t for t in outcome.trackers if t.job.sim_index == index]
        errors = [reason for job, reason in outcome.unqueued if job.sim_index == index]
        for t in trackers:
            errors += _tracker_errors(t, outcome)
            errors += t.duplicates.values()  # one answer listed a result twice, differently
        results = tuple(
            r
            for t in trackers
            for r in (
                scored_results(t) if outcome.decided and not t.settled else t.results.values()
            )
        )
        notes = [note for t in trackers for note in _tracker_notes(t)]
        inputs.append(
            SimulationInput(
                label=sim.label,
                simulation_id=sim.simulation_id,
                checks=spec.checks_for(sim_spec),
                runs=tuple(
                    run_summary(t.run) if _counts_trusted(t) else _uncounted(t.run)
                    for t in trackers
                    if t.run is not None and (_counts_trusted(t) or _stopped_early(t, outcome))
                ),
                results=results,
                result_runs={rid: t.run_id for t in trackers for rid in t.results},
                errors=tuple(errors),
                looks=looks_for(sim_spec.repeat, sim_spec.max_repeats),
                repeats=_repeats(sim_spec, trackers),
                notes=tuple(notes),
                unseen={t.run_id: n for t in trackers if (n := _unseen(t)) > 0},
            )
        )
    return inputs


def decision_states(
    spec: Spec,
    sims: Sequence[ResolvedSimulation],
    outcome: PollOutcome,
    pending: Sequence[Job],
) -> list[SimulationState]:
    """Stop when decided: every simulation as far as it scored, and how many of its
    conversations may still score (``None`` while a run of it is not queued yet or cannot
    be counted)."""
    inputs = build_inputs(spec, sims, dataclasses.replace(outcome, decided=True))
    states = []
    for index, sim in enumerate(inputs):
        mine = [t for t in outcome.trackers if t.job.sim_index == index]
        counts = [unscored(t) for t in mine]
        waiting = any(job.sim_index == index for job in pending)
        known = [c for c in counts if c is not None]
        remaining = None if waiting or not mine or len(known) < len(counts) else sum(known)
        states.append(SimulationState(sim, remaining))
    return states


def _repeats_done(trackers: Sequence[Tracker]) -> int:
    return sum(t.job.runs_per_digital_human or 1 for t in trackers)


def _repeats(sim_spec: SimulationSpec, trackers: Sequence[Tracker]) -> Repeats | None:
    if sim_spec.repeat <= 1 and sim_spec.max_repeats is None:
        return None
    ids = {rid for t in trackers for rid in t.expected_results} | {
        rid for t in trackers for rid in t.results
    }
    humans = {str(r.digital_human_id) for t in trackers for r in t.results.values()}
    humans.discard("None")
    first = len(trackers[0].expected_results) // sim_spec.repeat if trackers else 0
    return repeat_summary(
        repeat_done=_repeats_done(trackers),
        repeat=sim_spec.repeat,
        max_repeats=sim_spec.max_repeats,
        digital_humans=len(humans) or first,
        conversations=len(ids),
    )


def next_round(
    spec: Spec,
    sims: Sequence[ResolvedSimulation],
    outcome: PollOutcome,
    *,
    prepare: Callable[[list[SimulationInput]], list[SimulationInput]] | None = None,
) -> list[tuple[Job, str]]:
    """Early stopping: one more conversation per digital human for each simulation that
    has looks left and an inconclusive error-severity check (``repeats.wants_more``),
    with a line saying why. ``prepare`` completes the inputs as the final verdict will
    see them (the baseline, for delta checks)."""
    inputs = build_inputs(spec, sims, outcome)
    if prepare is not None:
        inputs = prepare(inputs)
    jobs = build_jobs(spec, sims)
    more = []
    for index, sim_spec in enumerate(spec.simulations):
        trackers = [t for t in outcome.trackers if t.job.sim_index == index]
        if sim_spec.max_repeats is None or not trackers:
            continue
        if _repeats_done(trackers) >= sim_spec.max_repeats:
            continue
        verdict = evaluate_simulation(inputs[index], allow_incomplete=spec.run.allow_incomplete)
        if wants_more(verdict):
            done = _repeats_done(trackers)
            unsettled = ", ".join(c.check.label for c in verdict.checks if c.inconclusive)
            why = (
                f"{jobs[index].label}: inconclusive after {done} per digital human "
                f"({unsettled}); queueing repeat {done + 1} of at most {sim_spec.max_repeats}"
            )
            more.append((dataclasses.replace(jobs[index], runs_per_digital_human=1), why))
    return more


def within_budget(
    budget: int | None, outcome: PollOutcome, more: Sequence[tuple[Job, str]]
) -> tuple[list[tuple[Job, str]], list[str]]:
    """``run.max_conversations`` while the gate runs: the next rounds that fit, counted
    from what Bluejay actually queued so far (the plan was checked before paying; this
    holds the budget should Bluejay have queued more than the plan counted), and why the
    others were not queued."""
    if budget is None:
        return list(more), []
    queued = sum(len(t.expected_results) for t in outcome.trackers)
    kept: list[tuple[Job, str]] = []
    refused: list[str] = []
    for job, why in more:
        first = next(t for t in outcome.trackers if t.job.sim_index == job.sim_index)
        size = digital_humans_of(first.expected_results, first.job.runs_per_digital_human or 1)
        if queued + size > budget:
            refused.append(
                f"{job.label}: another round of {size} conversations would take the gate past "
                f"run.max_conversations {budget} ({queued} queued so far): not queued"
            )
            continue
        queued += size
        kept.append((job, why))
    return kept, refused
