"""The verdict: checks + final run states + results -> ``Verdict``. Pure: no I/O, no clock.

Per simulation:

1. Every result becomes a ``Conversation`` (sorted by result id, numeric first). Only
   ``COMPLETED`` conversations in which the agent spoke and that were scored feed the
   aggregates. Not completed: any other status (including ones still in progress when
   the gate stopped), "agent never spoke" (``num_turns`` <= 1 or
   ``agent_speak_percentage`` 0), and "unscored" (no custom metrics while other completed
   conversations of the simulation have them: bulk results under-reported them).
2. More not-completed conversations than ``allow_incomplete`` allows, no conversations at
   all, a run that ended ``INSUFFICIENT_FUNDS``, or an orchestrator error: the
   simulation has no verdict (its checks are still computed and shown).
3. Each check: the run-level ``score`` from the runs' counters, or an aggregate over the
   completed conversations. Never a pass by default: a metric no conversation carries,
   a metric missing from some completed conversations, zero applicable samples,
   malformed values (unreadable, outside the declared domain, given twice with different
   values, or from a result whose newest evaluation cannot be told), a type mismatch,
   ``share`` of a value that exists nowhere, ``%`` on a metric declared past 1, or
   ``min_samples`` not met give no verdict. The point comparison is exact (``Fraction``):
   a value the reports print as equal to the threshold compares as equal.
4. ``delta(AGG)`` checks compare with the simulation's baseline (``delta_check``); without
   one they are skipped, which changes no outcome. With a baseline every other check
   carries the baseline's value and the change too (shown, never judged).
5. ``severity: warn``: any non-pass is ``WARN``. The simulation fails when an
   error-severity check fails (a failure beats a missing verdict), else has no verdict
   when a check or the simulation has none, else passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from bluejay_gate.model import statuses
from bluejay_gate.model.links import run_url
from bluejay_gate.model.metric_names import RUN_LEVEL
from bluejay_gate.model.results import RunSummary
from bluejay_gate.spec.thresholds import Aggregate, Check
from bluejay_gate.verdict.conversations import NEVER_SPOKE, read_conversations, simulation_errors
from bluejay_gate.verdict.delta_check import delta_check, with_baseline
from bluejay_gate.verdict.inputs import SimulationContext, SimulationInput
from bluejay_gate.verdict.metric_check import metric_check
from bluejay_gate.verdict.model import CALL_SET, CheckResult, Outcome, SimulationVerdict, Verdict
from bluejay_gate.verdict.score_check import run_counters, score_check
from bluejay_gate.verdict.stability import flips, repeated_digital_humans


def _evaluate_check(check: Check, ctx: SimulationContext) -> CheckResult:
    if check.delta:
        return delta_check(check, ctx)
    carried = any(check.metric in c.metrics for c in ctx.conversations)
    if check.metric in RUN_LEVEL and (check.aggregate is Aggregate.VALUE or not carried):
        return score_check(check, ctx)
    return metric_check(check, ctx)


def _run_status(runs: Sequence[RunSummary]) -> str | None:
    seen = [statuses.normalise(r.status) for r in runs if r.status]
    return ", ".join(dict.fromkeys(seen)) or None


def evaluate_simulation(sim: SimulationInput, *, allow_incomplete: float) -> SimulationVerdict:
    """One simulation's verdict (see the module docstring for the rules)."""
    conversations, reasons = read_conversations(sim)
    unseen = 0
    for run_id, count in sim.unseen.items():
        if count > 0:
            reasons[f"counted by run {run_id} but never returned"] += count
            unseen += count
    total = len(conversations) + unseen
    completed = tuple(c for c in conversations if c.completed)
    ctx = SimulationContext(sim=sim, conversations=tuple(conversations), completed=completed)
    checks = tuple(with_baseline(_evaluate_check(check, ctx), ctx) for check in sim.checks)
    errors = simulation_errors(sim, total, reasons, allow_incomplete)
    blocking = [c for c in checks if c.blocking]
    if any(c.outcome is Outcome.FAIL for c in blocking):
        outcome = Outcome.FAIL
    elif errors or any(c.outcome is Outcome.NO_VERDICT for c in blocking):
        outcome = Outcome.NO_VERDICT
    else:
        outcome = Outcome.PASS
    counters = run_counters(sim.runs)
    return SimulationVerdict(
        label=sim.label,
        simulation_id=sim.simulation_id,
        run_ids=tuple(r.id for r in sim.runs),
        run_status=_run_status(sim.runs),
        outcome=outcome,
        checks=checks,
        errors=errors,
        conversations=tuple(conversations),
        total=total,
        completed=len(completed),
        not_completed=total - len(completed),
        never_spoke=reasons[NEVER_SPOKE],
        score=None
        if isinstance(counters, str)
        else float(Fraction(counters[0], counters[1]) * 100),
        dashboard_url=run_url(sim.simulation_id, sim.runs[0].id) if sim.runs else None,
        # recorded calls have no digital humans: nothing is repeated
        flips=() if sim.kind == CALL_SET else flips(sim.checks, completed),
        repeated_digital_humans=0 if sim.kind == CALL_SET else repeated_digital_humans(completed),
        repeats=sim.repeats,
        notes=sim.notes,
        kind=sim.kind,
        files=sim.files,
        call_ids=tuple(c.result_id for c in conversations) if sim.kind == CALL_SET else (),
        runs=sim.runs,
        run_errors=tuple(dict.fromkeys(sim.errors)),
        unseen=dict(sim.unseen),
        reused_from=sim.reused_from,
    )


def evaluate(
    inputs: Sequence[SimulationInput], *, allow_incomplete: float, gate_errors: Sequence[str] = ()
) -> Verdict:
    """The gate's verdict: one ``SimulationVerdict`` per input, in the given order."""
    return Verdict(
        simulations=tuple(
            evaluate_simulation(sim, allow_incomplete=allow_incomplete) for sim in inputs
        ),
        errors=tuple(gate_errors),
    )
