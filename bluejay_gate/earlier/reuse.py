"""``--rerun-failed``: which of the spec's simulations an earlier report lets the gate
take instead of queueing them again (``reusable``): those that pass when their samples
are judged again with this spec's checks. A simulation the report does not have, or
that does not pass there, is queued. The same for call sets (``reusable_call_sets``),
and one whose files changed since (another list of files, or a file's sha256) is sent
again. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from bluejay_gate.earlier.document import EarlierCallSet, EarlierReport, EarlierSimulation
from bluejay_gate.earlier.samples import (
    call_set_input,
    match_call_sets,
    match_simulations,
    recorded_hashes,
    simulation_input,
)
from bluejay_gate.spec.resolved import CallSetSpec, SimulationSpec, Spec
from bluejay_gate.verdict.evaluate import evaluate_simulation
from bluejay_gate.verdict.inputs import SimulationInput
from bluejay_gate.verdict.model import Outcome


def reusable(spec: Spec, report: EarlierReport) -> dict[int, SimulationInput]:
    """Spec simulation index -> its input from ``report``, for each one that passes when
    judged again (never on the report's word: its recorded outcome is not read)."""
    matched = match_simulations(spec, report.simulations)
    return {
        index: sim
        for index, _, sim in _passing(
            spec,
            zip(spec.simulations, matched, strict=True),
            lambda entry, earlier: simulation_input(
                spec,
                entry,
                earlier,
                where=f"{report.path}: simulations[{earlier.index}]",
                reused_from=report.path,
            ),
        )
    }


_Entry = TypeVar("_Entry", SimulationSpec, CallSetSpec)
_Doc = TypeVar("_Doc", EarlierSimulation, EarlierCallSet)


def _passing(
    spec: Spec,
    pairs: Iterable[tuple[_Entry, _Doc | None]],
    read: Callable[[_Entry, _Doc], SimulationInput],
) -> Iterator[tuple[int, _Doc, SimulationInput]]:
    """Each (spec index, report item, input) whose input, read from the report item the
    spec entry ran as, passes when judged again with this spec's checks."""
    for index, (entry, earlier) in enumerate(pairs):
        if earlier is None:
            continue
        sim = read(entry, earlier)
        verdict = evaluate_simulation(sim, allow_incomplete=spec.run.allow_incomplete)
        if verdict.outcome is Outcome.PASS:
            yield index, earlier, sim


def stale_reason(sim: SimulationInput, digital_humans: int | None) -> str | None:
    """Why a reusable simulation must be queued again after all: Bluejay now has another
    number of digital humans for it than the report's conversations covered (its samples
    would judge a suite that no longer exists). ``None``: still current, or unknown."""
    covered = {str(r.digital_human_id) for r in sim.results if r.digital_human_id is not None}
    if digital_humans is None or not covered or len(covered) == digital_humans:
        return None
    return (
        f"{sim.label}: has {digital_humans} digital humans now, {len(covered)} in "
        f"{sim.reused_from}: queued again"
    )


def reusable_call_sets(
    spec: Spec, report: EarlierReport
) -> tuple[dict[int, SimulationInput], list[str]]:
    """Spec call set index -> its input from ``report``, for each one that passes when
    judged again and whose files are the ones it judged; and one line for each that
    passed there but is sent again because its files changed."""
    taken: dict[int, SimulationInput] = {}
    again: list[str] = []
    matched = match_call_sets(spec, report.call_sets)
    for index, earlier, sim in _passing(
        spec,
        zip(spec.calls, matched, strict=True),
        lambda entry, earlier: call_set_input(
            spec,
            entry,
            earlier,
            where=f"{report.path}: call_sets[{earlier.index}]",
            reused_from=report.path,
        ),
    ):
        if why := files_changed(spec.calls[index], sim, earlier, report.path):
            again.append(f"call set {spec.calls[index].name!r}: {why}: sent again")
        else:
            taken[index] = sim
    return taken, again


def files_changed(
    set_spec: CallSetSpec, sim: SimulationInput, earlier: EarlierCallSet, path: str
) -> str | None:
    """Why the call set's files are not the ones ``earlier`` (in the report at ``path``)
    judged: another list of files, or a file whose sha256 differs or was not recorded.
    ``None``: the same files, byte for byte."""
    now = [f.shown for f in set_spec.files]
    if list(sim.files) != now:
        added = [f for f in now if f not in sim.files]
        gone = [f for f in sim.files if f not in now]
        parts = [f"added {', '.join(added)}"] if added else []
        parts += [f"gone {', '.join(gone)}"] if gone else []
        return f"its files changed since {path} ({'; '.join(parts) or 'another order'})"
    judged = sorted(sim.result_files.get(r.id, "") for r in sim.results)
    if judged != sorted(now) or len(sim.result_files) != len(sim.results):
        # an edited report: a call lost or doubled must not pass for the whole set
        return f"{path} does not hold one call for each of its files"
    recorded = recorded_hashes(earlier)
    for f in set_spec.files:
        if f.shown not in recorded or not f.sha256:
            return f"{path} has no sha256 of {f.shown} to compare with"
        if f.sha256 != recorded[f.shown]:
            return f"{f.shown} changed since {path}"
    return None
