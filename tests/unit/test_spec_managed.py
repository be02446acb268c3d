"""load_spec on Bluejay as code: ``custom_metrics:`` and managed simulations (with
``digital_humans:`` mappings) load into ``MetricSpec`` / ``ManagedSimulation`` /
``HumanSpec`` with their values, lines and files read; reference entries stay as today."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluejay_gate.errors import SpecError
from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.resolved import Spec

MANAGED = """\
version: 1
agent:
  external_id: support-bot
  name: Support Bot
custom_metrics:
  - name: Resolution
    response_type: pass_fail
    description: {file: metrics/resolution.md}
    scoring_guidance: {file: metrics/resolution-guidance.md}
    allow_not_applicable: true
    category: Support
    tags: [billing]
    eval_route: AUTO
    temperature: 0.2
  - name: Outcome
    response_type: enum
    description: Which outcome the call reached
    enum_options: [resolved, escalated]
  - name: Politeness
    response_type: quantitative
    description: How polite, 0 to 10
    min_value: 0
    max_value: 10
simulations:
  - id: 4821
    runs_per_digital_human: 2
  - name: Billing regressions
    description: {file: sims/billing.md}
    max_call_duration: 5
    max_call_duration_units: minutes
    selected_custom_metrics: [Resolution, Outcome]
    prompt_id: 6c1f9a52-1d2e-4b7a-9e0f-3a5b7c9d1e2f
    phone_number: ${STAGING_PHONE}
    tags: [billing]
    digital_humans:
      - name: Angry Alice
        intent: {file: humans/alice.md}
        success_criteria: The refund is confirmed
        language: en
        accent: british
        creativity: 0.5
        traits: [{trait_name: plan, trait_data_type: STRING, value: premium}]
      - name: Calm Bob
        intent: ""
        num_runs: 2
        phone_number: ${BOB_PHONE}
thresholds:
  score: value >= 80
"""
ENV = {"STAGING_PHONE": "+15550002222", "BOB_PHONE": "+15550003333"}


def write(tmp_path: Path, text: str = MANAGED) -> Path:
    """The spec and the files it names, in ``tmp_path``."""
    for name, body in {
        "metrics/resolution.md": "Was the issue resolved?\n",
        "metrics/resolution-guidance.md": "Pass only when the customer confirms.\n",
        "sims/billing.md": "Customers with billing problems.\n",
        "humans/alice.md": "You were charged twice.\n",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    path = tmp_path / "bluejay-gate.yml"
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str = MANAGED) -> Spec:
    return load_spec(write(tmp_path, text), env=ENV)


def test_metrics_load_with_their_fields_lines_and_files(tmp_path: Path) -> None:
    """Each metric keeps name and every key as written, {file:} texts read, no defaults."""
    spec = load(tmp_path)
    assert spec.custom_metrics is not None
    assert spec.prune_metrics is False
    assert [m.name for m in spec.custom_metrics] == ["Resolution", "Outcome", "Politeness"]
    resolution, outcome, politeness = spec.custom_metrics
    assert dict(resolution.fields) == {
        "name": "Resolution",
        "response_type": "pass_fail",
        "description": "Was the issue resolved?\n",
        "scoring_guidance": "Pass only when the customer confirms.\n",
        "allow_not_applicable": True,
        "category": "Support",
        "tags": ["billing"],
        "eval_route": "AUTO",
        "temperature": 0.2,
    }
    assert resolution.line == 6
    assert dict(resolution.field_lines) == {
        "name": 6,
        "response_type": 7,
        "description": 8,
        "scoring_guidance": 9,
        "allow_not_applicable": 10,
        "category": 11,
        "tags": 12,
        "eval_route": 13,
        "temperature": 14,
    }
    assert outcome.fields["enum_options"] == ["resolved", "escalated"]
    assert (outcome.line, outcome.field_lines["enum_options"]) == (15, 18)
    # Numbers stay as written: 0 is an int, not 0.0.
    assert (politeness.fields["min_value"], politeness.fields["max_value"]) == (0, 10)
    assert type(politeness.fields["min_value"]) is int


def test_managed_simulation_loads(tmp_path: Path) -> None:
    """A digital_humans list of mappings makes the entry managed: its settings, its digital
    humans (files read, ${VAR} substituted) and their lines."""
    spec = load(tmp_path)
    _reference, billing = spec.simulations
    assert billing.managed is not None
    assert (billing.id, billing.name, billing.line) == (None, "Billing regressions", 27)
    assert dict(billing.managed.fields) == {
        "description": "Customers with billing problems.\n",
        "prompt_id": "6c1f9a52-1d2e-4b7a-9e0f-3a5b7c9d1e2f",
        "max_call_duration": 5,
        "max_call_duration_units": "minutes",
        "selected_custom_metrics": ["Resolution", "Outcome"],
        "tags": ["billing"],
    }
    assert billing.managed.prune is False
    assert billing.managed.field_lines["name"] == 27
    assert billing.managed.field_lines["selected_custom_metrics"] == 31
    alice, bob = billing.managed.digital_humans
    assert dict(alice.fields) == {
        "name": "Angry Alice",
        "intent": "You were charged twice.\n",
        "success_criteria": "The refund is confirmed",
        "language": "en",
        "accent": "british",
        "creativity": 0.5,
        "traits": [{"trait_name": "plan", "trait_data_type": "STRING", "value": "premium"}],
    }
    assert (alice.line, alice.field_lines["intent"], alice.field_lines["traits"]) == (36, 37, 42)
    assert dict(bob.fields) == {
        "name": "Calm Bob",
        "intent": "",
        "num_runs": 2,
        "phone_number": "+15550003333",
    }
    assert bob.line == 43
    assert spec.manages_setup is True


def test_queue_options_hold_only_run_request_fields(tmp_path: Path) -> None:
    """queue_options keep only SimulationRunRequest fields; a managed entry's prompt_id is
    in both, its settings only in managed.fields; a reference entry stays a reference."""
    reference, billing = load(tmp_path).simulations
    assert billing.queue_options == {
        "prompt_id": "6c1f9a52-1d2e-4b7a-9e0f-3a5b7c9d1e2f",
        "phone_number": "+15550002222",
    }
    assert billing.managed is not None
    assert "phone_number" not in billing.managed.fields
    assert (reference.id, reference.managed) == ("4821", None)
    assert reference.queue_options == {"runs_per_digital_human": 2}


def test_mapping_forms_carry_prune(tmp_path: Path) -> None:
    """{prune: true, items: [...]} on custom_metrics and digital_humans: the same entries,
    prune set, lines of the items."""
    text = """\
version: 1
agent: {name: Bot}
custom_metrics:
  prune: true
  items:
    - name: Resolution
      response_type: yes_no
      description: Resolved?
simulations:
  - name: Billing
    digital_humans:
      prune: true
      items:
        - name: Alice
          intent: Wants a refund
thresholds:
  Resolution: pass_rate >= 80%
"""
    spec = load(tmp_path, text)
    assert spec.prune_metrics is True
    assert spec.custom_metrics is not None
    (metric,) = spec.custom_metrics
    assert (metric.name, metric.line, metric.field_lines["description"]) == ("Resolution", 6, 8)
    (sim,) = spec.simulations
    assert sim.managed is not None
    assert sim.managed.prune is True
    (alice,) = sim.managed.digital_humans
    assert (alice.name, alice.line, alice.field_lines["intent"]) == ("Alice", 14, 15)
    assert dict(alice.fields) == {"name": "Alice", "intent": "Wants a refund"}


def test_prune_false_and_empty_metric_list(tmp_path: Path) -> None:
    """prune: false is the list form's meaning; an empty list manages "no metrics" (drift
    for all), which is not the same as no custom_metrics key (None)."""
    base = "version: 1\nagent: {name: Bot}\nsimulations: [{id: 1}]\n"
    base += "thresholds: {score: value >= 80}\n"
    spec = load(tmp_path, base + "custom_metrics: {prune: false, items: []}\n")
    assert (spec.custom_metrics, spec.prune_metrics, spec.manages_setup) == ((), False, True)
    spec = load(tmp_path, base)
    assert (spec.custom_metrics, spec.prune_metrics, spec.manages_setup) == (None, False, False)


def test_a_plain_spec_keeps_its_reference_entries(tmp_path: Path) -> None:
    """Without custom_metrics or digital_humans nothing is managed; options as today."""
    text = """\
version: 1
agent: {name: Bot}
simulations:
  - id: 4821
    name: Billing
    digital_human_ids: [12]
    sip_uri: sip:staging@example.com
thresholds: {score: value >= 80}
"""
    spec = load(tmp_path, text)
    (sim,) = spec.simulations
    assert (sim.managed, sim.digital_human_ids) == (None, ("12",))
    assert sim.queue_options == {"sip_uri": "sip:staging@example.com"}
    assert (spec.custom_metrics, spec.manages_setup) == (None, False)


BAD_BASE = """\
version: 1
agent:
  name: Bot
custom_metrics:
  - name: Resolution
    response_type: pass_fail
    description: Was it resolved?
simulations:
  - name: Billing
    digital_humans:
      - name: Alice
        intent: Wants a refund
thresholds:
  score: value >= 80
"""
_METRIC = "    response_type: pass_fail\n"
_SIM = "  - name: Billing\n"
_HUMAN = "        intent: Wants a refund\n"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            _METRIC,
            "    response_type: enum\n",
            "6: custom_metrics[0].response_type: custom metric 'Resolution' is an enum metric: "
            "list its options, e.g. `enum_options: [resolved, escalated]`",
        ),
        (
            _METRIC,
            "    response_type: enum\n    enum_options: []\n",
            "7: custom_metrics[0].enum_options: custom metric 'Resolution' is an enum metric: "
            "list its options, e.g. `enum_options: [resolved, escalated]`",
        ),
        (
            _METRIC,
            "    response_type: quantitative\n    min_value: 10\n    max_value: 1\n",
            "7: custom_metrics[0].min_value: custom metric 'Resolution': min_value 10 is more "
            "than max_value 1: swap them",
        ),
        (
            _METRIC,
            "    response_type: passfail\n",
            "6: custom_metrics[0].response_type: expected 'pass_fail', 'yes_no', 'qualitative',"
            " 'quantitative', 'json' or 'enum', got text \"passfail\"",
        ),
        (
            _METRIC,
            _METRIC + "    descripton: x\n",
            "7: custom_metrics[0]: unknown key `descripton` — did you mean `description`?",
        ),
        (
            _METRIC,
            _METRIC + "    agent_ids: [3]\n",
            "7: custom_metrics[0]: unknown key `agent_ids`: the gate links each metric to the "
            "spec's agent; remove it",
        ),
        (
            _METRIC,
            _METRIC + "    scoring_guidance: {fil: a.md}\n",
            "7: custom_metrics[0].scoring_guidance: unknown key `fil` — did you mean `file`?",
        ),
        (
            _METRIC,
            _METRIC + "    scoring_guidance: {file: nope.md}\n",
            "7: custom_metrics[0].scoring_guidance: file 'nope.md' not found: the path is "
            "relative to the spec's folder",
        ),
        (
            _METRIC,
            _METRIC + "    category:\n",
            "7: custom_metrics[0].category: is empty: give a value or remove the key",
        ),
        (
            _METRIC,
            _METRIC + "    min_value: ten\n",
            '7: custom_metrics[0].min_value: expected a number, got text "ten"',
        ),
        (
            _METRIC,
            _METRIC + "    max_value: true\n",
            "7: custom_metrics[0].max_value: expected a number, got true/false",
        ),
        (
            "    description: Was it resolved?\n",
            "",
            "5: custom_metrics[0]: missing required key `description`: add `description:` "
            "(what the metric measures: the text, or {file: path})",
        ),
        (
            "  - name: Resolution\n" + _METRIC,
            "  - " + _METRIC[4:],
            "5: custom_metrics[0]: missing required key `name`: add `name:` (the metric's "
            "name, its identity within the agent)",
        ),
        (
            "    description: Was it resolved?\n",
            "    description: Was it resolved?\n  - name: Resolution\n"
            + _METRIC
            + "    description: again\n",
            "8: custom_metrics[1]: custom metric 'Resolution' is listed twice: line 5 and "
            "line 8; a metric is found by name within the agent: remove one or rename it",
        ),
        (
            "custom_metrics:\n",
            "custom_metrics:\n  prun: true\n  items:\n",
            "5: custom_metrics: unknown key `prun` — did you mean `prune`?",
        ),
        (
            "custom_metrics:\n  - name: Resolution\n"
            + _METRIC
            + "    description: Was it resolved?\n",
            "custom_metrics: Resolution\n",
            "4: custom_metrics: expected a list of metrics (`- name: ...` lines) or a mapping "
            "{prune: true, items: [...]}, got text",
        ),
        (
            "custom_metrics:\n  - name: Resolution\n"
            + _METRIC
            + "    description: Was it resolved?\n",
            "custom_metrics:\n",
            "4: custom_metrics: is empty: list the metrics (`- name: ...`), or remove the key "
            "to leave the agent's metrics alone",
        ),
        (
            _SIM,
            _SIM + "    id: 12\n",
            "10: simulations[0].id: a managed simulation is found by name within the agent: "
            "remove id",
        ),
        (
            _SIM,
            _SIM + "    digital_human_ids: [12]\n",
            "10: simulations[0].digital_human_ids: a managed simulation runs its own digital "
            "humans (digital_humans): remove digital_human_ids",
        ),
        (
            _SIM,
            "  - max_call_duration: 5\n",
            "9: simulations[0]: a managed simulation (one with digital_humans) needs `name`: "
            "it is found by name within the agent",
        ),
        (
            _SIM,
            "  - id: 77\n    description: {file: sims/none.md}\n    max_turns: 3\n" + _SIM,
            "10: simulations[0].description: `description` is a setting of a managed "
            "simulation: add digital_humans: (a list of mappings) to manage it, or remove the "
            "key",
        ),
        (
            _SIM,
            "  - id: 77\n    selected_custom_metrics: [Resolution]\n" + _SIM,
            "10: simulations[0].selected_custom_metrics: `selected_custom_metrics` is a setting"
            " of a managed simulation: add digital_humans: (a list of mappings) to manage it, "
            "or remove the key",
        ),
        (
            _SIM,
            _SIM + "    agent_id: 5\n",
            "10: simulations[0]: unknown key `agent_id`: a managed simulation is kept under the"
            " spec's agent; remove it",
        ),
        (
            _SIM,
            _SIM + "    max_call_duration_units: hours\n",
            "10: simulations[0].max_call_duration_units: expected 'minutes' or 'seconds', got "
            'text "hours"',
        ),
        (
            _SIM,
            _SIM + "    max_concurrent: 600\n",
            "10: simulations[0].max_concurrent: must be at most 500, got a number 600",
        ),
        (
            _SIM,
            _SIM + "    selected_custom_metrics: [Resolution, Resolution]\n",
            "10: simulations[0].selected_custom_metrics: lists 'Resolution' twice: name each "
            "metric once",
        ),
        (
            _SIM,
            _SIM + "    intent: hi\n",
            "10: simulations[0]: unknown key `intent` — it belongs under a digital human in a "
            "simulation's `digital_humans:`",
        ),
        (
            "    digital_humans:\n      - name: Alice\n" + _HUMAN,
            "    digital_humans: []\n",
            "10: simulations[0].digital_humans: a managed simulation needs at least one digital"
            " human: list them as `- name: ...` mappings (or remove digital_humans to run an "
            "existing simulation)",
        ),
        (
            "    digital_humans:\n      - name: Alice\n" + _HUMAN,
            "    digital_humans: {prune: true, items: []}\n",
            "10: simulations[0].digital_humans: a managed simulation needs at least one digital"
            " human: list them as `- name: ...` mappings (or remove digital_humans to run an "
            "existing simulation)",
        ),
        (
            "    digital_humans:\n      - name: Alice\n" + _HUMAN,
            "    digital_humans: [12, 13]\n",
            "10: simulations[0].digital_humans: digital_humans lists the digital humans the "
            "gate keeps in Bluejay, as mappings (`- name: ...`); to run some of an existing "
            "simulation's digital humans, use `digital_human_ids: [12, 13]`",
        ),
        (
            "    digital_humans:\n      - name: Alice\n" + _HUMAN,
            "    digital_humans: {prune: true}\n",
            "10: simulations[0].digital_humans: missing required key `items`: add `items:` "
            "with the list of digital humans (`- name: ...`)",
        ),
        (
            "    digital_humans:\n",
            "    digital_humans:\n      pruned: true\n      items:\n",
            "11: simulations[0].digital_humans: unknown key `pruned` — did you mean `prune`?",
        ),
        (
            _HUMAN,
            _HUMAN + "      - name: Alice\n",
            "13: simulations[0].digital_humans[1]: digital human 'Alice' is listed twice: line"
            " 11 and line 13; a digital human is found by name within its simulation: remove "
            "one or rename it",
        ),
        (
            _HUMAN,
            _HUMAN + "        langauge: en\n",
            "13: simulations[0].digital_humans[0]: unknown key `langauge` — did you mean "
            "`language`?",
        ),
        (
            _HUMAN,
            _HUMAN + "        gender: other\n",
            "13: simulations[0].digital_humans[0].gender: expected 'male' or 'female', got "
            'text "other"',
        ),
        (
            _HUMAN,
            _HUMAN + "        creativity: 3\n",
            "13: simulations[0].digital_humans[0].creativity: must be from 0 to 2, got 3",
        ),
        (
            _HUMAN,
            _HUMAN + "        silence_timeout: 5\n",
            "13: simulations[0].digital_humans[0].silence_timeout: must be at least 15, got a "
            "number 5",
        ),
        (
            _HUMAN,
            _HUMAN + "        traits: [{trait_name: plan}]\n",
            "13: simulations[0].digital_humans[0].traits: item 1 has no `trait_data_type` and "
            "`value`: each trait (Trait) needs `trait_name`, `trait_data_type` and `value`",
        ),
        (
            _HUMAN,
            _HUMAN + "        scripted_responses: [hello]\n",
            "13: simulations[0].digital_humans[0].scripted_responses: item 1 is text: each "
            "scripted response (ScriptedResponse) is a mapping with `match_type`, "
            "`match_phrase`, `response_type` and `occurrence_mode`",
        ),
        (
            _HUMAN,
            _HUMAN + "        interruptions: {type: loud}\n",
            "13: simulations[0].digital_humans[0].interruptions: `type` must be one of none, "
            "low, medium, high, keywords, contextual, got 'loud'",
        ),
        (
            _HUMAN,
            _HUMAN + "        speaks_first_config: {mode: custom}\n",
            "13: simulations[0].digital_humans[0].speaks_first_config: the mapping has no "
            "`speaks_first`: each speaks-first configuration needs `speaks_first`",
        ),
        (
            _HUMAN,
            "        intent: {file: humans/missing.md}\n",
            "12: simulations[0].digital_humans[0].intent: file 'humans/missing.md' not found: "
            "the path is relative to the spec's folder",
        ),
        (
            _HUMAN,
            "        intent: {fiel: a.md}\n",
            "12: simulations[0].digital_humans[0].intent: unknown key `fiel` — did you mean "
            "`file`?",
        ),
        (
            "      - name: Alice\n",
            "      - nme: Alice\n",
            "11: simulations[0].digital_humans[0]: unknown key `nme` — did you mean `name`?",
        ),
        (
            "      - name: Alice\n",
            "      - tag: vip\n",
            "11: simulations[0].digital_humans[0]: missing required key `name`: add `name:` "
            "(the digital human's name, its identity within the simulation)",
        ),
        (
            _HUMAN,
            _HUMAN + "        response_type: enum\n",
            "13: simulations[0].digital_humans[0]: unknown key `response_type` — it belongs "
            "under a metric in `custom_metrics:`",
        ),
        (
            _HUMAN,
            _HUMAN + "  - name: Billing\n    digital_humans: [{name: Bob}]\n",
            "13: simulations[1]: simulation name 'Billing' is listed twice: line 9 ('Billing') "
            "and line 13 ('Billing') would queue the same simulation twice; remove one (use "
            "repeat to run it more often)",
        ),
        (
            "simulations:\n" + _SIM + "    digital_humans:\n      - name: Alice\n" + _HUMAN,
            "",
            "1: missing required key `simulations`: add a `simulations:` list with at least "
            "one `- id:` or `- name:` (or a `calls:` list of golden calls)",
        ),
    ],
)
def test_bad_managed_input(tmp_path: Path, old: str, new: str, expected: str) -> None:
    """Each mistake in the managed keys is one line: file:line, key, what and the fix."""
    assert old in BAD_BASE
    path = write(tmp_path, BAD_BASE.replace(old, new, 1))
    with pytest.raises(SpecError) as info:
        load_spec(path, env={})
    assert str(info.value) == f"{path}:{expected}"
    assert "\n" not in str(info.value)


def test_numbers_may_come_from_the_environment(tmp_path: Path) -> None:
    """${VAR} values are text: a whole number or a number read from the environment is
    accepted as one (an int stays an int)."""
    text = """\
version: 1
agent: {name: Bot}
custom_metrics:
  - name: Politeness
    response_type: quantitative
    description: How polite
    max_value: ${TOP}
    temperature: ${TEMPERATURE}
simulations:
  - name: Billing
    max_call_duration: ${DURATION}
    digital_humans: [{name: Alice}]
thresholds: {score: value >= 80}
"""
    path = write(tmp_path, text)
    spec = load_spec(path, env={"TOP": "10", "TEMPERATURE": "0.3", "DURATION": "90"})
    assert spec.custom_metrics is not None
    (metric,) = spec.custom_metrics
    assert (metric.fields["max_value"], metric.fields["temperature"]) == (10, 0.3)
    assert type(metric.fields["max_value"]) is int
    managed = spec.simulations[0].managed
    assert managed is not None
    assert managed.fields == {"max_call_duration": 90}
