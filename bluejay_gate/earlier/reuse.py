"""``--rerun-failed``: which of the spec's simulations an earlier report lets the gate
take instead of queueing them again (``reusable``): those that pass when their samples
are judged again with this spec's checks. A simulation the report does not have, or
that does not pass there, is queued. Pure.
"""

from __future__ import annotations

from bluejay_gate.earlier.document import EarlierReport
from bluejay_gate.earlier.samples import match_simulations, simulation_input
from bluejay_gate.spec.resolved import Spec
from bluejay_gate.verdict.evaluate import evaluate_simulation
from bluejay_gate.verdict.inputs import SimulationInput
from bluejay_gate.verdict.model import Outcome


def reusable(spec: Spec, report: EarlierReport) -> dict[int, SimulationInput]:
    """Spec simulation index -> its input from ``report``, for each one that passes when
    judged again (never on the report's word: its recorded outcome is not read)."""
    docs = report.simulations
    taken: dict[int, SimulationInput] = {}
    for index, (sim_spec, doc) in enumerate(
        zip(spec.simulations, match_simulations(spec, docs), strict=True)
    ):
        if doc is None:
            continue
        where = f"{report.path}: simulations[{docs.index(doc)}]"
        sim = simulation_input(spec, sim_spec, doc, where=where, reused_from=report.path)
        verdict = evaluate_simulation(sim, allow_incomplete=spec.run.allow_incomplete)
        if verdict.outcome is Outcome.PASS:
            taken[index] = sim
    return taken


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
