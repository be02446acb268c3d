"""The outcome of a gate run: what the evaluator produces and every reporter renders.

Plain frozen data; no I/O. ``Verdict.exit_code`` is the one place that turns outcomes
into 0 / 1 / 3 (2 never reaches here: a bad spec stops before anything runs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bluejay_gate.errors import EXIT_FAIL, EXIT_NO_VERDICT, EXIT_PASS
from bluejay_gate.model.results import RunSummary
from bluejay_gate.model.values import MetricValue
from bluejay_gate.spec.thresholds import Check, Severity

# What a ``SimulationVerdict`` judges: a simulation's runs, or a set of recorded calls
# (``calls:`` in the spec: judged by the same rules, rendered by the same reporters).
SIMULATION = "simulation"
CALL_SET = "call_set"


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"  # a definite "no"
    WARN = "warn"  # a warn-severity check that did not pass; never changes the exit code
    NO_VERDICT = "no_verdict"  # could not decide: missing metric, no samples, ...
    # a ``delta(AGG)`` check without a baseline to compare with; never changes the exit code
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Conversation:
    """One simulation result, as the reports show it."""

    result_id: str
    run_id: str
    digital_human_id: str | None
    status: str
    completed: bool  # COMPLETED and the agent spoke; only these feed the aggregates
    never_spoke: bool  # COMPLETED but num_turns <= 1 or agent_speak_percentage == 0
    metrics: dict[str, MetricValue] = field(default_factory=dict)
    transcript_url: str | None = None
    audio_url: str | None = None
    dashboard_url: str | None = None
    duration_ms: float | None = None
    # COMPLETED and the agent spoke, but no custom metrics while other conversations of the
    # simulation have them (bulk under-reporting); counted as not completed
    unscored: bool = False
    file: str | None = None  # a recorded call's golden-call file (call sets only)
    # what an earlier report must keep for the verdict to judge it again (``earlier``):
    # the status as Bluejay sent it, and whether the result carried custom metrics
    status_as_sent: str | None = None
    has_custom: bool = False


@dataclass(frozen=True, slots=True)
class BaselineFigures:
    """A check's aggregate in the baseline run, and this run's change from it."""

    value: float | None  # the baseline's aggregate (None: the baseline has none)
    delta: float | None  # this run's aggregate minus the baseline's
    samples: int  # the baseline's applicable samples


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: Check
    outcome: Outcome
    observed: float | None  # None when there is no verdict
    samples: int  # applicable samples the aggregate used
    not_applicable: int = 0
    message: str = ""  # one line: observed vs threshold, sample size, or why no verdict
    worst: tuple[str, ...] = ()  # result ids of the conversations that pulled it down
    interval: tuple[float, float] | None = None  # the confidence interval (``confidence``)
    level: float | None = None  # the interval's confidence level after the split over looks
    # the interval straddles the threshold: no verdict (exit 3) until more conversations
    inconclusive: bool = False
    more_needed: int | None = None  # conversations that would likely settle an inconclusive
    # with a baseline (``--baseline``): its value of this check's aggregate and the change
    baseline: BaselineFigures | None = None

    @property
    def blocking(self) -> bool:
        return self.check.severity is Severity.ERROR


@dataclass(frozen=True, slots=True)
class Flip:
    """A digital human whose repeated conversations disagree on a pass/fail metric."""

    digital_human_id: str
    metric: str
    passed: int
    total: int


@dataclass(frozen=True, slots=True)
class Repeats:
    """How a simulation was repeated, and what early stopping saved."""

    repeat: int  # conversations per digital human actually run
    max_repeats: int | None
    looks: int  # looks taken (evaluations between rounds)
    planned_looks: int
    digital_humans: int
    conversations: int
    conversations_max: int  # what max_repeats would have cost (= conversations without it)

    @property
    def saved(self) -> int:
        return max(0, self.conversations_max - self.conversations)


@dataclass(frozen=True, slots=True)
class SimulationVerdict:
    label: str
    simulation_id: str
    run_ids: tuple[str, ...]
    run_status: str | None
    outcome: Outcome
    checks: tuple[CheckResult, ...] = ()
    errors: tuple[str, ...] = ()  # reasons for no verdict at simulation level
    conversations: tuple[Conversation, ...] = ()
    total: int = 0
    completed: int = 0
    not_completed: int = 0
    never_spoke: int = 0
    score: float | None = None  # run-level tests_passed / total_tests × 100
    dashboard_url: str | None = None
    flips: tuple[Flip, ...] = ()  # digital humans whose repeats disagree
    repeated_digital_humans: int = 0  # digital humans with 2+ completed conversations
    repeats: Repeats | None = None
    # what the reports should mention that changes no outcome (e.g. ignored results)
    notes: tuple[str, ...] = ()
    kind: str = SIMULATION  # or CALL_SET: a set of recorded calls (``simulation_id`` "")
    files: tuple[str, ...] = ()  # a call set's golden-call files, relative to the spec
    call_ids: tuple[str, ...] = ()  # a call set's calls, as Bluejay numbered them

    @property
    def is_call_set(self) -> bool:
        return self.kind == CALL_SET

    # the input as given, for judging it again from a report (``earlier``): the runs'
    # counters, the orchestrator's own errors, conversations counted but never returned
    runs: tuple[RunSummary, ...] = ()
    run_errors: tuple[str, ...] = ()
    unseen: Mapping[str, int] = field(default_factory=dict)
    # taken from an earlier report (``--rerun-failed``): that report's path, else None
    reused_from: str | None = None


@dataclass(frozen=True, slots=True)
class EarlyStop:
    """The gate stopped before every conversation was scored (``run.stop_when_decided``)
    because the outcome was already certain (``verdict.decided``)."""

    outcome: Outcome  # FAIL: an error check was certain to fail; PASS: every one to pass
    # (simulation label, check label) of the checks that decided it
    checks: tuple[tuple[str, str], ...]
    unscored: int  # conversations of queued runs not waited for (not judged)
    ended: int  # of them, stopped with end-conversations
    not_queued: int  # runs never queued once it was decided
    scored: int  # conversations the verdict was computed on


@dataclass(frozen=True, slots=True)
class Verdict:
    simulations: tuple[SimulationVerdict, ...]
    errors: tuple[str, ...] = ()  # gate-level reasons for no verdict (timeout, API error, ...)
    early: EarlyStop | None = None  # decided before every conversation was scored

    @property
    def failed(self) -> bool:
        return any(
            c.outcome is Outcome.FAIL and c.blocking for s in self.simulations for c in s.checks
        )

    @property
    def undecided(self) -> bool:
        return bool(self.errors) or any(
            s.outcome is Outcome.NO_VERDICT
            or s.errors
            or any(c.outcome is Outcome.NO_VERDICT and c.blocking for c in s.checks)
            for s in self.simulations
        )

    @property
    def exit_code(self) -> int:
        """1 when any error-severity check failed; else 3 when anything is undecided
        (or there was nothing to decide); else 0."""
        if self.failed:
            return EXIT_FAIL
        if self.undecided or not self.simulations:
            return EXIT_NO_VERDICT
        return EXIT_PASS

    @property
    def outcome(self) -> Outcome:
        return {EXIT_PASS: Outcome.PASS, EXIT_FAIL: Outcome.FAIL}.get(
            self.exit_code, Outcome.NO_VERDICT
        )
