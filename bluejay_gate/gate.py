"""One gate run: spec -> agent -> runs -> verdict -> reports -> exit code.

The core that joins the stages: ``spec`` loads, ``run`` talks to Bluejay (agent sync,
the checks before paying, the rounds queued and polled, ending what still runs),
``verdict`` decides (pure), ``finish`` writes the reports and prints. Reports are written
on every path that got as far as talking to Bluejay, including timeouts, cancellation
and unexpected errors.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bluejay_gate import events
from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import policy_from_env
from bluejay_gate.ci.hooks import comment_on_request, with_github_baseline
from bluejay_gate.errors import EXIT_NO_VERDICT, EXIT_PASS, NoVerdictError
from bluejay_gate.finish import finish, print_plan, run_info
from bluejay_gate.model.durations import format_duration
from bluejay_gate.options import GateOptions
from bluejay_gate.report import RunInfo
from bluejay_gate.run.agent_sync import AgentPlan, apply_plan, plan_agent
from bluejay_gate.run.ending import end_unfinished
from bluejay_gate.run.poll import Poller
from bluejay_gate.run.preflight import check_before_paying
from bluejay_gate.run.rounds import build_inputs, build_jobs, next_round
from bluejay_gate.run.simulations import refuse_duplicates, resolve_simulations
from bluejay_gate.run.tracking import Job, PollOutcome
from bluejay_gate.spec.load import load_spec
from bluejay_gate.verdict.evaluate import evaluate
from bluejay_gate.verdict.model import Verdict

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


def make_client(opts: GateOptions, rt: Runtime) -> BluejayClient:
    if rt.client_factory is not None:
        return rt.client_factory(opts)

    def log(message: str) -> None:
        rt.emit(events.Info(message))

    retry = policy_from_env(rt.env)
    return BluejayClient(opts.api_key, opts.base_url, retry=retry, monotonic=rt.monotonic, log=log)


def _finish(opts: GateOptions, rt: Runtime, verdict: Verdict, info: RunInfo) -> int:
    """``finish`` with this run's outside world; notes what it wrote."""
    code, rt.written = finish(opts, verdict, info, out=rt.out, env=rt.env, color=rt.color)
    rt.outputs_written = True
    comment_on_request(opts, verdict, info, env=rt.env, out=rt.out, cancelled=rt.cancel.is_set())
    return code


def run_gate(opts: GateOptions, rt: Runtime) -> int:
    """Run the gate once. Raises SpecError (exit 2) before any request; every other
    problem ends as a Verdict with reports written and an exit code returned."""
    started = datetime.now(UTC)
    spec = load_spec(opts.spec_path, rt.env)
    # Before anything is sent to Bluejay; nothing queued depends on it, nothing stops on it.
    opts = with_github_baseline(opts, rt.env, rt.emit, cancel=rt.cancel)
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
            costs = check_before_paying(client, spec, plan.agent_id, sims, rt.emit)
            if opts.dry_run:
                print_plan(rt.out, spec, plan, sims, costs)
                return EXIT_PASS
            plan = apply_plan(client, spec.agent, plan)
            rt.emit(events.Info(plan.describe(name=spec.agent.name, done=True)))
        except NoVerdictError as exc:
            if opts.dry_run:
                rt.out.write(f"error: {exc}\n")
                return EXIT_NO_VERDICT
            verdict = Verdict((), errors=(str(exc),))
            return _finish(opts, rt, verdict, run_info(opts, started, plan, spec.agent.name))

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
                f"timed out after {format_duration(timeout)} before every conversation was "
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
        info = run_info(opts, started, plan, spec.agent.name, run_ids, check_lines)
        return _finish(opts, rt, verdict, info)
