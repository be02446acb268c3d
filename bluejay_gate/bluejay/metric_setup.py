"""Custom metric calls of Bluejay as code: every page of an agent's metrics in full,
creating one linked to the agent (once only: after an ambiguous failure the agent's
metric of that name is looked up, preferring one created since the attempt, before it is
created again) and updating one (``PUT``, idempotent: retried), checking Bluejay answered
with that metric."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bluejay_gate.bluejay.adoption import adopted
from bluejay_gate.bluejay.bodies import documented_body, integer_id, integer_ids, path_id, require
from bluejay_gate.bluejay.definitions import MAX_METRIC_PAGES, METRIC_PAGE_SIZE
from bluejay_gate.bluejay.fields import (
    METRIC_CREATE_FIELDS,
    METRIC_CREATE_REQUIRED,
    METRIC_UPDATE_FIELDS,
)
from bluejay_gate.bluejay.paging import PagedCalls
from bluejay_gate.bluejay.session import Reply
from bluejay_gate.bluejay.setup_models import MetricRecord, MetricRecordPage
from bluejay_gate.errors import ResponseError

CREATE = "POST /v1/create-custom-metric"
UPDATE = "PUT /v1/update-custom-metric/{metric_id}"


class MetricSetupCalls(PagedCalls):
    """``custom-metrics`` (full records), ``create-custom-metric``, ``update-custom-metric``."""

    def agent_metrics(self, agent_id: str) -> list[MetricRecord]:
        """Every page of ``GET /v1/custom-metrics?agent_id=`` in full, deduplicated by id.
        A metric whose ``agent_ids`` leave the agent out is not the agent's (a server
        ignoring the filter must not hand the gate another agent's metrics)."""
        agent = integer_id(agent_id, "agent", "GET /v1/custom-metrics")
        listed = self._every_page(
            "/v1/custom-metrics",
            f"agent_id={agent}",
            MetricRecordPage,
            lambda page: page.metrics,
            lambda metric: metric.id,
            field="metrics",
            noun="metrics",
            page_size=METRIC_PAGE_SIZE,
            max_pages=MAX_METRIC_PAGES,
        )
        return [m for m in listed if m.agent_ids is None or agent in m.agent_ids]

    def create_metric(self, agent_id: str, fields: Mapping[str, Any]) -> MetricRecord:
        """``POST /v1/create-custom-metric`` with ``agent_ids: [agent_id]`` and ``fields``
        (documented fields but the agent links, None left out); once only."""
        allowed = METRIC_CREATE_FIELDS - {"agent_id", "agent_ids"}
        body = documented_body(fields, allowed, "CreateCustomMetricRequest", CREATE)
        require(body, METRIC_CREATE_REQUIRED, "CreateCustomMetricRequest", CREATE, "the metric")
        agent = integer_id(agent_id, "agent", CREATE)
        body["agent_ids"] = [int(agent)]
        name = str(body["name"])
        started = self._now()

        def parse(reply: Reply) -> MetricRecord:
            return self._metric_answer(reply, CREATE)

        def reconcile(cause: str) -> MetricRecord | None:
            return self._find_created_metric(agent, name, started, cause)

        return self._post_once_only(
            "/v1/create-custom-metric", body, parse, reconcile, "custom metric"
        )

    def _find_created_metric(
        self, agent: str, name: str, since: datetime, cause: str
    ) -> MetricRecord | None:
        candidates = [m for m in self.agent_metrics(agent) if m.name == name]
        chosen = adopted(candidates, since, lambda m: m.created_at, lambda m: m.id)
        if chosen is not None:
            self._log(f"{CREATE}: adopted custom metric {chosen.id} ({name}) after {cause}")
        return chosen

    def update_metric(self, metric_id: str, fields: Mapping[str, Any]) -> MetricRecord:
        """``PUT /v1/update-custom-metric/{metric_id}`` with only ``fields`` (``agent_ids``,
        as integers, replaces every link); the updated metric."""
        ident = path_id(metric_id, "custom metric", UPDATE)
        body = documented_body(fields, METRIC_UPDATE_FIELDS, "UpdateCustomMetricRequest", UPDATE)
        if "agent_ids" in body:
            body["agent_ids"] = integer_ids(body["agent_ids"], "agent", UPDATE)
        path = f"/v1/update-custom-metric/{ident}"
        endpoint = f"PUT {path}"
        reply = self._call("PUT", path, body, what=("custom metric", str(metric_id)))
        record = self._metric_answer(reply, endpoint)
        if record.id.casefold() != str(metric_id).strip().casefold():
            raise ResponseError(
                f"answered with custom metric {record.id}, not {metric_id}: the update may "
                "not have been applied; check --base-url points at the Bluejay API",
                endpoint=endpoint,
                status=reply.status,
            )
        return record

    def _metric_answer(self, reply: Reply, endpoint: str) -> MetricRecord:
        """A ``CustomMetricResponse``: without an id or a name it is a ResponseError."""
        return self._model(MetricRecord, self._json(reply, endpoint), endpoint, reply.status)
