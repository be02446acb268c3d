"""The summary's check sections: every failed or undecided check (and undecided
simulation) with its numbers and worst conversations, every warning, and each
simulation's table of checks with its repeats and flips.

Pure; every piece of outside text goes through ``markdown``.
"""

from __future__ import annotations

from bluejay_gate.report import wording
from bluejay_gate.report.formatting import NO_VALUE
from bluejay_gate.report.info import RunInfo
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


def failures_section(verdict: Verdict, info: RunInfo) -> list[str]:
    """Every failed / undecided check and every undecided simulation, with links."""
    lines: list[str] = []
    for simulation in verdict.simulations:
        index: dict[str, Conversation] | None = None
        if wording.simulation_undecided(simulation):
            lines.append(f"### ⛔ {inline(simulation.label)}: no verdict")
            lines.append("")
            lines.extend(
                f"- {inline(e, block=True)}" for e in wording.simulation_errors(simulation)
            )
            lines.append(f"- {inline(wording.conversation_counts(simulation))}")
            if simulation.dashboard_url:
                lines.append(f"- {link('run dashboard', simulation.dashboard_url)}")
            lines.append("")
        for result in simulation.checks:
            shown = wording.display_outcome(result)
            if shown not in {Outcome.FAIL, Outcome.NO_VERDICT}:
                continue
            if index is None:
                index = wording.conversation_index(simulation)
            lines.extend(_check_detail(result, shown, simulation, index, info))
    if lines:
        return ["## Failures", "", *lines]
    return []


def warnings_section(verdict: Verdict, info: RunInfo) -> list[str]:
    """Every warn-severity check that did not pass, with the same detail as a failure."""
    lines: list[str] = []
    for simulation in verdict.simulations:
        index: dict[str, Conversation] | None = None
        for result in simulation.checks:
            if wording.display_outcome(result) is not Outcome.WARN:
                continue
            if index is None:
                index = wording.conversation_index(simulation)
            lines.extend(_check_detail(result, Outcome.WARN, simulation, index, info))
    if lines:
        return ["## Warnings", "", *lines]
    return []


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
        f"- {inline(text)}" for text in wording.flip_texts(simulation, result.check.metric)
    )
    worst = wording.worst_entries(result, index, simulation)
    if worst:
        lines.append("- worst conversations:")
        lines.extend(
            f"  - {link(f'result {entry.result_id}', entry.link)}: {inline(_worst_text(entry))}"
            for entry in worst
        )
    if simulation.dashboard_url:
        lines.append(f"- {link('run dashboard', simulation.dashboard_url)}")
    lines.append("")
    return lines


def check_table(simulation: SimulationVerdict) -> list[str]:
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
    lines.extend(_stability(simulation))
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


def _stability(simulation: SimulationVerdict) -> list[str]:
    """Repeats and per-digital-human flips under a simulation's table, when there are any."""
    facts = [t for t in (wording.repeats_text(simulation), wording.stability_text(simulation)) if t]
    if not facts:
        return []
    lines = [f"**Repeats:** {inline('; '.join(facts))}", ""]
    flips = wording.flip_texts(simulation)
    if flips:
        lines.extend(f"- {inline(text)}" for text in flips)
        lines.append("")
    return lines


def _worst_text(entry: wording.WorstEntry) -> str:
    who = f"digital human {entry.digital_human_id}, " if entry.digital_human_id else ""
    return f"{who}value {entry.value}"
