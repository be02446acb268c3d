"""Inputs for the pure evaluator, built as the spec loader and the Bluejay edge build
them: typed checks, SimulationResult wire models, the gate's RunSummary, a SimulationInput
for one run of simulation 4821 (its results read as the poller reads them), and repeated
Greeting compliance results per digital human."""

from __future__ import annotations

from typing import Any

from bluejay_gate.bluejay.models import SimulationResult
from bluejay_gate.bluejay.results import read_result
from bluejay_gate.model.results import RunSummary
from bluejay_gate.spec.thresholds import Check, Severity, parse_expression
from bluejay_gate.verdict.inputs import SimulationInput

SIM = "4821"
RUN = "77"


def check(
    metric: str,
    expression: str,
    *,
    severity: str | Severity = "error",
    min_samples: int | None = None,
    line: int | None = None,
) -> Check:
    """A typed check, as the spec loader builds it (every test builds its checks here)."""
    p = parse_expression(expression)
    return Check(
        metric=metric,
        aggregate=p.aggregate,
        op=p.op,
        threshold=p.threshold,
        expression=p.text,
        percent=p.percent,
        percentile=p.percentile,
        share_value=p.share_value,
        severity=Severity(severity),
        min_samples=min_samples,
        line=line,
        exact=p.exact,
        delta=p.delta,
    )


def result(
    rid: int | str,
    metrics: dict[str, tuple[Any, str]] | None = None,
    *,
    status: str = "COMPLETED",
    num_turns: int | None = 12,
    speak: float | None = 40.0,
    **evaluation: Any,
) -> SimulationResult:
    """A SimulationResultResponse with one evaluation holding ``metrics`` (name: (value, type))."""
    entries = [
        {
            "name": name,
            "description": name,
            "response_type": rtype,
            "response_value": value,
            "reasoning": f"{name} judged",
        }
        for name, (value, rtype) in (metrics or {}).items()
    ]
    body: dict[str, Any] = {
        "id": rid,
        "digital_human_id": 12,
        "status": status,
        "duration": 60000,
        "start_time": "2026-04-01T12:00:00Z",
        "end_time": "2026-04-01T12:01:00Z",
        "custom_metrics": None,
        "latency": None,
        "transcript_url": f"https://cdn.example/t/{rid}.json",
        "audio_url": None,
        "evaluations": [
            {
                "id": f"ev-{rid}",
                "created_at": "2026-04-01T12:02:00Z",
                "agent_speak_percentage": speak,
                "avg_agent_latency": 800.0,
                "num_turns": num_turns,
                "goal_success": True,
                "hallucination": False,
                "redundancy": False,
                "custom_metrics": entries,
                **evaluation,
            }
        ],
    }
    return SimulationResult.model_validate(body)


def run(
    rid: str = RUN, status: str = "COMPLETED", total: int | None = 10, passed: int | None = 8
) -> RunSummary:
    """A settled run with Bluejay's counters, as the gate keeps it."""
    return RunSummary(id=rid, status=status, total_tests=total, tests_passed=passed)


def sim(
    checks: list[Check],
    results: list[SimulationResult],
    *,
    runs: tuple[RunSummary, ...] | None = None,
    label: str = "Billing regressions",
    **extra: Any,
) -> SimulationInput:
    """A SimulationInput for one run of simulation 4821, its results read as the poller
    reads them."""
    return SimulationInput(
        label=label,
        simulation_id=SIM,
        checks=tuple(checks),
        runs=runs if runs is not None else (run(),),
        results=tuple(read_result(r) for r in results),
        **extra,
    )


GREETING = "Greeting compliance"


def greeting(rid: int, dh: int, value: str) -> SimulationResult:
    body = result(rid, {GREETING: (value, "pass_fail")})
    return body.model_copy(update={"digital_human_id": str(dh)})


def repeated_results() -> list[SimulationResult]:
    """Digital humans 0..3, three conversations each; 3 passes only once, 1 and 2 flip."""
    values = {0: "ppp", 1: "ppf", 2: "pfp", 3: "fpf"}
    return [
        greeting(dh * 10 + rep, dh, "pass" if v == "p" else "fail")
        for dh, vs in values.items()
        for rep, v in enumerate(vs)
    ]


def rates(passes: int, total: int) -> list[SimulationResult]:
    return [greeting(i + 1, i % 4, "pass" if i < passes else "fail") for i in range(total)]
