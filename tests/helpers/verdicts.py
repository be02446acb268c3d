"""Hand-built Verdicts, checks, results and RunInfo for the reporter tests: named
scenarios (pass, fail, warn, no verdict, errors, mixed) with the exit code each claims
(tests/unit/test_report_builders.py checks that they mean what they say)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bluejay_gate.model.values import MetricValue
from bluejay_gate.report import RunInfo
from bluejay_gate.spec.thresholds import Check, Severity
from bluejay_gate.verdict.model import (
    CheckResult,
    Conversation,
    Outcome,
    SimulationVerdict,
    Verdict,
)
from tests.helpers.evaluation import check

DASHBOARD = "https://app.getbluejay.ai"
STARTED = datetime(2026, 4, 1, 12, 0, 0, tzinfo=UTC)


def make_check(
    metric: str,
    expression: str,
    *,
    severity: Severity = Severity.ERROR,
    line: int | None = None,
    min_samples: int | None = None,
) -> Check:
    return check(metric, expression, severity=severity, line=line, min_samples=min_samples)


def make_result(
    check: Check,
    outcome: Outcome,
    observed: float | None,
    *,
    samples: int = 10,
    not_applicable: int = 0,
    message: str | None = None,
    worst: tuple[str, ...] = (),
) -> CheckResult:
    if message is None:
        message = (
            f"observed {observed} over {samples} conversations "
            f"({not_applicable} not applicable), needs {check.op.value} {check.threshold}"
            if observed is not None
            else f"metric {check.metric!r} has no applicable samples"
        )
    return CheckResult(
        check=check,
        outcome=outcome,
        observed=observed,
        samples=samples,
        not_applicable=not_applicable,
        message=message,
        worst=worst,
    )


def make_conversation(
    result_id: str,
    *,
    run_id: str = "77",
    simulation_id: str = "4821",
    digital_human_id: str | None = "12",
    status: str = "COMPLETED",
    metrics: dict[str, MetricValue] | None = None,
    never_spoke: bool = False,
) -> Conversation:
    completed = status == "COMPLETED" and not never_spoke
    return Conversation(
        result_id=result_id,
        run_id=run_id,
        digital_human_id=digital_human_id,
        status=status,
        completed=completed,
        never_spoke=never_spoke,
        metrics=metrics or {},
        transcript_url=f"https://cdn.example.test/transcripts/{result_id}.txt",
        audio_url=f"https://cdn.example.test/audio/{result_id}.wav",
        dashboard_url=f"{DASHBOARD}/simulations/{simulation_id}/runs/{run_id}?result={result_id}",
        duration_ms=61_500.0,
    )


def number(name: str, raw: str, reasoning: str | None = None) -> MetricValue:
    return MetricValue(name, raw, float(raw), "quantitative", reasoning=reasoning)


def not_applicable(name: str) -> MetricValue:
    return MetricValue(name, "N/A", None, "pass_fail", applicable=False)


def make_simulation(
    label: str,
    results: tuple[CheckResult, ...],
    *,
    simulation_id: str = "4821",
    run_id: str = "77",
    errors: tuple[str, ...] = (),
    conversations: tuple[Conversation, ...] = (),
    run_status: str = "COMPLETED",
    outcome: Outcome | None = None,
) -> SimulationVerdict:
    if outcome is None:
        blocking = [r for r in results if r.blocking]
        if any(r.outcome is Outcome.FAIL for r in blocking):
            outcome = Outcome.FAIL
        elif errors or any(r.outcome is Outcome.NO_VERDICT for r in blocking):
            outcome = Outcome.NO_VERDICT
        else:
            outcome = Outcome.PASS
    completed = sum(c.completed for c in conversations)
    return SimulationVerdict(
        label=label,
        simulation_id=simulation_id,
        run_ids=(run_id,),
        run_status=run_status,
        outcome=outcome,
        checks=results,
        errors=errors,
        conversations=conversations,
        total=len(conversations),
        completed=completed,
        not_completed=len(conversations) - completed,
        never_spoke=sum(c.never_spoke for c in conversations),
        score=80.0,
        dashboard_url=f"{DASHBOARD}/simulations/{simulation_id}/runs/{run_id}",
    )


EMPATHY = make_check("Empathy", "mean >= 7", line=14)
GREETING = make_check("Greeting compliance", "pass_rate >= 90%", line=12)
RESOLUTION = make_check(
    "Resolution", "share(resolved) >= 75%", severity=Severity.WARN, line=20, min_samples=5
)
LATENCY = make_check("latency.p95_agent_latency", "p90 <= 1500", line=16)


def conversations(n: int = 3, *, run_id: str = "77") -> tuple[Conversation, ...]:
    return tuple(
        make_conversation(
            str(9000 + i),
            run_id=run_id,
            digital_human_id=str(12 + i),
            metrics={
                "Empathy": number("Empathy", str(4 + 2 * i), f"Reasoning for result {9000 + i}."),
                "Greeting compliance": not_applicable("Greeting compliance"),
            },
        )
        for i in range(n)
    )


def passing_verdict() -> Verdict:
    sim = make_simulation(
        "Billing regressions",
        (
            make_result(EMPATHY, Outcome.PASS, 8.25, samples=3),
            make_result(GREETING, Outcome.PASS, 0.95, samples=20, not_applicable=2),
        ),
        conversations=conversations(),
    )
    return Verdict((sim,))


def failing_verdict() -> Verdict:
    sim = make_simulation(
        "Billing regressions",
        (
            make_result(
                EMPATHY,
                Outcome.FAIL,
                6.0,
                samples=3,
                not_applicable=1,
                message="observed 6 over 3 conversations (1 not applicable), needs >= 7",
                worst=("9000", "9001"),
            ),
            make_result(GREETING, Outcome.PASS, 0.95, samples=20),
        ),
        conversations=conversations(),
    )
    return Verdict((sim,))


def warn_verdict() -> Verdict:
    sim = make_simulation(
        "Billing regressions",
        (
            make_result(EMPATHY, Outcome.PASS, 8.0, samples=3),
            make_result(
                RESOLUTION,
                Outcome.WARN,
                0.5,
                samples=10,
                message="observed 50% over 10 conversations, needs >= 75%",
                worst=("9002",),
            ),
        ),
        conversations=conversations(),
    )
    return Verdict((sim,))


def no_verdict_check_verdict() -> Verdict:
    sim = make_simulation(
        "Billing regressions",
        (
            make_result(EMPATHY, Outcome.PASS, 8.0, samples=3),
            make_result(
                GREETING,
                Outcome.NO_VERDICT,
                None,
                samples=0,
                not_applicable=3,
                message="no applicable samples for 'Greeting compliance' (3 not applicable)",
            ),
        ),
        conversations=conversations(),
    )
    return Verdict((sim,))


def simulation_error_verdict() -> Verdict:
    ok = make_simulation(
        "Billing regressions",
        (make_result(EMPATHY, Outcome.PASS, 8.0, samples=3),),
        conversations=conversations(),
    )
    broken = make_simulation(
        "Smoke test",
        (),
        simulation_id="5",
        run_id="78",
        run_status="INSUFFICIENT_FUNDS",
        errors=("run 78 ended INSUFFICIENT_FUNDS: add credits to the organisation and re-run",),
    )
    return Verdict((ok, broken))


def gate_error_verdict() -> Verdict:
    """A timeout after some simulations passed: still no verdict."""
    sim = make_simulation(
        "Billing regressions",
        (make_result(EMPATHY, Outcome.PASS, 8.0, samples=3),),
        conversations=conversations(),
    )
    return Verdict((sim,), errors=("timed out after 30m with 2 conversations still running",))


def gate_error_only_verdict() -> Verdict:
    return Verdict((), errors=("POST /v1/queue-simulation-run: 401 key rejected",))


def zero_simulations_verdict() -> Verdict:
    return Verdict(())


def mixed_verdict() -> Verdict:
    """Fail beats no verdict: exit 1, with both a failure and an error in the JUnit."""
    failing = failing_verdict().simulations[0]
    undecided = no_verdict_check_verdict().simulations[0]
    undecided = make_simulation(
        "Onboarding",
        undecided.checks,
        simulation_id="6",
        run_id="79",
        conversations=conversations(run_id="79"),
    )
    return Verdict((failing, undecided))


SCENARIOS = {
    "pass": (passing_verdict, 0),
    "fail": (failing_verdict, 1),
    "warn": (warn_verdict, 0),
    "no_verdict_check": (no_verdict_check_verdict, 3),
    "simulation_error": (simulation_error_verdict, 3),
    "gate_error": (gate_error_verdict, 3),
    "gate_error_only": (gate_error_only_verdict, 3),
    "zero_simulations": (zero_simulations_verdict, 3),
    "mixed": (mixed_verdict, 1),
}


def run_info(**overrides: object) -> RunInfo:
    values: dict[str, object] = {
        "spec_path": "bluejay-gate.yml",
        "version": "0.1.0",
        "base_url": "https://api.getbluejay.ai",
        "agent_id": "1234",
        "agent_name": "Support Bot v2",
        "agent_action": "updated",
        "changed_fields": ("goals", "system_prompt"),
        "run_ids": ("77",),
        "started_at": STARTED,
        "finished_at": STARTED + timedelta(minutes=3, seconds=12),
        # digital human 14 has no name known: the reports show its id
        "digital_human_names": {"4821": {"12": "Alex Rivera", "13": "Priya Nair"}},
        "simulation_seconds": {"Billing regressions": 185.25},
    }
    values.update(overrides)
    return RunInfo(**values)  # type: ignore[arg-type]
