"""The summary's check sections: every failed check, then every undecided check and
simulation (under their own heading), then every warning, each with its numbers and its
worst conversations (the digital human by name, the value, the judge's reasoning, the
transcript and the dashboard); and each simulation's table of checks with its repeats
and flips.

Lists nest by four spaces (Python-Markdown needs four; GitHub and GitLab take it too).
Pure; every piece of outside text goes through ``markdown``. A new section is a function
returning its lines (``_section`` gives it its heading); a new kind of row, a function
returning one line.
"""

from __future__ import annotations

from bluejay_gate.report import wording
from bluejay_gate.report.formatting import NO_VALUE
from bluejay_gate.report.info import RunInfo
from bluejay_gate.report.junit_conversations import NOT_COMPLETED_SHOWN
from bluejay_gate.report.markdown import cell, inline, link
from bluejay_gate.verdict.model import (
    CheckResult,
    Conversation,
    Outcome,
    SimulationVerdict,
    Verdict,
)

ICONS = {
    Outcome.PASS: "✅",
    Outcome.FAIL: "❌",
    Outcome.WARN: "⚠️",
    Outcome.NO_VERDICT: "⛔",
    Outcome.SKIPPED: "⏭️",
}


def _section(title: str, lines: list[str]) -> list[str]:
    return [f"## {title}", "", *lines] if lines else []


def _checks_shown(verdict: Verdict, info: RunInfo, shown: Outcome) -> list[str]:
    """The detail of every check that shows as ``shown``, simulation by simulation."""
    lines: list[str] = []
    for simulation in verdict.simulations:
        index: dict[str, Conversation] | None = None
        for result in simulation.checks:
            if wording.display_outcome(result) is not shown:
                continue
            if index is None:
                index = wording.conversation_index(simulation)
            lines.extend(_check_detail(result, shown, simulation, index, info))
    return lines


def failures_section(verdict: Verdict, info: RunInfo) -> list[str]:
    """Every failed error-severity check, with its worst conversations."""
    return _section("❌ Failures", _checks_shown(verdict, info, Outcome.FAIL))


def no_verdict_section(verdict: Verdict, info: RunInfo) -> list[str]:
    """Every undecided simulation and every undecided error-severity check."""
    lines: list[str] = []
    for simulation in verdict.simulations:
        if wording.simulation_undecided(simulation):
            lines.extend(_undecided_simulation(simulation, info))
    lines.extend(_checks_shown(verdict, info, Outcome.NO_VERDICT))
    return _section("⛔ No verdict", lines)


def warnings_section(verdict: Verdict, info: RunInfo) -> list[str]:
    """Every warn-severity check that did not pass, with the same detail as a failure."""
    return _section("⚠️ Warnings", _checks_shown(verdict, info, Outcome.WARN))


def _undecided_simulation(simulation: SimulationVerdict, info: RunInfo) -> list[str]:
    lines = [f"### ⛔ {inline(simulation.label)}: no verdict", ""]
    lines.extend(f"- {inline(e, block=True)}" for e in wording.simulation_errors(simulation))
    lines.append(f"- {inline(wording.conversation_counts(simulation))}")
    missing = [c for c in simulation.conversations if not c.completed]
    for conversation in missing[:NOT_COMPLETED_SHOWN]:
        person = wording.digital_human(simulation, conversation.digital_human_id, info)
        label = f"result {conversation.result_id}" + (f", {person}" if person else "")
        where = conversation.transcript_url or conversation.dashboard_url
        lines.append(f"    - {link(label, where)}: {inline(conversation.status)}")
    if len(missing) > NOT_COMPLETED_SHOWN:
        lines.append(f"    - … and {len(missing) - NOT_COMPLETED_SHOWN} more in the JSON report")
    if simulation.dashboard_url:
        lines.append(f"- {link('run dashboard', simulation.dashboard_url)}")
    lines.append("")
    return lines


def _check_detail(
    result: CheckResult,
    shown: Outcome,
    simulation: SimulationVerdict,
    index: dict[str, Conversation],
    info: RunInfo,
) -> list[str]:
    line = wording.check_line(result.check, info)
    where = f" (spec line {line})" if line is not None else ""
    lines = [
        f"### {ICONS[shown]} {inline(simulation.label)}: {inline(result.check.label)}",
        "",
        f"{inline(wording.check_message(result), block=True)}{where}",
        "",
        f"- observed **{inline(wording.format_observed(result))}**, expected "
        f"{inline(wording.format_expected(result.check))}, samples "
        f"{inline(wording.format_samples(result))}",
    ]
    interval = wording.format_interval(result)
    if interval:
        lines.append(f"- interval {inline(interval)}")
    if unsettled := wording.inconclusive_text(result):
        lines.append(f"- {inline(unsettled)}")
    lines.extend(
        f"- {inline(text)}" for text in wording.flip_texts(simulation, result.check.metric, info)
    )
    worst = wording.worst_entries(result, index, simulation, info)
    if worst:
        lines.append("- worst conversations:")
        lines.extend(worst_line(entry) for entry in worst)
    if simulation.dashboard_url:
        lines.append(f"- {link('run dashboard', simulation.dashboard_url)}")
    lines.append("")
    return lines


def check_table(simulation: SimulationVerdict, info: RunInfo | None = None) -> list[str]:
    """A simulation's heading, its table of checks, then its repeats and flips."""
    counts = wording.count_checks(simulation)
    title = f"### {ICONS[simulation.outcome]} {inline(simulation.label)}"
    if simulation.dashboard_url:
        title += f" ({link('run', simulation.dashboard_url)})"
    lines = [title, ""]
    if not simulation.checks:
        lines.extend([f"No checks. {inline(wording.conversation_counts(simulation))}.", ""])
        return lines
    lines.append(f"{counts.passed}/{counts.total} checks passed.")
    lines.append("")
    compared = any(result.baseline is not None for result in simulation.checks)
    lines.append("| | Check | Observed | Expected | Samples |" + _delta_head(compared))
    lines.append("| --- | --- | --- | --- | --- |" + _delta_rule(compared))
    lines.extend(
        f"| {ICONS[wording.display_outcome(result)]} | {cell(result.check.label)} "
        f"| {cell(_observed_cell(result))} | {cell(wording.format_expected(result.check))} "
        f"| {cell(wording.format_samples(result))} |" + _delta_cells(result, compared)
        for result in simulation.checks
    )
    lines.append("")
    lines.extend(_skipped(simulation))
    lines.extend(_stability(simulation, info))
    return lines


def _skipped(simulation: SimulationVerdict) -> list[str]:
    """Each skipped check with its reason, under the table."""
    lines = [
        f"- {ICONS[Outcome.SKIPPED]} {inline(result.check.label)} skipped: "
        f"{inline(wording.check_message(result), block=True)}"
        for result in simulation.checks
        if result.outcome is Outcome.SKIPPED
    ]
    return [*lines, ""] if lines else []


def _delta_head(compared: bool) -> str:
    return " Baseline | Change |" if compared else ""


def _delta_rule(compared: bool) -> str:
    return " --- | --- |" if compared else ""


def _delta_cells(result: CheckResult, compared: bool) -> str:
    """With a baseline: its value and this run's change (``—`` where a check has none)."""
    if not compared:
        return ""
    was = wording.baseline_value(result) or NO_VALUE
    change = wording.change_text(result) or NO_VALUE
    return f" {cell(was)} | {cell(change)} |"


def _observed_cell(result: CheckResult) -> str:
    interval = wording.format_interval(result)
    observed = wording.format_observed(result)
    return f"{observed}\ninterval {interval}" if interval else observed


def _stability(simulation: SimulationVerdict, info: RunInfo | None) -> list[str]:
    """Repeats and per-digital-human flips under a simulation's table, when there are any."""
    facts = [t for t in (wording.repeats_text(simulation), wording.stability_text(simulation)) if t]
    if not facts:
        return []
    lines = [f"**Repeats:** {inline('; '.join(facts))}", ""]
    flips = wording.flip_texts(simulation, info=info)
    if flips:
        lines.extend(f"- {inline(text)}" for text in flips)
        lines.append("")
    return lines


def worst_line(entry: wording.WorstEntry) -> str:
    """One worst conversation, nested under its check: who (by name), the value, the
    transcript and dashboard links, and what the judge said (cut)."""
    if entry.name:
        who = f"**{inline(entry.name)}** (digital human {inline(entry.digital_human_id or '')})"
    else:
        who = inline(entry.who)
    parts = [f"{who}: value **{inline(entry.value)}**"]
    if entry.transcript_url:
        parts.append(link("transcript", entry.transcript_url))
    parts.append(link(f"result {entry.result_id}", entry.link))
    line = "    - " + " · ".join(parts)
    if entry.reasoning:
        line += f" — judge: “{inline(entry.reasoning)}”"
    return line
