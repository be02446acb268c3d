"""What every report says of a gate that stopped when decided (``run.stop_when_decided``):
which checks decided it early, how many conversations were ended unscored, and (on a
pass) that warning-severity checks were judged on what scored. Pure text; decides nothing.
"""

from __future__ import annotations

from typing import Any

from bluejay_gate.verdict.model import EarlyStop, Outcome

_SHOWN = 5  # checks named in one line


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _checks_text(early: EarlyStop) -> str:
    named = [f"{check} ({sim})" for sim, check in early.checks]
    more = len(named) - _SHOWN
    return ", ".join(named[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


def early_lines(early: EarlyStop | None) -> list[str]:
    """One or two lines; none when the gate waited for every conversation."""
    if early is None:
        return []
    unscored = (
        f"{_plural(early.unscored, 'conversation')} ended unscored "
        f"({early.ended} stopped with end-conversations)"
    )
    if early.not_queued:
        unscored += f", {_plural(early.not_queued, 'run')} not queued"
    if early.outcome is Outcome.FAIL:
        lines = [
            f"decided early: {_checks_text(early)} certain to fail whatever the conversations "
            f"still running would score; {unscored}"
        ]
    else:
        lines = [
            f"decided early: every error-severity check certain to pass whatever the "
            f"conversations still running would score; {unscored}",
            "warning-severity checks were judged on the "
            f"{_plural(early.scored, 'conversation')} that scored",
        ]
    return lines


def early_properties(early: EarlyStop | None) -> dict[str, str]:
    """JUnit suite properties."""
    if early is None:
        return {}
    return {
        "decided_early": early.outcome.value,
        "decided_by": _checks_text(early),
        "ended_unscored": str(early.unscored),
    }


def early_json(early: EarlyStop | None) -> dict[str, Any]:
    """The JSON report's ``decided_early`` (only in a report of a gate that stopped)."""
    if early is None:
        return {}
    return {
        "decided_early": {
            "outcome": early.outcome.value,
            "checks": [{"simulation": sim, "check": check} for sim, check in early.checks],
            "ended_unscored": early.unscored,
            "ended_with_end_conversations": early.ended,
            "runs_not_queued": early.not_queued,
            "scored": early.scored,
            "warnings_judged_on_scored": early.outcome is Outcome.PASS,
        }
    }
