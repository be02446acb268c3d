"""The published JSON Schema on Bluejay as code: it accepts a managed setup in both list
forms and refuses what the loader refuses structurally (unknown keys, id on a managed
simulation, a managed setting on a reference, an enum metric without options)."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from bluejay_gate.spec.schema import spec_json_schema

MANAGED: dict[str, Any] = {
    "version": 1,
    "agent": {"external_id": "support-bot", "name": "Support Bot"},
    "custom_metrics": [
        {
            "name": "Resolution",
            "response_type": "pass_fail",
            "description": {"file": "metrics/resolution.md"},
            "scoring_guidance": "Pass only when confirmed.",
            "tags": ["billing"],
        },
        {
            "name": "Outcome",
            "response_type": "enum",
            "description": "Which outcome",
            "enum_options": ["resolved", "escalated"],
        },
    ],
    "simulations": [
        {"id": 4821, "runs_per_digital_human": 2},
        {
            "name": "Billing regressions",
            "description": {"file": "sims/billing.md"},
            "max_call_duration": 5,
            "max_call_duration_units": "minutes",
            "selected_custom_metrics": ["Resolution"],
            "digital_humans": [
                {
                    "name": "Angry Alice",
                    "intent": {"file": "humans/alice.md"},
                    "success_criteria": "The refund is confirmed",
                    "language": "en",
                    "creativity": 0.5,
                    "traits": [{"trait_name": "plan", "trait_data_type": "STRING", "value": 1}],
                }
            ],
        },
    ],
    "thresholds": {"Resolution": "pass_rate >= 80%"},
}


def _valid(data: dict[str, Any]) -> bool:
    return bool(jsonschema.Draft202012Validator(spec_json_schema()).is_valid(data))


def _changed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """MANAGED with ``value`` at ``path`` (a last key of None deletes instead)."""
    data = copy.deepcopy(MANAGED)
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


def test_the_managed_example_is_valid() -> None:
    """A managed setup (metrics, a reference and a managed simulation) is valid."""
    assert _valid(MANAGED)


def test_the_schemas_own_examples_are_valid() -> None:
    """Both examples the schema shows editors, one of them managed, are valid."""
    schema = spec_json_schema()
    assert len(schema["examples"]) == 2
    assert "custom_metrics" in schema["examples"][1]
    for example in schema["examples"]:
        assert _valid(example)


@pytest.mark.parametrize(
    ("path", "value", "valid"),
    [
        # mapping forms
        (("custom_metrics",), {"prune": True, "items": MANAGED["custom_metrics"]}, True),
        (("custom_metrics",), {"prune": True}, False),
        (("custom_metrics",), {"prun": True, "items": []}, False),
        (("custom_metrics",), None, True),
        (("custom_metrics",), "Resolution", False),
        (
            ("simulations", 1, "digital_humans"),
            {"prune": True, "items": [{"name": "Angry Alice"}]},
            True,
        ),
        (("simulations", 1, "digital_humans"), [12, 13], False),
        # unknown keys
        (("custom_metrics", 0, "descripton"), "x", False),
        (("custom_metrics", 0, "agent_ids"), [1], False),
        (("simulations", 1, "digital_humans", 0, "langauge"), "en", False),
        (("simulations", 1, "frobnicate"), 1, False),
        # enums, types and bounds
        (("custom_metrics", 0, "response_type"), "passfail", False),
        (("custom_metrics", 1, "enum_options"), None, False),
        (("custom_metrics", 1, "enum_options"), [], False),
        (("custom_metrics", 0, "min_value"), "ten", False),
        (("simulations", 1, "max_call_duration_units"), "hours", False),
        (("simulations", 1, "max_concurrent"), 501, False),
        (("simulations", 1, "digital_humans", 0, "language"), "english", False),
        (("simulations", 1, "digital_humans", 0, "creativity"), 2.5, False),
        (("simulations", 1, "digital_humans", 0, "silence_timeout"), 14, False),
        (("simulations", 1, "digital_humans", 0, "silence_timeout"), 15, True),
        (("simulations", 1, "digital_humans", 0, "intent"), {"file": "a.md"}, True),
        (("simulations", 1, "digital_humans", 0, "name"), None, False),
        # a managed simulation: by name, no id, its own digital humans
        (("simulations", 1, "id"), 77, False),
        (("simulations", 1, "digital_human_ids"), [12], False),
        (("simulations", 1, "name"), None, False),
        (("simulations", 1, "prompt_id"), "6c1f9a52-1d2e-4b7a-9e0f-3a5b7c9d1e2f", True),
        # a reference entry sets no managed setting (queue options stay allowed)
        (("simulations", 0, "description"), "x", False),
        (("simulations", 0, "selected_custom_metrics"), ["Resolution"], False),
        (("simulations", 0, "prompt_id"), "6c1f9a52-1d2e-4b7a-9e0f-3a5b7c9d1e2f", True),
    ],
)
def test_schema_checks_managed_keys(path: tuple[str | int, ...], value: Any, valid: bool) -> None:
    """Each change to the managed example is accepted or refused as the loader does."""
    assert _valid(_changed(path, value)) is valid


def test_new_sections_forbid_extra_keys() -> None:
    """Metric, digital human and both list mappings refuse keys they do not know."""
    defs = spec_json_schema()["$defs"]
    for name in ("MetricModel", "MetricListModel", "HumanModel", "HumanListModel"):
        assert defs[name]["additionalProperties"] is False, name
    assert defs["MetricModel"]["required"] == ["name", "response_type", "description"]
    assert defs["HumanModel"]["required"] == ["name"]
