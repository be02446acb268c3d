"""Definition endpoints read before paying: every page of the custom metrics (of an agent
or of the organisation) and how many digital humans a simulation has."""

from __future__ import annotations

from bluejay_gate.bluejay.bodies import integer_id
from bluejay_gate.bluejay.calls import Calls
from bluejay_gate.bluejay.models import CustomMetric, CustomMetricPage, DigitalHumanList

METRIC_PAGE_SIZE = 100
MAX_METRIC_PAGES = 200  # 20 000 metrics: past that a server is not paginating


class DefinitionCalls(Calls):
    """``custom-metrics`` (paginated) and ``digital-humans-by-simulation``."""

    def list_custom_metrics(
        self, agent_id: str | None = None, *, max_pages: int = MAX_METRIC_PAGES
    ) -> list[CustomMetric]:
        """Every page of ``GET /v1/custom-metrics`` (the agent's metrics, or with no
        ``agent_id`` the organisation's). Stops at ``total_pages``, on an empty page, on a
        page with nothing new, and after ``max_pages``; a bare list is one page."""
        endpoint = "GET /v1/custom-metrics"
        agent = None if agent_id is None else integer_id(agent_id, "agent", endpoint)
        found: dict[str, CustomMetric] = {}
        for page in range(1, max_pages + 1):
            query = f"page={page}&page_size={METRIC_PAGE_SIZE}"
            if agent is not None:
                query = f"agent_id={agent}&{query}"
            reply = self._call("GET", f"/v1/custom-metrics?{query}")
            payload = self._json(reply, endpoint)
            if isinstance(payload, list):  # liberal: a bare list is the whole list
                payload = {"metrics": payload, "total_pages": 1}
            listed = self._model(CustomMetricPage, payload, endpoint, reply.status)
            new = 0
            for metric in listed.metrics:
                key = metric.id if metric.id is not None else f"name:{metric.name}"
                if key not in found:
                    found[key] = metric
                    new += 1
            if not listed.metrics or new == 0:
                break
            if listed.total_pages is not None:
                if page >= listed.total_pages:
                    break
            elif len(listed.metrics) < (listed.page_size or METRIC_PAGE_SIZE):
                break
        else:
            self._log(
                f"{endpoint}: stopped after {max_pages} pages of {METRIC_PAGE_SIZE} "
                "metrics; later pages were not read"
            )
        return list(found.values())

    def count_digital_humans(self, simulation_id: str) -> int:
        """How many digital humans ``GET /v1/digital-humans-by-simulation/{id}`` lists."""
        return self.digital_humans(simulation_id).count

    def digital_humans(self, simulation_id: str) -> DigitalHumanList:
        """``GET /v1/digital-humans-by-simulation/{id}``: the count and the names."""
        ident = integer_id(
            simulation_id, "simulation", "GET /v1/digital-humans-by-simulation/{simulation_id}"
        )
        path = f"/v1/digital-humans-by-simulation/{ident}"
        endpoint = f"GET {path}"
        reply = self._call("GET", path, what=("simulation", ident))
        payload = self._json(reply, endpoint)
        if isinstance(payload, list):  # liberal: a bare list
            payload = {"digital_humans": payload}
        return self._model(DigitalHumanList, payload, endpoint, reply.status)
