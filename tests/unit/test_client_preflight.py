"""The client's look-ups before paying: every page of custom-metrics, digital humans,
and a simulation's selected metrics (httpx.MockTransport)."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from bluejay_gate.bluejay.definitions import MAX_METRIC_PAGES
from bluejay_gate.bluejay.models import Simulation
from bluejay_gate.errors import RequestRejected, ResponseError
from tests.helpers.mock_api import Script, make, ok


def metric(i: int) -> dict[str, Any]:
    return {
        "id": f"m-{i}",
        "name": f"Metric {i}",
        "description": "",
        "response_type": "pass_fail",
        "created_at": "2026-04-01T00:00:00Z",
    }


class Paged:
    """custom-metrics over ``total`` metrics, pages as the document has them."""

    def __init__(self, total: int, *, ignore_page: bool = False) -> None:
        self.metrics = [metric(i) for i in range(total)]
        self.ignore_page = ignore_page

    def __call__(self, request: httpx.Request) -> httpx.Response:
        page = 1 if self.ignore_page else int(request.url.params.get("page", "1"))
        size = int(request.url.params.get("page_size", "50"))
        chunk = self.metrics[(page - 1) * size : page * size]
        return ok(
            {
                "metrics": chunk,
                "total_count": len(self.metrics),
                "page": page,
                "page_size": size,
                "items_in_page": len(chunk),
                "total_pages": math.ceil(len(self.metrics) / size),
            }
        )


def test_every_page_is_read() -> None:
    paged = Paged(250)
    script = Script(paged, paged, paged, paged)
    got = make(script).list_custom_metrics("101")
    assert [m.id for m in got] == [f"m-{i}" for i in range(250)]
    queries = [dict(r.url.params) for r in script.requests]
    assert queries == [
        {"agent_id": "101", "page": "1", "page_size": "100"},
        {"agent_id": "101", "page": "2", "page_size": "100"},
        {"agent_id": "101", "page": "3", "page_size": "100"},
    ]
    assert all(r.url.path == "/v1/custom-metrics" for r in script.requests)


def test_the_organisation_list_has_no_agent_id() -> None:
    paged = Paged(3)
    script = Script(paged)
    assert len(make(script).list_custom_metrics()) == 3
    assert dict(script.requests[0].url.params) == {"page": "1", "page_size": "100"}


def test_a_server_ignoring_page_stops_after_nothing_new() -> None:
    paged = Paged(250, ignore_page=True)
    script = Script(*[paged] * 10)
    got = make(script).list_custom_metrics("101")
    assert len(got) == 100
    assert len(script.requests) == 2


def test_an_empty_page_stops() -> None:
    script = Script(
        ok({"metrics": [metric(1)], "total_pages": 9}),
        ok({"metrics": [], "total_pages": 9}),
    )
    assert [m.name for m in make(script).list_custom_metrics("7")] == ["Metric 1"]
    assert len(script.requests) == 2


def test_default_page_cap_is_200() -> None:
    assert MAX_METRIC_PAGES == 200


def test_pages_are_capped() -> None:
    counter = iter(range(10_000))

    def endless(_request: httpx.Request) -> httpx.Response:
        return ok({"metrics": [metric(next(counter))], "total_pages": 10**6})

    logs: list[str] = []
    script = Script(*[endless] * 10)
    got = make(script, logs=logs).list_custom_metrics("7", max_pages=3)
    assert len(got) == 3
    assert len(script.requests) == 3
    assert logs == [
        "GET /v1/custom-metrics: stopped after 3 pages of 100 metrics; later pages were not read"
    ]


def test_a_bare_list_is_accepted() -> None:
    script = Script(ok([metric(1), metric(2)]))
    assert len(make(script).list_custom_metrics("7")) == 2
    assert len(script.requests) == 1


def test_without_total_pages_a_short_page_is_the_last() -> None:
    script = Script(ok({"metrics": [metric(1)]}))
    assert len(make(script).list_custom_metrics("7")) == 1
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "body",
    [{"metrics": None}, {"metrics": [{"id": "x"}]}, {"items": []}, "metrics", [None]],
    ids=["null", "nameless", "no-metrics", "string", "null-item"],
)
def test_unreadable_answers_are_response_errors(body: Any) -> None:
    with pytest.raises(ResponseError) as info:
        make(Script(ok(body))).list_custom_metrics("7")
    assert info.value.message.startswith("GET /v1/custom-metrics")


def test_a_non_numeric_agent_id_is_not_sent() -> None:
    script = Script()
    with pytest.raises(RequestRejected):
        make(script).list_custom_metrics("abc")
    assert script.requests == []


def test_definition_fields_are_read_leniently() -> None:
    body = {
        **metric(1),
        "response_type": "quantitative",
        "min_value": "1",
        "max_value": 10,
        "enum_options": None,
        "agent_ids": [101],
    }
    [m] = make(Script(ok({"metrics": [body], "total_pages": 1}))).list_custom_metrics("101")
    assert (m.min_value, m.max_value, m.agent_ids) == (1.0, 10.0, ["101"])


def test_digital_humans_are_counted() -> None:
    script = Script(ok({"digital_humans": [{"id": 1}, {"id": 2}], "total": 2, "simulation_id": 4}))
    assert make(script).count_digital_humans("04") == 2
    assert script.requests[0].url.path == "/v1/digital-humans-by-simulation/4"


def test_digital_humans_total_larger_than_the_list_counts() -> None:
    script = Script(ok({"digital_humans": [{"id": 1}], "total": 7}))
    assert make(script).count_digital_humans("4") == 7


def test_digital_humans_bare_list() -> None:
    assert make(Script(ok([{"id": 1}, {"id": 2}, {"id": 3}]))).count_digital_humans("4") == 3


def test_digital_humans_unreadable() -> None:
    with pytest.raises(ResponseError) as info:
        make(Script(ok({"total": 3}))).count_digital_humans("4")
    assert "GET /v1/digital-humans-by-simulation/4" in info.value.message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"selected_custom_metrics": ["a", "b"]}, frozenset({"a", "b"})),
        ({"settings": {"selected_custom_metrics": ["c"]}}, frozenset({"c"})),
        ({"selected_custom_metrics": [], "settings": {"selected_custom_metrics": ["d"]}}, {"d"}),
        ({"selected_custom_metrics": None}, None),
        ({"selected_custom_metrics": []}, None),
        ({"selected_custom_metrics": "a"}, None),
        ({"selected_custom_metrics": [True]}, None),
        ({"settings": "junk"}, None),
        ({}, None),
    ],
)
def test_selected_metrics_of_a_simulation(body: dict[str, Any], expected: Any) -> None:
    sim = Simulation.model_validate({"id": 1, **body})
    assert sim.selected_metric_ids == (None if expected is None else frozenset(expected))


def test_runs_per_digital_human_from_settings() -> None:
    assert (
        Simulation.model_validate(
            {"id": 1, "settings": {"runs_per_digital_human": 3}}
        ).runs_per_digital_human
        == 3
    )
    assert (
        Simulation.model_validate(
            {"id": 1, "settings": {"runs_per_digital_human": 0}}
        ).runs_per_digital_human
        is None
    )
