"""Stop when decided: is a check's outcome already certain, whatever the conversations
still unscored would score? Pure: no I/O, no clock; the run stage asks after each poll.

For each error-severity check of a simulation, given the conversations scored so far and
how many are still unscored (``remaining``), ``check_certainty`` says ``CERTAIN_PASS``,
``CERTAIN_FAIL`` or ``OPEN``. A completion is any way the remaining conversations can
end: each one completed with a value in the metric's declared domain (booleans; an
enum's options; ``min_value``..``max_value``), not applicable, or not completed at all.
A check is certain only when every completion gives the same pass/fail as it gives now,
judged by the evaluator's own rules (NA, ``min_samples``, ``confidence`` with the split
over looks); when in doubt it is ``OPEN``:

- rates and counts (``rate``, ``fail_rate``, ``share``, ``count``, ``fail_count``): a
  completion adds ``m`` applicable samples (0 <= m <= remaining) of which ``j`` match.
  For ``<``/``<=``/``>``/``>=`` (point or Wilson interval) the outcome moves one way as
  ``j`` grows, so ``j = 0`` and ``j = m`` bound it for each ``m``; for ``==``/``!=``
  every ``j`` is tried (up to ``EXHAUSTIVE_LIMIT`` remaining, else open).
- ``mean``, ``median``, ``min``, ``max``, ``pNN`` without ``confidence`` and with an
  ordering operator: every completion's value lies between "all remaining at
  ``min_value``" and "all remaining at ``max_value``" (and the current value), so those
  three decide. Without both declared bounds the domain is unbounded: open.
- Open always: ``mean`` with ``confidence`` (the spread moves both ways), the run-level
  ``score`` (Bluejay's counters), ``each_digital_human`` rules, an unknown remaining
  count (a run or an early-stopping round not queued yet), a check without a verdict
  now, and a simulation with an error or with a scored conversation lacking custom
  metrics (a later one could make it count as unscored).
- Early stopping (``max_repeats``): the round in flight is judged at its per-look level
  (``looks``). A check certain to fail at the end of the round stops further rounds too
  (``repeats.wants_more`` queues none after a failure), and when every error check is
  certain to pass none is inconclusive, so none would be queued either: the full run's
  verdict is this round's.

``decide`` joins them: the gate stops on a failure as soon as one error check of any
simulation is certain to fail (a failure beats a missing verdict, so the exit code is 1
whatever else happens), and on a pass only when every error check of every simulation is
certain to pass and ``allow_incomplete`` holds even if every remaining conversation ends
not completed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from bluejay_gate.model.metric_names import RUN_LEVEL
from bluejay_gate.model.values import MetricValue
from bluejay_gate.spec.thresholds import NUMERIC_AGGREGATES, Aggregate, Check, Op, Severity
from bluejay_gate.verdict.aggregate import RATIO_AGGREGATES, AggregateResult, aggregate
from bluejay_gate.verdict.confidence import judge
from bluejay_gate.verdict.conversations import read_conversations
from bluejay_gate.verdict.inputs import SimulationContext, SimulationInput
from bluejay_gate.verdict.metric_check import metric_check
from bluejay_gate.verdict.model import Conversation, EarlyStop, Outcome, Verdict
from bluejay_gate.verdict.stats import Decision
from bluejay_gate.verdict.value_kinds import kinds_of

# ``==`` / ``!=`` on a rate: every split of the remaining is tried up to this many.
EXHAUSTIVE_LIMIT = 40

_COUNTED = frozenset({*RATIO_AGGREGATES, Aggregate.COUNT, Aggregate.FAIL_COUNT})
_ORDERING = frozenset({Op.GE, Op.GT, Op.LE, Op.LT})


class Certainty(StrEnum):
    PASS = "certain pass"  # noqa: S105 - not a password
    FAIL = "certain fail"
    OPEN = "open"


@dataclass(frozen=True, slots=True)
class SimulationState:
    """One simulation mid-run: the conversations final so far (``sim.results``; a
    completed one with its metrics) and how many are still unscored (``None``: unknown,
    e.g. a run not queued yet)."""

    sim: SimulationInput
    remaining: int | None


@dataclass(frozen=True, slots=True)
class CheckCertainty:
    simulation: str  # the simulation's label
    check: Check
    certainty: Certainty


@dataclass(frozen=True, slots=True)
class Decided:
    """What ``decide`` found: ``stop`` is ``Outcome.FAIL``, ``Outcome.PASS`` or ``None``
    (keep waiting); ``checks`` every error check's certainty."""

    stop: Outcome | None
    checks: tuple[CheckCertainty, ...]

    @property
    def decisive(self) -> tuple[CheckCertainty, ...]:
        """The checks that decided the stop (the certain failures, or every pass)."""
        wanted = Certainty.FAIL if self.stop is Outcome.FAIL else Certainty.PASS
        return tuple(c for c in self.checks if c.certainty is wanted) if self.stop else ()


def _outcome_certainty(outcome: Outcome) -> Certainty:
    return {Outcome.PASS: Certainty.PASS, Outcome.FAIL: Certainty.FAIL}.get(outcome, Certainty.OPEN)


def _context(ctx: SimulationContext, extra: Sequence[Conversation]) -> SimulationContext:
    return SimulationContext(
        sim=ctx.sim,
        conversations=(*ctx.conversations, *extra),
        completed=(*ctx.completed, *extra),
    )


def _extra(
    check: Check, template: MetricValue, value: bool | float | str, count: int
) -> list[Conversation]:
    raw = value if isinstance(value, str) else repr(value).lower()
    mv = MetricValue(
        name=check.metric,
        raw=raw,
        value=value,
        response_type=template.response_type,
        min_value=template.min_value,
        max_value=template.max_value,
        options=template.options,
    )
    return [
        Conversation(
            result_id=f"~{i}",
            run_id="",
            digital_human_id=None,
            status="COMPLETED",
            completed=True,
            never_spoke=False,
            metrics={check.metric: mv},
        )
        for i in range(count)
    ]


def _count_outcome(check: Check, hits: int, samples: int, looks: int) -> Outcome:
    """The evaluator's outcome for a counted aggregate from its counts alone (the tail
    of ``metric_check``: samples, ``min_samples``, interval or exact comparison)."""
    if samples == 0:
        return Outcome.NO_VERDICT
    if check.min_samples is not None and samples < check.min_samples:
        return Outcome.NO_VERDICT
    exact = Fraction(hits, samples) if check.aggregate in RATIO_AGGREGATES else Fraction(hits)
    agg = AggregateResult(float(exact), samples, 0, matched=hits, exact=exact)
    judgement = judge(check, agg, looks=looks)
    if judgement is not None:
        decided = {Decision.PASS: Outcome.PASS, Decision.FAIL: Outcome.FAIL}
        return decided.get(judgement.decision, Outcome.NO_VERDICT)
    return Outcome.PASS if check.op.holds(exact, check.exact_threshold) else Outcome.FAIL


def _matches(check: Check, value: bool | float | str | None) -> bool:
    if check.aggregate is Aggregate.RATE:
        return value is True
    if check.aggregate in (Aggregate.FAIL_RATE, Aggregate.FAIL_COUNT):
        return value is False
    if check.aggregate is Aggregate.SHARE:
        wanted = (check.share_value or "").strip().casefold()
        return isinstance(value, str) and value.strip().casefold() == wanted
    return True  # count: every applicable sample


def _domain(check: Check, template: MetricValue) -> list[bool | float | str] | None:
    """The values a remaining conversation can score, or ``None`` when unbounded."""
    if isinstance(template.value, bool):
        return [True, False]
    if isinstance(template.value, str):
        return list(template.options) if template.options else None
    if template.min_value is None or template.max_value is None:
        return None
    return [float(template.min_value), float(template.max_value)]


def _splits(
    check: Check, remaining: int, can_hit: bool, can_miss: bool
) -> Iterator[tuple[int, int]]:
    """(added samples, of which matching) that bound every completion."""
    for m in range(remaining + 1):
        if check.op in _ORDERING:
            js = {j for j, ok in ((0, can_miss or m == 0), (m, can_hit)) if ok}
        else:
            js = {j for j in range(m + 1) if (can_hit or j == 0) and (can_miss or j == m)}
        yield from ((m, j) for j in sorted(js))


def check_certainty(check: Check, ctx: SimulationContext, remaining: int | None) -> Certainty:
    """Whether ``check`` has the same pass/fail in every completion of ``remaining``
    unscored conversations (see the module docstring)."""
    if remaining is None or check.delta or check.per_digital_human or check.metric in RUN_LEVEL:
        return Certainty.OPEN
    if check.severity is not Severity.ERROR:
        return Certainty.OPEN
    now = metric_check(check, ctx)
    certain = _outcome_certainty(now.outcome)
    if certain is Certainty.OPEN or remaining == 0:
        return certain
    values = [c.metrics[check.metric] for c in ctx.completed if check.metric in c.metrics]
    applicable = [v for v in values if v.applicable and v.error is None]
    if not applicable or len(kinds_of(values)) != 1:
        return Certainty.OPEN
    template = applicable[0]
    if any(
        (v.min_value, v.max_value, v.options)
        != (template.min_value, template.max_value, template.options)
        for v in applicable
    ):
        return Certainty.OPEN
    domain = _domain(check, template)
    if domain is None:
        return Certainty.OPEN
    wanted = now.outcome
    if check.aggregate in _COUNTED:
        if check.op not in _ORDERING and remaining > EXHAUSTIVE_LIMIT:
            return Certainty.OPEN
        agg = aggregate(check, values)
        if agg.matched is None:
            return Certainty.OPEN
        can_hit = any(_matches(check, v) for v in domain)
        can_miss = any(not _matches(check, v) for v in domain)
        for m, j in _splits(check, remaining, can_hit, can_miss):
            if _count_outcome(check, agg.matched + j, agg.samples + m, ctx.sim.looks) != wanted:
                return Certainty.OPEN
        return certain
    if check.aggregate not in NUMERIC_AGGREGATES or check.op not in _ORDERING:
        return Certainty.OPEN
    if check.confidence is not None:
        return Certainty.OPEN
    for bound in domain:
        extra = _extra(check, template, bound, remaining)
        if metric_check(check, _context(ctx, extra)).outcome != wanted:
            return Certainty.OPEN
    return certain


def _incomplete_holds(state: SimulationState, allow_incomplete: float) -> bool:
    """``allow_incomplete`` holds even if every remaining conversation ends not completed
    (the evaluator's own comparison)."""
    conversations, reasons = read_conversations(state.sim)
    remaining = (state.remaining or 0) + sum(state.sim.unseen.values())
    missing = sum(reasons.values()) + remaining
    total = len(conversations) + remaining
    return total > 0 and (missing == 0 or missing <= allow_incomplete * total + 1e-9)


def simulation_certainties(state: SimulationState) -> tuple[CheckCertainty, ...]:
    """Every error check of one simulation with its certainty."""
    sim = state.sim
    checks = [c for c in sim.checks if c.severity is Severity.ERROR]
    conversations, _ = read_conversations(sim)
    completed = tuple(c for c in conversations if c.completed)
    lacking = any(
        not r.found.has_custom
        for r in sim.results
        if r.status is not None and r.status.strip().upper() == "COMPLETED"
    )
    if sim.errors or state.remaining is None or lacking:
        return tuple(CheckCertainty(sim.label, c, Certainty.OPEN) for c in checks)
    ctx = SimulationContext(sim=sim, conversations=tuple(conversations), completed=completed)
    return tuple(
        CheckCertainty(sim.label, c, check_certainty(c, ctx, state.remaining)) for c in checks
    )


def decide(states: Sequence[SimulationState], *, allow_incomplete: float) -> Decided:
    """Stop with a failure, with a pass, or keep waiting (see the module docstring)."""
    per_sim = [simulation_certainties(s) for s in states]
    checks = tuple(c for sim in per_sim for c in sim)
    if any(c.certainty is Certainty.FAIL for c in checks):
        return Decided(Outcome.FAIL, checks)
    passing = bool(states) and all(
        bool(sim)
        and all(c.certainty is Certainty.PASS for c in sim)
        and _incomplete_holds(state, allow_incomplete)
        for state, sim in zip(states, per_sim, strict=True)
    )
    return Decided(Outcome.PASS if passing else None, checks)


def early_stop(
    decided: Decided, *, unscored: int, ended: int, not_queued: int, verdict: Verdict
) -> Verdict:
    """``verdict`` with what the reports say of the stop: the checks that decided it, the
    conversations not waited for (and of them ended), the runs never queued."""
    early = EarlyStop(
        outcome=decided.stop or Outcome.NO_VERDICT,
        checks=tuple((c.simulation, c.check.label) for c in decided.decisive),
        unscored=unscored,
        ended=ended,
        not_queued=not_queued,
        scored=sum(s.total for s in verdict.simulations),
    )
    return dataclasses.replace(verdict, early=early)
