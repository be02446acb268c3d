"""Emulator pure parts: scenario checks, fault specs, scoring, request bodies vs the document."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from bluejay_gate.emulator import Scenario, ScenarioError, parse_fault
from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator import human_bodies as hb
from bluejay_gate.emulator.endpoints import router
from bluejay_gate.emulator.faults import FaultInjector, endpoint_matches
from bluejay_gate.emulator.scenario import ScoreSpec
from bluejay_gate.emulator.scoring import ConversationKey, MetricSpec, score_conversation
from tests.helpers.shared import openapi_document

SAMPLE = Path(__file__).resolve().parents[2] / "bluejay_gate" / "emulator" / "sample-scenario.yml"
DOC = openapi_document()
BODIES: dict[str, type[BaseModel]] = {
    "AgentRequest": b.AgentRequest,
    "AgentUpdateRequest": b.AgentUpdateRequest,
    "AgentUpdateWithExternalIdRequest": b.AgentUpdateWithExternalIdRequest,
    "SimulationRequest": b.SimulationRequest,
    "src__api__simulations__UpdateSimulationRequest": b.UpdateSimulationRequest,
    "AddDigitalHumansToSimulationRequest": b.AddDigitalHumansToSimulationRequest,
    "CreateDigitalHumanRequest": hb.CreateDigitalHumanRequest,
    "DigitalHumanRequestData": hb.DigitalHumanRequestData,
    "UpdateDigitalHumanRequest": hb.UpdateDigitalHumanRequest,
    "RemoveDigitalHumansFromSimulationRequest": hb.RemoveDigitalHumansFromSimulationRequest,
    "src__main__SimulationRunRequest": b.SimulationRunRequest,
    "EndConversationsRequest": b.EndConversationsRequest,
    "CreateCustomMetricRequest": b.CreateCustomMetricRequest,
    "UpdateCustomMetricRequest": b.UpdateCustomMetricRequest,
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_request_models_mirror_the_openapi_document(name):
    """Each request model has the document's fields and exactly its required set."""
    schema = DOC["components"]["schemas"][name]
    model = BODIES[name]
    assert set(model.model_fields) == set(schema["properties"])
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    assert required == set(schema.get("required", []))


def _enum(prop: dict[str, Any]) -> list[str] | None:
    """The enum a document property allows (directly, by reference or in an anyOf)."""
    for option in prop.get("anyOf", [prop]):
        ref = option.get("$ref")
        target = DOC["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else option
        if "enum" in target:
            return list(target["enum"])
    return None


@pytest.mark.parametrize("name", sorted(BODIES))
def test_request_models_have_the_documents_defaults_and_enums(name):
    """Each field's default is the document's, and an enum field takes exactly its values."""
    schema = DOC["components"]["schemas"][name]
    model = BODIES[name]
    for field, prop in schema["properties"].items():
        info = model.model_fields[field]
        if "default" in prop:
            default = info.get_default()
            assert getattr(default, "value", default) == prop["default"], (name, field)
        values = _enum(prop)
        if values is None:
            continue
        assert info.annotation is not None
        adapter: TypeAdapter[Any] = TypeAdapter(info.annotation)
        assert [str(adapter.validate_python(v)) for v in values] == values, (name, field)
        with pytest.raises(ValidationError):
            adapter.validate_python("not-one-of-them")


def test_call_request_models_have_the_documents_required_fields():
    """Both /v1/evaluate forms require what the document requires."""
    forms: list[tuple[str, type[BaseModel]]] = [
        ("CallRequestUsingAgentId", b.CallRequestUsingAgentId),
        ("CallRequestUsingExternalAgentId", b.CallRequestUsingExternalAgentId),
    ]
    for name, model in forms:
        schema = DOC["components"]["schemas"][name]
        required = {n for n, f in model.model_fields.items() if f.is_required()}
        assert required == set(schema["required"])
        assert set(model.model_fields) <= set(schema["properties"])


def test_sample_scenario_loads():
    """The shipped sample scenario is valid and has what its comments promise."""
    scenario = Scenario.from_file(SAMPLE)
    assert [s.id for s in scenario.simulations] == [4821, 4822]
    assert scenario.simulations[0].digital_human_scores[13]["Empathy"].mean == 3
    assert scenario.simulations[1].settings == {
        "description": "A quick check before each release",
        "max_turns": 10,
    }
    assert [c.name for c in scenario.created_simulations] == ["Refund requests"]
    assert {m.response_type for m in scenario.custom_metrics} == {
        "pass_fail",
        "quantitative",
        "enum",
        "qualitative",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"seeed": 1}, "seeed: unknown key; see the scenario reference"),
        (
            {"agents": [{"name": "A"}], "simulations": [{"name": "S", "agent": "B"}]},
            "agent 'B' is not defined under agents",
        ),
        (
            {
                "agents": [{"name": "Bot"}],
                "custom_metrics": [{"name": "Empathy", "response_type": "quantitative"}],
                "simulations": [{"name": "S", "agent": "Bot", "scores": {"Empathyy": {}}}],
            },
            "'Empathyy' is neither a custom metric nor a built-in field (did you mean 'Empathy'?)",
        ),
        (
            {
                "agents": [{"name": "Bot"}],
                "custom_metrics": [{"name": "R", "response_type": "pass_fail"}],
                "simulations": [
                    {"name": "S", "agent": "Bot", "scores": {"R": {"not_applicable": 0.5}}}
                ],
            },
            "add allow_not_applicable: true to the metric",
        ),
        (
            {
                "agents": [{"name": "Bot"}],
                "simulations": [
                    {
                        "name": "S",
                        "agent": "Bot",
                        "digital_humans": [{"id": 1, "name": "x"}],
                        "never_speaks": [2],
                    }
                ],
            },
            "never_speaks: digital human 2 is not in this simulation's digital_humans",
        ),
        (
            {
                "agents": [{"name": "Bot"}],
                "simulations": [
                    {
                        "name": "S",
                        "agent": "Bot",
                        "digital_humans": [{"id": 1, "name": "x"}],
                        "result_statuses": {1: "DONE"},
                    }
                ],
            },
            "'DONE' is not one of",
        ),
        ({"custom_metrics": [{"name": "E", "response_type": "enum"}]}, "without enum_options"),
        (
            {
                "agents": [{"name": "Bot"}],
                "simulations": [{"name": "S", "agent": "Bot", "settings": {"max_turn": 3}}],
            },
            "simulations.0.settings: 'max_turn' is not a simulation setting "
            "(did you mean 'max_turns'?)",
        ),
        (
            {
                "agents": [{"name": "Bot"}],
                "simulations": [
                    {"name": "S", "agent": "Bot", "settings": {"max_call_duration_units": "h"}}
                ],
            },
            "settings: max_call_duration_units: Input should be 'minutes' or",
        ),
        (
            {
                "agents": [{"name": "Bot"}],
                "simulations": [
                    {"name": "S", "agent": "Bot", "digital_humans": [{"name": "x", "mood": 1}]}
                ],
            },
            "simulations.0.digital_humans.0.mood: unknown key",
        ),
        (
            {
                "agents": [{"name": "Bot"}],
                "simulations": [
                    {"name": "S", "agent": "Bot", "digital_humans": [{"name": "x", "gender": "m"}]}
                ],
            },
            "simulations.0.digital_humans.0.gender: Input should be 'male' or 'female'",
        ),
        ({"created_simulations": [{"name": "S", "scorez": {}}]}, "created_simulations.0.scorez"),
    ],
)
def test_invalid_scenarios_say_what_and_how_to_fix(data, message):
    """Bad scenarios raise ScenarioError naming the key and the fix."""
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict(data)
    assert message in str(err.value)
    assert err.value.exit_code == 2


def test_parse_fault_positional_and_keyword_parts():
    """'ENDPOINT:KIND:RATE:WHEN:key=value' fills the FaultDef; kind may be a number."""
    fault = parse_fault("POST /v1/queue-simulation-run:503:0.2:after:times=3")
    assert (fault.endpoint, fault.kind, fault.rate, fault.when, fault.times) == (
        "POST /v1/queue-simulation-run",
        "503",
        0.2,
        "after",
        3,
    )
    assert parse_fault("*:429:retry_after=2").retry_after == 2.0
    for bad in ["ping", "*:teapot", "*:500:2.0", "*:500:0.1:later"]:
        with pytest.raises(ScenarioError, match="expected ENDPOINT:KIND"):
            parse_fault(bad)


@pytest.mark.parametrize(
    ("pattern", "method", "path", "expected"),
    [
        ("*", "GET", "/v1/ping", True),
        ("GET /v1/ping", "GET", "/v1/ping", True),
        ("GET /v1/ping", "POST", "/v1/ping", False),
        ("/v1/ping", "POST", "/v1/ping", True),
        ("GET /v1/retrieve-simulation-results/*", "GET", "/v1/retrieve-simulation-results/7", True),
        ("GET /v1/retrieve-simulation-results/*", "GET", "/v1/retrieve-simulation-result/7", False),
    ],
)
def test_endpoint_patterns(pattern, method, path, expected):
    """Fault endpoint patterns match method and path as documented."""
    assert endpoint_matches(pattern, method, path) is expected


def test_fault_times_limits_injections():
    """A rule with times=2 and rate 1 fires on the first two matching requests only."""
    injector = FaultInjector([parse_fault("/v1/ping:500:1.0:times=2")], seed=0)
    kinds = [injector.choose("GET", "/v1/ping") for _ in range(4)]
    assert [k.kind if k else None for k in kinds] == ["500", "500", None, None]


def test_scores_are_independent_per_metric_and_deterministic():
    """Adding a metric leaves the others' values unchanged; same key, same scores."""
    key = ConversationKey(7, 4821, 12, 1, 0)
    empathy = MetricSpec("Empathy", "", "quantitative", 0, 10)
    greeting = MetricSpec("Greeting", "", "pass_fail")
    specs = {"Empathy": ScoreSpec(mean=6, spread=2)}
    alone = score_conversation(key, [empathy], specs)
    both = score_conversation(key, [greeting, empathy], specs)
    assert alone.metrics[0]["response_value"] == both.metrics[1]["response_value"]
    assert score_conversation(key, [greeting, empathy], specs).metrics == both.metrics
    assert both.builtins == alone.builtins | {
        "custom_evals_success_rate": both.builtins["custom_evals_success_rate"]
    }


def test_fixed_values_and_pass_rule():
    """value: fixes a metric; a failed pass_fail metric makes the conversation fail."""
    key = ConversationKey(1, 1, 1, 1, 0)
    greeting = MetricSpec("Greeting", "", "pass_fail")
    failing = score_conversation(
        key, [greeting], {"Greeting": ScoreSpec(value="fail"), "goal_success": ScoreSpec(rate=1.0)}
    )
    assert failing.metrics[0]["response_value"] == "fail"
    assert failing.passed is False
    passing = score_conversation(
        key, [greeting], {"Greeting": ScoreSpec(value="pass"), "goal_success": ScoreSpec(rate=1.0)}
    )
    assert passing.passed is True
    assert passing.builtins["custom_evals_success_rate"] == 100.0


def test_readme_lists_every_emulated_path():
    """Each /v1 route the emulator serves is named in its README (placeholders aside)."""
    readme = (SAMPLE.parent / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"/v1/[\w\-/{}]+", re.sub(r"\{\w+\}", "{}", readme)))
    templates = {re.sub(r"\{\w+\}", "{}", r.template) for r in router.routes}
    missing = sorted(t for t in templates if t.startswith("/v1/") and t not in listed)
    assert missing == []
