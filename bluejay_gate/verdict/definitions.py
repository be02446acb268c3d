"""Check before paying: every threshold against Bluejay's metric definitions, and the plan's cost.

Pure: no I/O. The gate reads the facts (``preflight_read``) before the first
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
``plan_costs`` says how many conversations each simulation would queue.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bluejay_gate.model.metric_names import BUILTIN_BOOLEAN, BUILTIN_ENUM, BUILTIN_NUMBER, RUN_LEVEL
from bluejay_gate.model.values import Kind, type_kind
from bluejay_gate.spec.resolved import SimulationSpec, Spec
from bluejay_gate.spec.thresholds import EACH_WORDS, Aggregate, Check
from bluejay_gate.verdict.aggregate import SUPPORTED, aggregate_word

BUILTINS = frozenset((*BUILTIN_BOOLEAN, *BUILTIN_NUMBER, *BUILTIN_ENUM, *RUN_LEVEL))
_BUILTIN_KINDS: dict[str, Kind] = {
    **dict.fromkeys(BUILTIN_BOOLEAN, "boolean"),
    **dict.fromkeys(BUILTIN_NUMBER, "number"),
    **dict.fromkeys(BUILTIN_ENUM, "enum"),
}
_SCALED = frozenset(
    {Aggregate.MEAN, Aggregate.MEDIAN, Aggregate.MIN, Aggregate.MAX, Aggregate.PERCENTILE}
)
_KIND_WORDS: dict[Kind, str] = {
    "boolean": "pass/fail",
    "number": "numeric",
    "enum": "enum",
    "raw": "free-text",
}
_NUMBER_AT_END = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*%\s*$")
SUFFIX = "nothing was queued"
MAX_LISTED = 3  # further problems are counted, not spelled out


@dataclass(frozen=True, slots=True)
class MetricDefinition:
    """One ``CustomMetricResponse``, as much of it as the checks need."""

    name: str
    response_type: str = ""
    id: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    enum_options: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Definitions:
    """The definitions read. ``complete``: the organisation's whole list is among them
    (or every name the spec needs was found), so a name not here does not exist."""

    metrics: tuple[MetricDefinition, ...]
    complete: bool = True
    where: str = "the agent's or the organisation's custom metrics"

    def named(self, name: str) -> list[MetricDefinition]:
        return [m for m in self.metrics if m.name == name]


@dataclass(frozen=True, slots=True)
class SimulationFacts:
    """What Bluejay says about one simulation; ``None`` is "unknown"."""

    label: str
    simulation_id: str
    digital_humans: int | None = None
    selected_metric_ids: frozenset[str] | None = None
    runs_per_digital_human: int | None = None  # the simulation's own setting


@dataclass(frozen=True, slots=True)
class Problem:
    """A threshold that cannot be judged: spec line, metric, one-line message."""

    line: int | None
    metric: str
    message: str


@dataclass(frozen=True, slots=True)
class SimulationCost:
    """Conversations one simulation would queue: digital humans × repeats (first look),
    and the most it can reach with early stopping."""

    label: str
    simulation_id: str
    digital_humans: int | None
    repeats: int
    max_repeats: int | None = None

    @property
    def conversations(self) -> int | None:
        return None if self.digital_humans is None else self.digital_humans * self.repeats

    @property
    def most(self) -> int | None:
        """Conversations at most (``max_repeats``), ``None`` when unknown."""
        if self.digital_humans is None:
            return None
        return self.digital_humans * max(self.repeats, self.max_repeats or self.repeats)

    def describe(self) -> str:
        if self.conversations is None:
            return "unknown conversations (the digital humans could not be read)"
        n = self.most if self.most is not None and self.most > self.conversations else None
        per = f"{self.digital_humans} digital human{'s' if self.digital_humans != 1 else ''}"
        if n is not None:
            return (
                f"{self.conversations} to up to {n} conversations ({per} × {self.repeats}, "
                f"up to {self.max_repeats} while inconclusive)"
            )
        word = "conversation" if self.conversations == 1 else "conversations"
        return f"{self.conversations} {word} ({per} × {self.repeats})"


def needed_metrics(spec: Spec) -> list[str]:
    """Custom metric names the thresholds use (built-ins left out), in spec order."""
    names: dict[str, None] = {}
    for sim in spec.simulations:
        for c in spec.checks_for(sim):
            if c.metric not in BUILTINS:
                names.setdefault(c.metric)
    return list(names)


def first_repeats(sim: SimulationSpec, facts: SimulationFacts | None = None) -> int:
    """Conversations per digital human in the first look: ``repeat``, else the spec's
    ``runs_per_digital_human``, else the simulation's own setting, else 1."""
    if sim.repeat > 1:
        return sim.repeat
    option = sim.queue_options.get("runs_per_digital_human")
    if isinstance(option, int) and not isinstance(option, bool) and option >= 1:
        return option
    if sim.max_repeats is not None:
        return 1  # the gate sends 1 explicitly (gate.build_jobs)
    if facts is not None and facts.runs_per_digital_human is not None:
        return facts.runs_per_digital_human
    return 1


def most_repeats(sim: SimulationSpec, facts: SimulationFacts | None = None) -> int:
    """Conversations per digital human at most: ``max_repeats`` when set."""
    return max(first_repeats(sim, facts), sim.max_repeats or 0)


def digital_humans(sim: SimulationSpec, facts: SimulationFacts | None) -> int | None:
    """The spec's own ``digital_human_ids`` count, else what Bluejay said."""
    if sim.digital_human_ids is not None:
        return len(sim.digital_human_ids)
    return None if facts is None else facts.digital_humans


def plan_costs(spec: Spec, facts: Sequence[SimulationFacts]) -> list[SimulationCost]:
    """One ``SimulationCost`` per simulation, in spec order."""
    return [
        SimulationCost(
            label=f.label,
            simulation_id=f.simulation_id,
            digital_humans=digital_humans(sim, f),
            repeats=first_repeats(sim, f),
            max_repeats=sim.max_repeats,
        )
        for sim, f in zip(spec.simulations, facts, strict=True)
    ]


def describe_total(costs: Sequence[SimulationCost]) -> str:
    """``"16 conversations"``, ``"16 to up to 48 conversations"`` or ``"unknown (...)"``."""
    unknown = [c.label for c in costs if c.conversations is None]
    if unknown:
        known = sum(c.conversations or 0 for c in costs)
        return (
            f"unknown (the digital humans of {', '.join(unknown)} could not be read; "
            f"{known} conversations for the rest)"
        )
    first = sum(c.conversations or 0 for c in costs)
    most = sum(c.most or 0 for c in costs)
    if most > first:
        return f"{first} to up to {most} conversations"
    return f"{first} conversation{'s' if first != 1 else ''}"


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
    out: list[str] = []
    if c.metric in RUN_LEVEL:
        return out  # ``score``: the spec loader already holds it to ``value``
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
            definition = _pick(found, facts.selected_metric_ids)
            if (
                facts.selected_metric_ids is not None
                and definition.id is not None
                and definition.id not in facts.selected_metric_ids
            ):
                out.append(
                    f"custom metric {c.metric!r} is not selected for {facts.label} (simulation "
                    f"{facts.simulation_id}), so its conversations will not be scored on it: "
                    "select the metric in the simulation's settings in Bluejay, or move the "
                    "threshold to a simulation that scores it"
                )
            kind = type_kind(definition.response_type)
    if kind is not None:
        out.extend(_kind_problems(c, kind, definition))
    samples = _reachable(sim, facts)
    if c.min_samples is not None and samples is not None and c.min_samples > samples:
        out.append(
            f"min_samples {c.min_samples} cannot be reached: {facts.label} queues at most "
            f"{samples} conversation{'s' if samples != 1 else ''} "
            f"({_how_many(sim, facts)}): lower min_samples to {samples} or fewer, or add "
            "digital humans or repeats"
        )
    return out


def _pick(found: list[MetricDefinition], selected: frozenset[str] | None) -> MetricDefinition:
    """Of several definitions with one name, the one the simulation scores."""
    if selected is not None:
        for m in found:
            if m.id in selected:
                return m
    return found[0]


def _reachable(sim: SimulationSpec, facts: SimulationFacts) -> int | None:
    humans = digital_humans(sim, facts)
    return None if humans is None else humans * most_repeats(sim, facts)


def _how_many(sim: SimulationSpec, facts: SimulationFacts) -> str:
    humans = digital_humans(sim, facts)
    source = "listed in digital_human_ids" if sim.digital_human_ids is not None else "in Bluejay"
    return (
        f"{humans} digital human{'s' if humans != 1 else ''} {source} × {most_repeats(sim, facts)}"
    )


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


def _kind_problems(c: Check, kind: Kind, definition: MetricDefinition | None) -> list[str]:
    what = f"{c.metric!r} ({definition.response_type if definition else 'built-in'}, "
    what += f"{_KIND_WORDS[kind]})"
    if kind == "raw":
        return [
            f"{what} holds free text, which no threshold can aggregate: remove this threshold "
            "or gate on a pass_fail, yes_no, quantitative or enum metric"
        ]
    if c.per_digital_human:
        if kind != "boolean":
            return [
                f"each_digital_human rules ({EACH_WORDS}) count passes, but {what} is not "
                f"pass/fail: use one of {_allowed(kind)} over all conversations instead"
            ]
        return []
    if c.aggregate not in SUPPORTED[kind]:
        return [
            f"{aggregate_word(c.aggregate)} does not apply to {what}: use one of {_allowed(kind)}"
        ]
    out: list[str] = []
    if c.aggregate is Aggregate.SHARE and definition is not None and definition.enum_options:
        out.extend(_share_problem(c, definition.enum_options))
    if (
        c.percent
        and c.aggregate in _SCALED
        and definition is not None
        and definition.max_value is not None
        and definition.max_value > 1
    ):
        out.append(_scale_problem(c, definition))
    return out


def _allowed(kind: Kind) -> str:
    return ", ".join(aggregate_word(a) for a in SUPPORTED[kind])


def _share_problem(c: Check, options: tuple[str, ...]) -> list[str]:
    value = c.share_value or ""
    if value.casefold() in {o.casefold() for o in options}:
        return []
    folded = {o.casefold(): o for o in options}
    close = [folded[n] for n in difflib.get_close_matches(value.casefold(), list(folded), n=3)]
    hint = f": did you mean {', '.join(repr(n) for n in close)}?" if close else "."
    return [
        f"share({value}) counts a value {c.metric!r} never has{hint} Its options are "
        f"{', '.join(repr(o) for o in options)}"
    ]


def _scale_problem(c: Check, definition: MetricDefinition) -> str:
    top = definition.max_value or 0.0
    bottom = definition.min_value
    scale = f"{bottom:g} to {top:g}" if bottom is not None else f"up to {top:g}"
    number = f"{c.threshold * top:.6g}"
    fixed = _NUMBER_AT_END.sub(number, c.expression)
    return (
        f"{c.metric!r} is scored {scale}, so {c.expression!r} compares it with "
        f"{c.threshold:g} and would pass or fail on the scale, not the share: "
        f"{c.threshold * 100:g}% of {top:g} is {number}; write {fixed!r}"
    )
