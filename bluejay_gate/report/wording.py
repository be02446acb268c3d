"""The verdict in words, shared by every reporter: what an outcome and an exit code mean,
a check's observed value, threshold, interval, message and worst conversations, a
simulation's counts, repeats, flips and reasons for no verdict, and the gate's own errors.

Pure functions over ``verdict.model`` types; values are written by ``formatting``, and
each reporter adds its own escaping.
"""

from __future__ import annotations

from dataclasses import dataclass

from bluejay_gate.errors import EXIT_FAIL, EXIT_INVALID, EXIT_NO_VERDICT, EXIT_PASS
from bluejay_gate.report.formatting import (
    NO_VALUE,
    NOT_APPLICABLE,
    format_number,
    metric_text,
    one_line,
    reasoning_text,
)
from bluejay_gate.report.info import RunInfo
from bluejay_gate.spec.thresholds import Check
from bluejay_gate.verdict.model import (
    CheckResult,
    Conversation,
    Outcome,
    SimulationVerdict,
    Verdict,
)

EXIT_MEANINGS = {
    EXIT_PASS: "every error-severity check passed",
    EXIT_FAIL: "at least one error-severity check failed",
    EXIT_INVALID: "the spec or the command line is invalid",
    EXIT_NO_VERDICT: "the gate could not reach a verdict",
}
VERDICT_WORDS = {
    Outcome.PASS: "passed",
    Outcome.FAIL: "failed",
    Outcome.WARN: "passed with warnings",
    Outcome.NO_VERDICT: "no verdict",
}


def format_observed(result: CheckResult) -> str:
    """The observed aggregate as the check reads it, whenever it is known (also without a
    verdict, e.g. too few samples), or ``—`` when there is none."""
    value = result.observed if result.observed is not None else result.measured
    if value is None:
        return NO_VALUE
    return format_number(value, percent=result.check.percent)


def format_expected(check: Check) -> str:
    """``">= 90%"``: the operator and threshold as the spec wrote them."""
    return f"{check.op.value} {format_number(check.threshold, percent=check.percent)}"


def format_interval(result: CheckResult) -> str | None:
    if result.interval is None:
        return None
    low, high = result.interval
    pct = result.check.percent
    confidence = result.level or result.check.confidence
    level = f" ({format_number(confidence, percent=True)} confidence)" if confidence else ""
    return f"{format_number(low, percent=pct)} – {format_number(high, percent=pct)}{level}"


def inconclusive_text(result: CheckResult) -> str | None:
    """``"inconclusive: about 40 more conversations would likely settle it"``."""
    if not result.inconclusive:
        return None
    if result.more_needed is None:
        return "inconclusive: more conversations are unlikely to settle it"
    return f"inconclusive: about {result.more_needed} more conversations would likely settle it"


def _signed(value: float, *, percent: bool) -> str:
    text = format_number(value, percent=percent)
    return f"+{text}" if value > 0 and text.strip("0.%") else text


def _figure(result: CheckResult, value: float | None, *, signed: bool) -> str:
    if value is None:
        return NO_VALUE
    if signed:
        return _signed(value, percent=result.check.percent)
    return format_number(value, percent=result.check.percent)


def baseline_value(result: CheckResult) -> str | None:
    """The baseline's value of the check's aggregate (``—`` when it has none); ``None``
    without a baseline."""
    figures = result.baseline
    return None if figures is None else _figure(result, figures.value, signed=False)


def change_text(result: CheckResult) -> str | None:
    """This run's change from the baseline, signed (``+0.3``, ``-5%``); ``None`` without."""
    figures = result.baseline
    return None if figures is None else _figure(result, figures.delta, signed=True)


def baseline_text(result: CheckResult) -> str | None:
    """``85% (baseline 90%, change -5%, n=20)``: this run's value of the check's aggregate,
    the baseline's and the change; ``None`` without a baseline."""
    figures = result.baseline
    was, change = baseline_value(result), change_text(result)
    if figures is None or was is None or change is None:
        return None
    now = NO_VALUE
    if figures.value is not None and figures.delta is not None:
        now = format_number(figures.value + figures.delta, percent=result.check.percent)
    elif not result.check.delta and result.observed is not None:
        now = format_observed(result)
    return f"{now} (baseline {was}, change {change}, baseline n={figures.samples})"


def repeats_text(simulation: SimulationVerdict) -> str | None:
    """``"repeat 3 per digital human (max 6): 2 of 4 looks, 60 conversations, 30 saved"``."""
    r = simulation.repeats
    if r is None:
        return None
    text = f"repeat {r.repeat} per digital human"
    if r.planned_looks > 1:
        text += (
            f" (max_repeats {r.max_repeats}): {r.looks} of {r.planned_looks} looks, "
            f"{r.conversations} conversations queued, {r.saved} saved of {r.conversations_max}"
        )
    return text


def who(digital_human_id: str | None, name: str | None) -> str | None:
    """``"Alex Rivera (digital human 12)"``, ``"digital human 12"``, or ``None``."""
    if digital_human_id is None:
        return None
    if name:
        return f"{one_line(name)} (digital human {digital_human_id})"
    return f"digital human {digital_human_id}"


def digital_human(
    simulation: SimulationVerdict, digital_human_id: str | None, info: RunInfo | None
) -> str | None:
    """The digital human by name (id beside it) when ``info`` knows the name."""
    name = info.digital_human_name(simulation.simulation_id, digital_human_id) if info else None
    return who(digital_human_id, name)


def flip_texts(
    simulation: SimulationVerdict, metric: str | None = None, info: RunInfo | None = None
) -> list[str]:
    """``"Alex Rivera (digital human 12) flips on Greeting compliance: 2/3 passed"``."""
    return [
        f"{digital_human(simulation, f.digital_human_id, info)} flips on {f.metric}: "
        f"{f.passed}/{f.total} passed"
        for f in simulation.flips
        if metric is None or f.metric == metric
    ]


def stability_text(simulation: SimulationVerdict) -> str | None:
    """``"4 digital humans repeated, 2 flip between pass and fail"``; ``None`` without repeats."""
    repeated = simulation.repeated_digital_humans
    if not repeated:
        return None
    flipping = len({f.digital_human_id for f in simulation.flips})
    noun = "digital human" if repeated == 1 else "digital humans"
    return f"{repeated} {noun} repeated, {flipping} flip between pass and fail"


def format_samples(result: CheckResult) -> str:
    """``"20"`` or ``"20 (3 N/A)"``."""
    if result.not_applicable:
        return f"{result.samples} ({result.not_applicable} {NOT_APPLICABLE})"
    return str(result.samples)


def display_outcome(result: CheckResult) -> Outcome:
    """The outcome as reports show it: a warn-severity check never shows as fail/no verdict."""
    if not result.blocking and result.outcome in {Outcome.FAIL, Outcome.NO_VERDICT}:
        return Outcome.WARN
    return result.outcome


def check_message(result: CheckResult) -> str:
    """The evaluator's one-line message, or one built from the numbers when it is empty."""
    message = one_line(result.message)
    if message:
        return message
    if result.observed is None:
        return f"no verdict for {result.check.label}"
    return (
        f"observed {format_observed(result)} over {result.samples} conversations, "
        f"needs {format_expected(result.check)}"
    )


def check_line(check: Check, info: RunInfo) -> int | None:
    """The check's line in the spec: from the check itself, else from ``RunInfo``."""
    if check.line is not None:
        return check.line
    return info.check_lines.get(check.label)


@dataclass(frozen=True, slots=True)
class WorstEntry:
    """One conversation that pulled a check down, ready to show: who, the value, what
    the judge said of this metric (cut), and where to look."""

    result_id: str
    digital_human_id: str | None
    value: str
    link: str | None  # the dashboard: the conversation's, else the run's
    name: str | None = None  # the digital human's name, when known
    reasoning: str | None = None  # one line, cut to ``REASONING_LIMIT``
    transcript_url: str | None = None

    @property
    def who(self) -> str:
        """``Alex Rivera (digital human 12)``, ``digital human 12``, or ``result 9001``."""
        return who(self.digital_human_id, self.name) or f"result {self.result_id}"

    def describe(self) -> str:
        """``Alex Rivera (digital human 12), result 9001, value 3``."""
        person = who(self.digital_human_id, self.name)
        parts = [p for p in (person, f"result {self.result_id}", f"value {self.value}") if p]
        return ", ".join(parts)


def conversation_index(simulation: SimulationVerdict) -> dict[str, Conversation]:
    """Conversations by result id (build once per simulation, not per check)."""
    return {c.result_id: c for c in simulation.conversations}


def worst_entries(
    result: CheckResult,
    index: dict[str, Conversation],
    simulation: SimulationVerdict,
    info: RunInfo | None = None,
) -> list[WorstEntry]:
    """The conversations that pulled ``result`` down, worst first, each with the
    digital human's name (from ``info``), the value, the judge's reasoning and links."""
    entries: list[WorstEntry] = []
    for result_id in result.worst:
        conversation = index.get(result_id)
        if conversation is None:
            entries.append(WorstEntry(result_id, None, NO_VALUE, simulation.dashboard_url))
            continue
        value = conversation.metrics.get(result.check.metric)
        dh_id = conversation.digital_human_id
        entries.append(
            WorstEntry(
                result_id=result_id,
                digital_human_id=dh_id,
                value=metric_text(value),
                link=conversation.dashboard_url or simulation.dashboard_url,
                name=info.digital_human_name(simulation.simulation_id, dh_id) if info else None,
                reasoning=reasoning_text(value.reasoning) if value is not None else None,
                transcript_url=conversation.transcript_url,
            )
        )
    return entries


@dataclass(frozen=True, slots=True)
class CheckCounts:
    total: int
    passed: int
    failed: int
    warned: int
    no_verdict: int
    skipped: int = 0


def count_checks(simulation: SimulationVerdict) -> CheckCounts:
    outcomes = [display_outcome(c) for c in simulation.checks]
    return CheckCounts(
        total=len(outcomes),
        passed=outcomes.count(Outcome.PASS),
        failed=outcomes.count(Outcome.FAIL),
        warned=outcomes.count(Outcome.WARN),
        no_verdict=outcomes.count(Outcome.NO_VERDICT),
        skipped=outcomes.count(Outcome.SKIPPED),
    )


def simulation_undecided(simulation: SimulationVerdict) -> bool:
    """True when the simulation has no verdict that its checks do not already explain.

    Such a simulation gets its own "<label>: verdict" entry (JUnit error case, summary
    failure), so that every reason for exit code 3 is visible somewhere.
    """
    if simulation.errors:
        return True
    if simulation.outcome is not Outcome.NO_VERDICT:
        return False
    return not any(display_outcome(c) is Outcome.NO_VERDICT for c in simulation.checks)


def simulation_errors(simulation: SimulationVerdict) -> tuple[str, ...]:
    """The simulation's own reasons for no verdict, never empty when it is undecided."""
    if simulation.errors:
        return tuple(one_line(e) for e in simulation.errors)
    return (f"no verdict for simulation {simulation.label} (run status {simulation.run_status})",)


def shard_text(info: RunInfo) -> str | None:
    """``"shard 1/2 (simulation:4821): merge every shard's report for the gate's verdict"``
    for a ``--shard`` run; ``"merged from 2 shard reports"`` for ``merge``; else None."""
    if info.shard is not None:
        units = ", ".join(info.shard.units) or "nothing to run"
        return one_line(
            f"shard {info.shard.text} ({units}): this verdict covers only this shard; "
            "merge every shard's report for the gate's verdict"
        )
    if info.merged_from:
        count = len(info.merged_from)
        return f"merged from {count} shard report{'s' if count != 1 else ''}"
    return None


def reused_text(simulation: SimulationVerdict) -> str | None:
    """``"reused from bluejay-report.json (run 77): not run again"``, for a simulation
    ``--rerun-failed`` took from an earlier report; else ``None``."""
    if simulation.reused_from is None:
        return None
    runs = ""
    if simulation.run_ids:
        noun = "run" if len(simulation.run_ids) == 1 else "runs"
        runs = f" ({noun} {', '.join(simulation.run_ids)})"
    again = "not sent again" if simulation.is_call_set else "not run again"
    return one_line(f"reused from {simulation.reused_from}{runs}: passed there, {again}")


def gate_errors(verdict: Verdict) -> tuple[str, ...]:
    """Gate-level reasons for no verdict, including "nothing was run"."""
    errors = tuple(one_line(e) for e in verdict.errors)
    if not errors and not verdict.simulations:
        errors = ("no simulations were evaluated, so there is nothing to decide",)
    return errors


def conversation_counts(simulation: SimulationVerdict) -> str:
    """``10 conversations: 8 completed, 2 not completed (1 agent never spoke)``."""
    text = (
        f"{simulation.total} conversations: {simulation.completed} completed, "
        f"{simulation.not_completed} not completed"
    )
    if simulation.never_spoke:
        text += f" ({simulation.never_spoke} agent never spoke)"
    return text
