"""One metric's value in one conversation (``MetricValue``), read for aggregation.

Pure: no I/O. Booleans for pass_fail / yes_no / tool_call, numbers for quantitative,
strings for enum, raw text for qualitative / json. A value that cannot be read for its
``response_type``, or lies outside the declared ``enum_options`` or
``min_value``..``max_value``, is kept as a *malformed* ``MetricValue`` (``error`` set),
never dropped: dropping it could hide a failure. ``NA`` (any case) is not applicable,
except on an enum that has ``NA`` as an option.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bluejay_gate.model.value_words import (
    NA_WORD,
    SCALAR_CLASSES,
    TYPE_KINDS,
    Kind,
    normalise_type,
    parse,
    to_text,
    type_kind,
)


@dataclass(frozen=True, slots=True)
class MetricValue:
    """One metric's value in one conversation, normalised for aggregation."""

    name: str
    raw: str | None  # as Bluejay sent it (response_value is always a string)
    value: bool | float | str | None  # None when not applicable
    # pass_fail, yes_no, tool_call, quantitative, enum, qualitative, json,
    # or builtin_bool / builtin_number for Bluejay's own evaluation fields
    response_type: str
    applicable: bool = True
    reasoning: str | None = None
    # why ``raw`` could not be read for its response_type ("malformed"); a check over a
    # malformed sample has no verdict (never silently dropped: it could hide a failure)
    error: str | None = None
    # the domain the entry declares (CustomMetric min_value / max_value / enum_options);
    # a value outside it is malformed
    min_value: float | None = None
    max_value: float | None = None
    options: tuple[str, ...] | None = None
    # a number's exact decimal value, read once from its text (``Decimal("0.7")``, not the
    # float 0.69999...): aggregates compare exactly at the threshold. ``None`` for a JSON
    # number, whose float is exact (the aggregate reads it from ``repr``)
    exact: Decimal | None = None


def kind_of(value: MetricValue) -> Kind | None:
    """What aggregates apply to ``value``: from its response_type, else from its value."""
    declared = type_kind(value.response_type)
    if declared is not None:
        return declared
    if isinstance(value.value, bool):
        return "boolean"
    if isinstance(value.value, float):
        return "number"
    if isinstance(value.value, str):
        return "enum"
    return None


_CANONICAL_TYPES = {name: name for name in TYPE_KINDS}
_INTERN_TEXT = 40  # values up to this length are shared (sys.intern)
_INTERNED: dict[tuple[object, ...], MetricValue] = {}
INTERN_LIMIT = 20_000  # bounded: reasoning texts can be long


def metric_value(
    name: str,
    raw: object,
    response_type: str,
    *,
    reasoning: object = None,
    not_applicable: bool = False,
    min_value: float | None = None,
    max_value: float | None = None,
    options: tuple[str, ...] | None = None,
) -> MetricValue:
    """One ``MetricValue``; an unreadable value, or one outside the declared domain
    (``options``, ``min_value``..``max_value``), becomes a malformed one (``error`` set).

    Equal inputs share one (immutable) instance: conversations repeat the same values, and
    building a frozen dataclass is most of the cost of reading a large run.
    """
    rt = _CANONICAL_TYPES.get(response_type) or sys.intern(normalise_type(response_type))
    why = reasoning if isinstance(reasoning, str) else None
    # One shared object per metric name and per short value ("M01", "pass", "8"): a big
    # run repeats them hundreds of thousands of times, each a separate string from JSON.
    name = sys.intern(name)
    if isinstance(raw, str) and len(raw) <= _INTERN_TEXT:
        raw = sys.intern(raw)
    key: tuple[object, ...] | None = None
    if raw is None or isinstance(raw, SCALAR_CLASSES):
        key = (name, raw, type(raw), rt, why, not_applicable, min_value, max_value, options)
        cached = _INTERNED.get(key)
        if cached is not None:
            return cached
    domain = Domain(min_value, max_value, options)
    made = _make_value(name, raw, rt, why, not_applicable=not_applicable, domain=domain)
    if key is not None:
        if len(_INTERNED) >= INTERN_LIMIT:
            _INTERNED.clear()
        _INTERNED[key] = made
    return made


@dataclass(frozen=True, slots=True)
class Domain:
    """What an entry declares its values may be."""

    low: float | None
    high: float | None
    options: tuple[str, ...] | None


@functools.lru_cache(maxsize=1024)
def _folded(options: tuple[str, ...]) -> frozenset[str]:
    return frozenset(o.strip().casefold() for o in options)


def _bound_text(bound: float) -> str:
    return str(int(bound)) if bound.is_integer() and abs(bound) < 1e15 else repr(bound)


def range_text(domain: Domain) -> str:
    """The declared range for a message, e.g. ``1..10``."""
    low = "" if domain.low is None else _bound_text(domain.low)
    high = "" if domain.high is None else _bound_text(domain.high)
    return f"{low}..{high}"


_DECIMALS: dict[str, Decimal] = {}


def _exact(raw: object, value: float) -> Decimal | None:
    """The number's exact decimal when it came as text (``"0.7"`` is 7/10, not the float
    0.69999...), one shared object per text. ``None`` for a JSON number a float holds
    exactly: the aggregate reads it from ``repr`` when it needs it, so a big run
    does not keep a Decimal per latency value."""
    if isinstance(raw, str):
        text = raw.strip()
        found = _DECIMALS.get(text)
        if found is None:
            try:
                found = Decimal(text)
            except InvalidOperation:
                return None
            if len(_DECIMALS) >= INTERN_LIMIT:
                _DECIMALS.clear()
            _DECIMALS[text] = found
        return found
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) > 2**53:
        return Decimal(raw)  # beyond what the float holds exactly
    return None


def _within(raw: object, value: bool | float | str, exact: Decimal | None, domain: Domain) -> None:
    """Raise ``ValueError`` when ``value`` lies outside the declared ``domain``."""
    if isinstance(value, float):
        low, high = domain.low, domain.high
        if (low is None or value > low) and (high is None or value < high):
            return  # strictly inside in floats, so inside exactly: the exact test is for the ends
        exact = exact if exact is not None else Decimal(repr(value))
        if (low is not None and exact < Decimal(repr(low))) or (
            high is not None and exact > Decimal(repr(high))
        ):
            raise ValueError(
                f"{to_text(raw)!r} is outside the declared range {range_text(domain)} "
                "(min_value..max_value)"
            )
    elif (
        isinstance(value, str)
        and domain.options
        and value.strip().casefold() not in _folded(domain.options)
    ):
        shown = ", ".join(repr(o) for o in domain.options)
        raise ValueError(f"{to_text(raw)!r} is not one of the declared enum_options ({shown})")


def _make_value(
    name: str, raw: object, rt: str, why: str | None, *, not_applicable: bool, domain: Domain
) -> MetricValue:
    text = raw if isinstance(raw, str) or raw is None else to_text(raw)
    low, high, options = domain.low, domain.high, domain.options

    def made(
        value: bool | float | str | None,
        applicable: bool,
        error: str | None = None,
        exact: Decimal | None = None,
    ) -> MetricValue:
        return MetricValue(name, text, value, rt, applicable, why, error, low, high, options, exact)

    if not_applicable:
        return made(None, False)
    kind = TYPE_KINDS.get(rt)
    try:
        if isinstance(raw, str) and len(raw) < 8 and raw.strip().casefold() == NA_WORD:
            if kind != "enum" or not options or NA_WORD not in _folded(options):
                return made(None, False)
            value: bool | float | str | None = raw.strip()
            applicable = True
        else:
            value, applicable = parse(raw, kind)
        if not applicable or value is None:
            return made(value, applicable)
        exact = _exact(raw, value) if isinstance(value, float) else None
        if kind != "raw" and (low is not None or high is not None or options):
            _within(raw, value, exact, domain)
    except ValueError as exc:
        return made(None, True, str(exc))
    return made(value, applicable, exact=exact)
