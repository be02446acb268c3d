"""Comparing what the spec says with what Bluejay stores: which written fields differ.

Only the keys the spec writes are compared (a key the spec leaves out is Bluejay's to
keep). Strings compare without surrounding whitespace (text files end with a newline),
numbers by value (``5`` is ``5.0``), ``None`` and ``""`` are both "empty". A field Bluejay
does not return at all cannot be compared: it counts as differing when the spec gives it
a value, so it is sent (the write is idempotent). Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Stored = Callable[[str], tuple[bool, Any]]


def normal(value: Any) -> Any:
    """``value`` in the form compared: strings stripped, numbers as floats, recursively."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return ("bool", value)  # never equal to 1 or 0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list | tuple):
        return [normal(v) for v in value]
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items() if v is not None}
    return value


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def same(stored: Any, wanted: Any) -> bool:
    """Whether Bluejay's ``stored`` value is what the spec ``wanted``."""
    if _empty(stored) and _empty(wanted):
        return True
    return bool(normal(stored) == normal(wanted))


def changed_fields(
    stored: Stored, wanted: Mapping[str, Any], skip: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """The keys of ``wanted`` (in its order) whose stored value differs or cannot be
    read back; ``skip``: keys never compared (never returned by Bluejay)."""
    changed = []
    for key, value in wanted.items():
        if key in skip:
            continue
        present, current = stored(key)
        if not present:
            if not _empty(value):
                changed.append(key)
            continue
        if not same(current, value):
            changed.append(key)
    return tuple(changed)
