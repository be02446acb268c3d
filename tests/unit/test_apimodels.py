"""The API models and request-field sets agree with the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest

from bluejay_gate.bluejay.fields import (
    AGENT_REQUEST_FIELDS,
    AGENT_REQUEST_REQUIRED,
    AGENT_UPDATE_BY_EXTERNAL_ID_FIELDS,
    AGENT_UPDATE_FIELDS,
    QUEUE_RUN_FIELDS,
)
from bluejay_gate.bluejay.models import Agent, QueuedRun, RunList, RunResults, SimulationList
from tests.helpers.shared import openapi_document


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    document = openapi_document()
    result: dict[str, Any] = document["components"]["schemas"]
    return result


@pytest.mark.parametrize(
    ("fields", "schema"),
    [
        (AGENT_REQUEST_FIELDS, "AgentRequest"),
        (AGENT_UPDATE_FIELDS, "AgentUpdateRequest"),
        (AGENT_UPDATE_BY_EXTERNAL_ID_FIELDS, "AgentUpdateWithExternalIdRequest"),
        (QUEUE_RUN_FIELDS, "src__main__SimulationRunRequest"),
    ],
)
def test_field_sets_match_document(
    fields: frozenset[str], schema: str, schemas: dict[str, Any]
) -> None:
    """Each request-field set is exactly the schema's documented properties."""
    assert fields == set(schemas[schema]["properties"])


def test_agent_request_required_matches(schemas: dict[str, Any]) -> None:
    """AgentRequest's required fields are the ones the client insists on."""
    assert set(schemas["AgentRequest"]["required"]) == AGENT_REQUEST_REQUIRED


def test_ids_become_strings() -> None:
    """Integer ids from any endpoint are kept as strings."""
    run = RunList.model_validate(
        {
            "simulation_runs": [
                {
                    "id": 7,
                    "experiment_id": 4821,
                    "created_at": "2026-04-01T12:00:00Z",
                    "status": "RUNNING",
                }
            ]
        }
    ).simulation_runs[0]
    assert (run.id, run.sim_id, run.status) == ("7", "4821", "RUNNING")
    queued = QueuedRun.model_validate(
        {"simulation_run_id": "9", "simulation_result_ids": [1, "2"], "agent_id": 5}
    )
    assert queued.simulation_result_ids == ["1", "2"]
    assert queued.agent_id == "5"


def test_agent_keeps_extra_fields_and_created_at() -> None:
    """Agent keeps undocumented fields for diffing and reads created_at."""
    agent = Agent.model_validate(
        {"id": 3, "name": "Bot", "system_prompt": "Hi", "created_at": "2026-04-01T00:00:00"}
    )
    assert agent.id == "3"
    assert agent.created_at == "2026-04-01T00:00:00"
    assert agent.model_extra == {"system_prompt": "Hi"}


def test_run_results_lenient_on_extras() -> None:
    """Unknown fields and a missing result list are fine; results come back as a list."""
    payload = {
        "status": "200",
        "simulation_run": {"id": "5", "simulation_id": "1", "created_at": "x", "new": 1},
        "simulation_results": None,
    }
    results = RunResults.model_validate(payload)
    assert results.results == []
    assert results.simulation_run.sim_id == "1"


def test_simulation_list_defaults_empty() -> None:
    """An empty object is an empty list of simulations."""
    assert SimulationList.model_validate({}).simulations == []
