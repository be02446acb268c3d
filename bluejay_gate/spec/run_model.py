"""The ``run:`` section as written: timeout, polling, parallelism, repeats, confidence.

Validation only (durations as ``"30m"``, shares as ``"5%"``); ``build`` turns the model
into ``RunSettings``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from bluejay_gate.spec.fields import FORBID_EXTRA, Duration, Share
from bluejay_gate.spec.statistics import (
    CONFIDENCE_DESCRIPTION,
    MAX_REPEATS_DESCRIPTION,
    REPEAT_DESCRIPTION,
    Confidence,
)


class RunModel(BaseModel):
    """How the gate runs the simulations."""

    model_config = FORBID_EXTRA

    timeout: Duration = Field(
        default=1800.0,
        description="Budget for the whole gate: 30s, 10m, 1.5h (a bare number is seconds).",
        examples=["30m"],
    )
    poll_interval: Duration = Field(
        default=10.0,
        description="Time between polls of a run (fractions allowed for local use: 0.2s).",
        examples=["10s"],
    )
    max_parallel: int = Field(
        default=10, ge=1, description="Simulation runs in flight at once.", examples=[10]
    )
    allow_incomplete: Share = Field(
        default=0.0,
        description=(
            "Share of conversations that may end not completed (5% or 0.05); more is no "
            "verdict (exit 3)."
        ),
        examples=["0%", "5%"],
    )
    repeat: int = Field(
        default=1,
        ge=1,
        description=REPEAT_DESCRIPTION + " Default for every simulation.",
        examples=[3],
    )
    max_repeats: int | None = Field(
        default=None,
        ge=1,
        description=MAX_REPEATS_DESCRIPTION + " Default for every simulation.",
        examples=[6],
    )
    confidence: Confidence | None = Field(
        default=None,
        description=CONFIDENCE_DESCRIPTION
        + " Applies to every check whose aggregate supports it; a check may override it.",
        examples=[0.95, "95%"],
    )
    stop_when_decided: bool = Field(
        default=False,
        description=(
            "After each poll, stop as soon as every error check's outcome is certain "
            "whatever the conversations still running would score: end them and exit 1 "
            "on a certain failure (or 0 when every error check is certain to pass)."
        ),
        examples=[True],
    )
    max_conversations: int | None = Field(
        default=None,
        ge=1,
        description=(
            "Budget: the most conversations one gate may queue, counting repeats and "
            "early-stopping rounds; a plan beyond it is refused before anything is queued."
        ),
        examples=[200],
    )
