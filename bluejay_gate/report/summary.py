"""The Markdown summary (GitHub step summary and ``--summary PATH``).

Order, most important first, so a cut keeps what matters and a person sees the first
failure on the first screen: the verdict heading and run facts, gate errors, **every**
failed check with its worst conversations (GitHub shows only 10 annotations per step,
so this list carries them all), then what has no verdict (its own heading), then
warnings, then one row per simulation, notes, and each simulation's table of checks.

Symbols: ✅ pass, ❌ fail, ⚠️ warning, ⛔ no verdict; the heading's icon tells the run's
outcome the same way (⚠️: passed with warnings). Every piece of outside text is escaped for
Markdown (``markdown``); a table cell never holds a raw ``|`` or newline. This module
owns the order, the heading, the simulations table and the size cut; the check sections
are in ``summary_checks``.
"""

from __future__ import annotations

from bluejay_gate.report import formatting as fmt
from bluejay_gate.report import wording
from bluejay_gate.report.call_sets import unit_label, units_text
from bluejay_gate.report.early import early_lines
from bluejay_gate.report.info import RunInfo
from bluejay_gate.report.markdown import cell, inline, link
from bluejay_gate.report.summary_checks import (
    ICONS,
    check_table,
    failures_section,
    no_verdict_section,
    warnings_section,
)
from bluejay_gate.verdict.model import Outcome, Verdict

STEP_SUMMARY_LIMIT = 1024 * 1024
HEADING_ICONS = {
    Outcome.PASS: "✅",
    Outcome.FAIL: "❌",
    Outcome.WARN: "⚠️",  # passed, with warnings
    Outcome.NO_VERDICT: "⛔",
}


def render_summary(verdict: Verdict, info: RunInfo, *, max_bytes: int | None = None) -> str:
    """The summary; when ``max_bytes`` is given, cut (at a line) to fit it with a note."""
    text = "\n".join(_blocks(verdict, info))
    if max_bytes is None:
        return text
    return _fit(text, max_bytes)


def truncation_note(max_bytes: int) -> str:
    return (
        f"\n> … summary truncated at {_size_text(max_bytes)}; see the JSON report for everything\n"
    )


def _fit(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    note = truncation_note(max_bytes)
    budget = max_bytes - len(note.encode("utf-8"))
    if budget <= 0:
        return note.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")
    cut = data.rfind(b"\n", 0, budget)
    kept = data[: cut + 1] if cut >= 0 else b""
    return kept.decode("utf-8") + note


def _size_text(size: int) -> str:
    mib, kib = 1024 * 1024, 1024
    if size % mib == 0:
        return f"{size // mib} MiB"
    if size % kib == 0:
        return f"{size // kib} KiB"
    return f"{size} bytes"


def _blocks(verdict: Verdict, info: RunInfo) -> list[str]:
    blocks = [*_heading(verdict, info)]
    gate_errors = wording.gate_errors(verdict)
    if gate_errors:
        blocks.append("## ⛔ Errors\n")
        blocks.extend(f"- {inline(error, block=True)}" for error in gate_errors)
        blocks.append("")
    if early := early_lines(verdict.early):
        blocks.extend(["## Decided early", "", *(f"- {inline(line)}" for line in early), ""])
    blocks.extend(failures_section(verdict, info))
    blocks.extend(no_verdict_section(verdict, info))
    blocks.extend(warnings_section(verdict, info))
    if verdict.simulations:
        blocks.extend(_overview(verdict))
    blocks.extend(reused_section(verdict))
    notes = [(s.label, n) for s in verdict.simulations for n in s.notes]
    if notes:
        blocks.extend(["## Notes", ""])
        blocks.extend(f"- **{inline(label)}**: {inline(n, block=True)}" for label, n in notes)
        blocks.append("")
    blocks.extend(setup_section(info))
    if verdict.simulations:
        blocks.extend(["## Checks", ""])
    for simulation in verdict.simulations:
        blocks.extend(check_table(simulation, info))
    return blocks


def setup_section(info: RunInfo) -> list[str]:
    """``## Bluejay setup``: what the spec's setup wrote, then the drift (what Bluejay
    has and the spec does not: reported, never deleted)."""
    if not info.setup_changes and not info.drift:
        return []
    lines = ["## Bluejay setup", ""]
    lines.extend(f"- {inline(str(c['text']), block=True)}" for c in info.setup_changes)
    lines.extend(f"- ⚠️ {inline(str(d['text']), block=True)}" for d in info.drift)
    lines.append("")
    return lines


def reused_section(verdict: Verdict) -> list[str]:
    """``## Reused``: the simulations ``--rerun-failed`` took from an earlier report."""
    reused = [(s.label, t) for s in verdict.simulations if (t := wording.reused_text(s))]
    if not reused:
        return []
    lines = ["## Reused", ""]
    lines.extend(f"- **{inline(label)}**: {inline(text, block=True)}" for label, text in reused)
    lines.append("")
    return lines


def _heading(verdict: Verdict, info: RunInfo) -> list[str]:
    outcome = verdict.outcome
    code = verdict.exit_code
    counts = [wording.count_checks(s) for s in verdict.simulations]
    total = sum(c.total for c in counts)
    passed = sum(c.passed for c in counts)
    tally = [f"{passed}/{total} checks passed"]
    for number, word in (
        (sum(c.failed for c in counts), "failed"),
        (sum(c.warned for c in counts), "warning"),
        (sum(c.no_verdict for c in counts), "no verdict"),
        (sum(c.skipped for c in counts), "skipped"),
    ):
        if number:
            tally.append(_plural(number, word))
    if outcome is Outcome.PASS and any(c.warned for c in counts):
        outcome = Outcome.WARN
    lines = [
        f"# {HEADING_ICONS[outcome]} bluejay-gate: {wording.VERDICT_WORDS[outcome]}",
        "",
        f"**Exit code {code}**: {wording.EXIT_MEANINGS[code]} · "
        f"{units_text(verdict)} · {', '.join(tally)}",
        "",
    ]
    facts: list[str] = []
    if info.agent_name or info.agent_id:
        agent = inline(info.agent_name or "")
        if info.agent_id:
            agent += f" (id {inline(info.agent_id)})" if agent else f"id {inline(info.agent_id)}"
        if info.agent_action:
            agent += f" · {inline(info.agent_action)}"
            if info.changed_fields:
                agent += ": " + ", ".join(inline(f) for f in info.changed_fields)
        facts.append(f"**Agent:** {agent}")
    facts.append(f"**Spec:** {inline(info.spec_path)}")
    if info.run_ids:
        facts.append(f"**Runs:** {', '.join(inline(r) for r in info.run_ids)}")
    duration = fmt.format_duration(info.duration_s)
    if duration:
        facts.append(f"**Duration:** {duration}")
    if info.baseline:
        facts.append(f"**Compared with:** {inline(info.baseline)}")
    facts.append(f"bluejay-gate {inline(info.version)}")
    lines.append(" · ".join(facts))
    lines.append("")
    if info.dry_run:
        lines.extend(["**Dry run:** nothing was created, updated or queued.", ""])
    return lines


def _overview(verdict: Verdict) -> list[str]:
    lines = [
        "## Simulations",
        "",
        "| | Simulation | Checks | Conversations | Score | Run |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for simulation in verdict.simulations:
        counts = wording.count_checks(simulation)
        checks = [f"{counts.passed}/{counts.total} passed"]
        for number, word in (
            (counts.failed, "failed"),
            (counts.warned, "warning"),
            (counts.no_verdict, "no verdict"),
            (counts.skipped, "skipped"),
        ):
            if number:
                checks.append(_plural(number, word))
        conversations = f"{simulation.completed}/{simulation.total} completed"
        if simulation.never_spoke:
            conversations += f" ({simulation.never_spoke} agent never spoke)"
        score = (
            fmt.format_number(simulation.score) if simulation.score is not None else fmt.NO_VALUE
        )
        runs = ", ".join(simulation.run_ids) or fmt.NO_VALUE
        run = link(f"run {runs}", simulation.dashboard_url) if simulation.run_ids else runs
        lines.append(
            f"| {ICONS[simulation.outcome]} | {cell(unit_label(simulation))} | {', '.join(checks)} "
            f"| {conversations} | {score} | {run} |"
        )
    lines.append("")
    return lines


def _plural(number: int, word: str) -> str:
    return f"{number} {word}s" if number != 1 and word == "warning" else f"{number} {word}"
