"""Every request the client sends is one the OpenAPI document allows (openapi-core)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openapi_core import Config, OpenAPI

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import RetryPolicy
from tests.helpers.openapi_requests import DocumentRequest
from tests.helpers.shared import openapi_document
from tests.helpers.typed import as_object

KEY = "sk-contract-0123456789"
RUN = {"id": 77, "experiment_id": 4821, "created_at": "2026-04-01T12:00:00Z", "status": "RUNNING"}
RESULTS: dict[str, Any] = {
    "simulation_run": {"id": "77", "simulation_id": "4821", "created_at": "2026-04-01T12:00:00Z"},
    "simulation_results": [{"id": 501, "digital_human_id": 12}],
}
METRIC = {
    "id": "3f1c2d4e-0000-4000-8000-000000000001",
    "name": "Empathy",
    "description": "",
    "response_type": "quantitative",
    "agent_ids": [5],
    "min_value": 0,
    "max_value": 10,
    "created_at": "2026-04-01T00:00:00Z",
}
AGENT = {
    "id": 5,
    "name": "Bot",
    "agent_description": "",
    "knowledge_base": "",
    "organization_id": "o",
    "mode": "VOICE",
    "external_agent_id": "support-bot",
}


class StrictBluejay:
    """Validates each request against the document, refuses undocumented body fields,
    and answers with a document-shaped body."""

    def __init__(self) -> None:
        document = openapi_document()
        self.schemas = document["components"]["schemas"]
        self.api = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))
        self.paths: dict[str, Any] = document["paths"]
        self.seen: list[tuple[str, str, Any]] = []
        self.fail_queue_once = False

    def body_schema(self, method: str, template: str) -> dict[str, Any] | None:
        operation = self.paths[template][method.lower()]
        body = operation.get("requestBody")
        if body is None:
            return None
        ref = body["content"]["application/json"]["schema"]["$ref"]
        schema: dict[str, Any] = self.schemas[ref.rsplit("/", 1)[1]]
        return schema

    def __call__(self, request: httpx.Request) -> httpx.Response:
        result = self.api.unmarshal_request(DocumentRequest(request))
        assert not result.errors, f"{request.method} {request.url.path}: {result.errors}"
        body = json.loads(request.content) if request.content else None
        self.seen.append((request.method, request.url.path, body))
        template = self._template(request.url.path)
        schema = self.body_schema(request.method, template)
        if schema is not None:
            body = as_object(body, f"{request.method} {request.url.path} body")
            assert set(body) <= set(schema["properties"]), f"undocumented fields in {body}"
            assert all(value is not None for value in body.values()), body
        return self._answer(request.method, template)

    def _template(self, path: str) -> str:
        for template in self.paths:
            parts, want = path.split("/"), template.split("/")
            if len(parts) == len(want) and all(
                w.startswith("{") or w == p for p, w in zip(parts, want, strict=True)
            ):
                return template
        raise AssertionError(f"{path} is not a path of the document")

    def _answer(self, method: str, template: str) -> httpx.Response:
        answers: dict[str, Any] = {
            "/v1/ping": {"message": "pong"},
            "/v1/agents/{agent_id}": AGENT,
            "/v1/agent-by-external-id/{external_id}": AGENT,
            "/v1/all-agents": [AGENT],
            "/v1/add-agent": {"agent_id": 5, "status": "200"},
            "/v1/update-agent": {"agent": {"agent_id": "5"}},
            "/v1/update-agent-by-external-id": {"agent": {"agent_id": "5"}},
            "/v1/simulation/{simulation_id}": {
                "id": 4821,
                "agent_id": 5,
                "name": "S",
                "type": "VOICE",
            },
            "/v1/get-simulations-by-agent/{agent_id}": {
                "simulations": [{"id": 4821, "name": "S", "created_at": "2026-04-01T00:00:00Z"}]
            },
            "/v1/get-simulation-runs/{simulation_id}": {"simulation_runs": [RUN]},
            "/v1/retrieve-simulation-results/{simulation_run_id}": RESULTS,
            "/v1/retrieve-simulation-result/{test_result_id}": {
                "simulation_result": RESULTS["simulation_results"][0]
            },
            "/v1/custom-metrics": {
                "metrics": [METRIC],
                "total_count": 1,
                "page": 1,
                "page_size": 100,
                "items_in_page": 1,
                "total_pages": 1,
            },
            "/v1/digital-humans-by-simulation/{simulation_id}": {
                "digital_humans": [{"id": 12, "intent": "", "success_criteria": ""}],
                "total": 1,
                "simulation_id": 4821,
            },
            "/v1/end-conversations": {
                "success": True,
                "ended_count": 1,
                "test_result_ids": [501],
                "message": "ok",
            },
        }
        if template == "/v1/queue-simulation-run":
            if self.fail_queue_once:
                self.fail_queue_once = False
                return httpx.Response(503)
            return httpx.Response(
                200,
                json={"simulation_run_id": "78", "simulation_result_ids": ["1"], "agent_id": "5"},
            )
        return httpx.Response(200, json=answers[template])


@pytest.fixture(scope="module")
def strict() -> StrictBluejay:
    return StrictBluejay()


@pytest.fixture
def client(strict: StrictBluejay) -> Iterator[BluejayClient]:
    strict.seen.clear()
    with BluejayClient(
        KEY,
        "https://api.getbluejay.ai/v1",
        transport=httpx.MockTransport(strict),
        retry=RetryPolicy(jitter=0.0),
        sleep=lambda _: None,
    ) as c:
        yield c


def test_read_calls_fit_the_document(client: BluejayClient, strict: StrictBluejay) -> None:
    """Every GET the client makes passes the document's parameter and header checks."""
    client.ping()
    assert client.get_agent("5").id == "5"
    assert client.find_agent_by_external_id("support-bot") is not None
    assert len(client.list_agents()) == 1
    assert client.get_simulation("4821").name == "S"
    assert len(client.list_agent_simulations("5")) == 1
    assert [r.id for r in client.list_runs("4821")] == ["77"]
    assert client.get_run_results("77").simulation_run.id == "77"
    assert client.get_result("501").id == "501"
    assert [m.name for m in client.list_custom_metrics("5")] == ["Empathy"]
    assert [m.name for m in client.list_custom_metrics()] == ["Empathy"]
    assert client.count_digital_humans("4821") == 1
    assert len(strict.seen) == 12


def test_write_calls_fit_the_document(client: BluejayClient, strict: StrictBluejay) -> None:
    """add, update, queue and end bodies validate against their request schemas."""
    agent_id = client.add_agent(
        {
            "name": "Bot",
            "system_prompt": "You help.",
            "knowledge_base": "FAQ",
            "goals": ["Resolve billing"],
            "type": "INBOUND",
            "mode": "VOICE",
            "external_agent_id": "support-bot",
            "phone_number": None,
            "custom_sip_headers": {"Tenant": "a"},
        }
    )
    assert agent_id == "5"
    client.update_agent("5", {"name": "Bot 2", "goals": ["a"], "redact_pii": True})
    client.update_agent_by_external_id("support-bot", {"system_prompt": "New", "mode": "TEXT"})
    queued = client.queue_run(
        "4821",
        digital_human_ids=["12", "13"],
        runs_per_digital_human=3,
        extra={"livekit_metadata": {"a": 1}, "prompt_id": "0b0e4a46-2b8e-4c8e-9d7c-7a1f1c8e5c11"},
    )
    assert queued.simulation_run_id == "78"
    client.end_conversations(["501", "502"])
    methods = [(m, p) for m, p, _ in strict.seen]
    assert methods == [
        ("POST", "/v1/add-agent"),
        ("POST", "/v1/update-agent"),
        ("PUT", "/v1/update-agent-by-external-id"),
        ("GET", "/v1/get-simulation-runs/4821"),
        ("POST", "/v1/queue-simulation-run"),
        ("POST", "/v1/end-conversations"),
    ]
    assert strict.seen[-1][2] == {"test_result_ids": [501, 502]}


def test_reconciliation_calls_fit_the_document(
    client: BluejayClient, strict: StrictBluejay
) -> None:
    """The look-ups made while reconciling a lost queue answer are documented calls too."""
    strict.fail_queue_once = True
    queued = client.queue_run("4821")
    assert queued.simulation_run_id == "78"
    assert [(m, p) for m, p, _ in strict.seen] == [
        ("GET", "/v1/get-simulation-runs/4821"),
        ("POST", "/v1/queue-simulation-run"),
        ("GET", "/v1/get-simulation-runs/4821"),
        ("POST", "/v1/queue-simulation-run"),
    ]
