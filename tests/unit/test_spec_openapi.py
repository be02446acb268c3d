"""The spec's agent and simulation keys agree with Bluejay's OpenAPI document."""

from __future__ import annotations

from typing import Any

from bluejay_gate.spec.agent_model import (
    AGENT_MODES,
    AGENT_REQUEST_FIELDS,
    AGENT_TYPES,
    CONNECTION_TYPES,
    AgentModel,
)
from bluejay_gate.spec.simulation_model import (
    MANAGED_FIELDS,
    QUEUE_OPTION_FIELDS,
    SimulationModel,
)
from tests.helpers.shared import openapi_document


def _schemas() -> dict[str, Any]:
    document = openapi_document()
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def test_agent_request_fields_match_the_document() -> None:
    """AGENT_REQUEST_FIELDS is exactly AgentRequest's property list, in document order."""
    assert tuple(_schemas()["AgentRequest"]["properties"]) == AGENT_REQUEST_FIELDS


def test_agent_section_accepts_every_agent_request_field() -> None:
    """The agent section takes each AgentRequest field, external_id instead of
    external_agent_id, and id."""
    expected = (set(AGENT_REQUEST_FIELDS) - {"external_agent_id"}) | {"external_id", "id"}
    assert set(AgentModel.model_fields) == expected


def test_enums_match_the_document() -> None:
    """type, mode and connection_type accept exactly the document's enum values."""
    schemas = _schemas()
    assert list(AGENT_TYPES) == schemas["AgentType"]["enum"]
    assert list(AGENT_MODES) == schemas["AgentMode"]["enum"]
    assert list(CONNECTION_TYPES) == schemas["ConnectionType"]["enum"]
    agent_schema = AgentModel.model_json_schema()["properties"]
    assert agent_schema["type"]["anyOf"][0]["enum"] == list(AGENT_TYPES)
    assert agent_schema["mode"]["anyOf"][0]["enum"] == list(AGENT_MODES)
    assert agent_schema["connection_type"]["anyOf"][0]["enum"] == list(CONNECTION_TYPES)


def test_queue_options_match_the_document() -> None:
    """Simulation keys are the queue request's optional fields plus id, name, thresholds,
    the gate's own repeat / max_repeats, and a managed simulation's settings and
    digital_humans."""
    request = _schemas()["src__main__SimulationRunRequest"]["properties"]
    assert set(QUEUE_OPTION_FIELDS) == set(request) - {"simulation_id", "digital_human_ids"}
    expected = set(QUEUE_OPTION_FIELDS) | {"id", "name", "digital_human_ids", "thresholds"}
    expected |= {"repeat", "max_repeats", "digital_humans"} | set(MANAGED_FIELDS)
    assert set(SimulationModel.model_fields) == expected
