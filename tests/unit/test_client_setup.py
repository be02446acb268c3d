"""The Bluejay-as-code calls (``SetupApi``) over httpx.MockTransport: what each request
carries (method, path, body exactly, ids typed as the document says, only documented
fields, None left out), every page of the agent's metrics, lenient readings of answers,
and hostile answers refused as ResponseErrors that name the endpoint."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.errors import NotFoundError, RequestRejected, ResponseError
from bluejay_gate.manage.api import SetupApi
from tests.helpers.mock_api import KEY, Script, make, ok

METRIC_ID = "3f1c2d4e-0000-4000-8000-000000000001"


def metric(
    i: int | str, name: str | None = None, agents: list[Any] | None = None
) -> dict[str, Any]:
    return {
        "id": METRIC_ID if i == 0 else f"m-{i}",
        "name": name or f"Metric {i}",
        "description": "Was it?",
        "response_type": "pass_fail",
        "agent_ids": [101] if agents is None else agents,
        "created_at": "2026-04-01T00:00:00Z",
        "allow_not_applicable": False,
    }


def simulation(sim_id: Any = 4821, **extra: Any) -> dict[str, Any]:
    return {"id": sim_id, "agent_id": 101, "name": "Billing", "type": "parallel", **extra}


def human(human_id: Any = 12, name: str = "Angry caller", **extra: Any) -> dict[str, Any]:
    return {"id": human_id, "name": name, "intent": "Refund", "success_criteria": "Got it", **extra}


def sent(script: Script) -> list[tuple[str, str, Any]]:
    """(method, path with query, body) of each request."""
    bodies = script.bodies()
    return [
        (r.method, r.url.raw_path.decode(), body)
        for r, body in zip(script.requests, bodies, strict=True)
    ]


def test_the_client_is_a_setup_api() -> None:
    """BluejayClient implements every method of the SetupApi protocol (mypy checks it)."""
    with make(Script()) as client:
        api: SetupApi = client
        assert isinstance(api, BluejayClient)


# -- reads ----------------------------------------------------------------------------


class Paged:
    """custom-metrics over ``total`` metrics of agent 101, pages as documented."""

    def __init__(self, total: int) -> None:
        self.metrics = [metric(i + 1) for i in range(total)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
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


def test_agent_metrics_reads_every_page_in_full() -> None:
    """Three pages of the agent's metrics, every field of each kept."""
    paged = Paged(230)
    script = Script(paged, paged, paged, paged)
    with make(script) as client:
        got = client.agent_metrics("101")
    assert [m.id for m in got] == [f"m-{i + 1}" for i in range(230)]
    assert got[0].stored("description") == (True, "Was it?")
    assert got[0].stored("allow_not_applicable") == (True, False)
    assert got[0].stored("scoring_guidance") == (False, None)
    assert [r.url.raw_path.decode() for r in script.requests] == [
        f"/v1/custom-metrics?agent_id=101&page={page}&page_size=100" for page in (1, 2, 3)
    ]


def test_agent_metrics_deduplicates_and_keeps_only_the_agents() -> None:
    """A repeated metric is one; a metric linked to other agents only is left out."""
    listed = [metric(1), metric(1), metric(2, agents=[7]), metric(3, agents=["101", 7])]
    script = Script(ok({"metrics": listed, "total_pages": 1}))
    with make(script) as client:
        got = client.agent_metrics("101")
    assert [m.id for m in got] == ["m-1", "m-3"]
    assert got[1].agent_ids == ["101", "7"]


def test_agent_metrics_lenient_answers() -> None:
    """A bare list, ids as ints, optional fields missing, agent_ids missing."""
    script = Script(ok([{"id": 5, "name": "Tone"}, {"id": "6", "name": "Pace", "agent_ids": None}]))
    with make(script) as client:
        got = client.agent_metrics("101")
    assert [(m.id, m.name, m.response_type) for m in got] == [
        ("5", "Tone", None),
        ("6", "Pace", None),
    ]
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "body",
    [{"metrics": [{"name": "No id"}]}, {"metrics": [{"id": "x"}]}, {"items": []}, "metrics"],
    ids=["no-id", "no-name", "no-metrics", "string"],
)
def test_agent_metrics_hostile_answers(body: Any) -> None:
    """A metric without an id or a name, or no metrics list: a ResponseError."""
    with make(Script(ok(body))) as client, pytest.raises(ResponseError) as info:
        client.agent_metrics("101")
    assert info.value.endpoint == "GET /v1/custom-metrics"
    assert str(info.value).startswith("GET /v1/custom-metrics: ")


def test_agent_simulation_ids() -> None:
    """(id, name) of the agent's simulations, ids as text; another agent's left out."""
    sims = [
        {"id": 4821, "name": "Billing", "agent_id": 101, "created_at": "2026-04-01T00:00:00Z"},
        {"id": "4822", "name": None, "created_at": "2026-04-01T00:00:00Z"},
        {"id": 4823, "name": "Other", "agent_id": 7, "created_at": "2026-04-01T00:00:00Z"},
        {"id": 4821, "name": "Billing", "agent_id": 101, "created_at": "2026-04-01T00:00:00Z"},
    ]
    script = Script(ok({"simulations": sims}), ok(sims[:1]))
    with make(script) as client:
        assert client.agent_simulation_ids("101") == [("4821", "Billing"), ("4822", None)]
        assert client.agent_simulation_ids("101") == [("4821", "Billing")]  # a bare list
    assert [r.url.path for r in script.requests] == ["/v1/get-simulations-by-agent/101"] * 2


def test_simulation_record_in_full() -> None:
    """Every field kept; settings read by ``stored`` after the top level."""
    body = simulation(
        settings={"max_call_duration": 300, "description": "hidden"}, description="Top"
    )
    script = Script(ok(body))
    with make(script) as client:
        record = client.simulation_record("04821")
    assert script.requests[0].url.path == "/v1/simulation/4821"
    assert record.id == "4821"
    assert record.agent_id == "101"
    assert record.stored("max_call_duration") == (True, 300)
    assert record.stored("description") == (True, "Top")
    assert record.stored("type") == (True, "parallel")
    assert record.stored("ringing_timeout") == (False, None)


def test_simulation_record_without_its_optional_id() -> None:
    """SimulationPydantic's id is optional: the asked id is the record's."""
    body = simulation()
    del body["id"]
    with make(Script(ok(body))) as client:
        assert client.simulation_record("4821").id == "4821"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (simulation(4822), "answered with simulation 4822, not 4821"),
        ([simulation()], "without the documented SimulationRecord shape"),
        ({"id": {"x": 1}}, "without the documented SimulationRecord shape"),
    ],
    ids=["other-simulation", "list", "bad-id"],
)
def test_simulation_record_hostile_answers(body: Any, says: str) -> None:
    with make(Script(ok(body))) as client, pytest.raises(ResponseError) as info:
        client.simulation_record("4821")
    assert info.value.endpoint == "GET /v1/simulation/4821"
    assert says in str(info.value)


def test_simulation_record_not_found_names_the_simulation() -> None:
    script = Script(httpx.Response(404, json={"detail": "Simulation not found"}))
    with make(script) as client, pytest.raises(NotFoundError) as info:
        client.simulation_record("4821")
    assert "simulation 4821 not found (404)" in str(info.value)


def test_non_integer_simulation_ids_are_not_sent() -> None:
    """Simulation and digital human ids are integers in the document's paths."""
    script = Script()
    with make(script) as client:
        with pytest.raises(RequestRejected, match="simulation id 'abc' is not a whole number"):
            client.simulation_record("abc")
        with pytest.raises(RequestRejected, match="simulation id '4x' is not a whole number"):
            client.simulation_humans("4x")
        with pytest.raises(RequestRejected, match="digital human id 'dh-1' is not a whole"):
            client.update_human("dh-1", {"name": "A"})
        with pytest.raises(RequestRejected, match="agent id 'bot' is not a whole number"):
            client.agent_metrics("bot")
        with pytest.raises(RequestRejected, match="digital human id 'x' is not a whole"):
            client.remove_humans("4821", ["12", "x"])
    assert script.requests == []


def test_simulation_humans_in_full() -> None:
    """Every field of each digital human; a bare list too; each id once."""
    listed = [
        human(
            12, traits=[{"trait_name": "mood", "trait_data_type": "STRING", "value": "impatient"}]
        ),
        human("13", "Polite"),
        human(12),
    ]
    script = Script(
        ok({"digital_humans": listed, "total": 3, "simulation_id": 4821}), ok(listed[1:2])
    )
    with make(script) as client:
        got = client.simulation_humans("4821")
        bare = client.simulation_humans(4821)  # type: ignore[arg-type]
    assert [(h.id, h.name) for h in got] == [("12", "Angry caller"), ("13", "Polite")]
    assert got[0].stored("traits") == (
        True,
        [{"trait_name": "mood", "trait_data_type": "STRING", "value": "impatient"}],
    )
    assert got[0].stored("intent") == (True, "Refund")
    assert [h.id for h in bare] == ["13"]
    assert [r.url.path for r in script.requests] == ["/v1/digital-humans-by-simulation/4821"] * 2


@pytest.mark.parametrize(
    "body",
    [{"digital_humans": [{"name": "No id"}]}, {"digital_humans": None}, {"total": 1}, [None]],
    ids=["no-id", "null", "no-list", "null-item"],
)
def test_simulation_humans_hostile_answers(body: Any) -> None:
    """A digital human without an id could not be updated: a ResponseError."""
    with make(Script(ok(body))) as client, pytest.raises(ResponseError) as info:
        client.simulation_humans("4821")
    assert info.value.endpoint == "GET /v1/digital-humans-by-simulation/4821"


# -- writes: what is sent -------------------------------------------------------------


def test_create_metric_body() -> None:
    """agent_ids a list of integers, documented fields, None left out; the record back."""
    script = Script(ok(metric(0, "Empathy")))
    fields = {
        "name": "Empathy",
        "description": "Did the agent acknowledge the caller?",
        "response_type": "quantitative",
        "min_value": 0,
        "max_value": 10,
        "category": None,
        "tags": ["tone"],
        "allow_not_applicable": True,
    }
    with make(script) as client:
        record = client.create_metric("0101", fields)
    assert record.id == METRIC_ID
    assert record.name == "Empathy"
    assert sent(script) == [
        (
            "POST",
            "/v1/create-custom-metric",
            {
                "name": "Empathy",
                "description": "Did the agent acknowledge the caller?",
                "response_type": "quantitative",
                "min_value": 0,
                "max_value": 10,
                "tags": ["tone"],
                "allow_not_applicable": True,
                "agent_ids": [101],
            },
        )
    ]


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        (
            {"name": "A", "description": "d", "response_type": "pass_fail", "colour": 1},
            "colour is not a field of CreateCustomMetricRequest",
        ),
        (
            {"name": "A", "description": "d", "response_type": "pass_fail", "agent_ids": [1]},
            "agent_ids of CreateCustomMetricRequest is set by the gate",
        ),
        (
            {"name": "A", "response_type": "pass_fail", "description": None},
            "CreateCustomMetricRequest needs description; add them to the spec's metric",
        ),
    ],
    ids=["undocumented", "links", "required"],
)
def test_create_metric_refuses_bodies_that_do_not_fit(fields: dict[str, Any], says: str) -> None:
    script = Script()
    with make(script) as client, pytest.raises(RequestRejected) as info:
        client.create_metric("101", fields)
    assert says in str(info.value)
    assert info.value.endpoint == "POST /v1/create-custom-metric"
    assert script.requests == []


def test_update_metric_body_and_path() -> None:
    """metric_id a string path segment; only the given fields; agent_ids integers."""
    script = Script(ok(metric(0, "Empathy")), ok({**metric(0), "id": METRIC_ID.upper()}))
    with make(script) as client:
        record = client.update_metric(
            METRIC_ID, {"max_value": 5, "agent_ids": ["101", 7], "tags": None}
        )
        client.update_metric(METRIC_ID, {"scoring_guidance": "Be strict"})
    assert record.name == "Empathy"
    assert sent(script) == [
        ("PUT", f"/v1/update-custom-metric/{METRIC_ID}", {"max_value": 5, "agent_ids": [101, 7]}),
        ("PUT", f"/v1/update-custom-metric/{METRIC_ID}", {"scoring_guidance": "Be strict"}),
    ]


def test_update_metric_path_is_encoded_and_never_empty() -> None:
    script = Script(ok({**metric(0), "id": "a/b"}))
    with make(script) as client:
        client.update_metric("a/b", {"name": "X"})
        with pytest.raises(RequestRejected, match="custom metric id '' is empty"):
            client.update_metric("", {"name": "X"})
        with pytest.raises(RequestRejected, match="agent_id is not a field of UpdateCustomMetric"):
            client.update_metric("a/b", {"agent_id": 101})
    assert [r.url.raw_path.decode() for r in script.requests] == ["/v1/update-custom-metric/a%2Fb"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({**metric(0), "id": "m-other"}, f"answered with custom metric m-other, not {METRIC_ID}"),
        ({"message": "ok"}, "without the documented MetricRecord shape"),
        ([metric(0)], "without the documented MetricRecord shape"),
    ],
    ids=["other-metric", "no-record", "list"],
)
def test_update_metric_hostile_answers(body: Any, says: str) -> None:
    with make(Script(ok(body))) as client, pytest.raises(ResponseError) as info:
        client.update_metric(METRIC_ID, {"name": "X"})
    assert info.value.endpoint == f"PUT /v1/update-custom-metric/{METRIC_ID}"
    assert says in str(info.value)


def test_create_simulation_body() -> None:
    """agent_id a string, the name, metric ids as strings, None left out; the new id."""
    script = Script(ok({"simulation_id": 4900, "status": "200"}))
    fields = {
        "description": "Refunds",
        "selected_custom_metrics": [METRIC_ID, 17],
        "max_call_duration": 300,
        "always_on": None,
        "custom_metrics_passing_threshold": 80,
    }
    with make(script) as client:
        new_id = client.create_simulation(101, "Billing", fields)  # type: ignore[arg-type]
    assert new_id == "4900"
    assert sent(script) == [
        (
            "POST",
            "/v1/create-simulation",
            {
                "agent_id": "101",
                "name": "Billing",
                "description": "Refunds",
                "selected_custom_metrics": [METRIC_ID, "17"],
                "max_call_duration": 300,
                "custom_metrics_passing_threshold": 80,
            },
        )
    ]


@pytest.mark.parametrize(
    ("name", "fields", "says"),
    [
        ("Billing", {"max_turns": 4}, "max_turns is not a field of SimulationRequest"),
        ("Billing", {"name": "Other"}, "name of SimulationRequest is set by the gate"),
        ("  ", {}, "a managed simulation needs a name"),
        ("Billing", {"selected_custom_metrics": "m-1"}, "custom metric ids must be a list"),
        ("Billing", {"selected_custom_metrics": [True]}, "custom metric id 'True' is not an id"),
    ],
    ids=["update-only-field", "name-twice", "no-name", "ids-not-a-list", "bool-id"],
)
def test_create_simulation_refuses_bodies_that_do_not_fit(
    name: str, fields: dict[str, Any], says: str
) -> None:
    script = Script()
    with make(script) as client, pytest.raises(RequestRejected) as info:
        client.create_simulation("101", name, fields)
    assert says in str(info.value)
    assert script.requests == []


def test_update_simulation_body() -> None:
    """An integer id in the path, only the given fields, metric ids as strings."""
    script = Script(ok(simulation()), ok(simulation()))
    with make(script) as client:
        client.update_simulation(
            "4821", {"max_turns": 12, "selected_custom_metrics": [5], "tags": None}
        )
        client.update_simulation("4821", {"name": "Billing v2"})
    assert sent(script) == [
        ("PUT", "/v1/simulation/4821", {"max_turns": 12, "selected_custom_metrics": ["5"]}),
        ("PUT", "/v1/simulation/4821", {"name": "Billing v2"}),
    ]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (simulation(9), "answered with simulation 9, not 4821"),
        ("done", "without the documented SimulationRecord shape"),
    ],
    ids=["other", "string"],
)
def test_update_simulation_hostile_answers(body: Any, says: str) -> None:
    with make(Script(ok(body))) as client, pytest.raises(ResponseError) as info:
        client.update_simulation("4821", {"max_turns": 3})
    assert info.value.endpoint == "PUT /v1/simulation/4821"
    assert says in str(info.value)


def test_update_simulation_refuses_create_only_fields() -> None:
    script = Script()
    with make(script) as client, pytest.raises(RequestRejected, match="always_on is not a field"):
        client.update_simulation("4821", {"always_on": True})
    assert script.requests == []


def test_create_human_body() -> None:
    """simulation_ids integers, the digital human's documented fields, None left out."""
    script = Script(ok({"digital_human": human(31), "simulation_ids": [4821]}))
    fields = {
        "name": "Angry caller",
        "intent": "Refund",
        "success_criteria": "Refund issued",
        "traits": [{"trait_name": "mood", "trait_data_type": "STRING", "value": "impatient"}],
        "tag": None,
        "num_runs": 2,
    }
    with make(script) as client:
        assert client.create_human("4821", fields) == "31"
    assert sent(script) == [
        (
            "POST",
            "/v1/create-digital-human",
            {
                "simulation_ids": [4821],
                "digital_human": {
                    "name": "Angry caller",
                    "intent": "Refund",
                    "success_criteria": "Refund issued",
                    "traits": [
                        {"trait_name": "mood", "trait_data_type": "STRING", "value": "impatient"}
                    ],
                    "num_runs": 2,
                },
            },
        )
    ]


def test_create_human_reads_a_bare_record_and_string_ids() -> None:
    script = Script(ok(human("32")))
    with make(script) as client:
        assert client.create_human("4821", {"name": "Polite"}) == "32"


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"intent": "Refund"}, "needs a name"),
        (
            {"name": "A", "simulation_ids": [1]},
            "simulation_ids is not a field of DigitalHumanRequestData",
        ),
        ({"name": "A", "mood": "grumpy"}, "mood is not a field of DigitalHumanRequestData"),
    ],
    ids=["no-name", "links", "undocumented"],
)
def test_create_human_refuses_bodies_that_do_not_fit(fields: dict[str, Any], says: str) -> None:
    script = Script()
    with make(script) as client, pytest.raises(RequestRejected) as info:
        client.create_human("4821", fields)
    assert says in str(info.value)
    assert script.requests == []


def test_update_human_body() -> None:
    """An integer id in the path, only the given fields (never simulation_ids)."""
    no_id = human()
    del no_id["id"]
    script = Script(ok({"digital_human": human()}), ok({"digital_human": no_id}))
    with make(script) as client:
        client.update_human("12", {"intent": "Cancel", "traits": [], "tag": None})
        client.update_human("012", {"name": "Calm caller"})
        with pytest.raises(
            RequestRejected, match="simulation_ids of UpdateDigitalHumanRequest is set by the gate"
        ):
            client.update_human("12", {"simulation_ids": [4821]})
        with pytest.raises(RequestRejected, match="bluejay_as_code_id is not a field"):
            client.update_human("12", {"bluejay_as_code_id": "x"})
    assert sent(script) == [
        ("PUT", "/v1/update-digital-human/12", {"intent": "Cancel", "traits": []}),
        ("PUT", "/v1/update-digital-human/12", {"name": "Calm caller"}),
    ]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"digital_human": human(13)}, "answered with digital human 13, not 12"),
        ({"message": "updated"}, "without the documented DigitalHumanResponse shape"),
        ({"digital_human": None}, "without the documented DigitalHumanResponse shape"),
    ],
    ids=["other", "no-record", "null"],
)
def test_update_human_hostile_answers(body: Any, says: str) -> None:
    with make(Script(ok(body))) as client, pytest.raises(ResponseError) as info:
        client.update_human("12", {"intent": "Cancel"})
    assert info.value.endpoint == "PUT /v1/update-digital-human/12"
    assert says in str(info.value)


def test_remove_humans_body() -> None:
    """Integer ids in the body and the path; no call when there are none."""
    script = Script(ok({"message": "Removed 2 digital humans"}))
    with make(script) as client:
        client.remove_humans("4821", ["12", "013"])
        client.remove_humans("4821", [])
    assert sent(script) == [
        ("POST", "/v1/simulation/4821/remove-digital-humans", {"digital_human_ids": [12, 13]})
    ]


@pytest.mark.parametrize("body", [["removed"], "removed"], ids=["list", "string"])
def test_remove_humans_hostile_answers(body: Any) -> None:
    with make(Script(ok(body))) as client, pytest.raises(ResponseError) as info:
        client.remove_humans("4821", ["12"])
    assert info.value.endpoint == "POST /v1/simulation/4821/remove-digital-humans"


def test_updates_and_unlinking_are_retried() -> None:
    """PUT metric, PUT simulation, PUT digital human and remove-digital-humans are
    idempotent: a 503 or a dropped connection is retried."""

    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    script = Script(
        httpx.Response(503),
        ok(metric(0)),
        drop,
        ok(simulation()),
        httpx.Response(502),
        ok({"digital_human": human()}),
        drop,
        ok({"message": "ok"}),
    )
    with make(script) as client:
        client.update_metric(METRIC_ID, {"name": "X"})
        client.update_simulation("4821", {"name": "X"})
        client.update_human("12", {"name": "X"})
        client.remove_humans("4821", ["12"])
    assert [(m, p.split("?")[0]) for m, p, _ in sent(script)] == [
        ("PUT", f"/v1/update-custom-metric/{METRIC_ID}"),
        ("PUT", f"/v1/update-custom-metric/{METRIC_ID}"),
        ("PUT", "/v1/simulation/4821"),
        ("PUT", "/v1/simulation/4821"),
        ("PUT", "/v1/update-digital-human/12"),
        ("PUT", "/v1/update-digital-human/12"),
        ("POST", "/v1/simulation/4821/remove-digital-humans"),
        ("POST", "/v1/simulation/4821/remove-digital-humans"),
    ]


def test_the_key_never_appears_in_a_message() -> None:
    """An answer echoing the key: the error shows it scrubbed."""
    echo = httpx.Response(422, json={"detail": f"bad key {KEY} for field name"})
    script = Script(echo, ok({"metrics": [{"id": "1", "name": KEY}], "total_pages": 1}))
    with make(script) as client:
        with pytest.raises(RequestRejected) as info:
            client.update_simulation("4821", {"name": "X"})
        listed = client.agent_metrics("101")
    assert KEY not in str(info.value)
    assert "***" in str(info.value)
    assert KEY not in listed[0].name
