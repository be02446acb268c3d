"""One gate run: spec -> agent -> runs -> verdict -> reports -> exit code.

I/O lives here and in the modules it calls (client, poll, report); the decision is
``evaluate`` (pure). Reports are written on every path that got as far as talking to
Bluejay, including timeouts, cancellation and unexpected errors.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bluejay_gate import __version__, events
from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import policy_from_env
from bluejay_gate.ci import github
from bluejay_gate.errors import EXIT_NO_VERDICT, EXIT_PASS, NoVerdictError, SpecError
from bluejay_gate.model import statuses
from bluejay_gate.model.metric_names import BUILTIN_BOOLEAN, BUILTIN_NUMBER, RUN_LEVEL
from bluejay_gate.options import GateOptions
from bluejay_gate.report import ReportWriteError, RunInfo, write_reports
from bluejay_gate.report.console import render_verdict_block
from bluejay_gate.report.summary import render_summary
from bluejay_gate.run.agent_sync import AgentPlan, apply_plan, plan_agent
from bluejay_gate.run.poll import Job, Poller, PollOutcome, Tracker, end_unfinished
from bluejay_gate.run.preflight import read_definitions, read_facts
from bluejay_gate.run.simulations import ResolvedSimulation, refuse_duplicates, resolve_simulations
from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.resolved import SimulationSpec, Spec
from bluejay_gate.verdict import definitions as preflight
from bluejay_gate.verdict.evaluate import SimulationInput, evaluate, evaluate_simulation
from bluejay_gate.verdict.model import Repeats, Verdict
from bluejay_gate.verdict.repeats import looks_for, repeat_summary, wants_more

_BUILTIN_NAMES = frozenset((*BUILTIN_BOOLEAN, *BUILTIN_NUMBER, *RUN_LEVEL))
# After a timeout or cancel, ending conversations gets this long of its own.
END_GRACE_SECONDS = 5.0
# After a cancel (the runner kills the job ~7.5 s after its first signal), less: clean-up
# and reports are done within 5 s of the signal.
CANCEL_GRACE_SECONDS = 3.0


@dataclass
class Runtime:
    """Everything the outside world gives a run; tests replace pieces."""

    out: TextIO
    emit: events.Emit = events.discard
    env: Mapping[str, str] = field(default_factory=dict)
    monotonic: Callable[[], float] = time.monotonic
    cancel: threading.Event = field(default_factory=threading.Event)
    color: bool = False
    client_factory: Callable[[GateOptions], BluejayClient] | None = None
    written: list[Path] = field(default_factory=list)
    # Called from the signal handler on the first SIGINT/SIGTERM (after ``cancel`` is set).
    on_cancel: list[Callable[[], None]] = field(default_factory=list)
    poll_interval: float | None = None  # overrides the spec's (the demo uses it)
    outputs_written: bool = False  # GitHub step outputs already written by this run


def _fmt_duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"


def make_client(opts: GateOptions, rt: Runtime) -> BluejayClient:
    if rt.client_factory is not None:
        return rt.client_factory(opts)

    def log(message: str) -> None:
        rt.emit(events.Info(message))

    retry = policy_from_env(rt.env)
    return BluejayClient(opts.api_key, opts.base_url, retry=retry, monotonic=rt.monotonic, log=log)


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
                needs_custom_metrics=any(c.metric not in _BUILTIN_NAMES for c in checks),
            )
        )
    return jobs


def _counts_trusted(t: Tracker) -> bool:
    """A run's counters (the run-level ``score``) mean something only once it settled
    normally: a timed-out or unfunded run's 0/N would be a false "no"."""
    status = statuses.normalise(t.run.status if t.run else None)
    return t.settled and t.error is None and status != "INSUFFICIENT_FUNDS"


def _tracker_errors(t: Tracker, outcome: PollOutcome) -> list[str]:
    if t.error:
        return [t.error]
    if t.run is not None and statuses.normalise(t.run.status) == "INSUFFICIENT_FUNDS":
        return [
            f"run {t.run_id} ended INSUFFICIENT_FUNDS: add credits to the Bluejay "
            "organisation, then run the gate again"
        ]
    if t.settled:
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
        results = tuple(r for t in trackers for r in t.results.values())
        notes = [note for t in trackers for note in _tracker_notes(t)]
        inputs.append(
            SimulationInput(
                label=sim.label,
                simulation_id=sim.simulation_id,
                checks=spec.checks_for(sim_spec),
                runs=tuple(t.run for t in trackers if t.run is not None and _counts_trusted(t)),
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
    spec: Spec, sims: Sequence[ResolvedSimulation], outcome: PollOutcome
) -> list[tuple[Job, str]]:
    """Early stopping: one more conversation per digital human for each simulation that
    has looks left and an inconclusive error-severity check (``repeats.wants_more``),
    with a line saying why."""
    inputs = build_inputs(spec, sims, outcome)
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


def _info(  # noqa: PLR0917 - private helper, called in two places
    opts: GateOptions,
    started: datetime,
    plan: AgentPlan | None,
    agent_name: str,
    run_ids: Sequence[str] = (),
    check_lines: Mapping[str, int] | None = None,
) -> RunInfo:
    action = None
    if plan is not None:
        past = {"create": "created", "update": "updated", "unchanged": "unchanged"}
        future = {"create": "would create", "update": "would update", "unchanged": "unchanged"}
        action = (future if opts.dry_run else past)[plan.action]
    return RunInfo(
        spec_path=str(opts.spec_path),
        version=__version__,
        base_url=opts.base_url,
        agent_id=plan.agent_id if plan else None,
        agent_name=agent_name,
        agent_action=action,
        changed_fields=plan.changed if plan else (),
        run_ids=tuple(run_ids),
        started_at=started,
        finished_at=datetime.now(UTC),
        dry_run=opts.dry_run,
        check_lines=dict(check_lines or {}),
    )


@contextlib.contextmanager
def _collector_skips_what_is_kept() -> Iterator[None]:
    """Everything alive now (the verdict, every result read) lives to the end of the run:
    freeze it, so the cyclic collector does not walk a big run's million objects again
    and again while the reports are rendered (a second or so after the final poll)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _finish(opts: GateOptions, rt: Runtime, verdict: Verdict, info: RunInfo) -> int:
    """Write the reports and print the verdict; the exit code (3 when a report could not
    be written: CI must not pass on a verdict nobody can read)."""
    code = verdict.exit_code
    try:
        with _collector_skips_what_is_kept():
            rt.written = write_reports(
                verdict, info, junit=opts.junit, report=opts.report, summary=opts.summary
            )
    except ReportWriteError as exc:
        rt.written = list(exc.written)
        rt.out.write(f"error: {exc}\n")
        code = EXIT_NO_VERDICT
    groups = github.in_actions(rt.env)
    rt.out.write(
        render_verdict_block(verdict, info, color=rt.color, written=rt.written, groups=groups)
    )
    if github.in_actions(rt.env):
        _finish_github(opts, rt, verdict, info, code)
    rt.out.flush()
    rt.outputs_written = True
    return code


def _finish_github(
    opts: GateOptions, rt: Runtime, verdict: Verdict, info: RunInfo, code: int
) -> None:
    spec_file = github.spec_path_for_annotations(str(opts.spec_path), rt.env)
    for line in github.error_annotations(verdict, spec_file):
        rt.out.write(line + "\n")
    if summary_path := rt.env.get("GITHUB_STEP_SUMMARY"):
        room = github.summary_room(summary_path)
        github.append_step_summary(summary_path, render_summary(verdict, info, max_bytes=room))
    if output_path := rt.env.get("GITHUB_OUTPUT"):
        github.write_outputs(
            output_path,
            github.outputs_for(
                exit_code=code,
                agent_id=info.agent_id,
                run_ids=info.run_ids,
                junit=opts.junit,
                report=opts.report,
            ),
        )


def _preflight(
    client: BluejayClient,
    spec: Spec,
    plan: AgentPlan,
    sims: Sequence[ResolvedSimulation],
    rt: Runtime,
) -> list[preflight.SimulationCost]:
    """Check every threshold against Bluejay's definitions before paying (``preflight``);
    a threshold that cannot be judged is a ``SpecError`` (exit 2). Returns the cost plan."""

    def warn(message: str) -> None:
        rt.emit(events.Warning(message))

    definitions = read_definitions(client, spec, plan.agent_id, warn)
    facts = read_facts(client, spec, sims, warn)
    problems = preflight.check(spec, definitions, facts)
    if problems:
        first = problems[0]
        for problem in problems[1:]:  # each in full; the error line ends with the first
            rt.emit(events.Info(preflight.located(problem, str(spec.path))))
        raise SpecError(
            preflight.summary(problems),
            file=str(spec.path),
            line=first.line,
            key=first.metric,
        )
    return preflight.plan_costs(spec, facts)


def _print_plan(
    rt: Runtime,
    spec: Spec,
    plan: AgentPlan,
    sims: Sequence[ResolvedSimulation],
    costs: Sequence[preflight.SimulationCost] = (),
) -> None:
    lines = [
        "Dry run: nothing was changed or queued.",
        plan.describe(name=spec.agent.name, done=False),
    ]
    cost_of = dict(enumerate(costs))
    for index, (sim_spec, sim) in enumerate(zip(spec.simulations, sims, strict=True)):
        subset = (
            f", digital humans {', '.join(sim_spec.digital_human_ids)}"
            if sim_spec.digital_human_ids
            else ""
        )
        checks = spec.checks_for(sim_spec)
        repeats = ""
        if sim_spec.repeat > 1 or sim_spec.max_repeats is not None:
            repeats = f", {sim_spec.repeat} per digital human"
            if sim_spec.max_repeats is not None and sim_spec.max_repeats > sim_spec.repeat:
                repeats += f" (up to {sim_spec.max_repeats} while inconclusive)"
        cost = f": {cost_of[index].describe()}" if index in cost_of else ""
        lines.append(
            f"would queue: {sim.label} (simulation {sim.simulation_id}{subset}){repeats}, "
            f"{len(checks)} check{'s' if len(checks) != 1 else ''}{cost}"
        )
    if costs:
        lines.append(f"in total: {preflight.describe_total(costs)}")
    rt.out.write("\n".join(lines) + "\n")
    rt.out.flush()


def run_gate(opts: GateOptions, rt: Runtime) -> int:
    """Run the gate once. Raises SpecError (exit 2) before any request; every other
    problem ends as a Verdict with reports written and an exit code returned."""
    started = datetime.now(UTC)
    spec = load_spec(opts.spec_path, rt.env)
    timeout = opts.timeout if opts.timeout is not None else spec.run.timeout
    deadline = rt.monotonic() + timeout
    check_lines = {
        c.label: c.line for s in spec.simulations for c in spec.checks_for(s) if c.line is not None
    }
    plan: AgentPlan | None = None
    with make_client(opts, rt) as client:
        client.deadline = deadline
        try:
            client.ping()
            plan = plan_agent(client, spec.agent)
            # Resolved and checked before the agent is changed or anything is queued.
            sims = resolve_simulations(client, plan.agent_id, spec.simulations, str(opts.spec_path))
            refuse_duplicates(spec.simulations, sims, str(opts.spec_path))
            costs = _preflight(client, spec, plan, sims, rt)
            if opts.dry_run:
                _print_plan(rt, spec, plan, sims, costs)
                return EXIT_PASS
            plan = apply_plan(client, spec.agent, plan)
            rt.emit(events.Info(plan.describe(name=spec.agent.name, done=True)))
        except NoVerdictError as exc:
            if opts.dry_run:
                rt.out.write(f"error: {exc}\n")
                return EXIT_NO_VERDICT
            verdict = Verdict((), errors=(str(exc),))
            return _finish(opts, rt, verdict, _info(opts, started, plan, spec.agent.name))

        rt.on_cancel.append(lambda: setattr(client, "deadline", rt.monotonic()))
        rt.on_cancel.append(client.interrupt)  # wakes retry waits; hung requests are left
        gate_errors: list[str] = []
        pollers: list[Poller] = []

        def poll(jobs: Sequence[Job]) -> PollOutcome:
            poller = Poller(
                client,
                jobs,
                poll_interval=rt.poll_interval or spec.run.poll_interval,
                max_parallel=spec.run.max_parallel,
                deadline=deadline,
                emit=rt.emit,
                monotonic=rt.monotonic,
                wait=rt.cancel.wait,
            )
            pollers.append(poller)
            try:
                return poller.run()
            except NoVerdictError as exc:
                gate_errors.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - reports must still be written
                gate_errors.append(f"internal error while polling ({type(exc).__name__}): {exc}")
            return PollOutcome(poller.trackers, poller.unqueued)

        def merged(last: PollOutcome) -> PollOutcome:
            """Every round's runs (the last round's ending)."""
            return PollOutcome(
                [t for p in pollers for t in p.trackers],
                [u for p in pollers for u in p.unqueued],
                timed_out=last.timed_out,
                cancelled=last.cancelled,
            )

        # From here on runs are queued (paid): whatever happens, every run's unfinished
        # conversations are ended and every queued run is in the reports.
        outcome = PollOutcome([], [])
        try:
            outcome = merged(poll(build_jobs(spec, sims)))
            while not (outcome.timed_out or outcome.cancelled or gate_errors):
                more = next_round(spec, sims, outcome)
                if not more:
                    break
                for _, why in more:
                    rt.emit(events.Info(why))
                later = poll([job for job, _ in more])
                outcome = merged(later)
        except Exception as exc:  # noqa: BLE001 - reports must still be written
            gate_errors.append(
                f"internal error after queueing ({type(exc).__name__}): {exc}; "
                "please report it with the spec you ran"
            )
        outcome = merged(outcome)
        if outcome.timed_out:
            gate_errors.append(
                f"timed out after {_fmt_duration(timeout)} before every conversation was "
                "scored: raise run.timeout in the spec or --timeout"
            )
        elif outcome.cancelled:
            gate_errors.append("cancelled before every conversation was scored")
        if gate_errors or any(t.error is not None or not t.settled for t in outcome.trackers):
            grace = CANCEL_GRACE_SECONDS if rt.cancel.is_set() else END_GRACE_SECONDS
            client.deadline = rt.monotonic() + grace
            outcome.ended = end_unfinished(client, outcome.trackers, rt.emit)
        try:
            verdict = evaluate(
                build_inputs(spec, sims, outcome),
                allow_incomplete=spec.run.allow_incomplete,
                gate_errors=gate_errors,
            )
        except Exception as exc:  # noqa: BLE001 - reports must still be written
            verdict = Verdict(
                (),
                errors=(
                    *gate_errors,
                    f"internal error while judging the results ({type(exc).__name__}): "
                    f"{exc}; please report it with the spec you ran",
                ),
            )
        run_ids = [t.run_id for t in outcome.trackers]
        info = _info(opts, started, plan, spec.agent.name, run_ids, check_lines)
        return _finish(opts, rt, verdict, info)
