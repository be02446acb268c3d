"""The pure evaluator: checks + runs + results -> Verdict, messages and exit codes."""

from __future__ import annotations

from typing import Any

import pytest

from bluejay_gate.bluejay.models import SimulationResult
from bluejay_gate.spec.thresholds import Check, Op
from bluejay_gate.verdict.evaluate import evaluate, evaluate_simulation
from bluejay_gate.verdict.model import Outcome, SimulationVerdict, Verdict
from bluejay_gate.verdict.stability import result_sort_key
from tests.helpers.evaluation import check, result, run, sim


def greetings(*values: str) -> list[SimulationResult]:
    """Results 101, 102, ... each with one pass_fail 'Greeting compliance' value."""
    return [
        result(101 + i, {"Greeting compliance": (v, "pass_fail")}) for i, v in enumerate(values)
    ]


def one(
    checks: list[Check], results: list[SimulationResult], allow: float = 0.0, **extra: Any
) -> SimulationVerdict:
    """Evaluate one simulation."""
    return evaluate_simulation(sim(checks, results, **extra), allow_incomplete=allow)


# --- pass / fail / messages ------------------------------------------------------------


def test_pass_with_message_and_counts() -> None:
    """A rate check that holds passes with the documented one-line message."""
    results = greetings(*(["pass"] * 18), "fail", "N/A")
    verdict = one([check("Greeting compliance", "pass_rate >= 90%")], results)
    c = verdict.checks[0]
    assert c.outcome is Outcome.PASS
    assert c.observed == pytest.approx(18 / 19)
    assert c.samples == 19
    assert c.not_applicable == 1
    assert c.message == (
        "observed 94.74% (18/19) over 19 conversations (1 not applicable), needs >= 90%"
    )
    assert c.worst == ()
    assert verdict.outcome is Outcome.PASS
    assert verdict.total == 20
    assert verdict.completed == 20
    assert verdict.errors == ()


def test_fail_with_worst_conversations() -> None:
    """A failing rate check names up to five failing conversations, in id order."""
    results = greetings(*(["pass"] * 14), *(["fail"] * 6), "N/A", "n/a", "Not Applicable")
    verdict = one([check("Greeting compliance", "pass_rate >= 90%")], results)
    c = verdict.checks[0]
    assert c.outcome is Outcome.FAIL
    assert c.message == (
        "observed 70.0% (14/20) over 20 conversations (3 not applicable), needs >= 90%"
    )
    assert c.worst == ("115", "116", "117", "118", "119")
    assert verdict.outcome is Outcome.FAIL
    assert Verdict((verdict,)).exit_code == 1


def test_numeric_message_without_percent() -> None:
    """Numbers are shown plainly; the worst are the lowest values below the threshold."""
    results = [result(i, {"Empathy": (v, "quantitative")}) for i, v in enumerate("8639", 1)]
    c = one([check("Empathy", "mean >= 7")], results).checks[0]
    assert c.outcome is Outcome.FAIL
    assert c.observed == pytest.approx(6.5)
    assert c.message == "observed 6.5 over 4 conversations, needs >= 7"
    assert c.worst == ("3", "2")


@pytest.mark.parametrize(
    ("op", "threshold", "passes"),
    [
        (Op.GE, 6.0, True),
        (Op.GE, 6.5, False),
        (Op.GT, 5.9, True),
        (Op.GT, 6.0, False),
        (Op.LE, 6.0, True),
        (Op.LE, 5.5, False),
        (Op.LT, 6.5, True),
        (Op.LT, 6.0, False),
        (Op.EQ, 6.0, True),
        (Op.EQ, 6.1, False),
        (Op.NE, 6.1, True),
        (Op.NE, 6.0, False),
    ],
)
def test_every_operator(op: Op, threshold: float, passes: bool) -> None:
    """Each operator compares the observed mean (6) with its threshold."""
    results = [result(i, {"Empathy": (v, "quantitative")}) for i, v in enumerate("57", 1)]
    expression = f"mean {op.value} {threshold}"
    c = one([check("Empathy", expression)], results).checks[0]
    assert c.outcome is (Outcome.PASS if passes else Outcome.FAIL)
    assert c.observed == pytest.approx(6.0)


def test_builtin_metrics_are_checked() -> None:
    """Built-in booleans and nested latency fields feed checks like custom metrics."""
    results = [result(1, latency={"p95_agent_latency": 1200}), result(2, hallucination=True)]
    verdict = one(
        [
            check("goal_success", "pass_rate >= 80%"),
            check("hallucination", "rate <= 0%"),
            check("latency.p95_agent_latency", "max <= 1500"),
        ],
        results,
    )
    outcomes = [c.outcome for c in verdict.checks]
    assert outcomes == [Outcome.PASS, Outcome.FAIL, Outcome.NO_VERDICT]
    assert verdict.checks[1].worst == ("2",)
    assert "missing from 1 of 2 completed conversations (result 2)" in verdict.checks[2].message


def test_share_check() -> None:
    """share(VALUE) over enum values, case-insensitive, non-matching ones are the worst."""
    results = [
        result(i, {"Resolution": (v, "enum")})
        for i, v in enumerate(["resolved", "Resolved", "escalated", "RESOLVED"], 1)
    ]
    c = one([check("Resolution", "share(resolved) >= 80%")], results).checks[0]
    assert c.outcome is Outcome.FAIL
    assert c.message == "observed 75.0% (3/4) over 4 conversations, needs >= 80%"
    assert c.worst == ("3",)


# --- never-a-false-pass rules ----------------------------------------------------------


def test_missing_metric_suggests_closest_names() -> None:
    """A metric no conversation carries has no verdict; the message names the closest ones."""
    results = [result(1, {"Greeting compliance": ("pass", "pass_fail")})]
    c = one([check("greeting Compliance", "pass_rate >= 90%")], results).checks[0]
    assert c.outcome is Outcome.NO_VERDICT
    assert c.observed is None
    assert c.message == (
        "metric 'greeting Compliance' is in none of the 1 conversation of this simulation; "
        "did you mean 'Greeting compliance'? (names match exactly, including case and spaces)"
    )


def test_missing_metric_lists_names_when_nothing_is_close() -> None:
    """Without a close name, the message lists the metric names that exist."""
    metrics = {"zeta": ("7", "quantitative"), "Alpha": ("pass", "pass_fail"), "Mid": ("a", "enum")}
    results = [result(1, metrics)]
    c = one([check("Quux", "mean >= 1")], results).checks[0]
    assert c.outcome is Outcome.NO_VERDICT
    assert (
        "metrics present: Alpha, Mid, zeta, agent_speak_percentage, avg_agent_latency" in c.message
    )
    assert c.message.endswith(", ... (names match exactly, including case and spaces)")


def test_zero_applicable_samples_is_no_verdict() -> None:
    """A metric that is N/A everywhere is never a pass."""
    c = one([check("Greeting compliance", "pass_rate >= 90%")], greetings("N/A", "N/A"))
    assert c.checks[0].outcome is Outcome.NO_VERDICT
    assert "all 2 were not applicable" in c.checks[0].message
    assert c.outcome is Outcome.NO_VERDICT


def test_min_samples() -> None:
    """Fewer applicable samples than min_samples: no verdict that says n < min."""
    verdict = one(
        [check("Greeting compliance", "pass_rate >= 50%", min_samples=5)],
        greetings("pass", "pass", "pass", "N/A"),
    )
    c = verdict.checks[0]
    assert c.outcome is Outcome.NO_VERDICT
    assert c.observed is None
    assert c.measured == 1.0  # the reports still show the value
    assert c.samples == 3
    assert c.message == (
        "too few samples: n = 3 < min_samples 5 (observed 100.0% (3/3) over 3 conversations "
        "(1 not applicable), needs >= 50%); run more conversations or lower min_samples"
    )
    assert Verdict((verdict,)).exit_code == 3
    enough = one(
        [check("Greeting compliance", "pass_rate >= 50%", min_samples=3)],
        greetings("pass", "pass", "pass"),
    )
    assert enough.checks[0].outcome is Outcome.PASS


def test_qualitative_threshold_is_no_verdict() -> None:
    """A threshold on a qualitative metric cannot be decided."""
    results = [result(1, {"Tone": ("Warm", "qualitative")})]
    c = one([check("Tone", "count >= 1")], results).checks[0]
    assert c.outcome is Outcome.NO_VERDICT
    assert "'Tone' is a qualitative metric: free-text values cannot be aggregated" in c.message


def test_malformed_value_is_no_verdict() -> None:
    """An unreadable value names its result id and raw value; it is not dropped."""
    verdict = one([check("Greeting compliance", "pass_rate >= 50%")], greetings("pass", "maybe"))
    c = verdict.checks[0]
    assert c.outcome is Outcome.NO_VERDICT
    assert "result 102: 'maybe' is not a boolean" in c.message
    assert verdict.conversations[1].metrics["Greeting compliance"].raw == "maybe"


def test_type_mismatch_is_no_verdict() -> None:
    """mean over a pass_fail metric has no verdict and lists the supported aggregates."""
    c = one([check("Greeting compliance", "mean >= 0.5")], greetings("pass")).checks[0]
    assert c.outcome is Outcome.NO_VERDICT
    assert "use one of: rate/pass_rate, fail_rate, fail_count, count" in c.message


# --- completion: never spoke, unscored, allow_incomplete -------------------------------


def test_never_spoke_leaves_the_aggregate() -> None:
    """A COMPLETED conversation where the agent never spoke is not completed and not counted."""
    results = [
        *greetings("pass", "pass"),
        result(103, {"Greeting compliance": ("fail", "pass_fail")}, num_turns=1),
        result(104, {"Greeting compliance": ("fail", "pass_fail")}, speak=0.0),
    ]
    verdict = one([check("Greeting compliance", "pass_rate >= 100%")], results, allow=0.5)
    assert verdict.checks[0].outcome is Outcome.PASS
    assert verdict.checks[0].samples == 2
    assert (verdict.total, verdict.completed, verdict.not_completed) == (4, 2, 2)
    assert verdict.never_spoke == 2
    flags = [(c.completed, c.never_spoke) for c in verdict.conversations]
    assert flags == [(True, False), (True, False), (False, True), (False, True)]
    assert verdict.errors == ()
    assert verdict.outcome is Outcome.PASS


def _mixed_ten() -> list[SimulationResult]:
    return [
        *greetings(*(["pass"] * 7)),
        result(108, status="NO_ANSWER"),
        result(109, status="NO_ANSWER"),
        result(110, {"Greeting compliance": ("pass", "pass_fail")}, num_turns=0),
    ]


def test_allow_incomplete_exceeded() -> None:
    """More not-completed conversations than allowed: no verdict, with a breakdown."""
    verdict = one([check("Greeting compliance", "pass_rate >= 90%")], _mixed_ten(), allow=0.2)
    assert verdict.errors == (
        "3 of 10 conversations did not complete (30%, allowed 20%): 2 NO_ANSWER, "
        "1 agent never spoke",
    )
    assert verdict.checks[0].outcome is Outcome.PASS
    assert verdict.outcome is Outcome.NO_VERDICT
    assert Verdict((verdict,)).exit_code == 3


def test_allow_incomplete_boundary_is_inclusive() -> None:
    """Exactly the allowed share of not-completed conversations is fine."""
    verdict = one([check("Greeting compliance", "pass_rate >= 90%")], _mixed_ten(), allow=0.3)
    assert verdict.errors == ()
    assert verdict.outcome is Outcome.PASS
    assert Verdict((verdict,)).exit_code == 0


def test_default_allow_incomplete_zero() -> None:
    """With 0% allowed, a single unfinished conversation is no verdict (still in progress too)."""
    results = [*greetings("pass"), result(102, status="EVALUATING")]
    verdict = one([check("Greeting compliance", "pass_rate >= 90%")], results)
    assert verdict.errors == (
        "1 of 2 conversations did not complete (50%, allowed 0%): 1 still EVALUATING",
    )


def test_unscored_conversation_counts_as_not_completed() -> None:
    """A COMPLETED result without custom metrics, while others have them, is unscored."""
    results = [*greetings("pass", "pass"), result(103)]
    verdict = one([check("Greeting compliance", "pass_rate >= 100%")], results)
    assert verdict.conversations[2].unscored is True
    assert verdict.conversations[2].completed is False
    assert verdict.errors == (
        "1 of 3 conversations did not complete (33.3%, allowed 0%): 1 COMPLETED without metrics",
    )
    assert verdict.outcome is Outcome.NO_VERDICT


def test_builtin_only_simulation_is_not_unscored() -> None:
    """When no conversation has custom metrics, built-in checks still decide."""
    verdict = one([check("goal_success", "pass_rate >= 100%")], [result(1), result(2)])
    assert verdict.outcome is Outcome.PASS
    assert [c.unscored for c in verdict.conversations] == [False, False]


def test_no_conversations() -> None:
    """A run that produced no conversations has no verdict, and neither have its checks."""
    verdict = one([check("Greeting compliance", "pass_rate >= 90%")], [])
    assert verdict.errors == ("run 77 produced no conversations",)
    assert verdict.checks[0].outcome is Outcome.NO_VERDICT
    assert verdict.checks[0].message == "no conversations to evaluate"
    assert Verdict((verdict,)).exit_code == 3


def test_no_completed_conversations() -> None:
    """When every conversation failed to complete, checks say there are no samples."""
    results = [result(1, status="NO_ANSWER"), result(2, status="CALL_DROPPED")]
    verdict = one([check("goal_success", "pass_rate >= 90%")], results, allow=1.0)
    assert verdict.checks[0].message == (
        "none of the 2 conversations completed, so 'goal_success' has no samples"
    )
    assert verdict.outcome is Outcome.NO_VERDICT


def test_orchestrator_errors_and_insufficient_funds() -> None:
    """Orchestrator errors and an INSUFFICIENT_FUNDS run make the simulation undecided."""
    verdict = one(
        [check("goal_success", "pass_rate >= 50%")],
        [result(1)],
        runs=(run(status="INSUFFICIENT_FUNDS"),),
        errors=("timed out with run 77 at 1/10 conversations final",),
    )
    assert verdict.errors == (
        "timed out with run 77 at 1/10 conversations final",
        "run 77 ended INSUFFICIENT_FUNDS: add credit to the Bluejay organisation and re-run",
    )
    assert verdict.run_status == "INSUFFICIENT_FUNDS"
    assert verdict.outcome is Outcome.NO_VERDICT


def test_failure_beats_simulation_errors() -> None:
    """A failed error-severity check makes the simulation fail even when it is incomplete."""
    results = [*greetings("fail"), result(102, status="NO_ANSWER")]
    verdict = one([check("Greeting compliance", "pass_rate >= 90%")], results)
    assert verdict.errors
    assert verdict.outcome is Outcome.FAIL
    assert Verdict((verdict,)).exit_code == 1


# --- score -----------------------------------------------------------------------------


def test_score_from_run_counters() -> None:
    """score: value is tests_passed / total_tests × 100 from Bluejay's own counters."""
    verdict = one([check("score", "value >= 80")], greetings("pass"))
    c = verdict.checks[0]
    assert c.outcome is Outcome.PASS
    assert c.observed == pytest.approx(80.0)
    assert c.samples == 10
    assert c.message == "observed 80 (8/10 tests passed), needs >= 80"
    assert verdict.score == pytest.approx(80.0)


def test_score_summed_over_runs_and_percent_form() -> None:
    """Several runs sum their counters; 'value >= 80%' compares fractions."""
    runs = (run("77", total=10, passed=9), run("78", total=10, passed=6))
    verdict = one([check("score", "value >= 80%")], greetings("pass"), runs=runs)
    c = verdict.checks[0]
    assert c.outcome is Outcome.FAIL
    assert c.observed == pytest.approx(0.75)
    assert c.message == "observed 75.0% (15/20 tests passed), needs >= 80%"
    assert verdict.score == pytest.approx(75.0)
    assert verdict.run_ids == ("77", "78")
    assert verdict.run_status == "COMPLETED"


def test_score_missing_counters() -> None:
    """A run without counters: score has no verdict naming the run."""
    verdict = one([check("score", "value >= 80")], greetings("pass"), runs=(run(passed=None),))
    assert verdict.checks[0].outcome is Outcome.NO_VERDICT
    assert verdict.checks[0].message == (
        "run 77 reported no tests_passed / total_tests counters, so 'score' cannot be computed"
    )
    assert verdict.score is None
    zero = one([check("score", "value >= 80")], greetings("pass"), runs=(run(total=0, passed=0),))
    assert "total_tests 0" in zero.checks[0].message


def test_score_with_a_rate_aggregate() -> None:
    """score is one number: a rate over it has no verdict that says to use value."""
    c = one([check("score", "rate >= 80%")], greetings("pass")).checks[0]
    assert c.outcome is Outcome.NO_VERDICT
    assert "use 'value', e.g. 'score: value >= 80'" in c.message


def test_custom_metric_named_score() -> None:
    """A custom metric called 'score' is aggregated when the check is not 'value'."""
    results = [result(i, {"score": (v, "quantitative")}) for i, v in enumerate("46", 1)]
    c = one([check("score", "mean >= 5")], results).checks[0]
    assert c.outcome is Outcome.PASS
    assert c.observed == pytest.approx(5.0)


# --- severity warn ---------------------------------------------------------------------


def test_warn_never_blocks() -> None:
    """A failing or undecided warn check is WARN and the simulation still passes."""
    verdict = one(
        [
            check("Greeting compliance", "pass_rate >= 90%", severity="warn"),
            check("Missing", "mean >= 1", severity="warn"),
            check("goal_success", "pass_rate >= 50%"),
        ],
        greetings("pass", "fail"),
    )
    assert [c.outcome for c in verdict.checks] == [Outcome.WARN, Outcome.WARN, Outcome.PASS]
    assert verdict.checks[0].worst == ("102",)
    assert verdict.outcome is Outcome.PASS
    assert Verdict((verdict,)).exit_code == 0


# --- conversations, links, order -------------------------------------------------------


def test_conversations_sorted_deduplicated_and_linked() -> None:
    """Conversations: numeric ids in numeric order, then strings; a later copy replaces."""
    results = [
        result(10, {"Greeting compliance": ("pass", "pass_fail")}),
        result("abc", {"Greeting compliance": ("pass", "pass_fail")}),
        result(9, {"Greeting compliance": ("pass", "pass_fail")}),
        result(10, {"Greeting compliance": ("fail", "pass_fail")}),
    ]
    verdict = one([check("Greeting compliance", "fail_count <= 0")], results)
    assert [c.result_id for c in verdict.conversations] == ["9", "10", "abc"]
    assert verdict.checks[0].outcome is Outcome.FAIL
    assert verdict.checks[0].worst == ("10",)
    first = verdict.conversations[0]
    assert first.run_id == "77"
    assert first.dashboard_url == "https://app.getbluejay.ai/simulations/4821/runs/77?result=9"
    assert first.digital_human_id == "12"
    assert first.status == "COMPLETED"
    assert first.transcript_url == "https://cdn.example/t/9.json"
    assert first.duration_ms == 60000.0
    assert first.metrics["Greeting compliance"].value is True
    assert verdict.dashboard_url == "https://app.getbluejay.ai/simulations/4821/runs/77"
    assert result_sort_key("2") < result_sort_key("10") < result_sort_key("a")


def test_result_runs_map_links_with_several_runs() -> None:
    """With several runs, result_runs gives each conversation its run; unmapped ones get none."""
    verdict = one(
        [],
        [result(1), result(2)],
        runs=(run("77"), run("78")),
        result_runs={"2": "78"},
    )
    assert [c.run_id for c in verdict.conversations] == ["", "78"]
    assert verdict.conversations[0].dashboard_url is None
    assert verdict.conversations[1].dashboard_url == (
        "https://app.getbluejay.ai/simulations/4821/runs/78?result=2"
    )


def test_checks_keep_their_order() -> None:
    """Check results come back in the order the checks were given."""
    checks = [check("goal_success", "rate >= 1%"), check("score", "value >= 1")]
    verdict = one(checks, greetings("pass"))
    assert [c.check.metric for c in verdict.checks] == ["goal_success", "score"]
    assert [c.check for c in verdict.checks] == checks


# --- the Verdict -----------------------------------------------------------------------


def test_verdict_exit_codes() -> None:
    """0 all pass; 1 when any error check fails (beats no verdict); 3 undecided or empty."""
    passing = sim([check("goal_success", "rate >= 50%")], [result(1)], label="a")
    failing = sim([check("goal_success", "rate <= 0%")], [result(1)], label="b")
    missing = sim([check("Nope", "rate >= 50%")], [result(1)], label="c")
    assert evaluate([passing], allow_incomplete=0).exit_code == 0
    assert evaluate([passing, failing, missing], allow_incomplete=0).exit_code == 1
    assert evaluate([passing, missing], allow_incomplete=0).exit_code == 3
    assert evaluate([], allow_incomplete=0).exit_code == 3
    with_errors = evaluate([passing], allow_incomplete=0, gate_errors=["API unreachable"])
    assert with_errors.errors == ("API unreachable",)
    assert with_errors.exit_code == 3
    verdict = evaluate([failing, passing], allow_incomplete=0)
    assert [s.label for s in verdict.simulations] == ["b", "a"]
    assert [s.outcome for s in verdict.simulations] == [Outcome.FAIL, Outcome.PASS]


def test_legacy_result_shapes_evaluate() -> None:
    """Legacy top-level custom_metrics (dict of bare values) feed checks like new ones."""
    legacy = [
        SimulationResult.model_validate(
            {
                "id": i,
                "digital_human_id": 3,
                "status": "COMPLETED",
                "custom_metrics": {"Greeting compliance": v},
            }
        )
        for i, v in enumerate(["pass", "fail", "pass", "pass"], 1)
    ]
    c = one([check("Greeting compliance", "pass_rate >= 75%")], legacy).checks[0]
    assert c.outcome is Outcome.PASS
    assert c.message == "observed 75.0% (3/4) over 4 conversations, needs >= 75%"


def test_many_simulations_scale_linearly() -> None:
    """20 simulations × 50 results × 20 metrics evaluate to the right counts."""
    names = [f"Metric {i}" for i in range(20)]
    results = [
        result(i, dict.fromkeys(names, ("pass" if i % 10 else "fail", "pass_fail")))
        for i in range(50)
    ]
    checks = [check(n, "pass_rate >= 80%") for n in names]
    inputs = [sim(checks, results, label=f"s{k}") for k in range(20)]
    verdict = evaluate(inputs, allow_incomplete=0)
    assert len(verdict.simulations) == 20
    assert all(c.observed == pytest.approx(0.9) for s in verdict.simulations for c in s.checks)
    assert verdict.exit_code == 0


def test_percent_threshold_on_a_number_past_one_is_no_verdict() -> None:
    """``mean >= 70%`` on a 1-10 score would compare it with 0.7 and pass whatever the
    agent did: no verdict, saying how to write it. On a 0..1 number % reads as meant."""
    scores = [result(101 + i, {"Empathy": (v, "quantitative")}) for i, v in enumerate("213")]
    verdict = one([check("Empathy", "mean >= 70%")], scores)
    (c,) = verdict.checks
    assert c.outcome is Outcome.NO_VERDICT
    assert c.message == (
        "'Empathy' has values up to 3, but 'mean >= 70%' compares them with 0.7 "
        "(% divides by 100): write the threshold on the metric's own scale, e.g. 'mean >= 70'"
    )
    assert verdict.outcome is Outcome.NO_VERDICT
    speak = [result(101 + i, speak=s) for i, s in enumerate((35.0, 5.0))]
    (c,) = one([check("agent_speak_percentage", "min >= 30%")], speak).checks
    assert c.outcome is Outcome.NO_VERDICT
    sentiment = [result(101 + i, sentiment_score=s) for i, s in enumerate((0.9, 0.7))]
    (c,) = one([check("sentiment_score", "mean >= 80%")], sentiment).checks
    assert c.outcome is Outcome.PASS
    assert c.observed == pytest.approx(0.8)
    (c,) = one([check("Empathy", "min >= 0%")], scores).checks
    assert c.outcome is Outcome.PASS  # 0% is 0 on any scale


# --- reading the last word exactly -------------------------------------------------------


def scored(rid: int, *entries: dict[str, Any], dh: int = 12) -> SimulationResult:
    """A result whose one evaluation holds these full CustomMetric entries."""
    body = result(rid).model_dump()
    body["evaluations"][0]["custom_metrics"] = list(entries)
    body["digital_human_id"] = dh
    return SimulationResult.model_validate(body)


def empathy(value: str, max_value: float | None = 10) -> dict[str, Any]:
    return {
        "name": "Empathy",
        "response_type": "quantitative",
        "response_value": value,
        "min_value": 0 if max_value is not None else None,
        "max_value": max_value,
    }


def test_percent_on_a_declared_scale_is_no_verdict_even_at_the_bottom() -> None:
    """All-minimum scores (0 and 1 on a declared 0..10 scale) would slip past the observed
    values rule; the declared max_value decides, and the fix is on the metric's own scale:
    70% of 10 is 7. (Old behaviour: judged from observed values only.)"""
    scores = [scored(101 + i, empathy(v)) for i, v in enumerate("010")]
    (c,) = one([check("Empathy", "mean >= 70%")], scores).checks
    assert c.outcome is Outcome.NO_VERDICT
    assert c.message == (
        "'Empathy' is declared on a scale up to 10 (max_value), but 'mean >= 70%' compares "
        "its values with 0.7 (% divides by 100): write the threshold on the metric's own "
        "scale, e.g. 'mean >= 7'"
    )
    (c,) = one([check("Empathy", "p90 <= 85%")], scores).checks
    assert c.message.endswith("e.g. 'p90 <= 8.5'")


def test_percent_on_a_declared_unit_scale_is_read_as_meant() -> None:
    """max_value 1: % is the natural way to write it, whatever the values."""
    scores = [scored(101 + i, empathy(v, max_value=1)) for i, v in enumerate(("0.9", "0.7"))]
    (c,) = one([check("Empathy", "mean >= 80%")], scores).checks
    assert c.outcome is Outcome.PASS  # exactly 0.8
    assert c.observed == pytest.approx(0.8)


def test_percent_without_a_declared_scale_falls_back_to_observed_values() -> None:
    """No max_value anywhere: the observed values decide (as before)."""
    low = [scored(101 + i, empathy(v, max_value=None)) for i, v in enumerate("01")]
    (c,) = one([check("Empathy", "mean >= 70%")], low).checks
    assert c.outcome is Outcome.FAIL  # 0.5 < 0.7: nothing says the scale goes past 1


def test_out_of_range_value_is_no_verdict_naming_the_result() -> None:
    """A score of 12 on a 0..10 metric: no verdict naming result, value and range."""
    scores = [scored(101, empathy("8")), scored(102, empathy("12"))]
    (c,) = one([check("Empathy", "mean >= 7")], scores).checks
    assert c.outcome is Outcome.NO_VERDICT
    assert "result 102: '12' is outside the declared range 0..10" in c.message


def test_conflicting_duplicate_is_no_verdict_naming_result_metric_and_values() -> None:
    """The check's message names the result, the metric and both values."""
    scores = [scored(101, empathy("8")), scored(102, empathy("7"), empathy("3"))]
    (c,) = one([check("Empathy", "mean >= 5")], scores).checks
    assert c.outcome is Outcome.NO_VERDICT
    assert (
        "result 102: 'Empathy' is given twice in one evaluation with different values ('7' and '3')"
    ) in c.message


def test_near_miss_name_is_suggested_quoted_exactly() -> None:
    """'Empathy ' (trailing space) vs threshold 'Empathy': no verdict; the suggestion shows
    the space; a case difference likewise."""
    spaced = {**empathy("8"), "name": "Empathy "}
    (c,) = one([check("Empathy", "mean >= 7")], [scored(101, spaced)]).checks
    assert c.outcome is Outcome.NO_VERDICT
    assert "did you mean 'Empathy '?" in c.message
    cased = {**empathy("8"), "name": "empathy"}
    (c,) = one([check("Empathy", "mean >= 7")], [scored(101, cased)]).checks
    assert "did you mean 'empathy'?" in c.message


def test_score_at_the_boundary_passes() -> None:
    """29 of 50 tests passed is a score of exactly 58. (Old: 57.99999999999999, a fail.)"""
    runs = (run(total=50, passed=29),)
    for expression in ("value >= 58", "value == 58", "value >= 58%", "value <= 58"):
        verdict = one([check("score", expression)], greetings("pass"), runs=runs)
        (c,) = verdict.checks
        assert c.outcome is Outcome.PASS, (expression, c.message)
    assert verdict.score == 58.0
    (c,) = one([check("score", "value > 58")], greetings("pass"), runs=runs).checks
    assert c.outcome is Outcome.FAIL
    assert c.message == "observed 58 (29/50 tests passed), needs > 58"


def test_rate_and_mean_at_the_boundary_pass() -> None:
    """pass_rate >= 58% with 29 of 50, mean >= 0.8 of 0.7, 0.8, 0.9."""
    rates = greetings(*(["pass"] * 29 + ["fail"] * 21))
    (c,) = one([check("Greeting compliance", "pass_rate >= 58%")], rates).checks
    assert c.outcome is Outcome.PASS
    scores = [scored(101 + i, empathy(v, max_value=1)) for i, v in enumerate(("0.7", "0.8", "0.9"))]
    (c,) = one([check("Empathy", "mean >= 0.8")], scores).checks
    assert c.outcome is Outcome.PASS
    (c,) = one([check("Empathy", "mean > 0.8")], scores).checks
    assert c.outcome is Outcome.FAIL


def test_each_digital_human_rule_at_the_boundary() -> None:
    """Each digital human's pass_rate >= 58% holds for 29 of 50, exactly."""
    import dataclasses

    from bluejay_gate.spec.thresholds import parse_each

    values = ["pass"] * 29 + ["fail"] * 21
    results = [
        scored(1000 + i, {"name": "G", "response_type": "pass_fail", "response_value": v}, dh=5)
        for i, v in enumerate(values)
    ]
    p = parse_each("pass_rate >= 58%")
    rule = dataclasses.replace(
        check("G", "pass_rate >= 58%"), per_digital_human=True, expression=p.text
    )
    (c,) = one([rule], results).checks
    assert c.outcome is Outcome.PASS, c.message
    stricter = dataclasses.replace(rule, threshold=0.59, exact=parse_each("rate >= 59%").exact)
    (c,) = one([stricter], results).checks
    assert c.outcome is Outcome.FAIL


def test_huge_values_never_raise() -> None:
    """1e308 and -1e308 latencies: mean, median and a confidence mean all reach an outcome
    with a one-line message; a spread the floats cannot hold is no verdict."""
    import dataclasses

    results = [result(101 + i, avg_agent_latency=v) for i, v in enumerate((1e308, -1e308) * 3)]
    for expression, outcome in (
        ("mean <= 1000", Outcome.PASS),  # exactly 0
        ("median <= 1000", Outcome.PASS),
        ("max <= 1000", Outcome.FAIL),
        ("p50 >= 0", Outcome.FAIL),
    ):
        (c,) = one([check("avg_agent_latency", expression)], results).checks
        assert c.outcome is outcome, (expression, c.message)
    confident = dataclasses.replace(check("avg_agent_latency", "mean <= 1000"), confidence=0.95)
    (c,) = one([confident], results).checks
    assert c.outcome is Outcome.NO_VERDICT
    assert "confidence interval" in c.message
    assert "floating point" in c.message
    same = [result(101 + i, avg_agent_latency=1e308) for i in range(3)]
    (c,) = one([check("avg_agent_latency", "max >= 1e308")], same).checks
    assert c.outcome is Outcome.PASS
    assert c.message == "observed 1e+308 over 3 conversations, needs >= 1e+308"
