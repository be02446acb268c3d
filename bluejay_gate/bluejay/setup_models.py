"""Full records of what a spec can keep in Bluejay (custom metrics, simulations, digital
humans), read for diffing and for ``pull``. Lenient like ``models``: every field the
answer holds is kept (``extra="allow"``), ids are strings; only what identifies a record
is required. ``stored(key)`` says whether Bluejay said anything about a field and what. Beside them,
the answers of the set-up calls that carry them (``setup_calls``): a page of metrics,
the list of a simulation's digital humans, the new simulation's id, a digital human
wrapped as ``DigitalHumanResponse``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from bluejay_gate.bluejay.models import ApiModel, Id, Page


class _Record(ApiModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    def stored(self, key: str) -> tuple[bool, Any]:
        """(present, value) of ``key`` in the answer (top level)."""
        data = self.model_dump()
        return (key in data, data.get(key))


class MetricRecord(_Record):
    """``CustomMetricResponse`` in full."""

    id: Id
    name: str
    response_type: str | None = None
    agent_ids: list[Id] | None = None
    created_at: str | None = None


class SimulationRecord(_Record):
    """``SimulationPydantic`` (``GET /v1/simulation/{id}``) in full. Most simulation
    settings are not top-level fields of the document's answer: they are read from the
    top level first, then from ``settings``."""

    id: Id
    name: str | None = None
    agent_id: Id | None = None
    created_at: str | None = None
    settings: Any = None

    def stored(self, key: str) -> tuple[bool, Any]:
        data = self.model_dump()
        if key in data and key != "settings":
            return True, data[key]
        if isinstance(self.settings, dict) and key in self.settings:
            return True, self.settings[key]
        return False, None


class HumanRecord(_Record):
    """``DigitalHumanResponseData`` in full (one of ``digital-humans-by-simulation``)."""

    id: Id
    name: str | None = None
    created_at: str | None = None


class MetricRecordPage(Page):
    """``CustomMetricsListResponse`` (one page), its metrics in full."""

    metrics: list[MetricRecord]


class HumanRecordList(ApiModel):
    """``DigitalHumansListResponse``, its digital humans in full."""

    digital_humans: list[HumanRecord]
    total: int | None = None


class DigitalHumanResponse(ApiModel):
    """``DigitalHumanResponse`` (create and update a digital human): the record."""

    digital_human: HumanRecord


class SimulationResponse(ApiModel):
    """``SimulationResponse`` from ``create-simulation``."""

    simulation_id: Id


class RemoveDigitalHumansResponse(ApiModel):
    """``RemoveDigitalHumansFromSimulationResponse``; the message is not needed."""

    message: str | None = None
