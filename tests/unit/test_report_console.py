"""The console verdict block and the colour decision."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from bluejay_gate.report import render_verdict_block, use_color
from bluejay_gate.verdict.model import Outcome, Verdict
from tests.helpers.verdicts import (
    EMPATHY,
    failing_verdict,
    gate_error_only_verdict,
    make_check,
    make_result,
    make_simulation,
    mixed_verdict,
    passing_verdict,
    run_info,
    simulation_error_verdict,
    warn_verdict,
)


def block(verdict: Verdict, **kwargs: object) -> list[str]:
    return render_verdict_block(verdict, run_info(), color=False, **kwargs).splitlines()  # type: ignore[arg-type]


def test_passing_block() -> None:
    """One line per simulation with its tally, then the verdict with the exit code meaning."""
    assert block(passing_verdict()) == [
        "✔ Billing regressions  2/2 checks passed",
        "PASSED (exit 0): every error-severity check passed",
    ]


def test_failing_block_indents_the_failed_check() -> None:
    """A failed check is indented with observed vs threshold and n, then its worst
    conversations by name (id beside it); the run link follows."""
    assert block(failing_verdict()) == [
        "✘ Billing regressions  1 of 2 checks failed",
        "    ✘ Empathy: mean >= 7  observed 6, needs >= 7 (n=3)",
        "      worst: Alex Rivera (digital human 12) 4, Priya Nair (digital human 13) 6",
        "    https://app.getbluejay.ai/simulations/4821/runs/77",
        "FAILED (exit 1): at least one error-severity check failed",
    ]


def test_warning_and_no_verdict_lines() -> None:
    """Warnings are shown but pass; undecided checks and simulations say why."""
    assert block(warn_verdict()) == [
        "✔ Billing regressions  1/2 checks passed, 1 warning",
        "    ! Resolution: share(resolved) >= 75%  warning: observed 50%, needs >= 75% (n=10)",
        "      worst: digital human 14 —",  # no name known for 14; no Resolution value
        "PASSED (exit 0): every error-severity check passed",
    ]
    lines = block(mixed_verdict())
    assert "? Onboarding  no verdict (1 of 2 checks undecided)" in lines
    assert (
        "    ? Greeting compliance: pass_rate >= 90%  "
        "no applicable samples for 'Greeting compliance' (3 not applicable)"
    ) in lines
    assert lines[-1] == "FAILED (exit 1): at least one error-severity check failed"


def test_simulation_and_gate_errors() -> None:
    """Simulation errors are indented under it; gate errors come first; exit 3 is explained."""
    lines = block(simulation_error_verdict())
    assert lines[1:3] == [
        "? Smoke test  no verdict",
        "    ? run 78 ended INSUFFICIENT_FUNDS: add credits to the organisation and re-run",
    ]
    assert lines[-1] == "NO VERDICT (exit 3): the gate could not reach a verdict"
    assert block(gate_error_only_verdict())[0] == (
        "? POST /v1/queue-simulation-run: 401 key rejected"
    )


def test_written_paths_and_dry_run() -> None:
    """Report paths are listed last; a dry run says nothing was changed."""
    lines = render_verdict_block(
        passing_verdict(),
        run_info(dry_run=True),
        color=False,
        written=[Path("out/junit.xml"), Path("out/report.json")],
    ).splitlines()
    assert lines[0] == "dry run: nothing was created, updated or queued"
    assert lines[-1] == "Reports: out/junit.xml, out/report.json"


def test_colour_only_when_asked() -> None:
    """ANSI codes appear with color=True (red for a failure) and never with color=False."""
    plain = render_verdict_block(failing_verdict(), run_info(), color=False)
    coloured = render_verdict_block(failing_verdict(), run_info(), color=True)
    assert "\x1b" not in plain
    assert "\x1b[31m✘ Billing regressions\x1b[0m  1 of 2 checks failed" in coloured
    assert "\x1b[1m\x1b[31mFAILED (exit 1)" in coloured


def test_control_characters_from_outside_are_removed() -> None:
    """Escape sequences in labels or messages cannot reach the terminal."""
    check = make_check("Evil\x1b[2J", "mean >= 7")
    sim = make_simulation(
        "Sim\x1b]0;title\x07\u009b",
        (make_result(check, Outcome.NO_VERDICT, None, message="m\x1b"),),
    )
    text = render_verdict_block(Verdict((sim,)), run_info(), color=False)
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\u009b" not in text
    assert "? Sim]0;title  no verdict (1 of 1 checks undecided)" in text
    assert "    ? Evil[2J: mean >= 7  m" in text
    assert EMPATHY.label == "Empathy: mean >= 7"


@pytest.fixture
def terminal() -> Iterator[TextIO]:
    """A real pseudo-terminal, so isatty() is genuinely true."""
    leader, follower = os.openpty()
    stream = os.fdopen(follower, "w")
    try:
        yield stream
    finally:
        stream.close()
        os.close(leader)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, True),
        ({"NO_COLOR": "1"}, False),
        ({"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value counts
        ({"FORCE_COLOR": "0"}, False),
        ({"TERM": "dumb"}, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
    ],
)
def test_use_color_on_a_terminal(terminal: TextIO, env: dict[str, str], expected: bool) -> None:
    """On a tty: colour unless NO_COLOR (non-empty), FORCE_COLOR=0 or TERM=dumb."""
    assert use_color(terminal, env) is expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "true"}, True)],
)
def test_use_color_off_a_terminal(env: dict[str, str], expected: bool) -> None:
    """Not a tty: no colour unless FORCE_COLOR forces it."""
    assert use_color(io.StringIO(), env) is expected


def test_use_color_on_a_closed_stream() -> None:
    """A closed stream is not a terminal (and does not raise)."""
    stream = io.StringIO()
    stream.close()
    assert use_color(stream, {}) is False
