"""The spec's custom metric, managed simulation and digital human keys are exactly the
OpenAPI document's request fields, with its types, enums and bounds."""

from __future__ import annotations

from typing import Any

import pytest

from bluejay_gate.spec.human_model import HUMAN_ENUMS, HumanModel
from bluejay_gate.spec.human_model import TEXT_FIELDS as HUMAN_TEXT_FIELDS
from bluejay_gate.spec.metric_model import EVAL_ROUTES, RESPONSE_TYPES, MetricModel
from bluejay_gate.spec.metric_model import TEXT_FIELDS as METRIC_TEXT_FIELDS
from bluejay_gate.spec.schema import spec_json_schema
from bluejay_gate.spec.simulation_model import (
    MANAGED_FIELDS,
    QUEUE_OPTION_FIELDS,
    SimulationModel,
)
from tests.helpers.shared import openapi_document

pytestmark = pytest.mark.needs_shared

_METRIC = "CreateCustomMetricRequest"
_HUMAN = "DigitalHumanRequestData"
_CREATE_SIM = "SimulationRequest"
_UPDATE_SIM = "src__api__simulations__UpdateSimulationRequest"


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    result: dict[str, Any] = openapi_document()["components"]["schemas"]
    return result


def _simulation_properties(schemas: dict[str, Any]) -> dict[str, Any]:
    """SimulationRequest ∪ UpdateSimulationRequest (create's wording first)."""
    merged = dict(schemas[_UPDATE_SIM]["properties"])
    merged.update(schemas[_CREATE_SIM]["properties"])
    return merged


def test_metric_keys_are_the_create_request_fields(schemas: dict[str, Any]) -> None:
    """A metric takes every CreateCustomMetricRequest field but the agent links, and
    requires what the document requires."""
    document = schemas[_METRIC]
    assert set(MetricModel.model_fields) == set(document["properties"]) - {
        "agent_id",
        "agent_ids",
    }
    required = {name for name, f in MetricModel.model_fields.items() if f.is_required()}
    assert required == set(document["required"]) == {"name", "description", "response_type"}


def test_human_keys_are_the_create_request_fields(schemas: dict[str, Any]) -> None:
    """A digital human takes exactly DigitalHumanRequestData's fields; the spec requires
    name (its identity within the simulation)."""
    assert set(HumanModel.model_fields) == set(schemas[_HUMAN]["properties"])
    required = {name for name, f in HumanModel.model_fields.items() if f.is_required()}
    assert required == {"name"}


def test_managed_simulation_keys_are_the_create_and_update_fields(
    schemas: dict[str, Any],
) -> None:
    """A managed simulation sets every SimulationRequest ∪ UpdateSimulationRequest field
    but agent_id and name (its identity, a key of every entry)."""
    document = set(_simulation_properties(schemas))
    assert set(MANAGED_FIELDS) == document - {"agent_id", "name"}
    assert set(MANAGED_FIELDS) <= set(SimulationModel.model_fields)
    assert "name" in SimulationModel.model_fields


def test_enums_are_the_documents(schemas: dict[str, Any]) -> None:
    """response_type, eval_route, the digital human's enums and max_call_duration_units
    accept exactly the document's values."""
    assert list(RESPONSE_TYPES) == schemas["src__models__custom_metric__ResponseType"]["enum"]
    assert list(EVAL_ROUTES) == schemas["EvalRoute"]["enum"]
    for key, (name, values) in HUMAN_ENUMS.items():
        assert list(values) == schemas[name]["enum"], key
        ref = _choices(schemas[_HUMAN]["properties"][key])[0]["$ref"]
        assert ref == f"#/components/schemas/{name}", key
    units = _choices(schemas[_CREATE_SIM]["properties"]["max_call_duration_units"])[0]
    ours = spec_json_schema()["$defs"]["SimulationModel"]["properties"]
    assert ours["max_call_duration_units"]["enum"] == units["enum"]


def _choices(prop: dict[str, Any]) -> list[dict[str, Any]]:
    """A property's schemas without the null choice."""
    choices = prop.get("anyOf", [prop])
    return [c for c in choices if c != {"type": "null"}]


def _document_type(prop: dict[str, Any], schemas: dict[str, Any]) -> str:
    kinds: set[str] = set()
    for choice in _choices(prop):
        target = schemas[choice["$ref"].rsplit("/", 1)[1]] if "$ref" in choice else choice
        kinds.add(str(target.get("type", "object")))
    assert len(kinds) == 1, prop
    return kinds.pop()


def _our_types(prop: dict[str, Any]) -> set[str]:
    kinds = set()
    for choice in prop.get("anyOf", prop.get("oneOf", [prop])):
        if choice.get("$ref") == "#/$defs/FileRef":
            kinds.add("string")  # {file: path} is text read from a file
        elif "$ref" in choice:
            kinds.add("object")
        else:
            kinds.add(choice["type"])
    return kinds


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum")


@pytest.mark.parametrize(
    ("model", "source", "text_fields"),
    [
        ("MetricModel", _METRIC, METRIC_TEXT_FIELDS),
        ("HumanModel", _HUMAN, HUMAN_TEXT_FIELDS),
        ("SimulationModel", "simulation", ("description",)),
    ],
)
def test_types_and_bounds_are_the_documents(
    model: str, source: str, text_fields: tuple[str, ...], schemas: dict[str, Any]
) -> None:
    """Each key's type in the published schema is the document's (text keys may also be
    {file: path}), null is not offered (but by the queue options, as before), and the
    document's bounds are kept."""
    if source == "simulation":
        document = _simulation_properties(schemas)
        keys = MANAGED_FIELDS
    else:
        document = schemas[source]["properties"]
        keys = tuple(k for k in document if k not in {"agent_id", "agent_ids"})
    ours = spec_json_schema()["$defs"][model]["properties"]
    for key in keys:
        expected = _document_type(document[key], schemas)
        found = _our_types(ours[key])
        if key in QUEUE_OPTION_FIELDS:
            found.discard("null")
        assert found == {expected}, (key, found, expected)
        if key in text_fields:
            assert ours[key]["anyOf"][1] == {"$ref": "#/$defs/FileRef"}, key
        assert "null" not in str(ours[key].get("type")), key
        bounds = {b: v for c in _choices(document[key]) for b, v in c.items() if b in _BOUNDS}
        kept = {b: v for c in _choices(ours[key]) for b, v in c.items() if b in _BOUNDS}
        assert {**kept, **{b: ours[key][b] for b in _BOUNDS if b in ours[key]}} == bounds, key
