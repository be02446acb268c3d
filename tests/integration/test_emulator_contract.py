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
    ("GET", "/v1/digital-human/{digital_human_id}"),
    ("PUT", "/v1/update-digital-human/{digital_human_id}"),
    ("POST", "/v1/simulation/{simulation_id}/add-digital-humans"),
    ("POST", "/v1/simulation/{simulation_id}/remove-digital-humans"),
    ("POST", "/v1/queue-simulation-run"),
    ("GET", "/v1/get-simulation-runs/{simulation_id}"),
    ("GET", "/v1/retrieve-simulation-results/{simulation_run_id}"),
    ("GET", "/v1/retrieve-simulation-result/{test_result_id}"),
    ("POST", "/v1/end-conversations"),
    ("POST", "/v1/create-custom-metric"),
    ("GET", "/v1/custom-metrics"),
    ("GET", "/v1/custom-metrics-by-agent/{agent_id}"),
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
    """Each of the 34 emulated real-path operations answers 200 with its documented schema."""
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
    one_dh = api("GET", "/v1/digital-human/{digital_human_id}", f"/v1/digital-human/{dh_id}")
    assert (one_dh["digital_human"]["intent"], one_dh["simulation_ids"]) == ("refund", [sim_id])
    moved = api(
        "PUT",
        "/v1/update-digital-human/{digital_human_id}",
        f"/v1/update-digital-human/{dh_id}",
        json={"tag": "vip", "simulation_ids": [sim_id]},
    )
    assert (moved["digital_human"]["tag"], moved["simulation_ids"]) == ("vip", [sim_id])
    removed = api(
        "POST",
        "/v1/simulation/{simulation_id}/remove-digital-humans",
        f"/v1/simulation/{sim_id}/remove-digital-humans",
        json={"digital_human_ids": [second["digital_human"]["id"]]},
    )
    assert removed["message"].startswith("Removed 1 ")

    metric = api(
        "POST",
        "/v1/create-custom-metric",
        json={"name": "Politeness", "description": "polite?", "response_type": "yes_no"},
    )
    metric_id = metric["id"]
    page = api("GET", "/v1/custom-metrics", params={"page": 1, "page_size": 2})
    assert (page["total_count"], page["items_in_page"], page["total_pages"]) == (5, 2, 3)
    linked = api(
        "POST",
        "/v1/create-custom-metric",
        json={"name": "Tone", "description": "", "response_type": "pass_fail", "agent_ids": [101]},
    )
    by_agent = api(
        "GET", "/v1/custom-metrics-by-agent/{agent_id}", "/v1/custom-metrics-by-agent/101"
    )
    assert ([m["id"] for m in by_agent["metrics"]], by_agent["total_pages"]) == ([linked["id"]], 1)
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
    assert (ended["success"], ended["ended_count"]) == (True, 1)  # the second was removed
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


FULL_SIMULATION = {
    "name": "Everything",
    "description": "every documented field",
    "prompt_id": "1f0e9d8c-7b6a-4594-8372-61504f3e2d1c",
    "knowledge_base_id": "2a1b0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d",
    "sequential_calling": True,
    "max_concurrent": 3,
    "hangup_on_transfer": True,
    "max_call_duration": 90,
    "max_call_duration_units": "seconds",
    "ringing_timeout": 45,
    "digital_humans_settings": {"default_language": "es", "num_runs": 2},
    "selected_custom_metrics": ["m-1"],
    "custom_metrics_failing_threshold": 40,
    "custom_metrics_passing_threshold": 80,
    "runs_per_digital_human": 2,
    "always_on": True,
}
FULL_SIMULATION_UPDATE = {
    "bluejay_as_code_id": "5a0c6f1e-2b3d-4c5e-8f9a-0b1c2d3e4f50",
    "name": "Everything 2",
    "description": "changed",
    "prompt_id": "3b2c1d0e-9f8a-4b7c-8d6e-5f4a3b2c1d0e",
    "knowledge_base_id": "4c3d2e1f-0a9b-4c8d-9e7f-6a5b4c3d2e1f",
    "max_concurrent": 4,
    "hangup_on_transfer": False,
    "max_call_duration": 5,
    "max_call_duration_units": "minutes",
    "max_turns": 30,
    "ringing_timeout": 60,
    "digital_humans_settings": {"first_message": "Hello?"},
    "selected_custom_metrics": ["m-2", "m-3"],
    "custom_metrics_failing_threshold": 30,
    "custom_metrics_passing_threshold": 70,
    "outcome_failing_threshold": 20,
    "outcome_passing_threshold": 90,
    "runs_per_digital_human": 3,
    "tags": ["billing", "nightly"],
    "pinned": True,
}
SIMULATION_TOP_LEVEL = (
    "description",
    "max_concurrent",
    "max_turns",
    "ringing_timeout",
    "tags",
    "pinned",
    "always_on",
    "bluejay_as_code_id",
    "name",
)
FULL_HUMAN = {
    "bluejay_as_code_id": "7d2e4f6a-8b0c-4d1e-9f2a-3b4c5d6e7f80",
    "intent": "Wants a refund for a double charge",
    "success_criteria": "The refund is confirmed",
    "name": "Double charge",
    "tag": "billing",
    "language": "es",
    "accent": "mexican",
    "gender": "female",
    "background_noise": "cafe",
    "voice_speed": "fast",
    "audio_quality": "medium",
    "fluency": "intermediate",
    "verbosity": "high",
    "phone_number": "+15550101",
    "outbound_text_number": "+15550102",
    "background_noise_volume": 0.4,
    "expected_tool_calls": [{"name": "refund", "parameters": {"amount": 20}, "output": "ok"}],
    "allow_end_call_tool": False,
    "allow_silence_tool": False,
    "allow_dtmf_tool": False,
    "default_dtmf_or_voiced": "dtmf",
    "silence_tool_instructions": "stay quiet",
    "endpointing_delay": 0.9,
    "creativity": 1.2,
    "hangup_phrases": ["bye"],
    "hangup_instructions": "hang up when done",
    "silence_timeout": 20,
    "role_description": "a busy customer",
    "traits": [{"trait_name": "plan", "trait_data_type": "STRING", "value": "gold"}],
    "interruptions": {"type": "keywords", "keyword_responses": [{"keyword": "x", "response": "y"}]},
    "scripted_responses": [
        {
            "match_type": "exact",
            "match_phrase": "account number?",
            "response_type": "dtmf",
            "response_value": "1234",
            "occurrence_mode": "always",
        }
    ],
    "speaks_first_config": {"speaks_first": True, "mode": "custom", "message": "Hi"},
    "original_transcript": "caller: hi",
    "formatted_transcript": [{"role": "user", "content": "hi"}],
    "enriched_playback": [{"turn": 1}],
    "workflow_v2_id": "5d4e3f2a-1b0c-4d9e-8f7a-7b6c5d4e3f2a",
    "workflow_path_index": 2,
    "always_on_mode": True,
    "always_on_active": True,
    "num_runs": 3,
    "livekit_metadata": {"room": "r1"},
}
HUMAN_UPDATE = {
    "intent": "Now wants a callback",
    "language": "fr",
    "traits": [{"trait_name": "plan", "trait_data_type": "STRING", "value": "silver"}],
    "creativity": 0.1,
    "override_conflict": True,
}


def test_full_records_read_back_as_sent(emulator, billing_scenario):
    """Every field a create or update gives is read back exactly: the simulation's documented
    settings at the top level and all of them in settings; every DigitalHumanResponseData
    property of a digital human; each answer fits the document."""
    api = Api(emulator(billing_scenario, api_key="test-key").base_url)
    sim_id = api("POST", "/v1/create-simulation", json={"agent_id": "101", **FULL_SIMULATION})[
        "simulation_id"
    ]
    path = f"/v1/simulation/{sim_id}"
    created = api("GET", "/v1/simulation/{simulation_id}", path)
    assert {k: created["settings"][k] for k in FULL_SIMULATION} == FULL_SIMULATION
    assert (created["description"], created["max_concurrent"], created["always_on"]) == (
        "every documented field",
        3,
        True,
    )
    assert (created["type"], created["tags"], created["max_turns"]) == ("sequential", None, None)
    updated = api("PUT", "/v1/simulation/{simulation_id}", path, json=FULL_SIMULATION_UPDATE)
    for body in (updated, api("GET", "/v1/simulation/{simulation_id}", path)):
        assert {k: body["settings"][k] for k in FULL_SIMULATION_UPDATE} == FULL_SIMULATION_UPDATE
        assert {k: body[k] for k in SIMULATION_TOP_LEVEL} == {
            k: FULL_SIMULATION_UPDATE.get(k, FULL_SIMULATION.get(k)) for k in SIMULATION_TOP_LEVEL
        }
        assert body["settings"]["sequential_calling"] is True  # not in the update: kept
    listed = api(
        "GET", "/v1/get-simulations-by-agent/{agent_id}", "/v1/get-simulations-by-agent/101"
    )["simulations"]
    mine = next(s for s in listed if s["id"] == sim_id)
    assert mine["settings"] == updated["settings"]
    assert mine["name"] == "Everything 2"

    made = api(
        "POST",
        "/v1/create-digital-human",
        json={"simulation_ids": [sim_id], "digital_human": FULL_HUMAN},
    )
    dh_id = made["digital_human"]["id"]
    response_fields = set(DOC["components"]["schemas"]["DigitalHumanResponseData"]["properties"])
    expected = {k: v for k, v in FULL_HUMAN.items() if k in response_fields}
    assert len(expected) == 38  # every request field the answer documents
    dh_path = f"/v1/digital-human/{dh_id}"
    for record in (
        made["digital_human"],
        api("GET", "/v1/digital-human/{digital_human_id}", dh_path)["digital_human"],
        api(
            "GET",
            "/v1/digital-humans-by-simulation/{simulation_id}",
            f"/v1/digital-humans-by-simulation/{sim_id}",
        )["digital_humans"][0],
    ):
        assert {k: record[k] for k in expected} == expected
        assert set(record) == response_fields
    changed = api(
        "PUT",
        "/v1/update-digital-human/{digital_human_id}",
        f"/v1/update-digital-human/{dh_id}",
        json=HUMAN_UPDATE,
    )
    after = api("GET", "/v1/digital-human/{digital_human_id}", dh_path)
    for record in (changed["digital_human"], after["digital_human"]):
        want = {**expected, **{k: v for k, v in HUMAN_UPDATE.items() if k in response_fields}}
        assert {k: record[k] for k in expected} == want
    assert "override_conflict" not in after["digital_human"]
    assert after["simulation_ids"] == [sim_id]  # no simulation_ids in the update: links kept


FULL_METRIC = {
    "bluejay_as_code_id": "6e5f4a3b-2c1d-4e0f-9a8b-8c7d6e5f4a3b",
    "agent_ids": [101],
    "name": "Refund policy",
    "description": "Did the agent follow the refund policy?",
    "response_type": "quantitative",
    "min_value": 1.0,
    "max_value": 5.0,
    "category": "compliance",
    "tags": ["billing"],
    "scoring_guidance": "5 when the policy is quoted",
    "eval_route": "TEXT",
    "model": "judge-1",
    "audio_model": "judge-audio-1",
    "temperature": 0.2,
    "enum_options": None,
    "allow_not_applicable": True,
}


def test_full_metric_reads_back_as_sent(emulator, billing_scenario):
    """A metric created with every field answers and lists with each of them as sent; an
    update changes only the fields it gives, and its agent_ids replace the links."""
    api = Api(emulator(billing_scenario, api_key="test-key").base_url)
    made = api("POST", "/v1/create-custom-metric", json=FULL_METRIC)
    metric_id = made["id"]
    path = f"/v1/custom-metric/{metric_id}"
    listed = api("GET", "/v1/custom-metrics", params={"agent_id": 101})["metrics"]
    by_agent = api(
        "GET", "/v1/custom-metrics-by-agent/{agent_id}", "/v1/custom-metrics-by-agent/101"
    )["metrics"]
    for record in (made, api("GET", "/v1/custom-metric/{metric_id}", path), *listed, *by_agent):
        assert {k: record[k] for k in FULL_METRIC} == FULL_METRIC
    change = {"scoring_guidance": "quote it", "agent_ids": [], "tags": ["billing", "v2"]}
    cleared = {"category": None, "temperature": None}
    updated = api(
        "PUT",
        "/v1/update-custom-metric/{metric_id}",
        f"/v1/update-custom-metric/{metric_id}",
        json={**change, **cleared, "name": None, "description": None},
    )
    assert {k: updated[k] for k in FULL_METRIC} == {**FULL_METRIC, **change, **cleared}
    assert api("GET", "/v1/custom-metrics", params={"agent_id": 101})["metrics"] == []
