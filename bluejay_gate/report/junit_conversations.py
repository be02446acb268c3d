"""The plain text of a simulation in JUnit: its facts (runs, counts, repeats, flips, notes,
dashboard: the suite's short ``<system-out>``), the conversations a failing check names
(who, value, what the judge said, links: in that check's own failure text), and the
conversations that did not complete (in an undecided simulation's error text).

Plain text only; ``junit_suite`` escapes it. Every conversation's every metric is in the
JSON report, not here: a viewer shows a suite's output above its cases.
"""

from __future__ import annotations

from collections.abc import Sequence

from bluejay_gate.report import formatting as fmt
from bluejay_gate.report import wording
from bluejay_gate.report.info import RunInfo
from bluejay_gate.verdict.model import SimulationVerdict

NOT_COMPLETED_SHOWN = 10  # conversations listed in an undecided simulation's error
JSON_POINTER = "every conversation's metrics and reasoning: the JSON report (--report)"


def simulation_facts(simulation: SimulationVerdict, info: RunInfo | None = None) -> list[str]:
    """The simulation's facts, one a line: its ``<system-out>`` and the tail of its
    ``<label>: verdict`` error case."""
    lines = [f"simulation: {simulation.label} (id {simulation.simulation_id})"]
    if simulation.run_ids:
        lines.append(f"runs: {', '.join(simulation.run_ids)} (status {simulation.run_status})")
    lines.append(wording.conversation_counts(simulation))
    if simulation.score is not None:
        lines.append(f"run score: {fmt.format_number(simulation.score)}")
    lines.extend(
        text
        for text in (wording.repeats_text(simulation), wording.stability_text(simulation))
        if text
    )
    lines.extend(f"  {text}" for text in wording.flip_texts(simulation, info=info))
    lines.extend(f"note: {note}" for note in simulation.notes)
    if simulation.dashboard_url:
        lines.append(f"run dashboard: {simulation.dashboard_url}")
    return lines


def suite_output(simulation: SimulationVerdict, info: RunInfo) -> str:
    """The suite's ``<system-out>``: its facts and where every conversation is."""
    return "\n".join([*simulation_facts(simulation, info), JSON_POINTER]) + "\n"


def worst_lines(entries: Sequence[wording.WorstEntry]) -> list[str]:
    """``worst conversations:`` then each, numbered: who and the value, the judge's
    reasoning, the transcript and the dashboard."""
    if not entries:
        return []
    lines = ["worst conversations:"]
    for number, entry in enumerate(entries, 1):
        lines.append(f"  {number}. {entry.who}: value {entry.value} (result {entry.result_id})")
        if entry.reasoning:
            lines.append(f"     judge: {entry.reasoning}")
        if entry.transcript_url:
            lines.append(f"     transcript: {entry.transcript_url}")
        if entry.link:
            lines.append(f"     dashboard: {entry.link}")
    return lines


def not_completed_lines(simulation: SimulationVerdict, info: RunInfo) -> list[str]:
    """The conversations that do not count, first ``NOT_COMPLETED_SHOWN`` of them."""
    missing = [c for c in simulation.conversations if not c.completed]
    if not missing:
        return []
    lines = [f"not completed ({len(missing)}):"]
    for conversation in missing[:NOT_COMPLETED_SHOWN]:
        person = wording.digital_human(simulation, conversation.digital_human_id, info)
        status = conversation.status
        if conversation.never_spoke:
            status += ", agent never spoke"
        elif conversation.unscored:
            status += ", not scored"
        where = conversation.transcript_url or conversation.dashboard_url
        lines.append(
            f"  - result {conversation.result_id}"
            + (f", {person}" if person else "")
            + f": {status}"
            + (f" — {where}" if where else "")
        )
    if len(missing) > NOT_COMPLETED_SHOWN:
        lines.append(f"  … and {len(missing) - NOT_COMPLETED_SHOWN} more in the JSON report")
    return lines
