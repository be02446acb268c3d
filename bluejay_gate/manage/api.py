"""The part of the Bluejay client that Bluejay as code talks through (``BluejayClient``
implements it; tests may give a scripted server instead). Every create is once-only:
after an ambiguous failure the client looks the record up by name (created since the
attempt) before it sends the create again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from bluejay_gate.bluejay.setup_models import HumanRecord, MetricRecord, SimulationRecord


class SetupApi(Protocol):
    # -- reads (GET only: a dry run and the plan use only these) -----------------------
    def agent_metrics(self, agent_id: str) -> list[MetricRecord]:
        """Every page of ``GET /v1/custom-metrics?agent_id=`` (the metrics linked to the
        agent), full records, deduplicated by id."""
        ...

    def agent_simulation_ids(self, agent_id: str) -> list[tuple[str, str | None]]:
        """(id, name) of each of the agent's simulations
        (``GET /v1/get-simulations-by-agent/{agent_id}``)."""
        ...

    def simulation_record(self, simulation_id: str) -> SimulationRecord:
        """``GET /v1/simulation/{simulation_id}`` in full."""
        ...

    def simulation_humans(self, simulation_id: str) -> list[HumanRecord]:
        """``GET /v1/digital-humans-by-simulation/{simulation_id}``, full records."""
        ...

    # -- writes ------------------------------------------------------------------------
    def create_metric(self, agent_id: str, fields: Mapping[str, Any]) -> MetricRecord:
        """``POST /v1/create-custom-metric`` with ``agent_ids: [agent_id]`` and
        ``fields`` (documented fields only, None left out). Once-only: after an ambiguous
        failure, the agent's metric of that name created since the attempt is adopted."""
        ...

    def update_metric(self, metric_id: str, fields: Mapping[str, Any]) -> MetricRecord:
        """``PUT /v1/update-custom-metric/{metric_id}`` with only ``fields`` (give
        ``agent_ids`` only to change the links: it replaces them all)."""
        ...

    def create_simulation(self, agent_id: str, name: str, fields: Mapping[str, Any]) -> str:
        """``POST /v1/create-simulation`` (``SimulationRequest``: ``agent_id`` as a
        string, ``name``, ``fields`` of the request); the new id. Once-only: after an
        ambiguous failure the agent's simulation of that name created since is adopted."""
        ...

    def update_simulation(self, simulation_id: str, fields: Mapping[str, Any]) -> None:
        """``PUT /v1/simulation/{simulation_id}`` with only ``fields``."""
        ...

    def create_human(self, simulation_id: str, fields: Mapping[str, Any]) -> str:
        """``POST /v1/create-digital-human`` (``simulation_ids: [simulation_id]``,
        ``digital_human: fields``); the new id. Once-only: after an ambiguous failure
        the simulation's digital human of that name created since is adopted."""
        ...

    def update_human(self, human_id: str, fields: Mapping[str, Any]) -> None:
        """``PUT /v1/update-digital-human/{digital_human_id}`` with only ``fields``."""
        ...

    def remove_humans(self, simulation_id: str, human_ids: Sequence[str]) -> None:
        """``POST /v1/simulation/{simulation_id}/remove-digital-humans`` (integer ids):
        unlinks them from the simulation; the digital humans themselves stay."""
        ...
