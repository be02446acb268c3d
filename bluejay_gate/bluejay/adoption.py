"""Telling what a lost answer created: whether a run, an agent, a custom metric, a
simulation or a digital human was created since an attempt (allowing for clock skew) and
which of several is the newest. Used by the reconciliation of ``queueing``, ``agents``
and the set-up calls (``setup_calls``). Pure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

R = TypeVar("R")

CLOCK_SKEW = timedelta(seconds=60)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def created_since(created_at: str | None, since: datetime) -> bool:
    """True when ``created_at`` is readable and not before ``since``."""
    when = _parse_time(created_at)
    return when is not None and when >= since


def newest_key(created_at: str | None, ident: str | None) -> tuple[datetime, int, str]:
    """Sort key, newest last: creation time, then the numeric id, then the id's text."""
    when = _parse_time(created_at) or datetime.min.replace(tzinfo=UTC)
    text = ident or ""
    return (when, int(text) if text.isdigit() else -1, text)


def adopted(
    candidates: Sequence[R],
    since: datetime,
    created_at: Callable[[R], str | None],
    ident: Callable[[R], str | None],
) -> R | None:
    """Which of the records found by name (``candidates``) a lost create made: the only
    one, or of several those created since the attempt (``since`` minus ``CLOCK_SKEW``);
    the newest of them, or ``None`` when there is none."""
    found = list(candidates)
    if len(found) > 1:
        found = [c for c in found if created_since(created_at(c), since - CLOCK_SKEW)]
    if not found:
        return None
    return max(found, key=lambda c: newest_key(created_at(c), ident(c)))
