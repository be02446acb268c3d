"""Conversations and baselines for the delta tests, built straight as the verdict reads
them (``Conversation`` with ``MetricValue``s), and one delta check judged on them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bluejay_gate.model.values import metric_value
from bluejay_gate.spec.thresholds import Check
from bluejay_gate.verdict.delta_check import delta_check
from bluejay_gate.verdict.inputs import BaselineSimulation, SimulationContext, SimulationInput
from bluejay_gate.verdict.model import CheckResult, Conversation
from tests.helpers.evaluation import SIM, check

LABEL = "Billing regressions"


def conversations(
    metric: str, values: Sequence[object], response_type: str, *, start: int = 1
) -> tuple[Conversation, ...]:
    """One completed conversation per value (result ids from ``start``)."""
    return tuple(
        Conversation(
            result_id=str(start + i),
            run_id="77",
            digital_human_id=str(i % 4),
            status="COMPLETED",
            completed=True,
            never_spoke=False,
            metrics={metric: metric_value(metric, value, response_type)},
        )
        for i, value in enumerate(values)
    )


def passes(metric: str, hits: int, n: int, *, start: int = 1) -> tuple[Conversation, ...]:
    return conversations(
        metric, ["pass" if i < hits else "fail" for i in range(n)], "pass_fail", start=start
    )


def numbers(metric: str, values: Sequence[float], *, start: int = 1) -> tuple[Conversation, ...]:
    return conversations(metric, [repr(float(v)) for v in values], "quantitative", start=start)


def baseline(
    found: Sequence[Conversation], *, label: str = LABEL, simulation_id: str = SIM
) -> BaselineSimulation:
    return BaselineSimulation("main-report.json", label, simulation_id, tuple(found), 80.0)


def delta(metric: str, expression: str, confidence: float | None = None) -> Check:
    return dataclasses.replace(check(metric, expression), confidence=confidence)


def judge(
    check_: Check,
    now: Sequence[Conversation],
    base: BaselineSimulation | str,
    *,
    looks: int = 1,
) -> CheckResult:
    """``check_`` (a delta check) on this run's ``now`` against ``base``."""
    sim = SimulationInput(
        label=LABEL,
        simulation_id=SIM,
        checks=(check_,),
        runs=(),
        results=(),
        looks=looks,
        baseline=base,
    )
    done = tuple(c for c in now if c.completed)
    return delta_check(check_, SimulationContext(sim=sim, conversations=tuple(now), completed=done))
