"""The JSON report: keys, values, layout, and text that must survive the round trip."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluejay_gate.model.values import MetricValue
from bluejay_gate.report import SCHEMA_VERSION, render_json
from bluejay_gate.verdict.model import CheckResult, Outcome, Verdict
from tests.helpers.verdicts import (
    EMPATHY,
    SCENARIOS,
    failing_verdict,
    make_check,
    make_conversation,
    make_result,
    make_simulation,
    run_info,
    simulation_error_verdict,
    zero_simulations_verdict,
)

TOP_KEYS = [
    "schema_version",
    "tool",
    "spec",
    "spec_sha256",
    "base_url",
    "started_at",
    "finished_at",
    "duration_s",
    "dry_run",
    "exit_code",
    "outcome",
    "errors",
    "agent",
    "baseline",
    "setup",
    "run_ids",
    "shard",
    "merged_from",
    "simulations",
    "call_sets",
]
SIMULATION_KEYS = [
    "label",
    "simulation_id",
    "run_ids",
    "run_status",
    "outcome",
    "dashboard_url",
    "counts",
    "score",
    "errors",
    "notes",
    "digital_humans",
    "checks",
    "repeats",
    "flips",
    "reused_from",
    "runs",
    "run_errors",
    "unseen",
    "conversations",
]
CONVERSATION_KEYS = [
    "result_id",
    "run_id",
    "digital_human_id",
    "status",
    "completed",
    "never_spoke",
    "dashboard_url",
    "transcript_url",
    "audio_url",
    "duration_ms",
    "status_as_sent",
    "has_custom",
    "metrics",
]
BRIEF_CHECK_KEYS = {
    "metric",
    "expression",
    "aggregate",
    "operator",
    "threshold",
    "severity",
    "min_samples",
    "line",
    "outcome",
    "observed",
    "samples",
    "not_applicable",
    "message",
    "worst",
    "interval",
}


def report(verdict: Verdict, **info: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_json(verdict, run_info(**info)))
    return data


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_exit_code_and_outcome_match_the_verdict(name: str) -> None:
    """exit_code and outcome are the verdict's, for every scenario."""
    build, code = SCENARIOS[name]
    data = report(build())
    assert data["exit_code"] == code
    assert data["outcome"] == {0: "pass", 1: "fail", 3: "no_verdict"}[code]
    assert list(data) == TOP_KEYS


def test_top_level_values() -> None:
    """Tool, spec, timing, agent and run ids come from RunInfo."""
    data = report(failing_verdict())
    assert data["schema_version"] == SCHEMA_VERSION == 2
    assert data["tool"] == {"name": "bluejay-gate", "version": "0.1.0"}
    assert data["spec"] == "bluejay-gate.yml"
    assert data["base_url"] == "https://api.getbluejay.ai"
    assert data["started_at"] == "2026-04-01T12:00:00Z"
    assert data["finished_at"] == "2026-04-01T12:03:12Z"
    assert data["duration_s"] == 192.0
    assert data["dry_run"] is False
    assert data["errors"] == []
    assert data["agent"] == {
        "id": "1234",
        "name": "Support Bot v2",
        "action": "updated",
        "changed_fields": ["goals", "system_prompt"],
        "external_id": None,
        "fields_sha256": None,
    }
    assert data["run_ids"] == ["77"]
    assert data["spec_sha256"] is None
    assert data["shard"] is None
    assert data["merged_from"] == []
    assert data["setup"] == {"changes": [], "drift": []}


def test_simulation_check_and_conversation_values() -> None:
    """A failing simulation: counts, check numbers, worst links, per-conversation metrics."""
    (sim,) = report(failing_verdict())["simulations"]
    assert list(sim) == SIMULATION_KEYS
    assert sim["label"] == "Billing regressions"
    assert sim["outcome"] == "fail"
    assert sim["counts"] == {"total": 3, "completed": 3, "not_completed": 0, "never_spoke": 0}
    assert sim["score"] == 80.0
    assert sim["errors"] == []
    assert (sim["reused_from"], sim["runs"], sim["run_errors"], sim["unseen"]) == (None, [], [], {})
    check = sim["checks"][0]
    assert set(check) >= BRIEF_CHECK_KEYS
    assert check["metric"] == "Empathy"
    assert check["expression"] == "mean >= 7"
    assert check["aggregate"] == "mean"
    assert check["operator"] == ">="
    assert check["threshold"] == 7.0
    assert check["severity"] == "error"
    assert check["line"] == 14
    assert check["outcome"] == "fail"
    assert check["observed"] == 6.0
    assert check["samples"] == 3
    assert check["not_applicable"] == 1
    assert check["message"] == "observed 6 over 3 conversations (1 not applicable), needs >= 7"
    assert check["worst"][0] == {
        "result_id": "9000",
        "digital_human_id": "12",
        "digital_human_name": "Alex Rivera",
        "value": "4",
        "reasoning": "Reasoning for result 9000.",
        "dashboard_url": "https://app.getbluejay.ai/simulations/4821/runs/77?result=9000",
        "transcript_url": "https://cdn.example.test/transcripts/9000.txt",
    }
    assert sim["digital_humans"] == {"12": "Alex Rivera", "13": "Priya Nair"}
    assert check["interval"] is None
    conversation = sim["conversations"][0]
    assert list(conversation) == CONVERSATION_KEYS
    assert conversation["result_id"] == "9000"
    assert conversation["duration_ms"] == 61500.0
    assert conversation["metrics"] == {
        "Empathy": {
            "value": 4.0,
            "raw": "4",
            "response_type": "quantitative",
            "applicable": True,
            "error": None,
            "min_value": None,
            "max_value": None,
            "options": None,
            "reasoning": "Reasoning for result 9000.",
        },
        "Greeting compliance": {
            "value": None,
            "raw": "N/A",
            "response_type": "pass_fail",
            "applicable": False,
            "error": None,
            "min_value": None,
            "max_value": None,
            "options": None,
            "reasoning": None,
        },
    }


def test_errors_at_both_levels() -> None:
    """Simulation errors sit in the simulation; 'no simulations' is a gate-level error."""
    data = report(simulation_error_verdict())
    assert data["simulations"][1]["errors"] == [
        "run 78 ended INSUFFICIENT_FUNDS: add credits to the organisation and re-run"
    ]
    assert report(zero_simulations_verdict())["errors"] == [
        "no simulations were evaluated, so there is nothing to decide"
    ]


def test_line_falls_back_to_run_info_and_interval_is_a_pair() -> None:
    """A check without a line takes it from RunInfo.check_lines; an interval is [low, high]."""
    check = make_check("Empathy", "mean >= 7")
    result = CheckResult(check, Outcome.PASS, 8.0, 10, interval=(7.5, 8.5))
    data = report(
        Verdict((make_simulation("S", (result,)),)),
        check_lines={"Empathy: mean >= 7": 31},
    )
    (entry,) = data["simulations"][0]["checks"]
    assert entry["line"] == 31
    assert entry["interval"] == [7.5, 8.5]


def test_non_finite_numbers_become_null() -> None:
    """NaN/inf never reach the file (they are not JSON)."""
    result = make_result(EMPATHY, Outcome.FAIL, math.nan)
    conv = make_conversation(
        "1", metrics={"Empathy": MetricValue("Empathy", "inf", math.inf, "quantitative")}
    )
    text = render_json(
        Verdict((make_simulation("S", (result,), conversations=(conv,)),)), run_info()
    )
    constants: list[str] = []
    data = json.loads(text, parse_constant=constants.append)
    assert constants == []  # no bare NaN / Infinity tokens
    assert data["simulations"][0]["checks"][0]["observed"] is None
    assert data["simulations"][0]["conversations"][0]["metrics"]["Empathy"]["value"] is None


def test_layout_is_indent_two_with_one_line_metrics() -> None:
    """Without conversations the text is exactly json.dumps(indent=2); metrics sit on one line."""
    verdict = Verdict((make_simulation("S", (make_result(EMPATHY, Outcome.PASS, 8.0),)),))
    text = render_json(verdict, run_info())
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"
    with_conversations = render_json(failing_verdict(), run_info())
    line = next(x for x in with_conversations.splitlines() if '"Empathy": {' in x)
    assert line.strip().startswith('"Empathy": {"value": 4.0, "raw": "4"')
    assert line.rstrip().endswith('"reasoning": "Reasoning for result 9000."},')


def test_key_order_is_deterministic() -> None:
    """Rendering the same verdict twice gives the same bytes."""
    assert render_json(failing_verdict(), run_info()) == render_json(failing_verdict(), run_info())


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=60))
def test_any_text_round_trips_and_encodes(text: str) -> None:
    """Hypothesis: any string (lone surrogates too) is valid UTF-8 in the file and loads back."""
    conv = make_conversation(
        text,
        status=text,
        metrics={text: MetricValue(text, text, text, "enum", reasoning=text)},
    )
    sim = make_simulation(
        text, (make_result(EMPATHY, Outcome.PASS, 8.0, message=text),), conversations=(conv,)
    )
    rendered = render_json(Verdict((sim,)), run_info(spec_path=text))
    rendered.encode("utf-8")  # never raises
    data = json.loads(rendered)
    assert data["spec"] == text
    assert data["simulations"][0]["label"] == text
    conversation = data["simulations"][0]["conversations"][0]
    assert conversation["result_id"] == text
    assert conversation["metrics"][text]["reasoning"] == text


def test_identity_shard_and_what_is_judged_again() -> None:
    """Schema 2: the spec and agent hashes, the shard, the runs' counters, the orchestrator's
    errors, unseen conversations and a reused simulation's origin are written."""
    from bluejay_gate.model.results import RunSummary
    from bluejay_gate.model.shards import Shard

    sim = make_simulation("S", (make_result(EMPATHY, Outcome.PASS, 8.0),))
    sim = dataclasses.replace(
        sim,
        runs=(RunSummary("77", "COMPLETED", 10, 8),),
        run_errors=("timed out with run 78 at 1/2 conversations final",),
        unseen={"77": 1},
        reused_from="old/bluejay-report.json",
    )
    data = report(
        Verdict((sim,)),
        spec_sha256="ab" * 32,
        agent_external_id="support-bot",
        agent_fields_sha256="cd" * 32,
        shard=Shard(2, 3, ("simulation:4821",)),
    )
    assert data["spec_sha256"] == "ab" * 32
    assert data["agent"]["external_id"] == "support-bot"
    assert data["agent"]["fields_sha256"] == "cd" * 32
    assert data["shard"] == {"index": 2, "count": 3, "units": ["simulation:4821"]}
    (entry,) = data["simulations"]
    assert entry["runs"] == [
        {"id": "77", "status": "COMPLETED", "total_tests": 10, "tests_passed": 8}
    ]
    assert entry["run_errors"] == ["timed out with run 78 at 1/2 conversations final"]
    assert entry["unseen"] == {"77": 1}
    assert entry["reused_from"] == "old/bluejay-report.json"
