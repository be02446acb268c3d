"""JUnit XML: one ``<testsuite>`` per simulation, one ``<testcase>`` per check.

Shaped for the viewers people use (GitLab's test report, junit2html, xunit-viewer):
what a person needs to act on a check is in that check's own element, a suite's cases
come failures first (then no verdict, warnings, passes; spec order within each), and
the suite's properties and ``<system-out>`` are a few lines.

- an error-severity check that failed      -> ``<failure type="threshold">``
- an error-severity check with no verdict   -> ``<error type="no-verdict">``
- a warn-severity check that did not pass   -> ``<skipped message="WARNING: ...">``
  (GitLab, junit2html and xunit-viewer show a skipped case as neither passed nor failed,
  with its text; ``system-err`` GitLab does not show at all)
- a simulation with no verdict of its own   -> an extra case ``<label>: verdict`` with ``<error>``
- gate-level errors, or nothing to decide   -> a suite ``bluejay-gate`` with an ``<error>`` case

So the file holds a ``<failure>`` or an ``<error>`` exactly when the exit code is not 0.
The element text starts with the ``message`` attribute (GitLab shows only the text),
then the numbers (observed, expected, samples, interval) and the worst conversations,
each with the digital human's name, the value, the judge's reasoning (cut) and the
transcript and dashboard links. ``time``: a suite's is its simulation's wall time (first
run queued to last run done) and so is each of its checks'.

This module decides the cases and their text; ``junit_suite`` writes each element
(valid against both schemas in ``shared/schemas``) and ``junit_conversations`` makes
the simulation's facts and conversations. A new kind of case is one function that
calls ``Suite.add_case``; a new kind of suite, one that builds a ``Suite``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from urllib.parse import urlsplit

from bluejay_gate.report import junit_conversations, wording
from bluejay_gate.report.call_sets import call_set_properties, unit_label
from bluejay_gate.report.early import early_properties
from bluejay_gate.report.info import RunInfo
from bluejay_gate.report.junit_suite import Outcome as CaseOutcome
from bluejay_gate.report.junit_suite import Suite
from bluejay_gate.verdict.model import (
    CheckResult,
    Conversation,
    Outcome,
    SimulationVerdict,
    Verdict,
)

SUITES_NAME = "bluejay-gate"
GATE_SUITE = "bluejay-gate"
TYPE_FAILURE = "threshold"
TYPE_NO_VERDICT = "no-verdict"
WARNING_PREFIX = "WARNING: "


def render_junit(verdict: Verdict, info: RunInfo) -> str:
    """The whole JUnit document as a string (UTF-8 declared)."""
    return "".join(iter_junit(verdict, info))


def iter_junit(verdict: Verdict, info: RunInfo) -> Iterator[str]:
    """``render_junit`` in parts, a suite at a time."""
    suites: list[Suite] = []
    gate_errors = wording.gate_errors(verdict)
    if gate_errors:
        suites.append(_gate_suite(gate_errors, verdict, info))
    suites.extend(_simulation_suite(simulation, info) for simulation in verdict.simulations)
    for suite in suites:
        suite.properties.update(early_properties(verdict.early))
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n'
    for ident, suite in enumerate(suites):
        yield from suite.parts(ident)
    yield "</testsuites>\n"


def _timestamp(info: RunInfo) -> str | None:
    """``2026-04-01T12:00:00``: UTC, whole seconds, no zone (the Ant schema's form)."""
    if info.started_at is None:
        return None
    moment = info.started_at
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _hostname(info: RunInfo) -> str:
    """Where the runs ran: the Bluejay API's host."""
    try:
        host = urlsplit(info.base_url).hostname
    except ValueError:
        host = None
    return host or "bluejay"


def _run_properties(info: RunInfo) -> dict[str, str]:
    """The run's few facts as properties (viewers list them above the cases: few, so the
    first failure stays on the first screen; the JSON report has the rest)."""
    props = {"spec": info.spec_path}
    if info.agent_id is not None:
        props["agent_id"] = info.agent_id
    if info.dry_run:
        props["dry_run"] = "true"
    if info.shard is not None:
        props["shard"] = info.shard.text
    return props


def _suite(
    name: str, properties: dict[str, str], info: RunInfo, *, time_s: float | None, out: str
) -> Suite:
    return Suite(
        name,
        properties,
        timestamp=_timestamp(info),
        hostname=_hostname(info),
        time_s=time_s,
        system_out=out,
    )


def _gate_suite(errors: tuple[str, ...], verdict: Verdict, info: RunInfo) -> Suite:
    message = "; ".join(errors)
    lines = [message, ""]
    if len(errors) > 1:
        lines.extend(f"- {error}" for error in errors)
        lines.append("")
    lines.append(f"exit code {verdict.exit_code}: {wording.EXIT_MEANINGS[verdict.exit_code]}")
    lines.append(f"spec: {info.spec_path}")
    if info.run_ids:
        lines.append(f"runs: {', '.join(info.run_ids)}")
    suite = _suite(
        GATE_SUITE, _run_properties(info), info, time_s=info.duration_s, out=message + "\n"
    )
    suite.add_case(
        f"{GATE_SUITE}: verdict",
        GATE_SUITE,
        time_s=info.duration_s,
        outcome=CaseOutcome("error", TYPE_NO_VERDICT, "\n".join(lines)),
    )
    return suite


def _simulation_properties(simulation: SimulationVerdict, info: RunInfo) -> dict[str, str]:
    properties = {
        **_run_properties(info),
        "simulation_id": simulation.simulation_id,
        "run_ids": ", ".join(simulation.run_ids),
    }
    if simulation.dashboard_url:
        properties["dashboard_url"] = simulation.dashboard_url
    if simulation.repeats is not None:
        properties["repeat"] = str(simulation.repeats.repeat)
        if simulation.repeats.max_repeats is not None:
            properties["max_repeats"] = str(simulation.repeats.max_repeats)
            properties["conversations_saved"] = str(simulation.repeats.saved)
    if simulation.repeated_digital_humans:
        properties["flips"] = str(len(simulation.flips))
    if simulation.reused_from is not None:
        properties["reused_from"] = simulation.reused_from
    return call_set_properties(simulation, properties)


def _simulation_suite(simulation: SimulationVerdict, info: RunInfo) -> Suite:
    took = info.simulation_seconds.get(simulation.label)
    suite = _suite(
        unit_label(simulation),
        _simulation_properties(simulation, info),
        info,
        time_s=took,
        out=junit_conversations.suite_output(simulation, info),
    )
    classname = f"{SUITES_NAME}.{unit_label(simulation)}"
    if wording.simulation_undecided(simulation):
        suite.add_case(
            f"{simulation.label}: verdict",
            classname,
            time_s=took,
            outcome=CaseOutcome("error", TYPE_NO_VERDICT, _undecided_text(simulation, info)),
        )
    index = wording.conversation_index(simulation)
    for result in sorted(simulation.checks, key=_shown_first):
        suite.add_case(
            result.check.label,
            classname,
            time_s=took,
            outcome=_check_outcome(result, simulation, index, info),
        )
    return suite


CASE_ORDER = {
    Outcome.FAIL: 0,
    Outcome.NO_VERDICT: 1,
    Outcome.WARN: 2,
    Outcome.SKIPPED: 3,
    Outcome.PASS: 4,
}


def _shown_first(result: CheckResult) -> int:
    """Failures, then no verdicts, then warnings, then passes (spec order within each):
    viewers list cases in file order, and what needs acting on comes first."""
    return CASE_ORDER[wording.display_outcome(result)]


def _undecided_text(simulation: SimulationVerdict, info: RunInfo) -> str:
    lines = ["; ".join(wording.simulation_errors(simulation)), ""]
    lines.extend(junit_conversations.not_completed_lines(simulation, info))
    lines.extend(junit_conversations.simulation_facts(simulation, info))
    return "\n".join(lines)


def _check_outcome(
    result: CheckResult,
    simulation: SimulationVerdict,
    index: dict[str, Conversation],
    info: RunInfo,
) -> CaseOutcome | None:
    """The case's failure, error or skipped (a warning); ``None`` when it passed."""
    shown = wording.display_outcome(result)
    if shown is Outcome.PASS:
        return None
    if shown is Outcome.SKIPPED:  # not judged (e.g. no baseline): the reason only
        return CaseOutcome("skipped", "skipped", wording.check_message(result))
    detail = _check_detail(result, simulation, index, info)
    if shown is Outcome.FAIL:
        return CaseOutcome("failure", TYPE_FAILURE, detail)
    if shown is Outcome.NO_VERDICT:
        return CaseOutcome("error", TYPE_NO_VERDICT, detail)
    return CaseOutcome("skipped", "warning", WARNING_PREFIX + detail)


def _check_detail(
    result: CheckResult,
    simulation: SimulationVerdict,
    index: dict[str, Conversation],
    info: RunInfo,
) -> str:
    """Message first (it is also the ``message`` attribute), then the numbers and the
    worst conversations."""
    check = result.check
    line = wording.check_line(check, info)
    where = f"{info.spec_path} line {line}, " if line is not None else ""
    lines = [
        wording.check_message(result),
        "",
        f"check: {check.label} ({where}severity {check.severity.value})",
        f"observed: {wording.format_observed(result)}",
        f"threshold: {wording.format_expected(check)}",
        f"samples: {result.samples} applicable, {result.not_applicable} not applicable",
    ]
    interval = wording.format_interval(result)
    if interval:
        lines.append(f"interval: {interval}")
    if unsettled := wording.inconclusive_text(result):
        lines.append(unsettled)
    flips = wording.flip_texts(simulation, check.metric, info)
    if flips:
        lines.append("flips between repeats:")
        lines.extend(f"  - {text}" for text in flips)
    lines.extend(
        junit_conversations.worst_lines(wording.worst_entries(result, index, simulation, info))
    )
    if simulation.dashboard_url:
        lines.append(f"run dashboard: {simulation.dashboard_url}")
    return "\n".join(lines)
