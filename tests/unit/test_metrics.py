"""Metric extraction: value forms, N/A forms, legacy shapes, built-ins, never spoke, links."""

from __future__ import annotations

from typing import Any

import pytest

from bluejay_gate.bluejay.models import SimulationResult
from bluejay_gate.bluejay.results import extract, has_custom_metrics, never_spoke, read
from bluejay_gate.model.links import DASHBOARD, result_url, run_url
from bluejay_gate.model.metric_names import BUILTIN_BOOLEAN, BUILTIN_NUMBER, RUN_LEVEL
from bluejay_gate.model.value_words import parse_value
from bluejay_gate.model.values import kind_of, metric_value


def entry(name: str, value: Any, response_type: str = "pass_fail", **extra: Any) -> dict[str, Any]:
    """A custom metric entry shaped like the OpenAPI ``CustomMetric``."""
    return {
        "name": name,
        "description": f"{name} as judged by the evaluator",
        "response_type": response_type,
        "response_value": value,
        "reasoning": f"because of {name}",
        "min_value": None,
        "max_value": None,
        "enum_options": None,
        **extra,
    }


def evaluation(
    metrics: list[dict[str, Any]] | None = None, created_at: str | None = None, **fields: Any
) -> dict[str, Any]:
    """An ``Evaluation`` object with realistic built-in fields."""
    body: dict[str, Any] = {
        "id": "3f7c2a1e-eval",
        "hallucination": False,
        "hallucination_reasoning": "stayed on facts",
        "redundancy": False,
        "agent_speak_percentage": 41.5,
        "avg_agent_latency": 812.0,
        "latency": {
            "avg_agent_latency": 812.0,
            "max_agent_latency": 2100.0,
            "p50_agent_latency": 700.0,
            "p90_agent_latency": 1400.0,
            "p95_agent_latency": 1650.0,
            "p99_agent_latency": 2050.0,
        },
        "num_turns": 14,
        "call_summary": "Customer asked for a refund.",
        "custom_evals_success_rate": 0.75,
        "goal_success": True,
        "goal_reasoning": "refund issued",
        "pronunciation_score": 9.1,
        "sentiment_label": "positive",
        "sentiment_score": 0.62,
        "custom_metrics": metrics if metrics is not None else [],
    }
    if created_at is not None:
        body["created_at"] = created_at
    body.update(fields)
    return body


def result(evaluations: list[dict[str, Any]] | None = None, **fields: Any) -> SimulationResult:
    """A ``SimulationResultResponse`` as ``retrieve-simulation-results`` returns it."""
    body: dict[str, Any] = {
        "id": 9001,
        "digital_human_id": 12,
        "result": {"ended_reason": "customer-hung-up"},
        "duration": 61234,
        "start_time": "2026-04-01T12:00:00Z",
        "end_time": "2026-04-01T12:01:01Z",
        "custom_metrics": None,
        "status": "COMPLETED",
        "latency": None,
        "events": [],
        "transcript_url": "https://cdn.example/t/9001.json",
        "audio_url": "https://cdn.example/a/9001.wav",
        "evaluations": evaluations,
        "tool_calls": None,
    }
    body.update(fields)
    return SimulationResult.model_validate(body)


# --- parse_value -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "response_type", "expected"),
    [
        ("pass", "pass_fail", True),
        (" PASS ", "pass_fail", True),
        ("Fail", "pass_fail", False),
        ("true", "pass_fail", True),
        ("1", "pass_fail", True),
        ("0", "pass_fail", False),
        ("1.0", "pass_fail", True),
        (True, "pass_fail", True),
        (0, "pass_fail", False),
        ("Yes", "yes_no", True),
        ("no", "yes_no", False),
        ("TRUE", "tool_call", True),
        ("false", "tool_call", False),
        ("7", "quantitative", 7.0),
        (" 7.5 ", "quantitative", 7.5),
        (8, "quantitative", 8.0),
        (-2.25, "Quantitative", -2.25),
        (" Resolved ", "enum", "Resolved"),
        (3, "enum", "3"),
        ("Polite and clear.", "qualitative", "Polite and clear."),
        ({"b": 2, "a": 1}, "json", '{"a": 1, "b": 2}'),
        ('{"a": 1}', "json", '{"a": 1}'),
        ("yes", "", True),
        ("FAIL", "mystery_type", False),
        ("42", "", 42.0),
        (4.5, "", 4.5),
        ("escalated", "mystery_type", "escalated"),
    ],
)
def test_parse_value_forms(raw: object, response_type: str, expected: object) -> None:
    """Each response_type turns its documented value forms into bool, float or string."""
    value, applicable = parse_value(raw, response_type)
    assert applicable is True
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("raw", ["Not Applicable", "N/A", "n/a", " not_applicable ", None])
@pytest.mark.parametrize("response_type", ["pass_fail", "quantitative", "enum", "", "json"])
def test_not_applicable_forms(raw: object, response_type: str) -> None:
    """Every N/A spelling and null is not applicable, whatever the response type."""
    assert parse_value(raw, response_type) == (None, False)


@pytest.mark.parametrize(
    ("raw", "response_type", "fragment"),
    [
        ("maybe", "pass_fail", "'maybe' is not a boolean"),
        (0.5, "yes_no", "0.5 is not a boolean"),
        ("seven", "quantitative", "'seven' is not a number"),
        (True, "quantitative", "True is a boolean, not a number"),
        ("nan", "quantitative", "not a finite number"),
        ("", "pass_fail", "the value is empty"),
        ("  ", "", "the value is empty"),
        ({"a": 1}, "enum", "is not an enum value"),
    ],
)
def test_unreadable_values_raise(raw: object, response_type: str, fragment: str) -> None:
    """A value its response type cannot hold raises ValueError saying what it is."""
    with pytest.raises(ValueError, match=None) as info:
        parse_value(raw, response_type)
    assert fragment in str(info.value)


# --- custom metrics ----------------------------------------------------------------------


def test_custom_metrics_from_evaluation() -> None:
    """Entries of the evaluation's custom_metrics become typed, named values with reasoning."""
    metrics = extract(
        result(
            [
                evaluation(
                    [
                        entry("Greeting compliance", "PASS"),
                        entry("Empathy", "8", "quantitative", min_value=0, max_value=10),
                        entry("Resolution", "Resolved", "enum", enum_options=["Resolved"]),
                        entry("Tone", "Warm and patient", "qualitative"),
                    ],
                    created_at="2026-04-01T12:02:00Z",
                )
            ]
        )
    )
    assert metrics["Greeting compliance"].value is True
    assert metrics["Greeting compliance"].raw == "PASS"
    assert metrics["Greeting compliance"].reasoning == "because of Greeting compliance"
    assert metrics["Empathy"].value == 8.0
    assert metrics["Empathy"].response_type == "quantitative"
    assert metrics["Resolution"].value == "Resolved"
    assert metrics["Tone"].value == "Warm and patient"
    assert kind_of(metrics["Tone"]) == "raw"
    assert kind_of(metrics["Empathy"]) == "number"


def test_metric_name_and_not_applicable_flag() -> None:
    """``metric_name`` names an entry; ``is_not_applicable`` (bool or string) makes it N/A."""
    legacy = {"metric_name": "Refund policy followed", "response_type": "pass_fail"}
    metrics = extract(
        result(
            [
                evaluation(
                    [
                        {**legacy, "response_value": "fail"},
                        entry("Upsell", "pass", is_not_applicable=True),
                        entry("Escalation", "yes", "yes_no", is_not_applicable="true"),
                        entry("Hold time", "Not Applicable", "quantitative"),
                    ]
                )
            ]
        )
    )
    assert metrics["Refund policy followed"].value is False
    assert metrics["Upsell"].applicable is False
    assert metrics["Upsell"].value is None
    assert metrics["Upsell"].raw == "pass"
    assert metrics["Escalation"].applicable is False
    assert metrics["Hold time"].applicable is False


def test_newest_evaluation_by_created_at() -> None:
    """The evaluation with the latest created_at wins, wherever it sits in the list."""
    newer = evaluation([entry("Empathy", "9", "quantitative")], created_at="2026-04-02T08:00:00Z")
    older = evaluation([entry("Empathy", "3", "quantitative")], created_at="2026-04-01T08:00:00Z")
    assert extract(result([newer, older]))["Empathy"].value == 9.0
    assert extract(result([older, newer]))["Empathy"].value == 9.0


def test_newest_evaluation_without_created_at_is_the_last() -> None:
    """Without created_at the last evaluation in the list is the newest."""
    first = evaluation([entry("Empathy", "3", "quantitative")], goal_success=False)
    last = evaluation([entry("Empathy", "6", "quantitative")], goal_success=True)
    metrics = extract(result([first, last]))
    assert metrics["Empathy"].value == 6.0
    assert metrics["goal_success"].value is True


def test_mixed_dated_and_undated_evaluations_cannot_tell_the_newest() -> None:
    """Some evaluations with a readable created_at, others without: the newest cannot be
    told, so every metric of the result is malformed, whichever order the list has.
    (Old behaviour: the dated one was taken as the newest.)"""
    dated = evaluation([entry("Empathy", "5", "quantitative")], created_at="2026-04-01T08:00:00")
    undated = evaluation([entry("Empathy", "1", "quantitative")], created_at="not a date")
    for order in ([dated, undated], [undated, dated]):
        found = read(result(order))
        assert found.has_custom is True
        assert found.never_spoke is False
        empathy = found.metrics["Empathy"]
        assert empathy.value is None
        assert empathy.applicable is True
        assert empathy.error == (
            "1 of its 2 evaluations have no readable created_at, so the newest evaluation "
            "cannot be told"
        )
        assert found.metrics["goal_success"].error == empathy.error
        assert found.metrics["duration"].error is None  # the result's own field


def test_undated_evaluations_are_ordered_by_position() -> None:
    """Only when no evaluation has a readable time does list position decide."""
    first = evaluation([entry("Empathy", "3", "quantitative")], created_at="soon")
    last = evaluation([entry("Empathy", "6", "quantitative")], created_at=None)
    assert extract(result([first, last]))["Empathy"].value == 6.0
    assert extract(result([last, first]))["Empathy"].value == 3.0


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("2026-01-02T03:04:05Z", "2026-01-02t03:04:06z"),
        ("2026-01-02T03:04:05.100Z", "2026-01-02T03:04:05.2z"),
        ("2026-01-02T05:04:05+02:00", "2026-01-02T03:04:06Z"),  # 03:04:05 UTC
        ("2026-01-02T03:04:05z", "2026-01-02T01:04:06-02:00"),  # 03:04:06 UTC
        ("2026-01-02 03:04:05Z", "2026-01-02T03:04:05.000001+00:00"),
    ],
)
def test_newest_by_rfc3339_time_in_any_case_and_offset(older: str, newer: str) -> None:
    """created_at in any letter case, with offsets and fractional seconds, orders the
    evaluations; list position never does."""
    old = evaluation([entry("Empathy", "3", "quantitative")], created_at=older)
    new = evaluation([entry("Empathy", "9", "quantitative")], created_at=newer)
    assert extract(result([new, old]))["Empathy"].value == 9.0
    assert extract(result([old, new]))["Empathy"].value == 9.0


def test_tied_newest_with_different_metrics_cannot_be_told() -> None:
    """Two evaluations at the same newest time that disagree: no newest, never list order."""
    a = evaluation([entry("Empathy", "7", "quantitative")], created_at="2026-04-02T08:00:00Z")
    b = evaluation([entry("Empathy", "3", "quantitative")], created_at="2026-04-02t10:00:00+02:00")
    old = evaluation([entry("Empathy", "5", "quantitative")], created_at="2026-04-01T08:00:00Z")
    for order in ([a, b, old], [b, old, a]):
        empathy = extract(result(order))["Empathy"]
        assert empathy.value is None
        assert empathy.error is not None
        assert "2 evaluations share the newest created_at" in empathy.error
        assert "differ on 'Empathy'" in empathy.error


def test_tied_identical_evaluations_are_one_answer() -> None:
    """Identical copies at the same time are harmless."""
    when = "2026-04-02T08:00:00Z"
    a = evaluation([entry("Empathy", "7", "quantitative")], created_at=when)
    b = evaluation([entry("Empathy", "7", "quantitative")], created_at=when)
    assert extract(result([a, b]))["Empathy"].value == 7.0


def test_newest_evaluation_without_metrics_lacks_them() -> None:
    """A newer evaluation that carries no custom metrics: the result lacks custom metrics
    (the poller re-reads it); an older evaluation's values are never used, nor the legacy
    copy. (Old behaviour: it fell back to the older evaluation.)"""
    older = evaluation([entry("Empathy", "4", "quantitative")], created_at="2026-04-01T08:00:00Z")
    newer = evaluation([], created_at="2026-04-02T08:00:00Z", goal_success=False)
    for order in ([older, newer], [newer, older]):
        res = result(order, custom_metrics=[entry("Empathy", "2", "quantitative")])
        found = read(res)
        assert "Empathy" not in found.metrics
        assert found.has_custom is False
        assert has_custom_metrics(res) is False
        assert found.metrics["goal_success"].value is False


def test_custom_evals_only_from_the_newest_evaluation() -> None:
    """custom_evals of an older evaluation are never read."""
    older = evaluation(
        [], created_at="2026-04-01T08:00:00Z", custom_evals=[entry("Closing", "yes", "yes_no")]
    )
    newer = evaluation([], created_at="2026-04-02T08:00:00Z")
    assert "Closing" not in extract(result([older, newer]))
    assert extract(result([newer, older]))["goal_success"].value is True


def test_legacy_top_level_list() -> None:
    """Older payloads: a top-level list of entries, used when evaluations carry none."""
    metrics = extract(result(None, custom_metrics=[entry("Greeting compliance", "fail")]))
    assert metrics["Greeting compliance"].value is False
    assert "goal_success" not in metrics


def test_legacy_dict_of_entries_and_bare_values() -> None:
    """A top-level dict keyed by name holds entries or bare values (type inferred)."""
    metrics = extract(
        result(
            [evaluation([])],
            custom_metrics={
                "Empathy": {"response_type": "quantitative", "response_value": "7"},
                "Greeting compliance": "pass",
                "Hold time": 35,
                "Resolution": "escalated",
                "Upsell": None,
            },
        )
    )
    assert metrics["Empathy"].value == 7.0
    assert metrics["Greeting compliance"].value is True
    assert metrics["Hold time"].value == 35.0
    assert metrics["Resolution"].value == "escalated"
    assert metrics["Upsell"].applicable is False


def test_evaluation_copy_preferred_over_top_level() -> None:
    """When both carry a metric, the evaluation's copy is used."""
    metrics = extract(
        result(
            [evaluation([entry("Greeting compliance", "pass")])],
            custom_metrics=[entry("Greeting compliance", "fail")],
        )
    )
    assert metrics["Greeting compliance"].value is True


def test_custom_evals_as_last_resort() -> None:
    """Entries in the evaluation's custom_evals are read when nothing else carries metrics."""
    metrics = extract(result([evaluation([], custom_evals=[entry("Closing", "yes", "yes_no")])]))
    assert metrics["Closing"].value is True


def test_malformed_entry_is_kept_with_its_error() -> None:
    """An unreadable value stays in the metrics, applicable, with the reason in ``error``."""
    metrics = extract(result([evaluation([entry("Greeting compliance", "maybe")])]))
    value = metrics["Greeting compliance"]
    assert value.applicable is True
    assert value.value is None
    assert value.raw == "maybe"
    assert value.error is not None
    assert "'maybe' is not a boolean" in value.error


def test_numbers_and_bools_accepted_as_response_value() -> None:
    """Numbers and booleans in response_value are read and shown as text."""
    metrics = extract(
        result(
            [evaluation([entry("Empathy", 7, "quantitative"), entry("Greeting", True, "yes_no")])]
        )
    )
    assert metrics["Empathy"].value == 7.0
    assert metrics["Empathy"].raw == "7"
    assert metrics["Greeting"].value is True
    assert metrics["Greeting"].raw == "true"


def test_entries_without_a_name_are_skipped() -> None:
    """A list entry with no name or metric_name is ignored rather than invented."""
    metrics = extract(
        result([evaluation([{"response_type": "pass_fail", "response_value": "pass"}])])
    )
    assert not has_custom_metrics(result([evaluation([{"response_value": "pass"}])]))
    assert set(metrics) >= {"goal_success", "duration"}


def test_custom_metric_overrides_builtin_of_same_name() -> None:
    """A user metric named like a built-in field wins over the built-in."""
    metrics = extract(result([evaluation([entry("goal_success", "fail")], goal_success=True)]))
    assert metrics["goal_success"].value is False
    assert metrics["goal_success"].response_type == "pass_fail"


# --- built-ins -------------------------------------------------------------------------


def test_builtin_fields() -> None:
    """Built-in booleans and numbers come from the newest evaluation, duration from the result."""
    metrics = extract(result([evaluation()]))
    assert metrics["goal_success"].value is True
    assert metrics["goal_success"].reasoning == "refund issued"
    assert metrics["goal_success"].response_type == "builtin_bool"
    assert metrics["hallucination"].value is False
    assert metrics["redundancy"].value is False
    assert metrics["avg_agent_latency"].value == 812.0
    assert metrics["latency.p95_agent_latency"].value == 1650.0
    assert metrics["latency.max_agent_latency"].value == 2100.0
    assert metrics["num_turns"].value == 14.0
    assert metrics["sentiment_score"].value == 0.62
    assert metrics["pronunciation_score"].value == 9.1
    assert metrics["agent_speak_percentage"].value == 41.5
    assert metrics["custom_evals_success_rate"].value == 0.75
    assert metrics["sentiment_label"].value == "positive"
    assert metrics["duration"].value == 61234.0
    assert metrics["duration"].response_type == "builtin_number"
    assert set(BUILTIN_BOOLEAN) <= set(metrics)
    expected_numbers = {n for n in BUILTIN_NUMBER if not n.startswith("filler_ignored")}
    assert expected_numbers <= set(metrics)
    assert RUN_LEVEL == ("score",)


def test_builtin_null_is_not_applicable_and_absent_is_missing() -> None:
    """A null built-in is N/A; a field the evaluation lacks is not a metric at all."""
    body = evaluation(hallucination=None)
    del body["redundancy"]
    metrics = extract(result([body], duration=None))
    assert metrics["hallucination"].applicable is False
    assert "redundancy" not in metrics
    assert metrics["duration"].applicable is False


def test_filler_ignored_latency() -> None:
    """filler_ignored_latency.* are read from the nested object."""
    metrics = extract(
        result([evaluation(filler_ignored_latency={"p95_filler_ignored_latency": 900})])
    )
    assert metrics["filler_ignored_latency.p95_filler_ignored_latency"].value == 900.0


def test_result_level_latency_dict_fallback() -> None:
    """Old payloads: the result's top-level latency dict, when the evaluation has none."""
    body = evaluation(latency=None)
    del body["avg_agent_latency"]
    metrics = extract(result([body], latency={"p95_agent_latency": 1200, "avg_agent_latency": 640}))
    assert metrics["latency.p95_agent_latency"].value == 1200.0
    assert metrics["avg_agent_latency"].value == 640.0


def test_result_level_latency_list_fallbacks() -> None:
    """A latency list of dicts is merged; a list of per-turn numbers is summarised."""
    dicts = extract(result(None, latency=[{"p90_agent_latency": 1000}, {"p99_agent_latency": 3}]))
    assert dicts["latency.p90_agent_latency"].value == 1000.0
    assert dicts["latency.p99_agent_latency"].value == 3.0
    turns = extract(result(None, latency=[500, 100, 300, 200, 400]))
    assert turns["latency.avg_agent_latency"].value == 300.0
    assert turns["latency.max_agent_latency"].value == 500.0
    assert turns["latency.p50_agent_latency"].value == 300.0
    assert turns["latency.p90_agent_latency"].value == 500.0


def test_malformed_builtin_number() -> None:
    """A built-in number that is not a number is malformed, not silently dropped."""
    metrics = extract(result([evaluation(num_turns="many")]))
    assert metrics["num_turns"].error == "'many' is not a number"


# --- has_custom_metrics / never_spoke --------------------------------------------------


def test_has_custom_metrics() -> None:
    """True for any accepted shape, False for an evaluation with built-ins only."""
    assert has_custom_metrics(result([evaluation([entry("Empathy", "3", "quantitative")])]))
    assert has_custom_metrics(result(None, custom_metrics={"Empathy": 3}))
    assert not has_custom_metrics(result([evaluation([])]))
    assert not has_custom_metrics(result(None, custom_metrics={}))
    assert not has_custom_metrics(result(None))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"num_turns": 1}, True),
        ({"num_turns": 0}, True),
        ({"num_turns": 2}, False),
        ({"num_turns": "1"}, True),
        ({"agent_speak_percentage": 0}, True),
        ({"agent_speak_percentage": 0.0}, True),
        ({"agent_speak_percentage": 3.5}, False),
        ({"num_turns": None, "agent_speak_percentage": None}, False),
        ({"num_turns": "lots"}, False),
    ],
)
def test_never_spoke(fields: dict[str, Any], expected: bool) -> None:
    """num_turns <= 1 or agent_speak_percentage 0 (when present) means the agent never spoke."""
    assert never_spoke(result([evaluation(**fields)])) is expected


def test_never_spoke_without_evaluation() -> None:
    """Without an evaluation there is no evidence either way: not 'never spoke'."""
    assert never_spoke(result(None)) is False
    assert never_spoke(result([])) is False


def test_never_spoke_uses_newest_evaluation() -> None:
    """Only the newest evaluation's speaking figures count."""
    old = evaluation(num_turns=1, created_at="2026-04-01T08:00:00Z")
    new = evaluation(num_turns=9, created_at="2026-04-02T08:00:00Z")
    assert never_spoke(result([new, old])) is False


# --- links -----------------------------------------------------------------------------


def test_links() -> None:
    """Dashboard links follow the run / result URL shape and quote odd ids."""
    assert DASHBOARD == "https://app.getbluejay.ai"
    assert run_url("4821", "77") == "https://app.getbluejay.ai/simulations/4821/runs/77"
    assert (
        result_url("4821", "77", "9001")
        == "https://app.getbluejay.ai/simulations/4821/runs/77?result=9001"
    )
    assert run_url("a/b", "7 7") == "https://app.getbluejay.ai/simulations/a%2Fb/runs/7%207"


def test_read_agrees_with_the_single_purpose_functions() -> None:
    """read() returns what extract, has_custom_metrics and never_spoke return one by one."""
    for res in (
        result([evaluation([entry("Empathy", "7", "quantitative")], num_turns=1)]),
        result(None, custom_metrics=[entry("Greeting", "pass")]),
        result([evaluation([])]),
    ):
        found = read(res)
        assert found.metrics == extract(res)
        assert found.has_custom is has_custom_metrics(res)
        assert found.never_spoke is never_spoke(res)


def test_equal_values_are_shared_and_unequal_kept_apart() -> None:
    """Equal inputs give equal values; an int 1 and a string '1' of unknown type both read 1.0,
    while a boolean True stays a boolean."""
    assert metric_value("m", "pass", "pass_fail") == metric_value("m", "pass", "pass_fail")
    assert metric_value("m", 1, "").value == 1.0
    assert metric_value("m", "1", "").value == 1.0
    assert metric_value("m", True, "").value is True
    assert metric_value("m", {"k": [1]}, "").value == '{"k": [1]}'


# --- conflicts, exact names, declared domains ---------------------------------------------


def test_conflicting_duplicate_is_malformed_naming_both_values() -> None:
    """One metric twice in one evaluation with different values: malformed, whichever
    comes first; the message names the metric and both values."""
    seven = entry("Empathy", "7", "quantitative")
    three = entry("Empathy", "3", "quantitative")
    for order in ([seven, three], [three, seven]):
        value = extract(result([evaluation(order)]))["Empathy"]
        assert value.value is None
        assert value.applicable is True
        assert value.error is not None
        assert "'Empathy' is given twice in one evaluation with different values" in value.error
        assert "'7'" in value.error
        assert "'3'" in value.error


@pytest.mark.parametrize(
    ("second", "fragment"),
    [
        ({"is_not_applicable": True}, "'7' (not applicable)"),
        ({"response_type": "enum"}, "'7' (enum)"),
        ({"max_value": 5}, "range 0..5"),
    ],
)
def test_conflict_in_flag_type_or_domain(second: dict[str, Any], fragment: str) -> None:
    """Same raw value but a different N/A flag, response_type or domain is a conflict too."""
    first = entry("Empathy", "7", "quantitative", min_value=0, max_value=10)
    other = {**first, **second}
    value = extract(result([evaluation([first, other])]))["Empathy"]
    assert value.error is not None
    assert fragment in value.error


def test_identical_duplicates_are_one_value() -> None:
    """The same entry twice (even with different reasoning) is harmless."""
    a = entry("Empathy", "7", "quantitative")
    b = {**a, "reasoning": "said twice"}
    value = extract(result([evaluation([a, b, a])]))["Empathy"]
    assert value.error is None
    assert value.value == 7.0


def test_conflict_in_legacy_list_and_metric_name() -> None:
    """The legacy top-level list: ``name`` and ``metric_name`` naming one metric twice."""
    legacy = [
        {"metric_name": "Greeting", "response_type": "pass_fail", "response_value": "pass"},
        {"name": "Greeting", "response_type": "pass_fail", "response_value": "fail"},
    ]
    value = extract(result(None, custom_metrics=legacy))["Greeting"]
    assert value.error == (
        "'Greeting' is given twice in the result's custom_metrics with different values "
        "('pass' and 'fail'); the value to judge cannot be told"
    )


def test_names_are_exact_not_stripped() -> None:
    """Names are kept exactly as sent (list names and dict keys); blank ones are skipped."""
    metrics = extract(
        result(
            [
                evaluation(
                    [
                        entry("Empathy ", "7", "quantitative"),
                        entry("   ", "pass"),
                        entry("", "pass", metric_name=" Tone"),
                    ]
                )
            ]
        )
    )
    assert "Empathy " in metrics
    assert "Empathy" not in metrics
    assert " Tone" in metrics
    assert "   " not in metrics
    legacy = extract(result(None, custom_metrics={" Greeting": "pass", "  ": "fail"}))
    assert set(legacy) >= {" Greeting"}
    assert "Greeting" not in legacy
    assert "  " not in legacy


def test_enum_value_outside_its_options_is_malformed() -> None:
    """An enum value not among enum_options (case-insensitive) is malformed."""
    opts = {"enum_options": ["resolved", "escalated"]}
    metrics = extract(
        result(
            [
                evaluation(
                    [
                        entry("Resolution", "RESOLVED ", "enum", **opts),
                        entry("Outcome", "maybe", "enum", **opts),
                    ]
                )
            ]
        )
    )
    assert metrics["Resolution"].value == "RESOLVED"
    assert metrics["Resolution"].options == ("resolved", "escalated")
    assert metrics["Outcome"].error == (
        "'maybe' is not one of the declared enum_options ('resolved', 'escalated')"
    )


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("10", None),
        ("0", None),
        ("10.0000000000000001", "'10.0000000000000001' is outside the declared range 0..10"),
        ("11", "'11' is outside the declared range 0..10"),
        (-1, "'-1' is outside the declared range 0..10"),
        ("1e308", "'1e308' is outside the declared range 0..10"),
    ],
)
def test_number_outside_its_range_is_malformed(raw: object, error: str | None) -> None:
    """A number outside min_value..max_value is malformed, compared exactly."""
    value = metric_value("Empathy", raw, "quantitative", min_value=0.0, max_value=10.0)
    if error is None:
        assert value.error is None
        assert value.max_value == 10.0
    else:
        assert value.error == f"{error} (min_value..max_value)"


def test_one_sided_range() -> None:
    """Only max_value declared: anything up to it is fine."""
    assert metric_value("m", "-50", "quantitative", max_value=10.0).error is None
    assert metric_value("m", "12", "quantitative", max_value=10.0).error == (
        "'12' is outside the declared range ..10 (min_value..max_value)"
    )


@pytest.mark.parametrize("raw", ["NA", "na", " Na "])
@pytest.mark.parametrize("response_type", ["pass_fail", "quantitative", "", "enum", "yes_no"])
def test_na_is_not_applicable(raw: str, response_type: str) -> None:
    """NA (any case) is not applicable on booleans, numbers, unknown types and on an enum
    that does not have NA among its options."""
    value = metric_value("m", raw, response_type, options=("yes", "no"))
    assert value.applicable is False
    assert value.error is None


def test_na_is_an_enum_option_when_declared() -> None:
    """On an enum whose options include NA, NA is that option."""
    value = metric_value("Region", "na", "enum", options=("EU", "NA", "APAC"))
    assert value.applicable is True
    assert value.value == "na"
    assert value.error is None
    declared = extract(
        result([evaluation([entry("Region", "NA", "enum", enum_options=["EU", "NA"])])])
    )
    assert declared["Region"].value == "NA"


def test_domain_is_part_of_the_interning_key() -> None:
    """The same raw value with different declared domains gives different values."""
    inside = metric_value("m", "8", "quantitative", max_value=10.0)
    outside = metric_value("m", "8", "quantitative", max_value=5.0)
    assert inside.error is None
    assert outside.error is not None
    assert metric_value("m", "8", "quantitative", max_value=10.0) is inside


def test_exact_decimal_is_read_once_from_the_text() -> None:
    """Numbers sent as text carry their exact decimal, one shared object per text; a JSON
    number's float is exact already (the aggregate reads its repr), so none is kept."""
    from decimal import Decimal

    seven = metric_value("m", " 0.7 ", "quantitative", reasoning="a")
    assert seven.exact == Decimal("0.7")
    assert metric_value("m", "0.7", "quantitative", reasoning="b").exact is seven.exact
    assert metric_value("m", "0.30000000000000001", "").exact == Decimal("0.30000000000000001")
    assert metric_value("m", 0.1, "quantitative").exact is None
    assert metric_value("m", 2**60 + 1, "quantitative").exact == Decimal(2**60 + 1)
    assert metric_value("m", "pass", "pass_fail").exact is None


def test_huge_integer_is_unreadable_not_a_crash() -> None:
    """A JSON integer with 400 digits cannot be a float: malformed, no OverflowError."""
    value = metric_value("m", 10**400, "quantitative")
    assert value.error is not None
    assert "is not a finite number" in value.error
