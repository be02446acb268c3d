"""preflight: thresholds against metric definitions and simulation facts (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.resolved import Spec
from bluejay_gate.verdict.costs import SimulationCost, describe_total, plan_costs
from bluejay_gate.verdict.definitions import (
    check,
    located,
    needed_metrics,
    summary,
)
from bluejay_gate.verdict.facts import Definitions, MetricDefinition, SimulationFacts

DEFS = Definitions(
    (
        MetricDefinition("Greeting compliance", "pass_fail", id="m-greet"),
        MetricDefinition("Empathy", "quantitative", id="m-emp", min_value=1, max_value=10),
        MetricDefinition("Resolution", "enum", id="m-res", enum_options=("resolved", "escalated")),
        MetricDefinition("Notes", "qualitative", id="m-notes"),
        MetricDefinition("Confidence", "quantitative", id="m-conf", min_value=0, max_value=1),
        MetricDefinition("Polite", "yes_no", id="m-pol"),
    )
)


def spec_of(tmp_path: Path, thresholds: str, sims: str = "  - id: 4821\n") -> Spec:
    path = tmp_path / "spec.yml"
    path.write_text(
        f"version: 1\nagent:\n  name: Bot\nsimulations:\n{sims}thresholds:\n{thresholds}"
    )
    return load_spec(path, {})


def facts(humans: int | None = 4, selected: frozenset[str] | None = None) -> SimulationFacts:
    return SimulationFacts("Billing", "4821", humans, selected)


def messages(
    spec: Spec,
    defs: Definitions | None = DEFS,
    humans: int | None = 4,
    selected: frozenset[str] | None = None,
) -> list[str]:
    sim_facts = [facts(humans, selected) for _ in spec.simulations]
    return [p.message for p in check(spec, defs, sim_facts)]


def test_every_fitting_threshold_passes(tmp_path: Path) -> None:
    spec = spec_of(
        tmp_path,
        '  "Greeting compliance": [pass_rate >= 90%, fail_count <= 1, count >= 2]\n'
        "  Empathy: [mean >= 7, p90 <= 9, min >= 2]\n"
        "  Resolution: share(Resolved) >= 50%\n"
        "  Confidence: mean >= 70%\n"
        "  Polite:\n    - each_digital_human: passes >= 1\n"
        "  goal_success: rate >= 80%\n"
        "  latency.p95_agent_latency: p95 <= 1500\n"
        "  score: value >= 80\n",
    )
    assert messages(spec) == []


def test_unknown_metric_says_did_you_mean_quoted_exactly(tmp_path: Path) -> None:
    spec = spec_of(tmp_path, "  Empaty: mean >= 7\n")
    problems = check(spec, DEFS, [facts()])
    assert len(problems) == 1
    assert problems[0].line == 7
    assert problems[0].metric == "Empaty"
    assert "no custom metric named 'Empaty'" in problems[0].message
    assert ": did you mean 'Empathy'?" in problems[0].message


def test_case_only_difference_is_suggested(tmp_path: Path) -> None:
    [message] = messages(spec_of(tmp_path, "  empathy: mean >= 7\n"))
    assert "did you mean 'Empathy'?" in message


def test_unknown_metric_far_from_any_name_has_no_suggestion(tmp_path: Path) -> None:
    [message] = messages(spec_of(tmp_path, "  Zebra crossings: rate >= 10%\n"))
    assert "did you mean" not in message
    assert "(6 read)." in message


def test_incomplete_definitions_do_not_claim_a_metric_is_missing(tmp_path: Path) -> None:
    partial = Definitions(DEFS.metrics, complete=False)
    assert messages(spec_of(tmp_path, "  Empaty: mean >= 7\n"), partial) == []


def test_metric_not_selected_for_the_simulation(tmp_path: Path) -> None:
    spec = spec_of(tmp_path, "  Empathy: mean >= 7\n  Notes: count >= 1\n")
    problems = check(spec, DEFS, [facts(selected=frozenset({"m-greet", "m-notes"}))])
    assert len(problems) == 2  # Empathy not selected; Notes is free text
    assert "custom metric 'Empathy' is not selected for Billing (simulation 4821)" in (
        problems[0].message
    )
    assert "free text" in problems[1].message


def test_unknown_selection_checks_nothing(tmp_path: Path) -> None:
    assert messages(spec_of(tmp_path, "  Empathy: mean >= 7\n"), selected=None) == []


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        ("  Empathy: rate >= 50%\n", "rate/pass_rate does not apply to 'Empathy' (quantitative"),
        ("  Empathy: share(high) >= 50%\n", "share(VALUE) does not apply to 'Empathy'"),
        ('  "Greeting compliance": mean >= 0.5\n', "mean does not apply to 'Greeting"),
        ("  Resolution: mean >= 1\n", "mean does not apply to 'Resolution' (enum, enum)"),
        ("  Notes: count >= 1\n", "'Notes' (qualitative, free-text) holds free text"),
        (
            "  Empathy:\n    - each_digital_human: pass_rate >= 50%\n",
            "each_digital_human rules",
        ),
    ],
)
def test_aggregate_must_fit_the_response_type(
    tmp_path: Path, threshold: str, expected: str
) -> None:
    [message] = messages(spec_of(tmp_path, threshold))
    assert expected in message


def test_yes_no_takes_the_boolean_aggregates(tmp_path: Path) -> None:
    spec = spec_of(tmp_path, "  Polite: [fail_rate <= 10%, rate >= 90%]\n")
    assert messages(spec) == []


def test_share_value_must_be_an_option(tmp_path: Path) -> None:
    [message] = messages(spec_of(tmp_path, "  Resolution: share(resolvd) >= 50%\n"))
    assert "share(resolvd) counts a value 'Resolution' never has: did you mean 'resolved'?" in (
        message
    )
    assert "'resolved', 'escalated'" in message


def test_percent_on_a_scale_past_one_names_the_right_number(tmp_path: Path) -> None:
    [message] = messages(spec_of(tmp_path, "  Empathy: mean >= 70%\n"))
    assert "'Empathy' is scored 1 to 10" in message
    assert "70% of 10 is 7; write 'mean >= 7'" in message


def test_percent_on_p90_keeps_the_aggregate(tmp_path: Path) -> None:
    [message] = messages(spec_of(tmp_path, "  Empathy: p90 <= 85.5%\n"))
    assert "write 'p90 <= 8.55'" in message


def test_percent_on_a_zero_to_one_scale_is_fine(tmp_path: Path) -> None:
    assert messages(spec_of(tmp_path, "  Confidence: median >= 70%\n")) == []


def test_min_samples_above_the_conversations_queued(tmp_path: Path) -> None:
    spec = spec_of(tmp_path, "  Empathy:\n    - check: mean >= 7\n      min_samples: 9\n")
    problems = check(spec, DEFS, [facts(humans=4)])
    assert [p.line for p in problems] == [8]
    assert "min_samples 9 cannot be reached: Billing queues at most 4 conversations" in (
        problems[0].message
    )
    assert "lower min_samples to 4 or fewer" in problems[0].message


def test_min_samples_counts_max_repeats(tmp_path: Path) -> None:
    thresholds = "  Empathy:\n    - check: mean >= 7\n      min_samples: 9\n      confidence: 95%\n"
    sims = "  - id: 4821\n    repeat: 2\n    max_repeats: 3\n"
    spec = spec_of(tmp_path, thresholds, sims)
    assert messages(spec, humans=3) == []  # 3 digital humans × up to 3 = 9
    [message] = messages(spec, humans=2)
    assert "at most 6 conversations (2 digital humans in Bluejay × 3)" in message


def test_min_samples_counts_runs_per_digital_human(tmp_path: Path) -> None:
    thresholds = "  Empathy:\n    - check: mean >= 7\n      min_samples: 8\n"
    spec = spec_of(tmp_path, thresholds, "  - id: 4821\n    runs_per_digital_human: 2\n")
    assert messages(spec, humans=4) == []
    assert len(messages(spec, humans=3)) == 1


def test_min_samples_uses_the_spec_digital_human_ids(tmp_path: Path) -> None:
    thresholds = "  Empathy:\n    - check: mean >= 7\n      min_samples: 3\n"
    spec = spec_of(tmp_path, thresholds, "  - id: 4821\n    digital_human_ids: [12, 13]\n")
    [message] = messages(spec, humans=40)  # Bluejay's count is not what is queued
    assert "at most 2 conversations (2 digital humans listed in digital_human_ids × 1)" in message


def test_min_samples_unknown_count_is_not_checked(tmp_path: Path) -> None:
    thresholds = "  Empathy:\n    - check: mean >= 7\n      min_samples: 300\n"
    assert messages(spec_of(tmp_path, thresholds), humans=None) == []


def test_builtins_are_not_looked_up_but_must_fit_their_kind(tmp_path: Path) -> None:
    spec = spec_of(
        tmp_path,
        "  goal_success: mean >= 0.5\n"
        "  duration: p95 <= 120000\n"
        "  sentiment_label: share(positive) >= 50%\n"
        "  latency.p95_agent_latency: rate >= 50%\n",
    )
    problems = check(spec, Definitions(()), [facts()])
    assert [p.metric for p in problems] == ["goal_success", "latency.p95_agent_latency"]
    assert "mean does not apply to 'goal_success' (built-in, pass/fail)" in problems[0].message
    assert "rate/pass_rate does not apply" in problems[1].message


def test_without_definitions_only_definition_free_checks_apply(tmp_path: Path) -> None:
    spec = spec_of(
        tmp_path,
        "  Empaty: mean >= 70%\n"
        "  goal_success: mean >= 0.5\n"
        "  Empathy:\n    - check: mean >= 7\n      min_samples: 9\n",
    )
    problems = check(spec, None, [facts(humans=2)])
    assert [p.metric for p in problems] == ["goal_success", "Empathy"]
    assert "min_samples 9" in problems[1].message


def test_a_global_threshold_is_one_problem_for_many_simulations(tmp_path: Path) -> None:
    spec = spec_of(tmp_path, "  Empaty: mean >= 7\n", "  - id: 1\n  - id: 2\n")
    problems = check(spec, DEFS, [facts(), SimulationFacts("Other", "2", 4)])
    assert len(problems) == 1


def test_summary_lists_the_first_and_where_the_rest_are(tmp_path: Path) -> None:
    spec = spec_of(
        tmp_path,
        "  Empaty: mean >= 7\n  Resolution: share(x) >= 5%\n  Notes: count >= 1\n",
    )
    problems = check(spec, DEFS, [facts()])
    text = summary(problems)
    assert text.startswith("no custom metric named 'Empaty'")
    assert "; 2 more problems with thresholds (line 8 'Resolution', line 9 'Notes')" in text
    assert text.endswith("; nothing was queued")
    assert "\n" not in text
    assert located(problems[1], "spec.yml").startswith("spec.yml:8: Resolution: share(x)")


def test_summary_of_one_problem(tmp_path: Path) -> None:
    problems = check(spec_of(tmp_path, "  Empaty: mean >= 7\n"), DEFS, [facts()])
    assert "more problem" not in summary(problems)
    assert summary(problems).endswith("create the metric in Bluejay; nothing was queued")


def test_needed_metrics_leave_builtins_out(tmp_path: Path) -> None:
    spec = spec_of(
        tmp_path, "  goal_success: rate >= 5%\n  Empathy: mean >= 1\n  score: value >= 1\n"
    )
    assert needed_metrics(spec) == ["Empathy"]


def test_costs_per_simulation_and_total(tmp_path: Path) -> None:
    sims = (
        "  - id: 1\n    name: A\n    repeat: 2\n    max_repeats: 5\n"
        "  - id: 2\n    name: B\n    digital_human_ids: [7, 8, 9]\n"
        "  - id: 3\n    name: C\n"
    )
    thresholds = "  Empathy:\n    - check: mean >= 7\n      confidence: 95%\n"
    spec = spec_of(tmp_path, thresholds, sims)
    costs = plan_costs(
        spec,
        [SimulationFacts("A", "1", 4), SimulationFacts("B", "2", 40), SimulationFacts("C", "3", 2)],
    )
    assert [(c.conversations, c.most) for c in costs] == [(8, 20), (3, 3), (2, 2)]
    assert costs[0].describe() == (
        "8 to up to 20 conversations (4 digital humans × 2, up to 5 while inconclusive)"
    )
    assert costs[1].describe() == "3 conversations (3 digital humans × 1)"
    assert describe_total(costs) == "13 to up to 25 conversations"


def test_cost_uses_the_simulation_setting_when_the_spec_says_nothing(tmp_path: Path) -> None:
    spec = spec_of(tmp_path, "  Empathy: mean >= 7\n")
    [cost] = plan_costs(spec, [SimulationFacts("A", "1", 4, runs_per_digital_human=3)])
    assert cost.conversations == 12


def test_unknown_cost(tmp_path: Path) -> None:
    costs = [SimulationCost("A", "1", None, 1), SimulationCost("B", "2", 5, 1)]
    assert costs[0].describe().startswith("unknown conversations")
    assert describe_total(costs) == (
        "unknown (the digital humans of A could not be read; 5 conversations for the rest)"
    )
    assert describe_total([SimulationCost("B", "2", 1, 1)]) == "1 conversation"
