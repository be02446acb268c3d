"""What the evaluator is given per simulation (``SimulationInput``, built by the run
stage from the gate's own result model) and the view its checks read
(``SimulationContext``). Plain data; never reads an API wire model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bluejay_gate.model.metric_names import RUN_LEVEL
from bluejay_gate.model.results import ReadResult, RunSummary
from bluejay_gate.spec.thresholds import Check
from bluejay_gate.verdict.model import SIMULATION, Conversation, Repeats

NO_BASELINE = "no baseline was given: run with --baseline REPORT.json (an earlier run's report)"


@dataclass(frozen=True)
class BaselineSimulation:
    """The same simulation in an earlier run's report, to compare with (``delta``)."""

    source: str  # the report file, for messages
    label: str
    simulation_id: str
    conversations: tuple[Conversation, ...]  # as the report recorded them
    score: float | None = None  # the run-level score the report recorded


@dataclass(frozen=True)
class SimulationInput:
    """Everything the orchestrator knows about one simulation once it stops waiting."""

    label: str
    simulation_id: str
    checks: tuple[Check, ...]
    runs: tuple[RunSummary, ...]  # final state of each run of this simulation (usually one)
    # every conversation of those runs, as read (a later copy of a result replaces it)
    results: tuple[ReadResult, ...]
    result_runs: Mapping[str, str] = field(default_factory=dict)  # result id -> run id
    errors: tuple[str, ...] = ()  # why the orchestrator could not finish (timeout, ...)
    # planned looks (early stopping): each check's error rate is split evenly over them
    looks: int = 1
    repeats: Repeats | None = None  # how the simulation was repeated, for the reports
    notes: tuple[str, ...] = ()  # shown in the reports; change no outcome
    # run id -> conversations that done run counts (total_tests) but never returned: not
    # completed (they count against allow_incomplete)
    unseen: Mapping[str, int] = field(default_factory=dict)
    kind: str = SIMULATION  # or CALL_SET: recorded calls, each result one evaluated call
    files: tuple[str, ...] = ()  # a call set's files
    result_files: Mapping[str, str] = field(default_factory=dict)  # call id -> its file
    # taken from an earlier report (``--rerun-failed``, ``merge``): its path, else None
    reused_from: str | None = None
    # the same simulation in the baseline report, or why there is none (delta checks skip)
    baseline: BaselineSimulation | str = NO_BASELINE


@dataclass(frozen=True)
class SimulationContext:
    """One simulation as its checks see it: every conversation, and those that count."""

    sim: SimulationInput
    conversations: tuple[Conversation, ...]
    completed: tuple[Conversation, ...]

    def metric_names(self) -> set[str]:
        names = {name for c in self.conversations for name in c.metrics}
        if self.sim.runs:
            names.update(RUN_LEVEL)
        return names
