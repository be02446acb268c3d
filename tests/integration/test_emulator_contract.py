"""Contract: every emulated real-path operation answers with the OpenAPI document's shapes."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from bluejay_gate.emulator import ManualClock
from tests.helpers.shared import openapi_document

DOC = openapi_document()
KEY = {"X-API-Key": "test-key"}
REAL_OPERATIONS = {
    ("GET", "/v1/ping"),
    ("POST", "/v1/add-agent"),
    ("POST", "/v1/update-agent"),
    ("PUT", "/v1/update-agent-by-external-id"),
    ("GET", "/v1/agents/{agent_id}"),
    ("GET", "/v1/agent-by-external-id/{external_id}"),
    ("GET", "/v1/all-agents"),
    ("DELETE", "/v1/agent/{agent_id}"),
    ("POST", "/v1/create-simulation"),
    ("GET", "/v1/get-all-simulations"),
    ("GET", "/v1/get-simulations-by-agent/{agent_id}"),
    ("GET", "/v1/simulation/{simulation_id}"),
    ("PUT", "/v1/simulation/{simulation_id}"),
    ("DELETE", "/v1/simulation/{simulation_id}"),
    ("POST", "/v1/create-digital-human"),
    ("GET", "/v1/digital-humans-by-simulation/{simulation_id}"),
    ("POST", "/v1/simulation/{simulation_id}/add-digital-humans"),
    ("POST", "/v1/queue-simulation-run"),
    ("GET", "/v1/get-simulation-runs/{simulation_id}"),
    ("GET", "/v1/retrieve-simulation-results/{simulation_run_id}"),
    ("GET", "/v1/retrieve-simulation-result/{test_result_id}"),
    ("POST", "/v1/end-conversations"),
    ("POST", "/v1/create-custom-metric"),
    ("GET", "/v1/custom-metrics"),
    ("GET", "/v1/custom-metric/{metric_id}"),
    ("DELETE", "/v1/custom-metric/{metric_id}"),
    ("PUT", "/v1/update-custom-metric/{metric_id}"),
    ("POST", "/v1/evaluate"),
    ("GET", "/v1/retrieve-call-log/{call_id}"),
    ("GET", "/v1/retrieve-call-logs/{agent_id}"),
}


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(
        {**schema, "components": DOC["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def response_schema(method: str, template: str, status: str = "200") -> dict[str, Any]:
    op = DOC["paths"][template][method.lower()]
    return dict(op["responses"][status]["content"]["application/json"]["schema"])


@functools.cache
def operation_validator(method: str, template: str) -> Draft202012Validator:
    return validator_for(response_schema(method, template))


def assert_matches(method: str, template: str, response: httpx.Response) -> Any:
    assert response.status_code == 200, (method, template, response.text)
    body = response.json()
    errors = sorted(operation_validator(method, template).iter_errors(body), key=lambda e: e.path)
    assert not errors, f"{method} {template}: " + "; ".join(
        f"{list(e.path)}: {e.message}" for e in errors[:5]
    )
    return body


def assert_iso(value: str) -> None:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None


class Api:
    """Calls one operation and validates the answer against the document; remembers which."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers=KEY, timeout=5)
        self.seen: set[tuple[str, str]] = set()

    def __call__(self, method: str, template: str, path: str | None = None, **kw: Any) -> Any:
        response = self.http.request(method, path or template, **kw)
        self.seen.add((method, template))
        return assert_matches(method, template, response)


def test_every_real_operation_matches_the_openapi_document(emulator, billing_scenario):
    """Each of the 30 emulated real-path operations answers 200 with its documented schema."""
    clock = ManualClock()
    emu = emulator(billing_scenario, api_key="test-key", clock=clock)
    api = Api(emu.base_url)

    api("GET", "/v1/ping")
    created = api(
        "POST",
        "/v1/add-agent",
        json={
            "name": "Gate Bot",
            "system_prompt": "Be nice.",
            "knowledge_base": "FAQ",
            "goals": ["help"],
            "external_agent_id": "gate-bot",
            "type": "OUTBOUND",
        },
    )
    agent_id = created["agent_id"]
    assert isinstance(agent_id, int)
    updated = api(
        "POST", "/v1/update-agent", json={"agent_id": str(agent_id), "name": "Gate Bot 2"}
    )
    assert updated["agent"]["agent_id"] == str(agent_id)
    assert updated["agent"]["name"] == "Gate Bot 2"
    by_ext = api(
        "PUT",
        "/v1/update-agent-by-external-id",
        json={"external_agent_id": "gate-bot", "goals": ["help", "upsell"]},
    )
    assert by_ext["agent"]["goals"] == ["help", "upsell"]
    agent = api("GET", "/v1/agents/{agent_id}", f"/v1/agents/{agent_id}")
    assert (agent["id"], agent["name"], agent["agent_description"]) == (
        agent_id,
        "Gate Bot 2",
        "Be nice.",
    )
    assert (
        api("GET", "/v1/agent-by-external-id/{external_id}", "/v1/agent-by-external-id/gate-bot")[
            "id"
        ]
        == agent_id
    )
    assert {a["id"] for a in api("GET", "/v1/all-agents")} == {101, agent_id}

    sim = api("POST", "/v1/create-simulation", json={"agent_id": str(agent_id), "name": "Smoke"})
    sim_id = sim["simulation_id"]
    assert isinstance(sim_id, int)
    all_sims = api("GET", "/v1/get-all-simulations")["simulations"]
    assert {s["id"] for s in all_sims} == {4821, sim_id}
    by_agent = api(
        "GET", "/v1/get-simulations-by-agent/{agent_id}", f"/v1/get-simulations-by-agent/{agent_id}"
    )
    assert [s["name"] for s in by_agent["simulations"]] == ["Smoke"]
    one = api("GET", "/v1/simulation/{simulation_id}", f"/v1/simulation/{sim_id}")
    assert one["agent_id"] == agent_id
    renamed = api(
        "PUT",
        "/v1/simulation/{simulation_id}",
        f"/v1/simulation/{sim_id}",
        json={"name": "Smoke 2"},
    )
    assert renamed["name"] == "Smoke 2"
    dh = api(
        "POST",
        "/v1/create-digital-human",
        json={"simulation_ids": [sim_id], "digital_human": {"name": "Caller", "intent": "refund"}},
    )
    dh_id = dh["digital_human"]["id"]
    second = api("POST", "/v1/create-digital-human", json={"digital_human": {"name": "Second"}})
    added = api(
        "POST",
        "/v1/simulation/{simulation_id}/add-digital-humans",
        f"/v1/simulation/{sim_id}/add-digital-humans",
        json={"digital_human_ids": [second["digital_human"]["id"]]},
    )
    assert added["message"].startswith("Added 1 ")
    listed = api(
        "GET",
        "/v1/digital-humans-by-simulation/{simulation_id}",
        f"/v1/digital-humans-by-simulation/{sim_id}",
    )
    assert (listed["total"], listed["digital_humans"][0]["id"]) == (2, dh_id)

    metric = api(
        "POST",
        "/v1/create-custom-metric",
        json={"name": "Politeness", "description": "polite?", "response_type": "yes_no"},
    )
    metric_id = metric["id"]
    page = api("GET", "/v1/custom-metrics", params={"page": 1, "page_size": 2})
    assert (page["total_count"], page["items_in_page"], page["total_pages"]) == (5, 2, 3)
    assert (
        api("GET", "/v1/custom-metric/{metric_id}", f"/v1/custom-metric/{metric_id}")["name"]
        == "Politeness"
    )
    changed = api(
        "PUT",
        "/v1/update-custom-metric/{metric_id}",
        f"/v1/update-custom-metric/{metric_id}",
        json={"description": "was the agent polite?"},
    )
    assert changed["description"] == "was the agent polite?"

    queued = api("POST", "/v1/queue-simulation-run", json={"simulation_id": "4821"})
    run_id = queued["simulation_run_id"]
    assert len(queued["simulation_result_ids"]) == 2
    runs = api("GET", "/v1/get-simulation-runs/{simulation_id}", "/v1/get-simulation-runs/4821")[
        "simulation_runs"
    ]
    assert [r["id"] for r in runs] == [int(run_id)]
    assert_iso(runs[0]["created_at"])
    statuses = []
    for _ in range(6):
        results = api(
            "GET",
            "/v1/retrieve-simulation-results/{simulation_run_id}",
            f"/v1/retrieve-simulation-results/{run_id}",
        )
        statuses.append(results["simulation_results"][0]["status"])
        for rid in queued["simulation_result_ids"]:
            api(
                "GET",
                "/v1/retrieve-simulation-result/{test_result_id}",
                f"/v1/retrieve-simulation-result/{rid}",
            )
        clock.advance(1.0)
    assert statuses == [
        "QUEUED",
        "RUNNING",
        "RUNNING",
        "CONVERSATION_ENDED",
        "EVALUATING",
        "COMPLETED",
    ]
    second_run = api("POST", "/v1/queue-simulation-run", json={"simulation_id": str(sim_id)})
    ended = api(
        "POST",
        "/v1/end-conversations",
        json={"test_result_ids": [int(i) for i in second_run["simulation_result_ids"]]},
    )
    assert (ended["success"], ended["ended_count"]) == (True, 2)
    call_id = api(
        "POST",
        "/v1/evaluate",
        json={
            "agent_id": str(agent_id),
            "start_time_utc": "2026-04-01T10:00:00Z",
            "participants": [{"role": "AGENT"}, {"role": "USER"}],
            "trace_id": "trace-1",
        },
    )["call_id"]
    path = f"/v1/retrieve-call-log/{call_id}"
    assert api("GET", "/v1/retrieve-call-log/{call_id}", path)["call_log"]["status"] == "QUEUED"
    clock.advance(10)
    log = api("GET", "/v1/retrieve-call-log/{call_id}", path)["call_log"]
    assert log["status"] == "COMPLETED"
    assert log["evaluations"][0]["custom_metrics"]
    listed = api(
        "GET",
        "/v1/retrieve-call-logs/{agent_id}",
        f"/v1/retrieve-call-logs/{agent_id}?page=1&page_size=100&last=1day",
    )
    assert [c["id"] for c in listed["call_logs"]] == [call_id]
    assert (listed["total_count"], listed["total_pages"]) == (1, 1)

    deleted_metric = api(
        "DELETE", "/v1/custom-metric/{metric_id}", f"/v1/custom-metric/{metric_id}"
    )
    assert deleted_metric["id"] == metric_id
    gone = api("DELETE", "/v1/simulation/{simulation_id}", f"/v1/simulation/{sim_id}")
    assert gone["deleted_simulation_id"] == sim_id
    assert api("DELETE", "/v1/agent/{agent_id}", f"/v1/agent/{agent_id}")["agent_id"] == agent_id
    assert api.seen == REAL_OPERATIONS


@pytest.mark.parametrize(
    "quirks",
    [
        {"legacy_metrics_dict": True},
        {"legacy_metrics_list": True},
        {"stale_evaluation": True, "reasoning_length": 600},
        {"bulk_missing_metrics": 1.0},
    ],
)
def test_results_with_quirks_still_match_the_document(emulator, billing_scenario, quirks):
    """Quirky result bodies (legacy metrics, stale evaluations, bulk gaps) stay schema-valid."""
    billing_scenario["quirks"] = quirks
    billing_scenario["simulations"][0]["result_statuses"] = {13: "NO_ANSWER"}
    clock = ManualClock()
    emu = emulator(billing_scenario, clock=clock)
    api = Api(emu.base_url)
    queued = api("POST", "/v1/queue-simulation-run", json={"simulation_id": "4821"})
    clock.advance(60)
    bulk = api(
        "GET",
        "/v1/retrieve-simulation-results/{simulation_run_id}",
        f"/v1/retrieve-simulation-results/{queued['simulation_run_id']}",
    )
    assert [r["status"] for r in bulk["simulation_results"]] == ["COMPLETED", "NO_ANSWER"]
    single = api(
        "GET",
        "/v1/retrieve-simulation-result/{test_result_id}",
        f"/v1/retrieve-simulation-result/{queued['simulation_result_ids'][0]}",
    )["simulation_result"]
    newest = single["evaluations"][-1]
    has_list = bool(newest["custom_metrics"])
    assert has_list == (
        not (quirks.get("legacy_metrics_dict") or quirks.get("legacy_metrics_list"))
    )
    if quirks.get("reasoning_length"):
        assert len(newest["custom_metrics"][0]["reasoning"]) == 600
        assert len(single["evaluations"]) == 2


def test_validation_errors_match_http_validation_error(emulator):
    """422 bodies for missing key, wrong types, bad enums and bad JSON match HTTPValidationError."""
    emu = emulator()
    schema = response_schema("POST", "/v1/queue-simulation-run", "422")
    validator = validator_for(schema)
    http = httpx.Client(base_url=emu.base_url, timeout=5)
    cases = [
        (http.get("/v1/ping"), ["header", "X-API-Key"], "missing"),
        (
            http.post("/v1/queue-simulation-run", headers=KEY, json={"simulation_id": 4821}),
            ["body", "simulation_id"],
            "string_type",
        ),
        (
            http.post(
                "/v1/add-agent",
                headers=KEY,
                json={
                    "name": "x",
                    "system_prompt": "",
                    "knowledge_base": "",
                    "goals": [],
                    "mode": "FAX",
                },
            ),
            ["body", "mode"],
            "enum",
        ),
        (
            http.post("/v1/end-conversations", headers=KEY, json={"test_result_ids": ["a"]}),
            ["body", "test_result_ids", 0],
            "int_parsing",
        ),
        (
            http.post("/v1/end-conversations", headers=KEY, content=b"{nope"),
            ["body", 1],
            "json_invalid",
        ),
        (http.get("/v1/agents/abc", headers=KEY), ["path", "agent_id"], "int_parsing"),
        (http.post("/v1/create-simulation", headers=KEY), ["body"], "missing"),
    ]
    for response, loc, kind in cases:
        assert response.status_code == 422, response.text
        body = response.json()
        assert not list(validator.iter_errors(body)), body
        assert [(e["loc"], e["type"]) for e in body["detail"]] == [(loc, kind)], body


def test_not_found_and_wrong_method(emulator):
    """Unknown ids and paths are 404 with a detail; a known path with another method is 405."""
    emu = emulator()
    http = httpx.Client(base_url=emu.base_url, headers=KEY, timeout=5)
    assert http.get("/v1/agents/999").json() == {"detail": "Agent 999 not found"}
    assert http.get("/v1/retrieve-simulation-results/5").status_code == 404
    assert http.get("/v1/nope").json() == {"detail": "Not Found"}
    wrong = http.delete("/v1/ping")
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "GET")
