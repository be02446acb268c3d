"""Custom-metric entries of a Bluejay result, read into ``MetricValue``s: one entry (its
name, value, type, N/A flag and declared domain), and a list or dict of them, where one
name given twice with different content is malformed, naming both values (never decided
by list order). Pure."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from bluejay_gate.model.value_words import SCALAR_CLASSES, flag_is_set, normalise_type, to_text
from bluejay_gate.model.values import INTERN_LIMIT, Domain, MetricValue, metric_value, range_text


def _bound(raw: object) -> float | None:
    """A declared ``min_value`` / ``max_value``; unreadable or non-finite: not declared."""
    if isinstance(raw, bool) or not isinstance(raw, SCALAR_CLASSES):
        return None
    try:
        bound = float(raw)
    except (ValueError, OverflowError):
        return None
    return bound if math.isfinite(bound) else None


_OPTIONS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _options(raw: object) -> tuple[str, ...] | None:
    """Declared ``enum_options`` as a shared tuple; none, or an empty list: not declared."""
    if not isinstance(raw, list) or not raw:
        return None
    options = tuple(o if isinstance(o, str) else to_text(o) for o in raw if o is not None)
    if not options:
        return None
    if len(_OPTIONS) >= INTERN_LIMIT:
        _OPTIONS.clear()
    return _OPTIONS.setdefault(options, options)


def _entry_value(name: str, entry: Mapping[str, Any]) -> MetricValue:
    raw = entry["response_value"] if "response_value" in entry else entry.get("value")
    rtype = entry.get("response_type")
    flag = entry.get("is_not_applicable")
    low, high, options = entry.get("min_value"), entry.get("max_value"), entry.get("enum_options")
    return metric_value(
        name,
        raw,
        normalise_type(entry.get("type") if rtype is None else rtype),
        reasoning=entry.get("reasoning"),
        not_applicable=flag is not None and flag is not False and flag_is_set(flag),
        min_value=None if low is None else _bound(low),
        max_value=None if high is None else _bound(high),
        options=None if options is None else _options(options),
    )


def _entry_name(entry: Mapping[str, Any]) -> str | None:
    """The entry's ``name`` (else ``metric_name``) exactly as sent; blank: none."""
    name = entry.get("name")
    if isinstance(name, str) and name and not name.isspace():
        return name
    name = entry.get("metric_name")
    if isinstance(name, str) and name and not name.isspace():
        return name
    return None


def content(value: MetricValue) -> tuple[object, ...]:
    """What two copies of one metric must share to be the same answer (not reasoning)."""
    return (
        value.raw,
        value.value,
        value.applicable,
        value.response_type,
        value.error,
        value.min_value,
        value.max_value,
        value.options,
    )


def _shown(value: MetricValue, other: MetricValue) -> str:
    """``'7'``, plus whatever else tells it from ``other`` (N/A flag, type, domain)."""
    text = "null" if value.raw is None else repr(value.raw)
    extra: list[str] = []
    if not value.applicable and other.applicable:
        extra.append("not applicable")
    if value.response_type != other.response_type:
        extra.append(value.response_type or "no response_type")
    if (value.min_value, value.max_value) != (other.min_value, other.max_value):
        extra.append(f"range {range_text(Domain(value.min_value, value.max_value, None))}")
    if value.options != other.options:
        extra.append(f"options {', '.join(value.options or ()) or 'none'}")
    return f"{text} ({'; '.join(extra)})" if extra else text


def _conflict(name: str, first: MetricValue, second: MetricValue, where: str) -> MetricValue:
    """``name`` given twice in one list with different content: malformed, naming both."""
    message = (
        f"{name!r} is given twice {where} with different values "
        f"({_shown(first, second)} and {_shown(second, first)}); the value to judge "
        "cannot be told"
    )
    return MetricValue(name, first.raw, None, first.response_type, True, None, message)


def custom_entries(
    container: object, *, bare_values: bool, where: str = "in one evaluation"
) -> dict[str, MetricValue]:
    """Entries of a ``custom_metrics`` list or dict, by their exact names. A name given
    twice with different content is malformed (never decided by list order)."""
    found: dict[str, MetricValue] = {}
    conflicted: set[str] = set()

    def add(name: str, value: MetricValue) -> None:
        earlier = found.get(name)
        if earlier is None:
            found[name] = value
        elif name not in conflicted and content(earlier) != content(value):
            found[name] = _conflict(name, earlier, value, where)
            conflicted.add(name)

    if isinstance(container, list):
        for entry in container:
            if isinstance(entry, dict) and (name := _entry_name(entry)):
                add(name, _entry_value(name, entry))
    elif isinstance(container, dict):
        for key, entry in container.items():
            name = key if isinstance(key, str) else str(key)  # the key names the metric
            if not name or name.isspace():
                continue
            if isinstance(entry, dict):
                add(name, _entry_value(name, entry))
            elif bare_values:
                add(name, metric_value(name, entry, ""))
    return found
