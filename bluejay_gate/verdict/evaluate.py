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
4. ``severity: warn``: any non-pass is ``WARN``. The simulation fails when an
   error-severity check fails (a failure beats a missing verdict), else has no verdict
   when a check or the simulation has none, else passes.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from bluejay_gate.bluejay.models import RunStatus, SimulationResult
from bluejay_gate.bluejay.results import read_result
from bluejay_gate.model import statuses
from bluejay_gate.model.links import result_url, run_url
from bluejay_gate.model.metric_names import BUILTIN_NAMES, RUN_LEVEL
from bluejay_gate.model.results import ReadResult
from bluejay_gate.spec.thresholds import NUMERIC_AGGREGATES, Aggregate, Check, Severity
from bluejay_gate.verdict.aggregate import RATIO_AGGREGATES, AggregateResult, aggregate
from bluejay_gate.verdict.confidence import Judgement, judge
from bluejay_gate.verdict.model import (
    CheckResult,
    Conversation,
    Outcome,
    Repeats,
    SimulationVerdict,
    Verdict,
)
from bluejay_gate.verdict.stability import (
    each_digital_human,
    flips,
    repeated_digital_humans,
    result_sort_key,
)
from bluejay_gate.verdict.stats import Decision

_SCORE_AGGREGATES = frozenset(
    {
        Aggregate.VALUE,
        Aggregate.MEAN,
        Aggregate.MEDIAN,
        Aggregate.MIN,
        Aggregate.MAX,
        Aggregate.PERCENTILE,
    }
)
_SHOWN_IDS = 5
_BUILTIN = frozenset((*BUILTIN_NAMES, *RUN_LEVEL))
_SHOWN_NAMES = 10
NEVER_SPOKE = "agent never spoke"
UNSCORED = "COMPLETED without metrics"


@dataclass(frozen=True)
class SimulationInput:
    """Everything the orchestrator knows about one simulation once it stops waiting."""

    label: str
    simulation_id: str
    checks: tuple[Check, ...]
    runs: tuple[RunStatus, ...]  # final state of each run of this simulation (usually one)
    # every conversation of those runs, raw or already read (the poller reads them once)
    results: tuple[SimulationResult | ReadResult, ...]
    result_runs: Mapping[str, str] = field(default_factory=dict)  # result id -> run id
    errors: tuple[str, ...] = ()  # why the orchestrator could not finish (timeout, ...)
    # planned looks (early stopping): each check's error rate is split evenly over them
    looks: int = 1
    repeats: Repeats | None = None  # how the simulation was repeated, for the reports
    notes: tuple[str, ...] = ()  # shown in the reports; change no outcome
    # run id -> conversations that done run counts (total_tests) but never returned: not
    # completed (they count against allow_incomplete)
    unseen: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Context:
    sim: SimulationInput
    conversations: tuple[Conversation, ...]
    completed: tuple[Conversation, ...]

    def metric_names(self) -> set[str]:
        names = {name for c in self.conversations for name in c.metrics}
        if self.sim.runs:
            names.update(RUN_LEVEL)
        return names


def percent_text(share: float, *, decimals: int = 2, keep_one: bool = False) -> str:
    """``0.85`` -> ``"85%"`` (``"85.0%"`` with ``keep_one``); ``2/3`` -> ``"66.67%"``."""
    text = f"{share * 100:.{decimals}f}".rstrip("0").rstrip(".")
    if keep_one and "." not in text:
        text += ".0"
    return f"{text}%"


def number_text(value: float) -> str:
    """``1500.0`` -> ``"1500"``, ``7.3333`` -> ``"7.333"``, ``0.01234`` -> ``"0.01234"``,
    ``1e308`` -> ``"1e+308"``."""
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 1e15:
        return f"{value:.6g}"
    if abs(value) >= 1:
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return f"{value:.4g}"


def _ids_text(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_SHOWN_IDS])
    return shown + (f" and {len(ids) - _SHOWN_IDS} more" if len(ids) > _SHOWN_IDS else "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _observed_text(check: Check, observed: float) -> str:
    return percent_text(observed, keep_one=True) if check.percent else number_text(observed)


def _needs_text(check: Check) -> str:
    threshold = percent_text(check.threshold) if check.percent else number_text(check.threshold)
    return f"{check.op.value} {threshold}"


def _describe(check: Check, agg: AggregateResult) -> str:
    """``observed 85.0% (17/20) over 20 conversations (3 not applicable), needs >= 90%``."""
    assert agg.observed is not None
    ratio = f" ({agg.matched}/{agg.samples})" if check.aggregate in RATIO_AGGREGATES else ""
    na = f" ({agg.not_applicable} not applicable)" if agg.not_applicable else ""
    return (
        f"observed {_observed_text(check, agg.observed)}{ratio} over "
        f"{_plural(agg.samples, 'conversation')}{na}, needs {_needs_text(check)}"
    )


def _closest(metric: str, names: set[str]) -> list[str]:
    """Near misses first: the same name but for case or surrounding spaces; then the
    closest spellings."""
    wanted = metric.strip().casefold()
    near = sorted(n for n in names if n.strip().casefold() == wanted and n != metric)
    folded: dict[str, str] = {}
    for name in sorted(names):
        folded.setdefault(name.casefold(), name)
    matches = difflib.get_close_matches(metric.casefold(), list(folded), n=3, cutoff=0.6)
    return list(dict.fromkeys([*near, *(folded[m] for m in matches)]))[:3]


def _missing_metric(metric: str, ctx: _Context) -> str:
    names = ctx.metric_names()
    close = _closest(metric, names)
    if close:
        # repr: a trailing space or a case difference is visible ('Empathy ')
        hint = "did you mean " + ", ".join(repr(n) for n in close) + "?"
    elif names:
        # the simulation's own metrics first, then Bluejay's built-in fields
        listed = sorted(names, key=lambda n: (n in _BUILTIN, n.casefold(), n))
        more = ", ..." if len(listed) > _SHOWN_NAMES else ""
        hint = f"metrics present: {', '.join(listed[:_SHOWN_NAMES])}{more}"
    else:
        hint = "the conversations carry no metrics at all"
    return (
        f"metric {metric!r} is in none of the {_plural(len(ctx.conversations), 'conversation')} "
        f"of this simulation; {hint} (names match exactly, including case and spaces)"
    )


def _result(
    check: Check,
    outcome: Outcome,
    message: str,
    *,
    agg: AggregateResult | None = None,
    observed: float | None = None,
    samples: int = 0,
    judgement: Judgement | None = None,
) -> CheckResult:
    if check.severity is Severity.WARN and outcome is not Outcome.PASS:
        outcome = Outcome.WARN
    worst: tuple[str, ...] = ()
    if agg is not None:
        samples = agg.samples
        if observed is not None and outcome is not Outcome.PASS:
            worst = agg.worst
    return CheckResult(
        check=check,
        outcome=outcome,
        observed=observed,
        samples=samples,
        not_applicable=agg.not_applicable if agg is not None else 0,
        message=message,
        worst=worst,
        interval=None
        if judgement is None or judgement.interval is None
        else (judgement.interval.low, judgement.interval.high),
        level=None if judgement is None else judgement.level,
        inconclusive=judgement is not None and judgement.decision is Decision.INCONCLUSIVE,
        more_needed=None if judgement is None else judgement.more_needed,
    )


_DECISIONS = {Decision.PASS: Outcome.PASS, Decision.FAIL: Outcome.FAIL}


def _value_text(check: Check, value: float) -> str:
    return percent_text(value) if check.percent else number_text(value)


def _judged_text(check: Check, agg: AggregateResult, j: Judgement, looks: int) -> str:
    """The point-estimate description plus the interval and what it means."""
    base = _describe(check, agg)
    split = (
        f" ({percent_text(check.confidence or 0)} split over {looks} looks)" if looks > 1 else ""
    )
    level = f"{percent_text(j.level)} interval{split}"
    threshold = _value_text(check, check.threshold)
    if j.interval is None:
        return (
            f"inconclusive: {base}; a mean over one sample has no {level}: about "
            f"{j.more_needed or 1} more conversation would give one"
        )
    shown = f"{_value_text(check, j.interval.low)} – {_value_text(check, j.interval.high)}"
    if j.decision is Decision.PASS:
        return f"{base}; {level} {shown}, all of it {check.op.value} {threshold}"
    if j.decision is Decision.FAIL:
        return f"{base}; {level} {shown}, none of it {check.op.value} {threshold}"
    if j.more_needed is None:
        hint = "the estimate sits at the threshold, so more conversations are unlikely to settle it"
    else:
        hint = (
            f"about {_plural(j.more_needed, 'more conversation')} at the observed "
            f"{_observed_text(check, agg.observed or 0.0)} would likely settle it"
        )
    return f"inconclusive: {base}; {level} {shown} straddles {threshold}: {hint}"


def _run_counters(runs: Sequence[RunStatus]) -> tuple[int, int] | str:
    """``(tests_passed, total_tests)`` summed over the runs, or why there are none."""
    if not runs:
        return "no run reported tests_passed / total_tests, so 'score' cannot be computed"
    lacking = [r.id for r in runs if r.total_tests is None or r.tests_passed is None]
    if lacking:
        return (
            f"run {', '.join(lacking)} reported no tests_passed / total_tests counters, "
            "so 'score' cannot be computed"
        )
    total = sum(r.total_tests or 0 for r in runs)
    passed = sum(r.tests_passed or 0 for r in runs)
    if total <= 0:
        return "the run reported total_tests 0, so 'score' cannot be computed"
    return passed, total


def _score_check(check: Check, ctx: _Context) -> CheckResult:
    if check.aggregate not in _SCORE_AGGREGATES:
        return _result(
            check,
            Outcome.NO_VERDICT,
            "'score' is one number per simulation (tests_passed / total_tests × 100): "
            "use 'value', e.g. 'score: value >= 80'",
        )
    counters = _run_counters(ctx.sim.runs)
    if isinstance(counters, str):
        return _result(check, Outcome.NO_VERDICT, counters)
    passed, total = counters
    # Written with % ("value >= 80%"): the threshold is a fraction, so is the observed score.
    # Exact: 29 of 50 is a score of 58, not 57.99999999999999.
    exact = Fraction(passed, total) * (1 if check.percent else 100)
    observed = float(exact)
    holds = check.op.holds(exact, check.exact_threshold)
    message = (
        f"observed {_observed_text(check, observed)} ({passed}/{total} tests passed), "
        f"needs {_needs_text(check)}"
    )
    outcome = Outcome.PASS if holds else Outcome.FAIL
    return _result(check, outcome, message, observed=observed, samples=total)


def _metric_check(check: Check, ctx: _Context) -> CheckResult:
    metric = check.metric
    total = len(ctx.conversations)
    if not ctx.completed:
        reason = (
            "no conversations to evaluate"
            if total == 0
            else f"none of the {_plural(total, 'conversation')} completed, "
            f"so '{metric}' has no samples"
        )
        return _result(check, Outcome.NO_VERDICT, reason)
    if not any(metric in c.metrics for c in ctx.conversations):
        return _result(check, Outcome.NO_VERDICT, _missing_metric(metric, ctx))
    lacking = [c.result_id for c in ctx.completed if metric not in c.metrics]
    if lacking:
        return _result(
            check,
            Outcome.NO_VERDICT,
            f"'{metric}' is missing from {len(lacking)} of {len(ctx.completed)} completed "
            f"conversations (result {_ids_text(lacking)}): they may not be fully scored; "
            "re-run the simulation",
        )
    agg = aggregate(
        check,
        [c.metrics[metric] for c in ctx.completed],
        result_ids=[c.result_id for c in ctx.completed],
    )
    if agg.reason is not None or agg.observed is None:
        return _result(check, Outcome.NO_VERDICT, agg.reason or "no verdict", agg=agg)
    if check.min_samples is not None and agg.samples < check.min_samples:
        return _result(
            check,
            Outcome.NO_VERDICT,
            f"too few samples: n = {agg.samples} < min_samples {check.min_samples} "
            f"({_describe(check, agg)}); run more conversations or lower min_samples",
            agg=agg,
        )
    if misread := _percent_misread(check, ctx.completed):
        return _result(check, Outcome.NO_VERDICT, misread, agg=agg)
    if check.per_digital_human:
        return _each_check(check, ctx)
    judgement = judge(check, agg, looks=ctx.sim.looks)
    if (
        judgement is not None
        and judgement.interval is not None
        and not (math.isfinite(judgement.interval.low) and math.isfinite(judgement.interval.high))
    ):
        return _result(
            check,
            Outcome.NO_VERDICT,
            f"the {percent_text(judgement.level)} confidence interval of '{metric}' is beyond "
            f"what floating point can hold ({_describe(check, agg)}); check the metric's "
            "values in Bluejay or drop confidence from this check",
            agg=agg,
        )
    if judgement is not None:
        outcome = _DECISIONS.get(judgement.decision, Outcome.NO_VERDICT)
        message = _judged_text(check, agg, judgement, ctx.sim.looks)
        return _result(check, outcome, message, agg=agg, observed=agg.observed, judgement=judgement)
    exact = agg.exact if agg.exact is not None else agg.observed
    outcome = Outcome.PASS if check.op.holds(exact, check.exact_threshold) else Outcome.FAIL
    return _result(check, outcome, _describe(check, agg), agg=agg, observed=agg.observed)


_PERCENT_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*%\s*$")


def _percent_misread(check: Check, completed: Sequence[Conversation]) -> str | None:
    """Why a ``%`` threshold on a number cannot be meant as written, or ``None``.

    ``%`` divides the number by 100: right for a share, and for numbers on a 0..1 scale
    (``sentiment_score: mean >= 80%``). On a metric whose scale goes past 1 (a 1-10
    score, ``agent_speak_percentage``'s 0-100) it compares the values with a fraction,
    which nearly every value beats: that would be a pass nobody meant, so there is no
    verdict. The declared scale (``max_value``) decides; only without one do the
    observed values (which may all sit at the bottom of the scale).
    """
    if not check.percent or check.aggregate not in NUMERIC_AGGREGATES or check.threshold == 0:
        return None
    values = [value for c in completed if (value := c.metrics.get(check.metric)) is not None]
    declared = [v.max_value for v in values if v.max_value is not None]
    if declared:
        top = max(declared)
        if top <= 1:
            return None
        meant = float(check.exact_threshold * Fraction(repr(top)))
        fixed = _PERCENT_NUMBER.sub(number_text(meant), check.expression)
        return (
            f"'{check.metric}' is declared on a scale up to {number_text(top)} (max_value), "
            f"but {check.expression!r} compares its values with {number_text(check.threshold)} "
            f"(% divides by 100): write the threshold on the metric's own scale, "
            f"e.g. {fixed!r}"
        )
    biggest = max(
        (abs(v.value) for v in values if v.value.__class__ is float),
        default=0.0,
    )
    if biggest <= 1.0:
        return None
    return (
        f"'{check.metric}' has values up to {number_text(biggest)}, but {check.expression!r} "
        f"compares them with {number_text(check.threshold)} (% divides by 100): write the "
        f"threshold on the metric's own scale, e.g. '{check.expression.replace('%', '')}'"
    )


def _each_check(check: Check, ctx: _Context) -> CheckResult:
    """An ``each_digital_human`` rule: every digital human's own conversations meet it."""
    judged = each_digital_human(check, ctx.completed)
    if judged.reason is not None:
        return _result(check, Outcome.NO_VERDICT, judged.reason, samples=judged.samples)
    outcome = Outcome.FAIL if judged.failing else Outcome.PASS
    return _result(
        check,
        outcome,
        judged.message,
        observed=judged.worst,
        samples=judged.samples,
    )


def _evaluate_check(check: Check, ctx: _Context) -> CheckResult:
    carried = any(check.metric in c.metrics for c in ctx.conversations)
    if check.metric in RUN_LEVEL and (check.aggregate is Aggregate.VALUE or not carried):
        return _score_check(check, ctx)
    return _metric_check(check, ctx)


def _conversations(sim: SimulationInput) -> tuple[list[Conversation], Counter[str]]:
    """Conversations in id order, and why each not-completed one did not complete."""
    latest: dict[str, SimulationResult | ReadResult] = {}
    for result in sim.results:
        latest[result.id] = result  # a later copy of the same result replaces the earlier
    ordered = [read_result(r) for r in sorted(latest.values(), key=lambda r: result_sort_key(r.id))]
    default_run = sim.runs[0].id if len(sim.runs) == 1 else ""
    scored = [statuses.normalise(r.status) in statuses.RESULT_SCORED for r in ordered]
    any_custom = any(r.found.has_custom for r, done in zip(ordered, scored, strict=True) if done)
    reasons: Counter[str] = Counter()
    conversations: list[Conversation] = []
    for result, done in zip(ordered, scored, strict=True):
        found = result.found
        status = statuses.normalise(result.status)
        silent = done and found.never_spoke
        unscored = done and not silent and not found.has_custom and any_custom
        completed = done and not silent and not unscored
        if not completed:
            reasons[_not_completed_reason(status, silent=silent, unscored=unscored)] += 1
        run_id = sim.result_runs.get(result.id, default_run)
        conversations.append(
            Conversation(
                result_id=result.id,
                run_id=run_id,
                digital_human_id=result.digital_human_id,
                status=status or "UNKNOWN",
                completed=completed,
                never_spoke=silent,
                metrics=found.metrics,
                transcript_url=result.transcript_url,
                audio_url=result.audio_url,
                dashboard_url=result_url(sim.simulation_id, run_id, result.id) if run_id else None,
                duration_ms=result.duration,
                unscored=unscored,
            )
        )
    return conversations, reasons


def _not_completed_reason(status: str, *, silent: bool, unscored: bool) -> str:
    if silent:
        return NEVER_SPOKE
    if unscored:
        return UNSCORED
    if not status:
        return "without a status"
    if status in statuses.RESULT_NOT_COMPLETED:
        return status
    return f"still {status}"


def _incomplete_error(reasons: Counter[str], total: int, allow_incomplete: float) -> str | None:
    missing = sum(reasons.values())
    if total == 0 or missing == 0 or missing <= allow_incomplete * total + 1e-9:
        return None
    breakdown = ", ".join(
        f"{count} {reason}"
        for reason, count in sorted(reasons.items(), key=lambda i: (-i[1], i[0]))
    )
    return (
        f"{missing} of {total} conversations did not complete "
        f"({percent_text(missing / total, decimals=1)}, allowed "
        f"{percent_text(allow_incomplete, decimals=1)}): {breakdown}"
    )


def _simulation_errors(
    sim: SimulationInput, total: int, reasons: Counter[str], allow_incomplete: float
) -> tuple[str, ...]:
    errors = list(sim.errors)
    if total == 0 and not sim.errors:
        if sim.runs:
            noun = "run" if len(sim.runs) == 1 else "runs"
            errors.append(f"{noun} {', '.join(r.id for r in sim.runs)} produced no conversations")
        else:
            errors.append("no run of this simulation produced conversations")
    errors.extend(
        f"run {run.id} ended INSUFFICIENT_FUNDS: add credit to the Bluejay organisation and re-run"
        for run in sim.runs
        if statuses.normalise(run.status) == "INSUFFICIENT_FUNDS"
    )
    if incomplete := _incomplete_error(reasons, total, allow_incomplete):
        errors.append(incomplete)
    return tuple(dict.fromkeys(errors))


def _run_status(runs: Sequence[RunStatus]) -> str | None:
    seen = [statuses.normalise(r.status) for r in runs if r.status]
    return ", ".join(dict.fromkeys(seen)) or None


def evaluate_simulation(sim: SimulationInput, *, allow_incomplete: float) -> SimulationVerdict:
    """One simulation's verdict (see the module docstring for the rules)."""
    conversations, reasons = _conversations(sim)
    unseen = 0
    for run_id, count in sim.unseen.items():
        if count > 0:
            reasons[f"counted by run {run_id} but never returned"] += count
            unseen += count
    total = len(conversations) + unseen
    completed = tuple(c for c in conversations if c.completed)
    ctx = _Context(sim=sim, conversations=tuple(conversations), completed=completed)
    checks = tuple(_evaluate_check(check, ctx) for check in sim.checks)
    errors = _simulation_errors(sim, total, reasons, allow_incomplete)
    blocking = [c for c in checks if c.blocking]
    if any(c.outcome is Outcome.FAIL for c in blocking):
        outcome = Outcome.FAIL
    elif errors or any(c.outcome is Outcome.NO_VERDICT for c in blocking):
        outcome = Outcome.NO_VERDICT
    else:
        outcome = Outcome.PASS
    counters = _run_counters(sim.runs)
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
        flips=flips(sim.checks, completed),
        repeated_digital_humans=repeated_digital_humans(completed),
        repeats=sim.repeats,
        notes=sim.notes,
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
