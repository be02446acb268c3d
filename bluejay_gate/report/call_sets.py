"""What the reporters say of a call set (recorded calls, judged like a simulation) instead
of a simulation's: its label (``calls: <name>``, so a set never shares a JUnit suite or a
row name with a simulation), the count of units ("1 simulation · 1 call set") and its
JUnit properties (the set's files and call ids instead of the simulation and run ids).
Everything else is the simulation's rendering. Renders only."""

from __future__ import annotations

from bluejay_gate.verdict.model import SimulationVerdict, Verdict

CALLS_PREFIX = "calls: "
_RUN_PROPERTIES = ("simulation_id", "run_ids", "run_status", "score", "dashboard_url")


def unit_label(simulation: SimulationVerdict) -> str:
    """A simulation's label, or ``calls: <name>`` for a call set."""
    return f"{CALLS_PREFIX}{simulation.label}" if simulation.is_call_set else simulation.label


def units_text(verdict: Verdict) -> str:
    """``2 simulations``, ``1 call set``, ``1 simulation · 2 call sets``."""
    sets = sum(1 for s in verdict.simulations if s.is_call_set)
    sims = len(verdict.simulations) - sets
    parts = [f"{sims} simulation{'s' if sims != 1 else ''}"] if sims or not sets else []
    if sets:
        parts.append(f"{sets} call set{'s' if sets != 1 else ''}")
    return " · ".join(parts)


def call_set_properties(
    simulation: SimulationVerdict, properties: dict[str, str]
) -> dict[str, str]:
    """``properties`` of a simulation suite, made a call set's (others returned as given)."""
    if not simulation.is_call_set:
        return properties
    out = {k: v for k, v in properties.items() if k not in _RUN_PROPERTIES}
    out["call_set"] = simulation.label
    out["files"] = ", ".join(simulation.files)
    out["call_ids"] = ", ".join(simulation.call_ids)
    return out
