"""Telling what a lost answer created: whether a run or an agent was created since an
attempt (allowing for clock skew) and which of several is the newest. Used by the
reconciliation of ``queueing`` and ``agents``. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
