"""The plain text of a simulation in JUnit: its facts (runs, counts, repeats, flips, notes,
dashboard) and, for the suite's ``<system-out>``, every conversation with its metrics,
the reasoning of the checked ones, and links.

The conversations are made one per part, as the file is written: a large run has
runs × conversations × metrics lines. Plain text only; ``junit_suite`` escapes it.
"""

from __future__ import annotations

from collections.abc import Iterator

from bluejay_gate.report import formatting as fmt
from bluejay_gate.report import wording
from bluejay_gate.verdict.model import Conversation, SimulationVerdict


def simulation_facts(simulation: SimulationVerdict) -> list[str]:
    """The simulation's facts, one a line: the head of its ``<system-out>`` and the body of
    its ``<label>: verdict`` error case."""
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


def conversations_text(simulation: SimulationVerdict) -> Iterator[str]:
    """The suite's ``<system-out>``, one conversation per part: every conversation, its
    metrics, the reasoning of the checked ones, and links."""
    head = [*simulation_facts(simulation)]
    if simulation.score is not None:
        head.append(f"run score: {fmt.format_number(simulation.score)}")
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
