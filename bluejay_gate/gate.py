"""One gate run: spec -> agent -> runs -> verdict -> reports -> exit code.

The core that joins the stages: ``spec`` loads, ``run`` talks to Bluejay (agent sync,
the checks before paying, the rounds queued and polled, ending what still runs),
``verdict`` decides (pure), ``finish`` writes the reports and prints. Reports are written
on every path that got as far as talking to Bluejay, including timeouts, cancellation
and unexpected errors.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bluejay_gate import events
from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import policy_from_env
from bluejay_gate.ci.hooks import comment_on_request, github_baseline
from bluejay_gate.earlier.baseline import (
    Baseline,
    BaselineSkipped,
    attach,
    describe_baseline,
    load_baseline,
)
from bluejay_gate.earlier.document import load_earlier
from bluejay_gate.earlier.identity import (
    fields_sha256,
    refuse_changed_agent,
    refuse_other_spec,
    spec_sha256,
)
from bluejay_gate.earlier.reuse import reusable, reusable_call_sets, stale_reason
from bluejay_gate.errors import EXIT_NO_VERDICT, EXIT_PASS, NoVerdictError, UsageError
from bluejay_gate.finish import finish, print_call_plan, print_plan, print_setup_only, run_info
from bluejay_gate.manage.apply import apply_setup, refuse_unsynced_setup
from bluejay_gate.manage.plan import SetupPlan
from bluejay_gate.manage.planning import Planned, plan_setup
from bluejay_gate.model.durations import format_duration
from bluejay_gate.model.shards import Shard
from bluejay_gate.options import GateOptions
from bluejay_gate.report import RunInfo
from bluejay_gate.run.agent_sync import AgentPlan, apply_plan, plan_agent, refuse_unsynced
from bluejay_gate.run.call_inputs import build_call_inputs, build_call_jobs
from bluejay_gate.run.call_traces import attempt_is_named, gate_run_id
from bluejay_gate.run.calls import CallOutcome, CallRunner, CallsInBackground
from bluejay_gate.run.ending import end_unfinished
from bluejay_gate.run.listener import Listener, parse_listen
from bluejay_gate.run.pacing import Pacing
from bluejay_gate.run.poll import NOT_QUEUED_DECIDED, Poller
from bluejay_gate.run.preflight import check_before_paying, refuse_over_budget
from bluejay_gate.run.rounds import (
    build_inputs,
    build_jobs,
    decision_states,
    next_round,
    within_budget,
)
from bluejay_gate.run.scope import shard_scope
from bluejay_gate.run.simulations import refuse_duplicates, resolve_simulations
from bluejay_gate.run.tracking import Job, PollOutcome, simulation_seconds
from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.resolved import CallSetSpec, SimulationSpec, Spec
from bluejay_gate.verdict.costs import SimulationCost
from bluejay_gate.verdict.decided import Decided, SimulationState, decide, early_stop
from bluejay_gate.verdict.evaluate import evaluate
from bluejay_gate.verdict.inputs import SimulationInput
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


@dataclass(frozen=True)
class Scope:
    """What this run queues of the spec and what it takes from an earlier report."""

    spec_sha256: str
    fields_sha256: str
    reused: Mapping[int, SimulationInput] = field(default_factory=dict)
    shard: Shard | None = None
    chosen: frozenset[int] | None = None  # spec indexes of the shard; None: every one
    chosen_calls: frozenset[int] | None = None  # the shard's call sets; None: every one
    reused_calls: Mapping[int, SimulationInput] = field(default_factory=dict)
    sent_again: tuple[str, ...] = ()  # call sets that passed but changed: why, one line each

    def runs(self, index: int) -> bool:
        """The simulation at ``index`` is judged in this run (queued or reused)."""
        return self.chosen is None or index in self.chosen

    def queues(self, index: int) -> bool:
        return self.runs(index) and index not in self.reused

    def judges_calls(self, index: int) -> bool:
        """The call set at ``index`` is judged in this run (sent or reused)."""
        return self.chosen_calls is None or index in self.chosen_calls

    def sends_calls(self, index: int) -> bool:
        return self.judges_calls(index) and index not in self.reused_calls


def _identity(opts: GateOptions, spec: Spec) -> Scope:
    """The spec's identity, and the earlier report's reusable simulations (checked
    against it before anything is sent)."""
    try:
        sha = spec_sha256(opts.spec_path.read_bytes())
    except OSError as exc:
        raise UsageError(f"{opts.spec_path}: cannot read the spec again ({exc})") from None
    fields = fields_sha256(spec.agent.fields)
    if opts.rerun_failed is None:
        return Scope(sha, fields)
    earlier = load_earlier(opts.rerun_failed)
    refuse_other_spec(earlier, str(opts.spec_path), sha)
    refuse_changed_agent(earlier, fields)
    reused_calls, again = reusable_call_sets(spec, earlier)
    return Scope(
        sha,
        fields,
        reused=reusable(spec, earlier),
        reused_calls=reused_calls,
        sent_again=tuple(again),
    )


def _current(scope: Scope, costs: Sequence[SimulationCost], emit: events.Emit) -> Scope:
    """``scope`` without the reused simulations whose digital humans changed since."""
    kept = dict(scope.reused)
    for index, sim in scope.reused.items():
        humans = costs[index].digital_humans if index < len(costs) else None
        if why := stale_reason(sim, humans):
            emit(events.Info(why))
            del kept[index]
    return dataclasses.replace(scope, reused=kept)


def _call_inputs(spec: Spec, scope: Scope, outcome: CallOutcome) -> list[SimulationInput]:
    """The call sets this run judges (its shard's), in spec order."""
    return [
        scope.reused_calls.get(index, sim)
        for index, sim in enumerate(build_call_inputs(spec, outcome))
        if scope.judges_calls(index)
    ]


def _info(spec: Spec, scope: Scope, info: RunInfo) -> RunInfo:
    """``info`` with the identity and shard the reports record."""
    return dataclasses.replace(
        info,
        spec_sha256=scope.spec_sha256,
        agent_external_id=spec.agent.external_id,
        agent_fields_sha256=scope.fields_sha256,
        shard=scope.shard,
        call_file_sha256={c.name: {f.shown: f.sha256 for f in c.files} for c in spec.calls},
    )


def _baseline(opts: GateOptions, spec: Spec) -> Baseline | BaselineSkipped | None:
    """The baseline, read and checked before any request: one that cannot be used is exit 2
    when the user named the file; one CI found is skipped with the reason instead (it
    must never block a pull request)."""
    if opts.baseline_github is not None:
        if opts.baseline is None:
            return BaselineSkipped((opts.baseline_note or "").removeprefix("no baseline: "))
        try:
            return load_baseline(opts.baseline, spec)
        except UsageError as exc:
            return BaselineSkipped(f"the base branch's report cannot be used: {exc}")
    return load_baseline(opts.baseline, spec) if opts.baseline is not None else None


def _finish(opts: GateOptions, rt: Runtime, verdict: Verdict, info: RunInfo) -> int:
    """``finish`` with this run's outside world; notes what it wrote."""
    code, rt.written = finish(opts, verdict, info, out=rt.out, env=rt.env, color=rt.color)
    rt.outputs_written = True
    if opts.pr_comment and opts.shard is not None:
        # one comment per spec: a shard's part would replace the others'; merge posts it
        rt.out.write("comment left to `bluejay-gate merge --pr-comment` (this is one shard)\n")
        return code
    comment_on_request(opts, verdict, info, env=rt.env, out=rt.out, cancelled=rt.cancel.is_set())
    return code


@contextlib.contextmanager
def listening(opts: GateOptions, spec: Spec, rt: Runtime) -> Iterator[Listener | None]:
    """With ``run.wait: webhook``, the webhook listener from before anything is sent until
    the gate stops (on every path); ``None`` when polling (or a dry run). The options are
    checked first: a wrong one is a ``UsageError`` (exit 2) before any request."""
    tls = opts.listen_tls_cert or opts.listen_tls_key
    if spec.run.wait != "webhook":
        if opts.listen or tls:
            raise UsageError(
                f"--listen{'-tls-cert/--listen-tls-key' if tls and not opts.listen else ''} "
                f"is given but {opts.spec_path}'s run.wait is poll: set run.wait: webhook "
                "in the spec, or drop the flag"
            )
        yield None
        return
    if not opts.listen:
        raise UsageError(
            f"{opts.spec_path}: run.wait is webhook but --listen HOST:PORT is not given: "
            "give the address Bluejay's webhooks reach (its root URL is registered in the "
            "Bluejay dashboard), or set run.wait: poll"
        )
    if not opts.webhook_secret:
        raise UsageError(
            f"{opts.spec_path}: run.wait is webhook but BLUEJAY_WEBHOOK_SECRET is not set: "
            "export the webhook signing secret from the Bluejay dashboard (in CI, a secret)"
        )
    host, port = parse_listen(opts.listen)
    if opts.dry_run:
        yield None
        return
    listener = Listener(
        host,
        port,
        opts.webhook_secret,
        tls_cert=opts.listen_tls_cert,
        tls_key=opts.listen_tls_key,
    )
    with listener:
        where = (
            f"on every address, port {listener.port} (register {listener.scheme}://<this "
            f"machine's public name>:{listener.port}/ in the Bluejay dashboard)"
            if host in {"0.0.0.0", "::", ""}  # noqa: S104 - the user's own --listen
            else f"at {listener.url} (the URL registered in the Bluejay dashboard)"
        )
        safety = format_duration(spec.run.webhook_poll_interval)
        rt.emit(
            events.Info(
                f"listening for Bluejay webhooks {where}; polling every {safety} as a safety net"
            )
        )
        yield listener
        if bad := listener.counts.get(401, 0):
            rt.emit(
                events.Warning(
                    f"{bad} webhook deliver{'y' if bad == 1 else 'ies'} had no valid "
                    "signature and were refused: check that BLUEJAY_WEBHOOK_SECRET is the "
                    "signing secret shown in the Bluejay dashboard"
                )
            )


def run_gate(opts: GateOptions, rt: Runtime) -> int:
    """Run the gate once. Raises SpecError (exit 2) before any request; every other
    problem ends as a Verdict with reports written and an exit code returned."""
    started = datetime.now(UTC)
    spec = load_spec(opts.spec_path, rt.env)
    scope = _identity(opts, spec)
    # --baseline github: found first (no request to Bluejay yet; nothing queued depends on
    # it), then read as --baseline PATH is.
    with github_baseline(opts, rt.env, rt.emit, cancel=rt.cancel) as found:
        baseline = _baseline(found, spec)  # read in full: the download is removed next
    compared = describe_baseline(baseline)
    timeout = opts.timeout if opts.timeout is not None else spec.run.timeout
    deadline = rt.monotonic() + timeout
    entries: list[SimulationSpec | CallSetSpec] = [*spec.simulations, *spec.calls]
    check_lines = {
        c.label: c.line for s in entries for c in spec.checks_for(s) if c.line is not None
    }
    plan: AgentPlan | None = None
    setup: SetupPlan | None = None
    setup_done = False
    names: Mapping[str, Mapping[str, str]] = {}
    with listening(opts, spec, rt) as listener, make_client(opts, rt) as client:
        client.deadline = deadline
        try:
            client.ping()
            plan = plan_agent(client, spec.agent)
            if spec.manages_setup:
                # Bluejay as code: planned with GET requests only; written (only what
                # differs) before the simulations are resolved and anything is queued.
                planned = plan_setup(client, spec, plan.agent_id)
                setup = planned.plan
                if opts.dry_run and (plan.action == "create" or setup.creates):
                    print_setup_only(rt.out, spec, plan, setup)
                    return EXIT_PASS
                if not opts.dry_run:
                    plan, setup = _write_setup(
                        opts, rt, spec=spec, client=client, plan=plan, planned=planned
                    )
                    setup_done = True
            # Resolved and checked before the agent is changed or anything is queued.
            sims = resolve_simulations(
                client, plan.agent_id, spec.simulations, str(opts.spec_path), spec.run.max_parallel
            )
            refuse_duplicates(spec.simulations, sims, str(opts.spec_path))
            checked = check_before_paying(client, spec, plan.agent_id, sims, rt.emit)
            names = checked.names
            costs = checked.costs
            scope = _current(scope, costs, rt.emit)
            if opts.shard is not None:
                part = shard_scope(sims, costs, *opts.shard, call_sets=spec.calls)
                shard = part.shard
                scope = dataclasses.replace(
                    scope, shard=shard, chosen=part.simulations, chosen_calls=part.call_sets
                )
                if not shard.units:  # not a gate error: merge must not inherit it
                    none, total = "simulations", f"{len(spec.simulations)}"
                    if spec.calls:
                        none = "simulations or call sets"
                        total += f" simulations and {len(spec.calls)} call sets"
                    rt.emit(
                        events.Warning(
                            f"shard {shard.text} has no {none} to run "
                            f"({total} over {shard.count} shards): use fewer shards"
                        )
                    )
            if opts.dry_run:
                print_plan(
                    rt.out,
                    spec,
                    plan,
                    sims,
                    costs,
                    shard=scope.shard,
                    chosen=scope.chosen,
                    reused={i: str(s.reused_from) for i, s in scope.reused.items()},
                    setup=setup,
                )
                print_call_plan(
                    rt.out,
                    spec,
                    scope.chosen_calls,
                    reused={i: str(s.reused_from) for i, s in scope.reused_calls.items()},
                )
            refuse_over_budget(spec, [c for i, c in enumerate(costs) if scope.queues(i)])
            if opts.dry_run:
                return EXIT_PASS
            if setup_done:
                pass  # the agent was written with the setup
            elif opts.no_sync:
                refuse_unsynced(plan, spec.agent.name)
            else:
                plan = apply_plan(client, spec.agent, plan)
            if not setup_done:
                rt.emit(events.Info(plan.describe(name=spec.agent.name, done=True)))
            if isinstance(baseline, Baseline):
                rt.emit(events.Info(f"comparing with the {compared}"))
            elif compared is not None:
                rt.emit(events.Info(f"{compared}: delta checks are skipped"))
        except NoVerdictError as exc:
            if opts.dry_run:
                rt.out.write(f"error: {exc}\n")
                return EXIT_NO_VERDICT
            verdict = Verdict((), errors=(str(exc),))
            info = run_info(
                opts,
                started,
                plan,
                spec.agent.name,
                baseline=compared,
                setup=setup,
                setup_done=setup_done,
            )
            return _finish(opts, rt, verdict, _info(spec, scope, info))
        for index, sim in scope.reused.items():
            if scope.runs(index):
                rt.emit(events.Info(f"{sim.label}: passed in {sim.reused_from}, not run again"))
        for index, sim in scope.reused_calls.items():
            if scope.judges_calls(index):
                rt.emit(
                    events.Info(
                        f"call set {sim.label!r}: passed in {sim.reused_from}, not sent again"
                    )
                )
        for why in scope.sent_again:
            rt.emit(events.Info(why))

        pacing = Pacing(
            poll_interval=rt.poll_interval or spec.run.poll_interval,
            max_parallel=spec.run.max_parallel,
            deadline=deadline,
            emit=rt.emit,
            monotonic=rt.monotonic,
            wait=rt.cancel.wait,
        )
        call_jobs = [
            job
            for job in build_call_jobs(spec, gate_run_id(rt.env, uuid.uuid4().hex))
            if scope.sends_calls(job.set_index)
        ]
        calls = CallsInBackground(
            CallRunner(
                client,
                call_jobs,
                agent_id=plan.agent_id or "",
                pacing=pacing,
                look_first=attempt_is_named(rt.env),
            )
        )
        rt.on_cancel.append(lambda: setattr(client, "deadline", rt.monotonic()))
        rt.on_cancel.append(client.interrupt)  # wakes retry waits; hung requests are left
        gate_errors: list[str] = []
        pollers: list[Poller] = []
        decided: list[Decided] = []
        unscored: list[int] = []  # conversations still unscored when it was decided
        broken: list[str] = []

        def on_round(poller: Poller) -> bool:
            """Stop when decided: after each poll round, is the verdict already certain?
            The question only saves money: a bug in it means waiting, as without it."""
            if broken:
                return False
            so_far = PollOutcome(
                [t for p in pollers for t in p.trackers], [u for p in pollers for u in p.unqueued]
            )
            try:
                states = [
                    SimulationState(scope.reused[index], 0) if index in scope.reused else state
                    for index, state in enumerate(
                        decision_states(spec, sims, so_far, poller.pending)
                    )
                    if scope.runs(index)
                ]
                got = decide(states, allow_incomplete=spec.run.allow_incomplete)
            except Exception as exc:  # noqa: BLE001 - waiting for every conversation is safe
                broken.append(f"{type(exc).__name__}: {exc}")
                rt.emit(
                    events.Warning(
                        f"stop_when_decided: internal error ({broken[0]}); waiting for every "
                        "conversation instead. Please report it with the spec you ran"
                    )
                )
                return False
            if got.stop is None:
                return False
            decided.append(got)
            unscored.append(sum(s.remaining or 0 for s in states))
            return True

        def poll(jobs: Sequence[Job]) -> PollOutcome:
            poller = Poller(
                client,
                jobs,
                **pacing.kwargs(),
                dashboard=opts.dashboard_url,
                on_round=on_round if spec.run.stop_when_decided else None,
                inbox=listener.inbox if listener is not None else None,
                safety_interval=spec.run.webhook_poll_interval,
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
                decided=last.decided,
            )

        # From here on runs are queued (paid): whatever happens, every run's unfinished
        # conversations are ended and every queued run is in the reports.
        outcome = PollOutcome([], [])
        try:
            jobs = [j for j in build_jobs(spec, sims) if scope.queues(j.sim_index)]
            outcome = merged(poll(jobs)) if jobs else outcome
            while not (outcome.timed_out or outcome.cancelled or outcome.decided or gate_errors):
                more, over = within_budget(
                    spec.run.max_conversations,
                    outcome,
                    next_round(spec, sims, outcome, prepare=lambda found: attach(found, baseline)),
                )
                gate_errors.extend(over)
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
        call_outcome = calls.join(gate_errors)
        outcome.timed_out = outcome.timed_out or call_outcome.timed_out
        outcome.cancelled = outcome.cancelled or call_outcome.cancelled
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
            built = build_inputs(spec, sims, outcome, opts.dashboard_url)
            inputs = [
                scope.reused.get(index, sim) for index, sim in enumerate(built) if scope.runs(index)
            ]
            verdict = evaluate(
                attach([*inputs, *_call_inputs(spec, scope, call_outcome)], baseline),
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
        if outcome.decided and decided:
            verdict = early_stop(
                decided[-1],
                unscored=unscored[-1],
                ended=outcome.ended,
                not_queued=sum(1 for _, why in outcome.unqueued if why == NOT_QUEUED_DECIDED),
                verdict=verdict,
            )
        run_ids = [t.run_id for t in outcome.trackers]
        seconds = simulation_seconds(outcome.trackers, rt.monotonic())
        info = run_info(
            opts,
            started,
            plan,
            spec.agent.name,
            run_ids,
            check_lines,
            baseline=compared,
            names=names,
            simulation_seconds=seconds,
            setup=setup,
            setup_done=setup_done,
        )
        return _finish(opts, rt, verdict, _info(spec, scope, info))


def _write_setup(
    opts: GateOptions,
    rt: Runtime,
    *,
    spec: Spec,
    client: BluejayClient,
    plan: AgentPlan,
    planned: Planned,
) -> tuple[AgentPlan, SetupPlan]:
    """The agent, then the setup, written (``--no-sync``: refused unless both are
    already as the spec says); each write and each drift is reported."""
    setup = planned.plan
    if opts.no_sync:
        refuse_unsynced(plan, spec.agent.name)
        refuse_unsynced_setup(setup)
    else:
        plan = apply_plan(client, spec.agent, plan)
    rt.emit(events.Info(plan.describe(name=spec.agent.name, done=True)))
    if not opts.no_sync and setup.writes:
        assert plan.agent_id is not None
        setup = apply_setup(client, planned, plan.agent_id, lambda line: rt.emit(events.Info(line)))
    elif setup.changes:
        rt.emit(events.Info(f"Bluejay setup: {len(setup.changes)} records unchanged"))
    for drift in setup.drift:
        rt.emit(events.Warning(drift.describe()))
    return plan, setup


def sync_agent(opts: GateOptions, rt: Runtime) -> int:
    """``bluejay-gate sync``: create or update the spec's agent and stop (exit 0), so N
    shards then run with ``--no-sync`` against one agent, never racing to change it."""
    spec = load_spec(opts.spec_path, rt.env)
    with make_client(opts, rt) as client:
        client.ping()
        plan = plan_agent(client, spec.agent)
        planned = plan_setup(client, spec, plan.agent_id) if spec.manages_setup else None
        plan = apply_plan(client, spec.agent, plan)
        lines = [plan.describe(name=spec.agent.name, done=True)]
        if planned is not None:
            assert plan.agent_id is not None
            setup = apply_setup(client, planned, plan.agent_id, lines.append)
            if not setup.writes:
                lines.append(f"Bluejay setup: {len(setup.changes)} records unchanged")
            lines.extend(d.describe() for d in setup.drift)
    rt.out.write("\n".join(lines) + "\n")
    rt.out.flush()
    return EXIT_PASS
