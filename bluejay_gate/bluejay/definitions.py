"""Definition endpoints read before paying: every page of the custom metrics (of an agent
or of the organisation) and how many digital humans a simulation has."""

from __future__ import annotations

from typing import Any

from bluejay_gate.bluejay.bodies import integer_id
from bluejay_gate.bluejay.models import CustomMetric, CustomMetricPage, DigitalHumanList
from bluejay_gate.bluejay.paging import PagedCalls

METRIC_PAGE_SIZE = 100
MAX_METRIC_PAGES = 200  # 20 000 metrics: past that a server is not paginating


class DefinitionCalls(PagedCalls):
    """``custom-metrics`` (paginated) and ``digital-humans-by-simulation``."""

    def list_custom_metrics(
        self, agent_id: str | None = None, *, max_pages: int = MAX_METRIC_PAGES
    ) -> list[CustomMetric]:
        """Every page of ``GET /v1/custom-metrics`` (the agent's metrics, or with no
        ``agent_id`` the organisation's). Stops at ``total_pages``, on an empty page, on a
        page with nothing new, and after ``max_pages``; a bare list is one page."""
        endpoint = "GET /v1/custom-metrics"
        agent = None if agent_id is None else integer_id(agent_id, "agent", endpoint)
        return self._every_page(
            "/v1/custom-metrics",
            "" if agent is None else f"agent_id={agent}",
            CustomMetricPage,
            lambda page: page.metrics,
            lambda metric: metric.id if metric.id is not None else f"name:{metric.name}",
            field="metrics",
            noun="metrics",
            page_size=METRIC_PAGE_SIZE,
            max_pages=max_pages,
        )

    def count_digital_humans(self, simulation_id: str) -> int:
        """How many digital humans ``GET /v1/digital-humans-by-simulation/{id}`` lists."""
        return self.digital_humans(simulation_id).count

    def digital_humans(self, simulation_id: str) -> DigitalHumanList:
        """``GET /v1/digital-humans-by-simulation/{id}``: the count and the names."""
        payload, endpoint, status = self._listed_humans(simulation_id)
        return self._model(DigitalHumanList, payload, endpoint, status)

    def _listed_humans(self, simulation_id: str) -> tuple[Any, str, int]:
        """The answer of ``GET /v1/digital-humans-by-simulation/{id}`` (a bare list
        wrapped as documented), its endpoint and status, for a model to read."""
        ident = integer_id(
            simulation_id, "simulation", "GET /v1/digital-humans-by-simulation/{simulation_id}"
        )
        path = f"/v1/digital-humans-by-simulation/{ident}"
        endpoint = f"GET {path}"
        reply = self._call("GET", path, what=("simulation", ident))
        payload = self._json(reply, endpoint)
        if isinstance(payload, list):  # liberal: a bare list
            payload = {"digital_humans": payload}
        return payload, endpoint, reply.status
