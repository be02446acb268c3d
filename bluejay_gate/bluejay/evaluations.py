"""Which evaluation of a Bluejay result is judged: the newest by ``created_at`` (RFC 3339
in any letter case, any offset, fractional seconds); list position (later is newer)
decides only when no evaluation has a readable time. When some have a readable time and
others do not, or two share the newest time but differ, the newest cannot be told
(``Newest.unclear`` says why), never decided by list order. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bluejay_gate.bluejay.builtin_fields import builtin_values
from bluejay_gate.bluejay.metric_entries import content, custom_entries
from bluejay_gate.bluejay.scored import Scored


def _moment(value: object) -> datetime | None:
    """An RFC 3339 time in any letter case (``2026-01-02t03:04:05z``, ``+02:00``,
    fractional seconds); ``None`` when unreadable. Without an offset: UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().upper()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def evaluation_dicts(result: Scored) -> list[dict[str, Any]]:
    """The result's evaluations that are objects, in list order."""
    return [e for e in result.evaluations or [] if isinstance(e, dict)]


@dataclass(frozen=True, slots=True)
class Newest:
    """The evaluation to judge, or why it cannot be told."""

    evaluation: dict[str, Any] | None
    unclear: str | None = None


def _signature(result: Scored, evaluation: Mapping[str, Any]) -> dict[str, object]:
    values = builtin_values(result, evaluation)
    values.update(custom_entries(evaluation.get("custom_metrics"), bare_values=True))
    return {name: content(v) for name, v in values.items()}


def _differs(result: Scored, tied: Sequence[Mapping[str, Any]]) -> str | None:
    """The first metric the tied evaluations disagree on, or ``None`` when they agree."""
    signatures = [_signature(result, e) for e in tied]
    first = signatures[0]
    for other in signatures[1:]:
        for name in sorted(set(first) | set(other)):
            if first.get(name) != other.get(name):
                return name
    return None


def find_newest(result: Scored, evaluations: Sequence[dict[str, Any]]) -> Newest:
    if len(evaluations) < 2:
        return Newest(evaluations[0] if evaluations else None)
    moments = [_moment(e.get("created_at")) for e in evaluations]
    if all(m is None for m in moments):
        return Newest(evaluations[-1])  # no times at all: later in the list is newer
    undated = sum(1 for m in moments if m is None)
    if undated:
        return Newest(
            None,
            f"{undated} of its {len(evaluations)} evaluations have no readable created_at, "
            "so the newest evaluation cannot be told",
        )
    latest = max(m for m in moments if m is not None)
    tied = [e for e, m in zip(evaluations, moments, strict=True) if m == latest]
    if len(tied) == 1:
        return Newest(tied[0])
    name = _differs(result, tied)
    if name is None:
        return Newest(tied[-1])  # identical copies: any one is the same answer
    return Newest(
        None,
        f"{len(tied)} evaluations share the newest created_at "
        f"{tied[0].get('created_at')!r} but differ on {name!r}, so the newest evaluation "
        "cannot be told",
    )
