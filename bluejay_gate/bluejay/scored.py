"""What the metric readers need of a scored Bluejay record: a simulation result
(``SimulationResult``) and an evaluated call (``CallLog``) both fit ``Scored``, so their
evaluations are read by the same code (``results``, ``evaluations``, ``builtin_fields``).
Types only."""

from __future__ import annotations

from typing import Any, Protocol


class Scored(Protocol):
    """A record with evaluations: ids, status, links, duration (ms) and the raw metric
    fields (``evaluations``, the legacy ``custom_metrics``, a top-level ``latency``)."""

    @property
    def id(self) -> str: ...
    @property
    def digital_human_id(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def duration(self) -> float | None: ...
    @property
    def transcript_url(self) -> str | None: ...
    @property
    def audio_url(self) -> str | None: ...
    @property
    def evaluations(self) -> list[dict[str, Any]] | None: ...
    @property
    def custom_metrics(self) -> dict[str, Any] | list[Any] | None: ...
    @property
    def latency(self) -> dict[str, Any] | list[Any] | None: ...
