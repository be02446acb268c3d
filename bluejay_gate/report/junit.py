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
reasoning is in the JSON report; a big run's JUnit stays readable in CI). The XML
is written by hand (no ``disabled`` attribute, no ``file``/``line`` on cases) so it is
valid against the Jenkins xUnit ``junit-10.xsd``; all text passes through ``xmltext``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bluejay_gate.report import formatting as fmt
from bluejay_gate.report import wording, xmltext
from bluejay_gate.report.info import RunInfo
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
    suites: list[_Suite] = []
    gate_errors = wording.gate_errors(verdict)
    if gate_errors:
        suites.append(_gate_suite(gate_errors, verdict, info))
    suites.extend(_simulation_suite(simulation, info) for simulation in verdict.simulations)

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


class _Suite:
    """One ``<testsuite>`` being built: its parts, and the counts for its attributes."""

    def __init__(self, name: str, properties: dict[str, str], timestamp: str | None) -> None:
        self.name = name
        self.properties = properties
        self.timestamp = timestamp
        self.cases: list[str] = []
        self.failures = 0
        self.errors = 0
        # made (and escaped) part by part while the suite is written: it can be large
        self._system_out: Iterable[str] = ()

    def set_system_out(self, parts: Iterable[str]) -> None:
        """Lazy ``<system-out>`` text; an element is written only if some part is not empty."""
        self._system_out = parts

    @property
    def tests(self) -> int:
        return len(self.cases)

    def add_case(
        self,
        name: str,
        classname: str,
        *,
        failure: tuple[str, str, str] | None = None,
        system_out: str | None = None,
    ) -> None:
        """``failure`` is (element, type, text); the text starts with the message."""
        case = [f'    <testcase name="{xmltext.attr(name)}" classname="{xmltext.attr(classname)}"']
        if failure is None and system_out is None:
            case.append("/>\n")
            self.cases.append("".join(case))
            return
        case.append(">\n")
        if failure is not None:
            element, kind, body = failure
            message = body.split("\n", 1)[0]
            if element == "failure":
                self.failures += 1
            else:
                self.errors += 1
            case.append(
                f'      <{element} message="{xmltext.attr(message)}" type="{kind}">'
                f"{xmltext.text(body)}</{element}>\n"
            )
        if system_out is not None:
            case.append(f"      <system-out>{xmltext.text(system_out)}</system-out>\n")
        case.append("    </testcase>\n")
        self.cases.append("".join(case))

    @property
    def parts(self) -> Iterable[str]:
        attrs = (
            f'name="{xmltext.attr(self.name)}" tests="{self.tests}" failures="{self.failures}" '
            f'errors="{self.errors}" skipped="0"'
        )
        if self.timestamp:
            attrs += f' timestamp="{xmltext.attr(self.timestamp)}"'
        yield f"  <testsuite {attrs}>\n"
        if self.properties:
            yield "    <properties>\n"
            for key, value in self.properties.items():
                yield (
                    f'      <property name="{xmltext.attr(key)}" value="{xmltext.attr(value)}"/>\n'
                )
            yield "    </properties>\n"
        yield from self.cases
        opened = False
        for part in self._system_out:
            if not part:
                continue
            if not opened:
                opened = True
                yield "    <system-out>"
            yield xmltext.text(part)  # parts split at line ends: "]]>" never straddles two
        if opened:
            yield "</system-out>\n"
        yield "  </testsuite>\n"


def _run_properties(info: RunInfo) -> dict[str, str]:
    props = {"spec": info.spec_path, "bluejay_gate_version": info.version}
    if info.agent_id is not None:
        props["agent_id"] = info.agent_id
    if info.agent_name is not None:
        props["agent_name"] = info.agent_name
    if info.dry_run:
        props["dry_run"] = "true"
    return props


def _gate_suite(errors: tuple[str, ...], verdict: Verdict, info: RunInfo) -> _Suite:
    suite = _Suite(GATE_SUITE, _run_properties(info), fmt.iso(info.started_at))
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


def _simulation_suite(simulation: SimulationVerdict, info: RunInfo) -> _Suite:
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
    suite = _Suite(simulation.label, properties, fmt.iso(info.started_at))
    classname = f"{SUITES_NAME}.{simulation.label}"
    index = wording.conversation_index(simulation)

    if wording.simulation_undecided(simulation):
        errors = wording.simulation_errors(simulation)
        lines = ["; ".join(errors), ""]
        lines.extend(_simulation_facts(simulation))
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
        elif shown is Outcome.WARN:
            suite.add_case(result.check.label, classname, system_out=f"WARNING: {detail}")
        else:
            suite.add_case(result.check.label, classname, system_out=wording.check_message(result))
    suite.set_system_out(_conversations_text(simulation))
    return suite


def _simulation_facts(simulation: SimulationVerdict) -> list[str]:
    lines = [f"simulation: {simulation.label} (id {simulation.simulation_id})"]
    if simulation.run_ids:
        lines.append(f"runs: {', '.join(simulation.run_ids)} (status {simulation.run_status})")
    lines.append(wording.conversation_counts(simulation))
    lines.extend(
        text
        for text in (wording.repeats_text(simulation), wording.stability_text(simulation))
        if text
    )
    lines.extend(f"  {text}" for text in wording.flip_texts(simulation))
    lines.extend(f"note: {note}" for note in simulation.notes)
    if simulation.dashboard_url:
        lines.append(f"run dashboard: {simulation.dashboard_url}")
    return lines


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


def _conversations_text(simulation: SimulationVerdict) -> Iterator[str]:
    """The suite's ``<system-out>``, one conversation per part: every conversation, its
    metrics, the reasoning of the checked ones, and links."""
    head = [*_simulation_facts(simulation)]
    if simulation.score is not None:
        head.append(f"run score: {fmt.format_number(simulation.score)}")
    if not head and not simulation.conversations:
        return
    checked = frozenset(result.check.metric for result in simulation.checks)
    if any(name not in checked for c in simulation.conversations for name in c.metrics):
        head.append(
            "reasoning is shown for the checked metrics; the JSON report has every metric's"
        )
    yield "\n".join(head)
    for conversation in simulation.conversations:
        yield "\n\n" + "\n".join(_conversation_lines(conversation, checked))
    yield "\n"


def _conversation_lines(conversation: Conversation, checked: frozenset[str]) -> list[str]:
    who = (
        f", digital human {conversation.digital_human_id}" if conversation.digital_human_id else ""
    )
    status = conversation.status
    if conversation.never_spoke:
        status += " (agent never spoke; not counted)"
    elif not conversation.completed:
        status += " (not completed; not counted)"
    lines = [f"conversation {conversation.result_id} (run {conversation.run_id}{who}): {status}"]
    # The hot loop of a large report (runs × conversations × metrics): keep it lean.
    limit = fmt.REASONING_LIMIT
    for name, value in conversation.metrics.items():
        raw = value.raw
        shown = raw if raw is not None and value.applicable else fmt.metric_text(value)
        reasoning = value.reasoning
        if not reasoning or name not in checked:
            lines.append(f"  {name}: {shown}")
            continue
        if len(reasoning) > limit:
            reasoning = fmt.truncate(reasoning, limit)
        if "\n" in reasoning or "\r" in reasoning:
            reasoning = fmt.one_line(reasoning)
        lines.append(f"  {name}: {shown}\n    reasoning: {reasoning}")
    if conversation.duration_ms is not None:
        lines.append(f"  duration: {fmt.format_number(conversation.duration_ms / 1000)}s")
    for label, url in (
        ("transcript", conversation.transcript_url),
        ("audio", conversation.audio_url),
        ("dashboard", conversation.dashboard_url),
    ):
        if url:
            lines.append(f"  {label}: {url}")
    return lines
