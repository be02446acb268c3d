"""What a spec keeps in Bluejay, validated models -> ``MetricSpec`` / ``ManagedSimulation``,
with the rules no single key can say.

Owns: metric names unique within the spec, digital human names unique within their
simulation; an enum metric lists options; ``min_value`` at most ``max_value``; a managed
simulation (``digital_humans`` mappings) has no ``id`` or ``digital_human_ids`` and at
least one digital human; a reference entry sets none of a managed simulation's settings.
Problems go to the caller's list with the line of the key they are about. Pure: works on
the validated models and the YAML positions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from bluejay_gate.spec.human_model import HumanListModel, HumanModel
from bluejay_gate.spec.messages import Problem
from bluejay_gate.spec.metric_model import MetricListModel, MetricModel
from bluejay_gate.spec.resolved import HumanSpec, ManagedSimulation, MetricSpec
from bluejay_gate.spec.simulation_model import MANAGED_FIELDS, MANAGED_ONLY_FIELDS, SimulationModel
from bluejay_gate.spec.yamlpos import Located
from bluejay_gate.spec.yamlpos import Path as KeyPath

_MANAGED = frozenset(MANAGED_FIELDS)


def build_metrics(
    section: list[MetricModel] | MetricListModel | None,
    located: Located,
    problems: list[Problem],
) -> tuple[tuple[MetricSpec, ...] | None, bool]:
    """``custom_metrics:`` as ``MetricSpec`` entries (None when the key is absent) and its
    ``prune``."""
    if section is None:
        return None, False
    items, prune, base = _items(section, ("custom_metrics",))
    metrics: list[MetricSpec] = []
    seen: dict[str, tuple[KeyPath, int]] = {}
    for index, model in enumerate(items):
        path: KeyPath = (*base, index)
        metric = MetricSpec(
            name=model.name,
            fields=model.model_dump(exclude_unset=True),
            line=located.line_of(path),
            field_lines=_field_lines(model, path, located),
        )
        _check_metric(metric, path, located, problems)
        _once(
            seen,
            metric.name,
            metric.line,
            path,
            problems,
            f"custom metric {metric.name!r}",
            "a metric is found by name within the agent: remove one or rename it",
        )
        metrics.append(metric)
    return tuple(metrics), prune


def build_managed(
    model: SimulationModel, path: KeyPath, located: Located, problems: list[Problem]
) -> ManagedSimulation | None:
    """The managed part of one ``simulations:`` entry (None for a reference entry, whose
    managed-only keys are problems)."""
    written = model.model_fields_set
    if model.digital_humans is None:
        problems.extend(
            Problem(
                located.line_of((*path, key)),
                1,
                (*path, key),
                f"`{key}` is a setting of a managed simulation: add digital_humans: (a list "
                "of mappings) to manage it, or remove the key",
            )
            for key in MANAGED_ONLY_FIELDS
            if key in written
        )
        return None
    if "id" in written:
        problems.append(
            Problem(
                located.line_of((*path, "id")),
                1,
                (*path, "id"),
                "a managed simulation is found by name within the agent: remove id",
            )
        )
    if "digital_human_ids" in written:
        problems.append(
            Problem(
                located.line_of((*path, "digital_human_ids")),
                1,
                (*path, "digital_human_ids"),
                "a managed simulation runs its own digital humans (digital_humans): remove "
                "digital_human_ids",
            )
        )
    items, prune, base = _items(model.digital_humans, (*path, "digital_humans"))
    if not items:
        problems.append(
            Problem(
                located.line_of((*path, "digital_humans")),
                1,
                (*path, "digital_humans"),
                "a managed simulation needs at least one digital human: list them as "
                "`- name: ...` mappings (or remove digital_humans to run an existing "
                "simulation)",
            )
        )
    return ManagedSimulation(
        # (a queue option written null, e.g. prompt_id, says nothing, as it always has)
        fields={
            k: v
            for k, v in model.model_dump(exclude_unset=True).items()
            if k in _MANAGED and v is not None
        },
        digital_humans=_humans(items, base, located, problems),
        prune=prune,
        field_lines={
            k: located.line_of((*path, k))
            for k in model.model_dump(exclude_unset=True)
            if k in _MANAGED or k == "name"
        },
    )


def _humans(
    items: Sequence[HumanModel], base: KeyPath, located: Located, problems: list[Problem]
) -> tuple[HumanSpec, ...]:
    humans: list[HumanSpec] = []
    seen: dict[str, tuple[KeyPath, int]] = {}
    for index, model in enumerate(items):
        path: KeyPath = (*base, index)
        human = HumanSpec(
            name=model.name,
            fields=model.model_dump(exclude_unset=True),
            line=located.line_of(path),
            field_lines=_field_lines(model, path, located),
        )
        _once(
            seen,
            human.name,
            human.line,
            path,
            problems,
            f"digital human {human.name!r}",
            "a digital human is found by name within its simulation: remove one or rename it",
        )
        humans.append(human)
    return tuple(humans)


def _check_metric(
    metric: MetricSpec, path: KeyPath, located: Located, problems: list[Problem]
) -> None:
    fields = metric.fields
    if fields["response_type"] == "enum" and not fields.get("enum_options"):
        where: KeyPath = (*path, "enum_options" if "enum_options" in fields else "response_type")
        problems.append(
            Problem(
                located.line_of(where),
                1,
                where,
                f"custom metric {metric.name!r} is an enum metric: list its options, e.g. "
                "`enum_options: [resolved, escalated]`",
            )
        )
    low, high = fields.get("min_value"), fields.get("max_value")
    if low is not None and high is not None and low > high:
        where = (*path, "min_value")
        problems.append(
            Problem(
                located.line_of(where),
                1,
                where,
                f"custom metric {metric.name!r}: min_value {low} is more than max_value "
                f"{high}: swap them",
            )
        )


def _once(  # noqa: PLR0917 - private helper
    seen: dict[str, tuple[KeyPath, int]],
    name: str,
    line: int,
    path: KeyPath,
    problems: list[Problem],
    what: str,
    why: str,
) -> None:
    """A problem on the second of two entries with one name, naming both lines."""
    first, first_line = seen.setdefault(name, (path, line))
    if first != path:
        problems.append(
            Problem(
                line,
                1,
                path,
                f"{what} is listed twice: line {first_line} and line {line}; {why}",
            )
        )


def _items(
    section: Sequence[Any] | BaseModel, base: KeyPath
) -> tuple[Sequence[Any], bool, KeyPath]:
    """(entries, prune, path of the list) of a section written as a list or a mapping."""
    if isinstance(section, (MetricListModel, HumanListModel)):
        return section.items, section.prune, (*base, "items")
    assert isinstance(section, list)
    return section, False, base


def _field_lines(model: BaseModel, path: KeyPath, located: Located) -> Mapping[str, int]:
    return {key: located.line_of((*path, key)) for key in model.model_dump(exclude_unset=True)}
