"""The verdict block printed at the end of a run, and whether to colour it.

::

    ✔ Billing regressions  5/5 checks passed
    ✘ Smoke test  1 of 4 checks failed
        ✘ Empathy: mean >= 7  observed 6.2, needs >= 7 (n=20)
        ! Resolution: share(resolved) >= 75%  warning: observed 70%, needs >= 75% (n=20)
    FAILED (exit 1): at least one error-severity check failed
    Reports: bluejay-junit.xml, bluejay-report.json

Colour (ANSI) only when ``color=True``; ``use_color`` decides that from the stream and
the environment (``NO_COLOR`` always wins, then ``FORCE_COLOR``, then "is it a tty").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from bluejay_gate.ci import github
from bluejay_gate.report import formatting as fmt
from bluejay_gate.report import wording
from bluejay_gate.report.call_sets import unit_label
from bluejay_gate.report.early import early_lines
from bluejay_gate.report.info import RunInfo
from bluejay_gate.verdict.model import CheckResult, Outcome, SimulationVerdict, Verdict

_RESET = "\033[0m"
_STYLES = {
    Outcome.PASS: "\033[32m",  # green
    Outcome.FAIL: "\033[31m",  # red
    Outcome.WARN: "\033[33m",  # yellow
    Outcome.NO_VERDICT: "\033[35m",  # magenta
    Outcome.SKIPPED: "\033[2m",  # dim
}
_BOLD = "\033[1m"
_DIM = "\033[2m"
MARKS = {
    Outcome.PASS: "✔",
    Outcome.FAIL: "✘",
    Outcome.WARN: "!",
    Outcome.NO_VERDICT: "?",
    Outcome.SKIPPED: "-",
}
_HEADLINES = {Outcome.PASS: "PASSED", Outcome.FAIL: "FAILED", Outcome.NO_VERDICT: "NO VERDICT"}
_FALSE_WORDS = {"0", "false", "no", "off"}
# Control characters (C0, DEL, C1 — ESC and CSI included) and lone surrogates: text from
# the spec or the API must not be able to move the cursor or recolour the terminal.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _safe(text: str) -> str:
    return _UNSAFE.sub("", fmt.one_line(text))


def use_color(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Colour when ``stream`` is a terminal, unless told otherwise.

    ``NO_COLOR`` set to a non-empty value disables colour (no-color.org) and beats
    everything; ``FORCE_COLOR`` non-empty forces it (``0``/``false`` disable it);
    ``TERM=dumb`` disables it.
    """
    if env.get("NO_COLOR"):
        return False
    force = env.get("FORCE_COLOR")
    if force:
        return force.strip().lower() not in _FALSE_WORDS
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # closed or detached stream
        return False


def render_verdict_block(
    verdict: Verdict,
    info: RunInfo,
    *,
    color: bool,
    written: Sequence[Path] = (),
    groups: bool = False,
) -> str:
    """The final block: one line per simulation, failed checks indented, the verdict,
    and (when given) where the reports were written. Ends with a newline.
    ``groups`` (GitHub Actions only) folds each simulation into a ``::group::``."""
    paint = _Painter(color)
    lines: list[str] = []
    if info.dry_run:
        lines.append(paint.dim("dry run: nothing was created, updated or queued"))
    if shard := wording.shard_text(info):
        lines.append(paint.dim(_safe(shard)))
    lines.extend(_error_line(error, paint) for error in wording.gate_errors(verdict))
    for simulation in verdict.simulations:
        sim_lines = _simulation_lines(simulation, paint)
        if groups:
            sim_lines = [github.group(simulation.label), *sim_lines, github.endgroup()]
        lines.extend(sim_lines)
    lines.extend(paint.dim(_safe(line)) for line in early_lines(verdict.early))
    code = verdict.exit_code
    headline = f"{_HEADLINES[verdict.outcome]} (exit {code}): {wording.EXIT_MEANINGS[code]}"
    lines.append(paint.bold(paint.outcome(verdict.outcome, headline)))
    if written:
        lines.append("Reports: " + ", ".join(_safe(str(p)) for p in written))
    return "\n".join(lines) + "\n"


def _simulation_lines(simulation: SimulationVerdict, paint: _Painter) -> list[str]:
    counts = wording.count_checks(simulation)
    undecided = wording.simulation_undecided(simulation)
    if counts.failed:
        summary = f"{counts.failed} of {counts.total} checks failed"
    elif counts.no_verdict or undecided:
        summary = (
            f"no verdict ({counts.no_verdict} of {counts.total} checks undecided)"
            if counts.no_verdict
            else "no verdict"
        )
    else:
        summary = f"{counts.passed}/{counts.total} checks passed"
    if counts.warned:
        summary += f", {counts.warned} warning{'s' if counts.warned != 1 else ''}"
    if counts.skipped:
        summary += f", {counts.skipped} skipped"
    outcome = simulation.outcome
    label = _safe(unit_label(simulation))
    lines = [paint.outcome(outcome, f"{MARKS[outcome]} {label}") + f"  {summary}"]
    if reused := wording.reused_text(simulation):
        lines.append("    " + paint.dim(_safe(reused)))
    if undecided:
        lines.extend(
            "    " + _error_line(error, paint) for error in wording.simulation_errors(simulation)
        )
    for result in simulation.checks:
        shown = wording.display_outcome(result)
        if shown is Outcome.PASS:
            continue
        lines.append("    " + _check_line(result, shown, paint))
    lines.extend("    " + paint.dim(_safe(text)) for text in _delta_lines(simulation))
    facts = [t for t in (wording.repeats_text(simulation), wording.stability_text(simulation)) if t]
    if facts:
        lines.append("    " + paint.dim(_safe("; ".join(facts))))
    lines.extend("    " + paint.dim(_safe(f"note: {note}")) for note in simulation.notes)
    if (counts.failed or counts.no_verdict or undecided) and simulation.dashboard_url:
        lines.append("    " + paint.dim(_safe(simulation.dashboard_url)))
    return lines


def _delta_lines(simulation: SimulationVerdict) -> list[str]:
    """With a baseline: each check's change, ``Δ Empathy: mean >= 7 — 7.4 (baseline 7.1,
    change +0.3, baseline n=20)``."""
    return [
        f"Δ {result.check.label} — {text}"
        for result in simulation.checks
        if (text := wording.baseline_text(result)) is not None
    ]


def _error_line(error: str, paint: _Painter) -> str:
    return paint.outcome(Outcome.NO_VERDICT, f"{MARKS[Outcome.NO_VERDICT]} {_safe(error)}")


def _check_line(result: CheckResult, shown: Outcome, paint: _Painter) -> str:
    prefix = {Outcome.WARN: "warning: ", Outcome.SKIPPED: "skipped: "}.get(shown, "")
    if result.observed is not None:
        detail = (
            f"observed {wording.format_observed(result)}, "
            f"needs {wording.format_expected(result.check)} "
            f"(n={result.samples})"
        )
        if interval := wording.format_interval(result):
            detail += f", interval {interval}"
        if unsettled := wording.inconclusive_text(result):
            detail = f"{unsettled}; {detail}"
    else:
        detail = _safe(wording.check_message(result))
    head = paint.outcome(shown, f"{MARKS[shown]} {_safe(result.check.label)}")
    return f"{head}  {prefix}{detail}"


class _Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _wrap(self, style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if self.enabled else text

    def outcome(self, outcome: Outcome, text: str) -> str:
        return self._wrap(_STYLES[outcome], text)

    def bold(self, text: str) -> str:
        return self._wrap(_BOLD, text)

    def dim(self, text: str) -> str:
        return self._wrap(_DIM, text)
