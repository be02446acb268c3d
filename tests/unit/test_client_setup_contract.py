"""Every request the Bluejay-as-code calls send fits the OpenAPI document (openapi-core):
paths with ids typed as documented, and bodies that validate against their request
schemas with every field a spec may set filled in (values drawn from the schemas)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.fields import (
    HUMAN_SPEC_PROPERTIES,
    HUMAN_UPDATE_FIELDS,
    METRIC_SPEC_PROPERTIES,
    METRIC_UPDATE_FIELDS,
    SIMULATION_CREATE_PROPERTIES,
    SIMULATION_UPDATE_PROPERTIES,
)
from bluejay_gate.bluejay.retry import RetryPolicy
from tests.helpers.openapi_requests import DocumentCheck

pytestmark = pytest.mark.needs_shared

KEY = "sk-contract-SETUP-0123456789"
METRIC_ID = "3f1c2d4e-0000-4000-8000-000000000001"
METRIC = {
    "id": METRIC_ID,
    "name": "Empathy",
    "description": "Did it?",
    "response_type": "pass_fail",
    "agent_ids": [101],
    "created_at": "2026-04-01T00:00:00Z",
    "allow_not_applicable": False,
}
SIMULATION = {"id": 4821, "agent_id": 101, "name": "Billing", "type": "parallel"}
HUMAN = {"id": 12, "name": "Angry caller", "intent": "", "success_criteria": ""}
ANSWERS: dict[tuple[str, str], Any] = {
    ("GET", "/v1/custom-metrics"): {
        "metrics": [METRIC],
        "total_count": 1,
        "page": 1,
        "page_size": 100,
        "items_in_page": 1,
        "total_pages": 1,
    },
    ("POST", "/v1/create-custom-metric"): METRIC,
    ("PUT", "/v1/update-custom-metric/{metric_id}"): METRIC,
    ("GET", "/v1/get-simulations-by-agent/{agent_id}"): {
        "simulations": [{**SIMULATION, "created_at": "2026-04-01T00:00:00Z"}]
    },
    ("GET", "/v1/simulation/{simulation_id}"): SIMULATION,
    ("PUT", "/v1/simulation/{simulation_id}"): SIMULATION,
    ("POST", "/v1/create-simulation"): {"simulation_id": 4821, "status": "200"},
    ("GET", "/v1/digital-humans-by-simulation/{simulation_id}"): {
        "digital_humans": [HUMAN],
        "total": 1,
        "simulation_id": 4821,
    },
    ("POST", "/v1/create-digital-human"): {"digital_human": HUMAN, "simulation_ids": [4821]},
    ("PUT", "/v1/update-digital-human/{digital_human_id}"): {"digital_human": HUMAN},
    ("POST", "/v1/simulation/{simulation_id}/remove-digital-humans"): {"message": "Removed 1"},
}


class Strict:
    """Checks each request against the document and answers in the document's shape."""

    def __init__(self) -> None:
        self.document = DocumentCheck()
        self.seen: list[tuple[str, str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        template, body = self.document.check(request)
        self.seen.append((request.method, template, body))
        return httpx.Response(200, json=ANSWERS[(request.method, template)])

    def example(self, schema_name: str, names: Any) -> dict[str, Any]:
        """A value for each of ``names``, drawn from ``schema_name``'s properties."""
        properties = self.document.schemas[schema_name]["properties"]
        return {name: self._value(properties[name]) for name in names}

    def _value(self, schema: dict[str, Any]) -> Any:
        if "$ref" in schema:
            return self._value(self.document.schemas[schema["$ref"].rsplit("/", 1)[1]])
        if "anyOf" in schema:
            return self._value(next(s for s in schema["anyOf"] if s.get("type") != "null"))
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            properties = schema.get("properties")
            if not properties:
                return {"key": "value"}
            return {k: self._value(properties[k]) for k in schema.get("required", properties)}
        if kind == "array":
            return [self._value(schema.get("items", {"type": "string"}))]
        if kind == "string":
            formats = {"uuid": METRIC_ID, "date-time": "2026-04-01T00:00:00Z"}
            return formats.get(str(schema.get("format", "")), "text")
        if kind == "boolean":
            return True
        sample: float = 3 if kind == "integer" else 0.5
        low, high = schema.get("minimum"), schema.get("maximum")  # within the bounds
        sample = sample if low is None else max(sample, float(low))
        sample = sample if high is None else min(sample, float(high))
        return int(sample) if kind == "integer" else sample


@pytest.fixture(scope="module")
def strict() -> Strict:
    return Strict()


@pytest.fixture
def client(strict: Strict) -> Iterator[BluejayClient]:
    strict.seen.clear()
    with BluejayClient(
        KEY,
        "https://api.getbluejay.ai",
        transport=httpx.MockTransport(strict),
        retry=RetryPolicy(jitter=0.0),
        sleep=lambda _: None,
    ) as c:
        yield c


def test_reads_fit_the_document(client: BluejayClient, strict: Strict) -> None:
    """The four reads: query and path parameters as documented."""
    assert [m.id for m in client.agent_metrics("101")] == [METRIC_ID]
    assert client.agent_simulation_ids("101") == [("4821", "Billing")]
    assert client.simulation_record("4821").name == "Billing"
    assert [h.id for h in client.simulation_humans("4821")] == ["12"]
    assert [(m, t) for m, t, _ in strict.seen] == [
        ("GET", "/v1/custom-metrics"),
        ("GET", "/v1/get-simulations-by-agent/{agent_id}"),
        ("GET", "/v1/simulation/{simulation_id}"),
        ("GET", "/v1/digital-humans-by-simulation/{simulation_id}"),
    ]


def test_metric_writes_fit_the_document(client: BluejayClient, strict: Strict) -> None:
    """create-custom-metric with every field a spec may set, update with every field."""
    fields = strict.example("CreateCustomMetricRequest", METRIC_SPEC_PROPERTIES)
    assert client.create_metric("101", fields).id == METRIC_ID
    update = strict.example("UpdateCustomMetricRequest", sorted(METRIC_UPDATE_FIELDS))
    assert client.update_metric(METRIC_ID, update).id == METRIC_ID
    (_, _, created), (_, _, updated) = strict.seen
    assert created == {**fields, "agent_ids": [101]}
    assert updated == update
    assert isinstance(updated["agent_ids"][0], int)


def test_simulation_writes_fit_the_document(client: BluejayClient, strict: Strict) -> None:
    """create-simulation (agent_id a string) and PUT simulation with every field."""
    names = [n for n in SIMULATION_CREATE_PROPERTIES if n not in {"agent_id", "name"}]
    fields = strict.example("SimulationRequest", names)
    assert client.create_simulation("101", "Billing", fields) == "4821"
    update = strict.example(
        "src__api__simulations__UpdateSimulationRequest", SIMULATION_UPDATE_PROPERTIES
    )
    client.update_simulation("4821", update)
    (_, _, created), (_, template, updated) = strict.seen
    assert created == {"agent_id": "101", "name": "Billing", **fields}
    assert template == "/v1/simulation/{simulation_id}"
    assert updated == update


def test_human_writes_fit_the_document(client: BluejayClient, strict: Strict) -> None:
    """create-digital-human (every field, integer simulation ids), update, unlink."""
    fields = strict.example("DigitalHumanRequestData", HUMAN_SPEC_PROPERTIES)
    assert client.create_human("4821", fields) == "12"
    update = strict.example("UpdateDigitalHumanRequest", sorted(HUMAN_UPDATE_FIELDS))
    client.update_human("12", update)
    client.remove_humans("4821", ["12", "13"])
    (_, _, created), (_, _, updated), (_, _, removed) = strict.seen
    assert created == {"simulation_ids": [4821], "digital_human": fields}
    nested = strict.document.schemas["DigitalHumanRequestData"]["properties"]
    assert set(created["digital_human"]) <= set(nested)
    assert updated == update
    assert removed == {"digital_human_ids": [12, 13]}


def test_human_update_fields_are_the_documents_but_the_links() -> None:
    """HUMAN_UPDATE_FIELDS (derived from the create fields) is exactly the document's
    UpdateDigitalHumanRequest without simulation_ids and override_conflict."""
    from tests.helpers.shared import openapi_document

    schema = openapi_document()["components"]["schemas"]["UpdateDigitalHumanRequest"]
    documented = set(schema["properties"]) - {"simulation_ids", "override_conflict"}
    assert documented == HUMAN_UPDATE_FIELDS
