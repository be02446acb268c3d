"""The Markdown summary (GitHub step summary and ``--summary PATH``).

Order, most important first, so a cut keeps what matters: the verdict heading and run
facts, gate errors, one row per simulation, then **every** failed or undecided check
with its worst conversations (GitHub shows only 10 annotations per step, so this list
carries them all), then warnings, then each simulation's table of checks.

Symbols: ✅ pass, ❌ fail, ⚠️ warning, ⛔ no verdict (the heading uses ⚠️ for an overall
no-verdict, as the step summary's top line). Every piece of outside text is escaped for
Markdown; a table cell never holds a raw ``|`` or newline.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from bluejay_gate.report import formatting as fmt
from bluejay_gate.report import wording
from bluejay_gate.report.info import RunInfo
from bluejay_gate.verdict.model import (
    CheckResult,
    Conversation,
    Outcome,
    SimulationVerdict,
    Verdict,
)

STEP_SUMMARY_LIMIT = 1024 * 1024

ICONS = {
    Outcome.PASS: "✅",
    Outcome.FAIL: "❌",
    Outcome.WARN: "⚠️",
    Outcome.NO_VERDICT: "⛔",
}
HEADING_ICONS = {Outcome.PASS: "✅", Outcome.FAIL: "❌", Outcome.NO_VERDICT: "⚠️"}

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<|~])")
_URL_SAFE = ":/?#[]@!$&'*+,;=%~"


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
        blocks.extend(f"- {_inline(error, block=True)}" for error in gate_errors)
        blocks.append("")
    if verdict.simulations:
        blocks.extend(_overview(verdict))
    blocks.extend(_problems(verdict, info))
    blocks.extend(_warnings(verdict, info))
    notes = [(s.label, n) for s in verdict.simulations for n in s.notes]
    if notes:
        blocks.extend(["## Notes", ""])
        blocks.extend(f"- **{_inline(label)}**: {_inline(n, block=True)}" for label, n in notes)
        blocks.append("")
    if verdict.simulations:
        blocks.extend(["## Checks", ""])
    for simulation in verdict.simulations:
        blocks.extend(_check_table(simulation))
    return blocks


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
    ):
        if number:
            tally.append(_plural(number, word))
    lines = [
        f"# {HEADING_ICONS[outcome]} bluejay-gate: {wording.VERDICT_WORDS[outcome]}",
        "",
        f"**Exit code {code}**: {wording.EXIT_MEANINGS[code]} · "
        f"{len(verdict.simulations)} simulation{'s' if len(verdict.simulations) != 1 else ''}"
        f" · {', '.join(tally)}",
        "",
    ]
    facts: list[str] = []
    if info.agent_name or info.agent_id:
        agent = _inline(info.agent_name or "")
        if info.agent_id:
            agent += f" (id {_inline(info.agent_id)})" if agent else f"id {_inline(info.agent_id)}"
        if info.agent_action:
            agent += f" · {_inline(info.agent_action)}"
            if info.changed_fields:
                agent += ": " + ", ".join(_inline(f) for f in info.changed_fields)
        facts.append(f"**Agent:** {agent}")
    facts.append(f"**Spec:** {_inline(info.spec_path)}")
    if info.run_ids:
        facts.append(f"**Runs:** {', '.join(_inline(r) for r in info.run_ids)}")
    duration = fmt.format_duration(info.duration_s)
    if duration:
        facts.append(f"**Duration:** {duration}")
    facts.append(f"bluejay-gate {_inline(info.version)}")
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
        run = _link(f"run {runs}", simulation.dashboard_url) if simulation.run_ids else runs
        lines.append(
            f"| {ICONS[simulation.outcome]} | {_cell(simulation.label)} | {', '.join(checks)} "
            f"| {conversations} | {score} | {run} |"
        )
    lines.append("")
    return lines


def _problems(verdict: Verdict, info: RunInfo) -> list[str]:
    """Every failed / undecided check and every undecided simulation, with links."""
    lines: list[str] = []
    for simulation in verdict.simulations:
        index: dict[str, Conversation] | None = None
        if wording.simulation_undecided(simulation):
            lines.append(f"### ⛔ {_inline(simulation.label)}: no verdict")
            lines.append("")
            lines.extend(
                f"- {_inline(e, block=True)}" for e in wording.simulation_errors(simulation)
            )
            lines.append(f"- {_inline(wording.conversation_counts(simulation))}")
            if simulation.dashboard_url:
                lines.append(f"- {_link('run dashboard', simulation.dashboard_url)}")
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


def _warnings(verdict: Verdict, info: RunInfo) -> list[str]:
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
        f"### {ICONS[shown]} {_inline(simulation.label)}: {_inline(result.check.label)}",
        "",
        f"{_inline(wording.check_message(result), block=True)}{where}",
        "",
        f"- observed **{_inline(wording.format_observed(result))}**, expected "
        f"{_inline(wording.format_expected(result.check))}, samples "
        f"{_inline(wording.format_samples(result))}",
    ]
    interval = wording.format_interval(result)
    if interval:
        lines.append(f"- interval {_inline(interval)}")
    if unsettled := wording.inconclusive_text(result):
        lines.append(f"- {_inline(unsettled)}")
    lines.extend(
        f"- {_inline(text)}" for text in wording.flip_texts(simulation, result.check.metric)
    )
    worst = wording.worst_entries(result, index, simulation)
    if worst:
        lines.append("- worst conversations:")
        lines.extend(
            f"  - {_link(f'result {entry.result_id}', entry.link)}: {_inline(_worst_text(entry))}"
            for entry in worst
        )
    if simulation.dashboard_url:
        lines.append(f"- {_link('run dashboard', simulation.dashboard_url)}")
    lines.append("")
    return lines


def _check_table(simulation: SimulationVerdict) -> list[str]:
    counts = wording.count_checks(simulation)
    title = f"### {ICONS[simulation.outcome]} {_inline(simulation.label)}"
    if simulation.dashboard_url:
        title += f" ({_link('run', simulation.dashboard_url)})"
    lines = [title, ""]
    if not simulation.checks:
        lines.extend([f"No checks. {_inline(wording.conversation_counts(simulation))}.", ""])
        return lines
    lines.append(f"{counts.passed}/{counts.total} checks passed.")
    lines.append("")
    lines.append("| | Check | Observed | Expected | Samples |")
    lines.append("| --- | --- | --- | --- | --- |")
    lines.extend(
        f"| {ICONS[wording.display_outcome(result)]} | {_cell(result.check.label)} "
        f"| {_cell(_observed_cell(result))} | {_cell(wording.format_expected(result.check))} "
        f"| {_cell(wording.format_samples(result))} |"
        for result in simulation.checks
    )
    lines.append("")
    lines.extend(_stability(simulation))
    return lines


def _observed_cell(result: CheckResult) -> str:
    interval = wording.format_interval(result)
    observed = wording.format_observed(result)
    return f"{observed}\ninterval {interval}" if interval else observed


def _stability(simulation: SimulationVerdict) -> list[str]:
    """Repeats and per-digital-human flips under a simulation's table, when there are any."""
    facts = [t for t in (wording.repeats_text(simulation), wording.stability_text(simulation)) if t]
    if not facts:
        return []
    lines = [f"**Repeats:** {_inline('; '.join(facts))}", ""]
    flips = wording.flip_texts(simulation)
    if flips:
        lines.extend(f"- {_inline(text)}" for text in flips)
        lines.append("")
    return lines


def _plural(number: int, word: str) -> str:
    return f"{number} {word}s" if number != 1 and word == "warning" else f"{number} {word}"


def _worst_text(entry: wording.WorstEntry) -> str:
    who = f"digital human {entry.digital_human_id}, " if entry.digital_human_id else ""
    return f"{who}value {entry.value}"


def _escape(text: str, *, block: bool = False) -> str:
    text = _MD_SPECIAL.sub(r"\\\1", fmt.scrub(text).replace("&", "&amp;"))
    # At the start of a line (or of a list item) these would open a quote, heading or list.
    if block and text[:1] in {">", "#", "+", "-"}:
        return "\\" + text
    return text


def _cell(text: str) -> str:
    """A table cell: Markdown escaped, ``|`` escaped, newlines as ``<br>``."""
    escaped = _escape(text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return escaped.replace("\n", "<br>")


def _inline(text: str, *, block: bool = False) -> str:
    """Running text on one line, Markdown escaped (``block``: it starts a line or item)."""
    return _escape(fmt.one_line(text), block=block)


def _link(label: str, url: str | None) -> str:
    """``[label](url)`` for http(s) URLs; the escaped label alone otherwise."""
    text = _inline(label)
    if not url:
        return text
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return text
    if scheme not in {"http", "https"}:
        return text
    return f"[{text}]({quote(fmt.scrub(url.strip()), safe=_URL_SAFE)})"
