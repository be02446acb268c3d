"""JUnit XML: one ``<testsuite>`` per simulation, one ``<testcase>`` per check.

The file holds a ``<failure>`` or an ``<error>`` exactly when the exit code is not 0:

- an error-severity check that failed      -> ``<failure type="threshold">``
- an error-severity check with no verdict   -> ``<error type="no-verdict">``
- a warn-severity check that did not pass   -> a passing case, ``WARNING: ...`` in ``<system-out>``
- a simulation with no verdict of its own   -> an extra case ``<label>: verdict`` with ``<error>``
- gate-level errors, or nothing to decide   -> a suite ``bluejay-gate`` with an ``<error>`` case

The element text repeats the ``message`` attribute and adds the detail (GitLab shows
only the text). Per-conversation detail goes in each suite's ``<system-out>``: every
metric's value, and the reasoning of the metrics the simulation's checks read (every
reasoning is in the JSON report; a big run's JUnit stays readable in CI).

This module decides the cases and their text; ``junit_suite`` writes each element by hand
(valid against the Jenkins xUnit ``junit-10.xsd``, all text through ``xmltext``) and
``junit_conversations`` makes the simulation's facts and conversations.
"""

from __future__ import annotations

from collections.abc import Iterator

from bluejay_gate.report import formatting as fmt
from bluejay_gate.report import junit_conversations, wording
from bluejay_gate.report.call_sets import call_set_properties, unit_label
from bluejay_gate.report.early import early_properties
from bluejay_gate.report.info import RunInfo
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


def render_junit(verdict: Verdict, info: RunInfo) -> str:
    """The whole JUnit document as a string (UTF-8 declared)."""
    return "".join(iter_junit(verdict, info))


def iter_junit(verdict: Verdict, info: RunInfo) -> Iterator[str]:
    """``render_junit`` in parts: each conversation's detail is made as it is written."""
    suites: list[Suite] = []
    gate_errors = wording.gate_errors(verdict)
    if gate_errors:
        suites.append(_gate_suite(gate_errors, verdict, info))
    suites.extend(_simulation_suite(simulation, info) for simulation in verdict.simulations)
    for suite in suites:
        suite.properties.update(early_properties(verdict.early))

    tests = sum(s.tests for s in suites)
    failures = sum(s.failures for s in suites)
    errors = sum(s.errors for s in suites)
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<testsuites name="{SUITES_NAME}" tests="{tests}" failures="{failures}" errors="{errors}"',
    ]
    duration = info.duration_s
    if duration is not None:
        head.append(f' time="{duration:.3f}"')
    head.append(">\n")
    yield from head
    for suite in suites:
        yield from suite.parts
    yield "</testsuites>\n"


def _run_properties(info: RunInfo) -> dict[str, str]:
    props = {"spec": info.spec_path, "bluejay_gate_version": info.version}
    if info.agent_id is not None:
        props["agent_id"] = info.agent_id
    if info.agent_name is not None:
        props["agent_name"] = info.agent_name
    if info.dry_run:
        props["dry_run"] = "true"
    if info.shard is not None:
        props["shard"] = info.shard.text
    return props


def _gate_suite(errors: tuple[str, ...], verdict: Verdict, info: RunInfo) -> Suite:
    suite = Suite(GATE_SUITE, _run_properties(info), fmt.iso(info.started_at))
    message = "; ".join(errors)
    lines = [message, ""]
    if len(errors) > 1:
        lines.extend(f"- {error}" for error in errors)
        lines.append("")
    lines.append(f"exit code {verdict.exit_code}: {wording.EXIT_MEANINGS[verdict.exit_code]}")
    lines.append(f"spec: {info.spec_path}")
    if info.run_ids:
        lines.append(f"runs: {', '.join(info.run_ids)}")
    suite.add_case(
        f"{GATE_SUITE}: verdict",
        GATE_SUITE,
        failure=("error", TYPE_NO_VERDICT, "\n".join(lines)),
    )
    return suite


def _simulation_suite(simulation: SimulationVerdict, info: RunInfo) -> Suite:
    properties = {
        **_run_properties(info),
        "simulation_id": simulation.simulation_id,
        "run_ids": ", ".join(simulation.run_ids),
        "run_status": simulation.run_status or "",
        "outcome": simulation.outcome.value,
        "conversations": wording.conversation_counts(simulation),
    }
    if simulation.score is not None:
        properties["score"] = fmt.format_number(simulation.score)
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
    properties = call_set_properties(simulation, properties)
    suite = Suite(unit_label(simulation), properties, fmt.iso(info.started_at))
    classname = f"{SUITES_NAME}.{unit_label(simulation)}"
    index = wording.conversation_index(simulation)

    if wording.simulation_undecided(simulation):
        errors = wording.simulation_errors(simulation)
        lines = ["; ".join(errors), ""]
        lines.extend(junit_conversations.simulation_facts(simulation))
        suite.add_case(
            f"{simulation.label}: verdict",
            classname,
            failure=("error", TYPE_NO_VERDICT, "\n".join(lines)),
        )
    for result in simulation.checks:
        shown = wording.display_outcome(result)
        detail = _check_detail(result, simulation, index, info)
        if shown is Outcome.FAIL:
            suite.add_case(result.check.label, classname, failure=("failure", TYPE_FAILURE, detail))
        elif shown is Outcome.NO_VERDICT:
            suite.add_case(
                result.check.label, classname, failure=("error", TYPE_NO_VERDICT, detail)
            )
        elif shown is Outcome.SKIPPED:
            suite.add_case(result.check.label, classname, skipped=wording.check_message(result))
        elif shown is Outcome.WARN:
            suite.add_case(result.check.label, classname, system_out=f"WARNING: {detail}")
        else:
            suite.add_case(result.check.label, classname, system_out=wording.check_message(result))
    suite.set_system_out(junit_conversations.conversations_text(simulation))
    return suite


def _check_detail(
    result: CheckResult,
    simulation: SimulationVerdict,
    index: dict[str, Conversation],
    info: RunInfo,
) -> str:
    """Message first (it is also the ``message`` attribute), then the numbers and links."""
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
    flips = wording.flip_texts(simulation, check.metric)
    if flips:
        lines.append("flips between repeats:")
        lines.extend(f"  - {text}" for text in flips)
    worst = wording.worst_entries(result, index, simulation)
    if worst:
        lines.append("worst conversations:")
        for entry in worst:
            link = f": {entry.link}" if entry.link else ""
            lines.append(f"  - {entry.describe()}{link}")
    if simulation.dashboard_url:
        lines.append(f"run dashboard: {simulation.dashboard_url}")
    return "\n".join(lines)
