"""Digital humans across repeats: ``each_digital_human`` rules and pass/fail flips.

Pure: the evaluator passes the completed conversations of one simulation. A digital
human *flips* on a pass/fail metric when its repeated conversations disagree (some pass,
some fail): the sign of an unstable scenario rather than a clear regression.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bluejay_gate.spec.thresholds import Aggregate, Check, Op
from bluejay_gate.verdict.aggregate import AggregateResult, aggregate
from bluejay_gate.verdict.model import Conversation, Flip

UNKNOWN = "unknown"  # conversations Bluejay sent without a digital human id
_SHOWN = 5


def result_sort_key(result_id: str) -> tuple[int, int, str]:
    """Numeric ids in numeric order first, then the others as strings."""
    text = result_id.strip()
    try:
        return (0, int(text), text)
    except ValueError:
        return (1, 0, text)


def by_digital_human(conversations: Iterable[Conversation]) -> dict[str, list[Conversation]]:
    """Conversations grouped by digital human id, ids in numeric order."""
    groups: dict[str, list[Conversation]] = {}
    for c in conversations:
        groups.setdefault(c.digital_human_id or UNKNOWN, []).append(c)
    return {k: groups[k] for k in sorted(groups, key=result_sort_key)}


def repeated_digital_humans(completed: Sequence[Conversation]) -> int:
    return sum(1 for group in by_digital_human(completed).values() if len(group) > 1)


def flips(checks: Sequence[Check], completed: Sequence[Conversation]) -> tuple[Flip, ...]:
    """Each (digital human, checked metric) whose completed conversations both pass and fail."""
    metrics = list(dict.fromkeys(c.metric for c in checks))
    found: list[Flip] = []
    for dh, group in by_digital_human(completed).items():
        if len(group) < 2:
            continue
        for metric in metrics:
            values = [
                v.value
                for c in group
                if (v := c.metrics.get(metric)) is not None
                and v.applicable
                and isinstance(v.value, bool)
            ]
            passed = sum(1 for v in values if v)
            if 0 < passed < len(values):
                found.append(Flip(dh, metric, passed, len(values)))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class EachResult:
    samples: int
    reason: str | None = None  # no verdict, and why
    failing: tuple[str, ...] = ()  # digital humans that do not meet the rule
    message: str = ""
    worst: float | None = None  # the value of the digital human furthest from meeting it


def _tally(check: Check, agg: AggregateResult) -> str:
    word = "failed" if check.aggregate in (Aggregate.FAIL_RATE, Aggregate.FAIL_COUNT) else "passed"
    return f"{agg.matched}/{agg.samples} {word}"


def each_digital_human(check: Check, completed: Sequence[Conversation]) -> EachResult:
    """Judge an ``each_digital_human`` rule on every digital human's own conversations."""
    groups = by_digital_human(completed)
    samples = 0
    failing: list[str] = []
    tallies: dict[str, str] = {}
    values: list[float] = []
    for dh, group in groups.items():
        agg = aggregate(
            check,
            [c.metrics[check.metric] for c in group],
            result_ids=[c.result_id for c in group],
        )
        samples += agg.samples
        if agg.reason is not None or agg.observed is None:
            return EachResult(samples, reason=f"digital human {dh}: {agg.reason or 'no verdict'}")
        tallies[dh] = _tally(check, agg)
        values.append(agg.observed)
        exact = agg.exact if agg.exact is not None else agg.observed
        if not check.op.holds(exact, check.exact_threshold):
            failing.append(dh)
    meeting = len(groups) - len(failing)
    message = f"{meeting} of {len(groups)} digital humans meet it"
    if failing:
        shown = ", ".join(f"{dh} ({tallies[dh]})" for dh in failing[:_SHOWN])
        more = f" and {len(failing) - _SHOWN} more" if len(failing) > _SHOWN else ""
        message += f"; not met by digital human {shown}{more}"
    else:
        message += " (" + ", ".join(f"{dh}: {t}" for dh, t in list(tallies.items())[:_SHOWN])
        message += ", ...)" if len(tallies) > _SHOWN else ")"
    high_is_bad = check.op in (Op.LE, Op.LT)
    return EachResult(
        samples,
        failing=tuple(failing),
        message=message,
        worst=(max(values) if high_is_bad else min(values)) if values else None,
    )
