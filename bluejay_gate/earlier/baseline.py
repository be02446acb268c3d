"""The baseline a run compares with (``--baseline PATH``): an earlier run's JSON report,
read, checked to be this gate's, and turned into each simulation's (and call set's, matched
by name) ``BaselineSimulation``.

``load_baseline`` is the one entry: a path (given, or downloaded by CI) and the spec ->
``Baseline``, or a one-line ``UsageError`` (exit 2, before anything is sent).
``BaselineSkipped`` carries "no baseline, because REASON" instead (CI found none): every
delta check is then skipped with that reason. ``attach`` hands each simulation its own.
Reads the two files (the report, the spec's bytes for its digest); sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bluejay_gate.earlier.document import EarlierCallSet, Use, load_earlier
from bluejay_gate.earlier.identity import check_identity, spec_sha256
from bluejay_gate.earlier.samples import conversations_of, match
from bluejay_gate.spec.resolved import Spec
from bluejay_gate.verdict.inputs import BaselineSimulation, SimulationInput
from bluejay_gate.verdict.model import CALL_SET


@dataclass(frozen=True)
class Baseline:
    source: str  # the report file as given
    simulations: tuple[BaselineSimulation, ...]
    finished_at: str | None = None
    outcome: str | None = None
    notes: tuple[str, ...] = ()  # what changed since (the spec file, the agent's fields)
    call_sets: tuple[BaselineSimulation, ...] = ()  # the report's ``call_sets``, by name

    def describe(self) -> str:
        """``baseline bluejay-report.json (finished ..., outcome pass; the spec file changed
        since)`` for the console."""
        facts = [
            f
            for f in (
                f"finished {self.finished_at}" if self.finished_at else None,
                f"outcome {self.outcome}" if self.outcome else None,
            )
            if f
        ]
        text = f"baseline {self.source}"
        detail = ", ".join(facts)
        if self.notes:
            detail = "; ".join([d for d in (detail, *self.notes) if d])
        return f"{text} ({detail})" if detail else text

    def for_simulation(self, simulation_id: str, label: str) -> BaselineSimulation | str:
        """The simulation's baseline (by id, then label), or why there is none."""
        found = match(
            self.simulations, lambda s: s.simulation_id, lambda s: s.label, simulation_id, label
        )
        if found is not None:
            return found
        listed = names_of(self.simulations)
        return (
            f"the baseline {self.source} has no simulation {label!r} ({simulation_id}); "
            f"it has {listed}"
        )

    def for_call_set(self, name: str) -> BaselineSimulation | str:
        """The call set's baseline (by name: a call set has no id), or why there is none."""
        found = [c for c in self.call_sets if c.label == name]
        if len(found) == 1:
            return found[0]
        listed = ", ".join(repr(c.label) for c in self.call_sets) or "none"
        if found:
            return f"the baseline {self.source} has {len(found)} call sets named {name!r}"
        return f"the baseline {self.source} has no call set {name!r}; it has {listed}"


@dataclass(frozen=True)
class BaselineSkipped:
    """No baseline, and why (e.g. CI found no earlier run): delta checks are skipped."""

    reason: str


def names_of(simulations: Sequence[BaselineSimulation]) -> str:
    return ", ".join(f"{s.label!r} ({s.simulation_id})" for s in simulations) or "none"


def _spec_digest(path: Path) -> str | None:
    try:
        return spec_sha256(path.read_bytes())
    except OSError:
        return None


def load_baseline(path: Path, spec: Spec) -> Baseline:
    """The baseline at ``path`` for ``spec``; ``EarlierReportError`` (a ``UsageError``: one
    line, naming the file)
    when it is unreadable, not a report this gate reads, or another spec's or agent's."""
    report = load_earlier(path, Use.BASELINE)
    notes = check_identity(report, spec, str(spec.path), _spec_digest(spec.path))
    source = str(path)
    simulations = tuple(
        BaselineSimulation(
            source=source,
            label=s.label,
            simulation_id=s.simulation_id,
            conversations=conversations_of(source, s),
            score=s.score,
        )
        for s in report.simulations
    )
    return Baseline(
        source,
        simulations,
        report.finished_at,
        report.outcome,
        tuple(notes),
        call_sets=_call_sets(source, report.call_sets),
    )


def _call_sets(source: str, call_sets: Sequence[EarlierCallSet]) -> tuple[BaselineSimulation, ...]:
    """The report's call sets to compare with (``simulation_id`` empty: they have none)."""
    return tuple(
        BaselineSimulation(
            source=source,
            label=c.name,
            simulation_id="",
            conversations=conversations_of(source, c),
        )
        for c in call_sets
    )


def describe_baseline(baseline: Baseline | BaselineSkipped | None) -> str | None:
    """What the run compares with, for the console and the reports; ``None`` without
    a baseline asked for."""
    if baseline is None:
        return None
    if isinstance(baseline, BaselineSkipped):
        return f"no baseline: {baseline.reason}"
    return baseline.describe()


def attach(
    inputs: Sequence[SimulationInput], baseline: Baseline | BaselineSkipped | None
) -> list[SimulationInput]:
    """Each simulation's (and call set's) input with its baseline (or the reason it has
    none)."""
    if baseline is None:
        return list(inputs)
    if isinstance(baseline, BaselineSkipped):
        return [replace(sim, baseline=f"no baseline: {baseline.reason}") for sim in inputs]
    return [
        replace(
            sim,
            baseline=baseline.for_call_set(sim.label)
            if sim.kind == CALL_SET
            else baseline.for_simulation(sim.simulation_id, sim.label),
        )
        for sim in inputs
    ]
