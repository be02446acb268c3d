"""pull's pure half: Bluejay's records -> the spec file and the texts beside it."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import yaml

from bluejay_gate.bluejay.setup_models import HumanRecord, MetricRecord, SimulationRecord
from bluejay_gate.errors import ResolveError
from bluejay_gate.manage.pull_render import (
    PulledSetup,
    PulledSimulation,
    Slugs,
    render,
    slug,
)
from bluejay_gate.manage.suggest import RunObservation
from bluejay_gate.model.values import MetricValue
from bluejay_gate.spec.thresholds import parse_expression
from tests.helpers.typed import as_list, as_object

WHEN = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)
LONG = "Judge whether the agent resolved the caller's problem. " * 4  # > 120 characters


def agent(**extra: Any) -> dict[str, Any]:
    return {
        "id": "101",
        "name": "Support Bot v2",
        "external_agent_id": "support-bot",
        "agent_description": "You are a support agent.\nBe kind.",
        "knowledge_base": "Refunds within 30 days.",
        "goals": ["Resolve billing questions"],
        "type": "INBOUND",
        "organization_id": "org-1",
        "folder_id": None,
        "created_at": "2026-11-01T10:00:00Z",
        **extra,
    }


def metric(ident: str, name: str, response_type: str, **extra: Any) -> MetricRecord:
    return MetricRecord.model_validate(
        {
            "id": ident,
            "name": name,
            "response_type": response_type,
            "agent_ids": [101],
            "created_at": "2026-11-01T10:00:00Z",
            "bluejay_as_code_id": "uuid-of-this-account",
            **extra,
        }
    )


def human(ident: str, name: str, **extra: Any) -> HumanRecord:
    return HumanRecord.model_validate(
        {"id": ident, "name": name, "created_at": "2026-11-01T10:00:00Z", **extra}
    )


def simulation(ident: str, name: str, settings: dict[str, Any], **top: Any) -> SimulationRecord:
    return SimulationRecord.model_validate(
        {"id": ident, "name": name, "agent_id": 101, "settings": settings, **top}
    )


METRICS = (
    metric("m-res", "Resolution", "pass_fail", description=LONG, scoring_guidance="Pass: solved."),
    metric("m-emp", "Empathy", "quantitative", description="Warmth", min_value=0, max_value=10),
    metric(
        "m-out",
        "Outcome",
        "enum",
        description="Where it ended",
        enum_options=["resolved", "escalated"],
        allow_not_applicable=True,
    ),
    metric("m-notes", "Notes", "qualitative", description="Anything odd"),
)


def observation() -> RunObservation:
    res = [MetricValue("Resolution", p, p == "pass", "pass_fail") for p in ["pass"] * 4 + ["fail"]]
    emp = [
        MetricValue("Empathy", v, float(v), "quantitative", exact=Decimal(v))
        for v in ["7", "8", "9", "6", "8"]
    ]
    out = [MetricValue("Outcome", v, v, "enum") for v in ["resolved"] * 3 + ["escalated"] * 2]
    notes = [MetricValue("Notes", "ok", "ok", "qualitative")] * 5
    return RunObservation(
        run_id="70012",
        created_at="2026-12-01T23:30:00-02:00",
        conversations=5,
        values={
            "Resolution": tuple(res),
            "Empathy": tuple(emp),
            "Outcome": tuple(out),
            "Notes": tuple(notes),
        },
        tests_passed=4,
        total_tests=5,
    )


def billing(latest: RunObservation | None = None) -> PulledSimulation:
    return PulledSimulation(
        simulation(
            "4821",
            "Billing regressions",
            {
                "max_call_duration": 5,
                "max_call_duration_units": "minutes",
                "selected_custom_metrics": ["m-res", "m-emp", "m-gone"],
                "prompt_id": 77,
                "description": "stale copy in settings",
            },
            description="Refund and invoice calls",
            max_concurrent=3,
        ),
        (
            human("13", "Polite Paul", intent="Asks about an invoice", language="en"),
            human(
                "12",
                "Angry Alice",
                intent="Wants a refund\nfor a double charge",
                success_criteria="The refund is confirmed",
                traits={"patience": "low", "age": 40},
                workflow_v2_id="wf-9",
            ),
        ),
        latest,
    )


def setup(latest: RunObservation | None = None, **agent_extra: Any) -> PulledSetup:
    return PulledSetup(agent(**agent_extra), METRICS, (billing(latest),))


def spec_text(files: dict[str, str]) -> str:
    return files["bluejay-gate.yml"]


def test_the_whole_file_for_a_small_setup() -> None:
    """The exact spec: header, agent, metrics by name, the managed simulation, its digital
    humans by name, and the top-level score check; ids only in comments."""
    files = render(setup(), base_url="https://api.getbluejay.ai", pulled_at=WHEN)
    assert spec_text(files) == (
        "# Pulled by `bluejay-gate pull` from https://api.getbluejay.ai on 2026-12-02 10:30 UTC.\n"
        "# Bluejay's ids are only comments: the agent is found by external_id, its custom\n"
        "# metrics and simulations by name within it, and digital humans by name within\n"
        "# their simulation, so this spec works in another account too. Long texts are in\n"
        "# the files beside it.\n"
        "version: 1\n"
        "\n"
        "agent:\n"
        "  external_id: support-bot  # Bluejay agent 101\n"
        "  name: Support Bot v2\n"
        "  system_prompt: {file: prompts/system_prompt.md}\n"
        "  knowledge_base: {file: kb/knowledge_base.md}\n"
        "  goals: [Resolve billing questions]\n"
        "  type: INBOUND\n"
        "\n"
        "custom_metrics:\n"
        "  - name: Empathy  # Bluejay metric m-emp\n"
        "    description: Warmth\n"
        "    response_type: quantitative\n"
        "    min_value: 0\n"
        "    max_value: 10\n"
        "  - name: Notes  # Bluejay metric m-notes\n"
        "    description: Anything odd\n"
        "    response_type: qualitative\n"
        "  - name: Outcome  # Bluejay metric m-out\n"
        "    description: Where it ended\n"
        "    response_type: enum\n"
        "    enum_options: [resolved, escalated]\n"
        "    allow_not_applicable: true\n"
        "  - name: Resolution  # Bluejay metric m-res\n"
        "    description: {file: metrics/resolution.md}\n"
        "    response_type: pass_fail\n"
        "    scoring_guidance: 'Pass: solved.'\n"
        "\n"
        "simulations:\n"
        "  - name: Billing regressions  # Bluejay simulation 4821\n"
        "    description: Refund and invoice calls\n"
        "    # prompt_id: 77  # an id of this account: uncomment to pin it here\n"
        "    max_concurrent: 3\n"
        "    max_call_duration: 5\n"
        "    max_call_duration_units: minutes\n"
        "    # selected metric m-gone is not one of the agent's metrics: left out\n"
        "    selected_custom_metrics: [Empathy, Resolution]\n"
        "    digital_humans:\n"
        "      - name: Angry Alice  # Bluejay digital human 12\n"
        "        intent: {file: humans/billing-regressions/angry-alice.intent.md}\n"
        "        success_criteria: The refund is confirmed\n"
        "        traits: {age: 40, patience: low}\n"
        "        # workflow_v2_id: wf-9  # an id of this account: uncomment to pin it here\n"
        "      - name: Polite Paul  # Bluejay digital human 13\n"
        "        intent: Asks about an invoice\n"
        "        language: en\n"
        '    # No completed run of "Billing regressions" yet: no threshold suggestions.\n'
        "    # Run it, then pull again (or write thresholds: by hand).\n"
        "\n"
        "thresholds:\n"
        "  # Bluejay's own run score (tests passed / total × 100), so the spec has a check:\n"
        "  # replace it with checks on your metrics (see the suggestions under each simulation).\n"
        "  score: value >= 80\n"
    )
    assert list(files) == [
        "bluejay-gate.yml",
        "humans/billing-regressions/angry-alice.intent.md",
        "kb/knowledge_base.md",
        "metrics/resolution.md",
        "prompts/system_prompt.md",
    ]


def test_texts_beside_it_end_with_exactly_one_newline() -> None:
    pulled = setup()
    pulled = PulledSetup(
        agent(knowledge_base="Refunds within 30 days.\n\n\n"), pulled.metrics, pulled.simulations
    )
    files = render(pulled, base_url="https://api.getbluejay.ai", pulled_at=WHEN)
    assert files["prompts/system_prompt.md"] == "You are a support agent.\nBe kind.\n"
    assert files["kb/knowledge_base.md"] == "Refunds within 30 days.\n"
    assert files["metrics/resolution.md"] == LONG + "\n"
    assert files["humans/billing-regressions/angry-alice.intent.md"] == (
        "Wants a refund\nfor a double charge\n"
    )


def test_the_file_parses_with_the_data_as_bluejay_holds_it() -> None:
    files = render(setup(observation()), base_url="https://api.getbluejay.ai", pulled_at=WHEN)
    data = as_object(yaml.safe_load(spec_text(files)))
    assert data["version"] == 1
    assert data["agent"]["external_id"] == "support-bot"
    metrics = as_list(data["custom_metrics"])
    assert [m["name"] for m in metrics] == ["Empathy", "Notes", "Outcome", "Resolution"]
    assert all("id" not in m and "agent_ids" not in m for m in metrics)
    assert all("bluejay_as_code_id" not in m and "created_at" not in m for m in metrics)
    sim = as_object(as_list(data["simulations"])[0])
    assert "id" not in sim
    assert [h["name"] for h in sim["digital_humans"]] == ["Angry Alice", "Polite Paul"]
    assert sim["digital_humans"][0]["traits"] == {"patience": "low", "age": 40}
    assert data["thresholds"] == {"score": "value >= 80"}
    assert "thresholds" not in sim  # suggestions are comments


def test_suggestions_are_comments_that_say_what_was_observed() -> None:
    files = render(setup(observation()), base_url="https://api.getbluejay.ai", pulled_at=WHEN)
    text = spec_text(files)
    assert (
        '    # "Billing regressions", run 70012 of 2026-12-02 (its latest completed run): '
        "5 conversations\n"
        "    # scored; Bluejay's score 80 (4 of 5 tests passed).\n"
        "    # Thresholds it would have passed: uncomment the ones to gate on.\n"
        "    # thresholds:\n"
        '    #   "Empathy": mean >= 7               # mean 7.6 of 5 values (min 6, max 9)\n'
        '    #   # "Notes": not gated (text)\n'
        '    #   "Outcome": share(resolved) >= 60%  # resolved in 3 of 5 (60%)\n'
        '    #   "Resolution": pass_rate >= 80%     # passed 4 of 5 (80%)\n'
    ) in text


def test_uncommented_suggestions_are_valid_simulation_thresholds() -> None:
    """Uncommenting the block (``# `` removed) gives a thresholds mapping the threshold
    grammar reads, under the simulation."""
    files = render(setup(observation()), base_url="https://api.getbluejay.ai", pulled_at=WHEN)
    lines = spec_text(files).splitlines()
    start = lines.index("    # thresholds:")
    uncommented = []
    for i, line in enumerate(lines):
        if i >= start and line.startswith("    # ") and ("thresholds:" in line or '"' in line):
            uncommented.append(line.replace("# ", "", 1))
        else:
            uncommented.append(line)
    data = as_object(yaml.safe_load("\n".join(uncommented)))
    checks = data["simulations"][0]["thresholds"]
    assert checks == {
        "Empathy": "mean >= 7",
        "Outcome": "share(resolved) >= 60%",
        "Resolution": "pass_rate >= 80%",
    }
    for expression in checks.values():
        parse_expression(expression)


def test_secrets_are_placeholders_never_values() -> None:
    pulled = setup(websocket_password="hunter2-secret", sip_password="sip-secret-9")
    files = render(pulled, base_url="https://api.getbluejay.ai", pulled_at=WHEN)
    everything = "".join(files.values())
    assert "hunter2-secret" not in everything
    assert "sip-secret-9" not in everything
    text = spec_text(files)
    assert "  websocket_password: ${AGENT_WEBSOCKET_PASSWORD}\n" in text
    assert "  sip_password: ${AGENT_SIP_PASSWORD}\n" in text
    assert "set AGENT_WEBSOCKET_PASSWORD in the environment" in text
    assert "set AGENT_SIP_PASSWORD in the environment" in text


def test_no_password_no_placeholder() -> None:
    text = spec_text(render(setup(websocket_password=""), base_url="x", pulled_at=WHEN))
    assert "websocket_password" not in text


def test_agent_without_external_id_is_written_by_id() -> None:
    text = spec_text(render(setup(external_agent_id=None), base_url="x", pulled_at=WHEN))
    assert "  id: '101'  # Bluejay has no external_agent_id for it: set external_id" in text
    assert "external_id:" not in text.split("# Bluejay has no")[0]


def test_create_fields_are_written_even_when_empty() -> None:
    pulled = setup(agent_description="", knowledge_base=None, goals=[])
    text = spec_text(render(pulled, base_url="x", pulled_at=WHEN))
    assert "  system_prompt: ''\n  knowledge_base: ''\n  goals: []\n" in text


def test_dollar_brace_in_a_value_is_written_as_a_literal() -> None:
    pulled = setup(goals=["Say ${amount} back"])
    text = spec_text(render(pulled, base_url="x", pulled_at=WHEN))
    assert "  goals: ['Say $${amount} back']\n" in text
    assert yaml.safe_load(text)["agent"]["goals"] == ["Say $${amount} back"]


def test_base_url_is_shown_without_user_info_or_query() -> None:
    text = spec_text(
        render(setup(), base_url="https://user:pw@api.example.com/x?key=abc", pulled_at=WHEN)
    )
    assert "from https://api.example.com/x on" in text
    assert "pw" not in text.splitlines()[0]
    assert "abc" not in text


def test_same_records_in_any_order_give_byte_identical_files() -> None:
    first = render(setup(observation()), base_url="x", pulled_at=WHEN)
    shuffled_metrics = list(METRICS)
    random.Random(4).shuffle(shuffled_metrics)
    sim = billing(observation())
    reversed_sim = PulledSimulation(sim.record, tuple(reversed(sim.humans)), sim.latest)
    second = render(
        PulledSetup(agent(), tuple(shuffled_metrics), (reversed_sim,)), base_url="x", pulled_at=WHEN
    )
    assert first == second


def test_two_metrics_with_one_name_are_refused() -> None:
    twice = (*METRICS, metric("m-res-2", "Resolution", "pass_fail"))
    with pytest.raises(ResolveError) as info:
        render(PulledSetup(agent(), twice, (billing(),)), base_url="x", pulled_at=WHEN)
    assert str(info.value) == (
        "Bluejay has 2 custom metrics named 'Resolution' (ids m-res, m-res-2): the spec finds "
        "them by name; rename all but one in Bluejay, then pull again"
    )


def test_two_digital_humans_with_one_name_in_a_simulation_are_refused() -> None:
    sim = billing()
    twice = PulledSimulation(sim.record, (*sim.humans, human("14", "Polite Paul")), None)
    wanted = r"2 digital humans of simulation 4821 named 'Polite Paul'"
    with pytest.raises(ResolveError, match=wanted):
        render(PulledSetup(agent(), METRICS, (twice,)), base_url="x", pulled_at=WHEN)


def test_slugs_and_their_collisions() -> None:
    assert slug("Angry Alice (v2)") == "angry-alice-v2"
    assert slug("Émile!") == "mile"
    assert slug("???") == "item"
    slugs = Slugs()
    assert [slugs.take(n) for n in ["Empathy", "empathy!", "EMPATHY", "Other"]] == [
        "empathy",
        "empathy-2",
        "empathy-3",
        "other",
    ]


def test_colliding_metric_names_get_their_own_files() -> None:
    metrics = (
        metric("a", "Tone!", "pass_fail", description=LONG),
        metric("b", "tone?", "pass_fail", description=LONG + "b", scoring_guidance=LONG),
    )
    files = render(PulledSetup(agent(), metrics, ()), base_url="x", pulled_at=WHEN)
    assert files["metrics/tone.md"] == LONG + "\n"
    assert files["metrics/tone-2.md"] == LONG + "b\n"
    assert files["metrics/tone-2.scoring_guidance.md"] == LONG + "\n"
    text = spec_text(files)
    assert "scoring_guidance: {file: metrics/tone-2.scoring_guidance.md}" in text


def test_no_simulation_says_the_spec_needs_one() -> None:
    text = spec_text(render(PulledSetup(agent(), METRICS, ()), base_url="x", pulled_at=WHEN))
    assert "\nsimulations:" not in text
    assert "# Bluejay has no simulation for this agent" in text


def test_simulation_without_digital_humans_is_a_reference() -> None:
    sim = billing()
    bare = PulledSimulation(sim.record, (), None)
    files = render(PulledSetup(agent(), METRICS, (bare,)), base_url="x", pulled_at=WHEN)
    data = as_object(yaml.safe_load(spec_text(files)))
    assert data["simulations"] == [{"name": "Billing regressions"}]
    assert "it has no digital humans, so it is a reference" in spec_text(files)


def test_a_name_with_a_line_break_stays_out_of_comments() -> None:
    sim = billing(observation())
    record = simulation("4821", "Two\nlines", {})
    files = render(
        PulledSetup(agent(), METRICS, (PulledSimulation(record, sim.humans, sim.latest),)),
        base_url="x",
        pulled_at=WHEN,
    )
    text = spec_text(files)
    assert '    # "Two lines", run 70012' in text
    assert yaml.safe_load(text)["simulations"][0]["name"] == "Two\nlines"
    assert not re.search(r"^lines", text, re.MULTILINE)


def test_a_text_a_file_could_not_give_back_exactly_stays_inline() -> None:
    """Reading a file turns CRLF into LF and drops a byte-order mark: such texts stay in
    the spec file, escaped, so the loader reads exactly what Bluejay holds."""
    pulled = setup(agent_description="Line one\r\nLine two", knowledge_base="\ufeffFAQ")
    files = render(pulled, base_url="x", pulled_at=WHEN)
    assert "prompts/system_prompt.md" not in files
    assert "kb/knowledge_base.md" not in files
    data = yaml.safe_load(spec_text(files))
    assert data["agent"]["system_prompt"] == "Line one\r\nLine two"
    assert data["agent"]["knowledge_base"] == "\ufeffFAQ"
