"""Check before paying: every threshold against Bluejay's metric definitions.

Pure: no I/O. The run stage reads the facts (``run.preflight``) before the first
``queue-simulation-run`` and hands them here:

- ``Definitions``: the custom metrics read (the agent's, plus the organisation's when a
  threshold named one the agent does not have), or ``None`` when they could not be read;
- ``SimulationFacts`` per simulation: how many digital humans it talks to and which
  custom metric ids it scores (each ``None`` when unknown).

``check`` returns every threshold that cannot be judged, each located at its spec line:
a metric that does not exist (with "did you mean"), one the simulation does not score,
an aggregate its ``response_type`` cannot have, a ``share(VALUE)`` that is not an option,
a ``%`` on a scale that goes past 1, a ``min_samples`` the run cannot reach. Bluejay's
built-in metrics are not looked up, but their aggregates must fit their known kind.
The kind rules are ``kind_checks``; what the plan costs is ``costs``.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from bluejay_gate.model.metric_names import (
    BUILTIN_BOOLEAN,
    BUILTIN_ENUM,
    BUILTIN_NUMBER,
    NOT_CUSTOM,
    RUN_LEVEL,
)
from bluejay_gate.model.value_words import Kind, type_kind
from bluejay_gate.spec.resolved import CallSetSpec, SimulationSpec, Spec
from bluejay_gate.spec.thresholds import Check
from bluejay_gate.verdict.costs import how_many, reachable
from bluejay_gate.verdict.facts import Definitions, MetricDefinition, Problem, SimulationFacts
from bluejay_gate.verdict.kind_checks import kind_problems

_BUILTIN_KINDS: dict[str, Kind] = {
    **dict.fromkeys(BUILTIN_BOOLEAN, "boolean"),
    **dict.fromkeys(BUILTIN_NUMBER, "number"),
    **dict.fromkeys(BUILTIN_ENUM, "enum"),
}
SUFFIX = "nothing was queued"
MAX_LISTED = 3  # further problems are counted, not spelled out


def needed_metrics(spec: Spec) -> list[str]:
    """Custom metric names the thresholds use (built-ins left out), in spec order."""
    names: dict[str, None] = {}
    entries: list[SimulationSpec | CallSetSpec] = [*spec.simulations, *spec.calls]
    for sim in entries:
        for c in spec.checks_for(sim):
            if c.metric not in NOT_CUSTOM:
                names.setdefault(c.metric)
    return list(names)


def check(
    spec: Spec, definitions: Definitions | None, facts: Sequence[SimulationFacts]
) -> list[Problem]:
    """Every threshold that cannot be judged, in spec line order, each reported once
    (a global threshold shared by several simulations is one problem unless the facts
    of a simulation make it one of its own)."""
    problems: dict[tuple[int | None, str, str], Problem] = {}
    for sim, sim_facts in zip(spec.simulations, facts, strict=True):
        for c in spec.checks_for(sim):
            for message in _check_one(c, sim, sim_facts, definitions):
                problems.setdefault((c.line, c.metric, message), Problem(c.line, c.metric, message))
    for call_set in spec.calls:
        for c in spec.checks_for(call_set):
            for message in _check_call(c, call_set, definitions):
                problems.setdefault((c.line, c.metric, message), Problem(c.line, c.metric, message))
    return sorted(problems.values(), key=lambda p: (p.line or 0, p.metric))


def summary(problems: Sequence[Problem]) -> str:
    """One line for a ``SpecError``: the first problem, then where the others are."""
    first = problems[0]
    text = first.message.rstrip(".")
    places: dict[tuple[int | None, str], int] = {}
    for p in problems[1:]:
        places[(p.line, p.metric)] = places.get((p.line, p.metric), 0) + 1
    if places:
        listed = [
            f"line {line} {metric!r}" + (f" ×{n}" if n > 1 else "")
            for (line, metric), n in list(places.items())[:MAX_LISTED]
        ]
        if len(places) > MAX_LISTED:
            listed.append(f"{len(places) - MAX_LISTED} more places")
        rest = len(problems) - 1
        noun = "problem" if rest == 1 else "problems"
        text += f"; {rest} more {noun} with thresholds ({', '.join(listed)})"
    return f"{text}; {SUFFIX}"


def located(problem: Problem, spec_file: str) -> str:
    """``spec.yml:12: Empathy: message``: a problem as its own line."""
    where = f"{spec_file}:{problem.line}" if problem.line is not None else spec_file
    return f"{where}: {problem.metric}: {problem.message}"


# --- one check -------------------------------------------------------------------------


def _check_one(
    c: Check, sim: SimulationSpec, facts: SimulationFacts, definitions: Definitions | None
) -> list[str]:
    out = _definition_problems(c, facts, definitions)
    samples = reachable(sim, facts)
    if c.min_samples is not None and samples is not None and c.min_samples > samples:
        out.append(
            f"min_samples {c.min_samples} cannot be reached: {facts.label} queues at most "
            f"{samples} conversation{'s' if samples != 1 else ''} "
            f"({how_many(sim, facts)}): lower min_samples to {samples} or fewer, or add "
            "digital humans or repeats"
        )
    return out


def _check_call(c: Check, call_set: CallSetSpec, definitions: Definitions | None) -> list[str]:
    """A call set's threshold: the metric and its kind as for a simulation (a call's
    ``custom_metrics`` / ``custom_metric_tags`` only add metrics to what Bluejay scores,
    so there is no selection to hold it to), and ``min_samples`` against the files."""
    out = _definition_problems(c, None, definitions)
    files = len(call_set.files)
    if c.min_samples is not None and c.min_samples > files:
        out.append(
            f"min_samples {c.min_samples} cannot be reached: call set {call_set.name!r} has "
            f"{files} call file{'s' if files != 1 else ''} ({call_set.pattern}): lower "
            f"min_samples to {files} or fewer, or add golden calls"
        )
    return out


def _definition_problems(
    c: Check, facts: SimulationFacts | None, definitions: Definitions | None
) -> list[str]:
    """The metric exists, is scored (``facts``: the simulation's selection; ``None`` for
    a call set) and its kind can have the threshold's aggregate."""
    out: list[str] = []
    if c.metric in RUN_LEVEL:
        return out  # ``score``: the spec loader already holds it to ``value``
    selected = facts.selected_metric_ids if facts is not None else None
    definition: MetricDefinition | None = None
    kind: Kind | None
    if c.metric in _BUILTIN_KINDS and (definitions is None or not definitions.named(c.metric)):
        kind = _BUILTIN_KINDS[c.metric]
    elif definitions is None:
        kind = None
    else:
        found = definitions.named(c.metric)
        if not found:
            if definitions.complete:
                out.append(_not_found(c.metric, definitions))
            kind = None
        else:
            definition = _pick(found, selected)
            if (
                facts is not None
                and selected is not None
                and definition.id is not None
                and definition.id not in selected
            ):
                out.append(
                    f"custom metric {c.metric!r} is not selected for {facts.label} (simulation "
                    f"{facts.simulation_id}), so its conversations will not be scored on it: "
                    "select the metric in the simulation's settings in Bluejay, or move the "
                    "threshold to a simulation that scores it"
                )
            kind = type_kind(definition.response_type)
    if kind is not None:
        out.extend(kind_problems(c, kind, definition))
    return out


def _pick(found: list[MetricDefinition], selected: frozenset[str] | None) -> MetricDefinition:
    """Of several definitions with one name, the one the simulation scores."""
    if selected is not None:
        for m in found:
            if m.id in selected:
                return m
    return found[0]


def _not_found(name: str, definitions: Definitions) -> str:
    names = sorted({m.name for m in definitions.metrics})
    close = [n for n in names if n.casefold() == name.casefold()]
    close += [n for n in difflib.get_close_matches(name, names, n=3, cutoff=0.6) if n not in close]
    hint = f": did you mean {', '.join(repr(n) for n in close[:3])}?" if close else "."
    return (
        f"no custom metric named {name!r} among {definitions.where} "
        f"({len(names)} read){hint} Metric names are exact: fix the name in the spec, or "
        "create the metric in Bluejay"
    )
