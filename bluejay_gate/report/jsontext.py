"""JSON text, written in parts: string and leaf literals exactly as ``json.dumps`` writes
them, and ``json.dumps(indent=2)``'s layout for nested dicts and lists, yielded piece by
piece so a large document is never held whole.

A ``Fragment`` renders its own text (the fast path ``json_conversations`` uses). Lone
surrogates (possible in API text) are written as ``\\udXXX`` escapes so the text is
always valid UTF-8; non-finite numbers become ``null``. Knows nothing of the report's keys.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

INDENT = "  "

_SURROGATE = re.compile("[\ud800-\udfff]")
_encode_basestring = json.encoder.encode_basestring  # the C version when available


def encode_str(value: str) -> str:
    """A JSON string literal that is always valid UTF-8 (lone surrogates escaped)."""
    text = _encode_basestring(value)
    return text if text.isascii() else utf8_safe(text)  # isascii is O(1): the common case


_compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False)


class Fragment:
    """A value that renders itself: ``render(level)`` returns its JSON text."""

    __slots__ = ("render",)

    def __init__(self, render: Callable[[int], str]) -> None:
        self.render = render


def utf8_safe(text: str) -> str:
    """JSON text with any lone surrogate (only ever inside a string literal) escaped."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    return text


def opt_str(value: str | None) -> str:
    """A JSON string literal, or ``null``."""
    return "null" if value is None else encode_str(value)


def scalar(value: object) -> str:
    """JSON for a leaf value, exactly as ``json.dumps`` writes it (non-finite -> null)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return encode_str(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value) if math.isfinite(value) else "null"
    return _compact.encode(value)


def iter_parts(value: Any, level: int) -> Iterator[str]:
    """``json.dumps(indent=2)``'s layout; a ``Fragment`` renders itself."""
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        inner = "\n" + INDENT * (level + 1)
        yield "{"
        first = True
        for key, item in value.items():
            yield f"{inner if first else ',' + inner}{encode_str(str(key))}: "
            first = False
            yield from iter_parts(item, level + 1)
        yield "\n" + INDENT * level + "}"
    elif isinstance(value, list):
        if not value:
            yield "[]"
            return
        inner = "\n" + INDENT * (level + 1)
        yield "["
        first = True
        for item in value:
            yield inner if first else "," + inner
            first = False
            yield from iter_parts(item, level + 1)
        yield "\n" + INDENT * level + "]"
    elif isinstance(value, Fragment):
        yield value.render(level)
    else:
        yield scalar(value)
