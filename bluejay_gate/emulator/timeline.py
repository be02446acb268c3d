"""A conversation's clock: the statuses it passes through, the scenario-time moments at
which it leaves each stage (``Timeline``) and the ISO timestamps the API shows. Pure data;
knows no run, no store and no response body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bluejay_gate.emulator.scenario import Quirks, Timing
from bluejay_gate.model.statuses import RESULT_FINAL

COMPLETED = "COMPLETED"
CANCELLED = "CANCELLED"
INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
# Statuses in which the conversation itself is over (the ``simulation_ended`` moment).
ENDED = frozenset({"CONVERSATION_ENDED", "EVALUATING"}) | RESULT_FINAL


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Timeline:
    """Elapsed scenario seconds at which a conversation leaves each stage."""

    queued: float  # QUEUED -> RUNNING
    running: float  # RUNNING -> CONVERSATION_ENDED (or its not-completed final status)
    ended: float  # CONVERSATION_ENDED -> EVALUATING
    evaluated: float  # EVALUATING -> COMPLETED as far as the run is concerned
    done: float  # EVALUATING -> COMPLETED for the result itself (stuck_evaluating)

    @classmethod
    def build(cls, timing: Timing, quirks: Quirks, jitter: float) -> Timeline:
        """``jitter`` in [-1, 1] stretches running and evaluating by ``timing.jitter``."""
        stretch = 1.0 + timing.jitter * jitter
        q = timing.queued
        r = q + timing.running * stretch
        e = r + timing.conversation_ended
        v = e + timing.evaluating * stretch
        return cls(q, r, e, v, v + quirks.stuck_evaluating)
