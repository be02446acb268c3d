"""Before paying, whether a threshold fits its metric's kind: an aggregate the
``response_type`` can have, an ``each_digital_human`` rule on a pass/fail metric, a
``share(VALUE)`` among the enum options, a ``%`` on a scale that does not go past 1. Pure.
"""

from __future__ import annotations

import difflib

from bluejay_gate.model.value_words import Kind
from bluejay_gate.spec.thresholds import EACH_WORDS, Aggregate, Check
from bluejay_gate.verdict.facts import MetricDefinition
from bluejay_gate.verdict.texts import PERCENT_AT_END
from bluejay_gate.verdict.value_kinds import SUPPORTED, aggregate_word

_SCALED = frozenset(
    {Aggregate.MEAN, Aggregate.MEDIAN, Aggregate.MIN, Aggregate.MAX, Aggregate.PERCENTILE}
)
_KIND_WORDS: dict[Kind, str] = {
    "boolean": "pass/fail",
    "number": "numeric",
    "enum": "enum",
    "raw": "free-text",
}


def kind_problems(c: Check, kind: Kind, definition: MetricDefinition | None) -> list[str]:
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
    fixed = PERCENT_AT_END.sub(number, c.expression)
    return (
        f"{c.metric!r} is scored {scale}, so {c.expression!r} compares it with "
        f"{c.threshold:g} and would pass or fail on the scale, not the share: "
        f"{c.threshold * 100:g}% of {top:g} is {number}; write {fixed!r}"
    )
