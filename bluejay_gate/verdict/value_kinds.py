"""Which aggregates apply to which kind of value (``SUPPORTED``), and why a metric's
values cannot be aggregated for a check: mixed or mismatched types, malformed values, a
``share(VALUE)`` of a value that exists nowhere. Pure; computes no aggregate.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from bluejay_gate.model.value_words import Kind, type_kind
from bluejay_gate.model.values import MetricValue, kind_of
from bluejay_gate.spec.thresholds import Aggregate, Check

_MALFORMED_SHOWN = 3
_SHOWN_VALUES = 10

SUPPORTED: dict[Kind, tuple[Aggregate, ...]] = {
    "boolean": (Aggregate.RATE, Aggregate.FAIL_RATE, Aggregate.FAIL_COUNT, Aggregate.COUNT),
    "number": (
        Aggregate.MEAN,
        Aggregate.MEDIAN,
        Aggregate.MIN,
        Aggregate.MAX,
        Aggregate.PERCENTILE,
        Aggregate.COUNT,
    ),
    "enum": (Aggregate.SHARE, Aggregate.COUNT),
    "raw": (),
}
KIND_WORDS: dict[Kind, str] = {
    "boolean": "boolean",
    "number": "numeric",
    "enum": "enum",
    "raw": "free-text",
}
_AGGREGATE_WORDS = {
    Aggregate.RATE: "rate/pass_rate",
    Aggregate.PERCENTILE: "pNN",
    Aggregate.SHARE: "share(VALUE)",
}


def aggregate_word(aggregate: Aggregate) -> str:
    return _AGGREGATE_WORDS.get(aggregate, aggregate.value)


def kinds_of(values: Sequence[MetricValue]) -> list[Kind]:
    seen: list[Kind] = []
    checked: set[str] = set()  # a known response_type decides the kind of all its values
    for value in values:
        if value.response_type in checked:
            continue
        kind = kind_of(value)
        if type_kind(value.response_type) is not None:
            checked.add(value.response_type)
        if kind is not None and kind not in seen:
            seen.append(kind)
    return seen


def type_names(values: Sequence[MetricValue], kind: Kind) -> str:
    names = sorted({v.response_type for v in values if v.response_type and kind_of(v) == kind})
    return "/".join(names) or KIND_WORDS[kind]


def mismatch(check: Check, kind: Kind, values: Sequence[MetricValue]) -> str | None:
    """Why ``check.aggregate`` does not apply to values of ``kind``, or ``None``."""
    metric = check.metric
    if kind != "raw" and check.aggregate in SUPPORTED[kind]:
        return None
    if kind == "boolean" and check.aggregate is Aggregate.PASSES:
        return None
    types = type_names(values, kind)
    if kind == "raw":
        return (
            f"'{metric}' is a {types} metric: free-text values cannot be aggregated; "
            "remove this threshold or gate on a pass_fail, yes_no, quantitative or enum metric"
        )
    if check.aggregate is Aggregate.VALUE:
        return (
            f"'value' applies only to the run-level 'score'; for '{metric}' ({types}) use one "
            f"of: {', '.join(aggregate_word(a) for a in SUPPORTED[kind])}"
        )
    if check.aggregate not in SUPPORTED[kind]:
        return (
            f"{aggregate_word(check.aggregate)} does not apply to '{metric}' "
            f"({types}, {KIND_WORDS[kind]} values); use one of: "
            f"{', '.join(aggregate_word(a) for a in SUPPORTED[kind])}"
        )
    return None


def malformed(check: Check, bad: Sequence[tuple[str, MetricValue]]) -> str:
    shown = "; ".join(f"result {rid}: {v.error}" for rid, v in bad[:_MALFORMED_SHOWN])
    more = f"; and {len(bad) - _MALFORMED_SHOWN} more" if len(bad) > _MALFORMED_SHOWN else ""
    noun = "value" if len(bad) == 1 else "values"
    return (
        f"{len(bad)} unreadable {noun} of '{check.metric}' ({shown}{more}); "
        "fix the metric's response type or values in Bluejay, then re-run"
    )


def unknown_share(check: Check, values: Sequence[MetricValue]) -> str | None:
    """Why ``share(VALUE)`` cannot be meant: VALUE is no declared option and no
    conversation has it (a typo, or a value renamed in Bluejay). ``None`` when fine."""
    wanted = (check.share_value or "").strip().casefold()
    options: dict[str, str] = {}
    seen: dict[str, str] = {}
    for v in values:
        for option in v.options or ():
            options.setdefault(option.strip().casefold(), option.strip())
        if v.applicable and isinstance(v.value, str):
            seen.setdefault(v.value.strip().casefold(), v.value.strip())
    if wanted in options or wanted in seen:
        return None
    known = {**seen, **options}
    close = difflib.get_close_matches(wanted, list(known), n=3, cutoff=0.6)
    where = (
        f"not one of the declared options of '{check.metric}' "
        f"({', '.join(repr(o) for o in options.values())}) and no conversation has it"
        if options
        else f"a value no conversation of '{check.metric}' has"
    )
    listed = sorted(seen.values(), key=str.casefold)
    observed = ", ".join(repr(v) for v in listed[:_SHOWN_VALUES])
    more = ", ..." if len(listed) > _SHOWN_VALUES else ""
    hint = f"did you mean {', '.join(repr(known[c]) for c in close)}? " if close else ""
    return (
        f"share({check.share_value}): {check.share_value!r} is {where}; {hint}"
        f"values observed: {observed or 'none'}{more}; fix the value in the threshold"
    )
