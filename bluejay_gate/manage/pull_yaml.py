"""YAML text for ``pull``: one value on one line, exactly as the spec loader reads it back.

Pure. ``inline`` writes a scalar, list or mapping in flow style on one line (strings
quoted only where YAML needs it; a string with a line break or an unprintable character
double-quoted with escapes), with every ``${`` written ``$${`` so the loader's ``${VAR}``
substitution gives the text back as it was. ``key`` writes a mapping key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import yaml

_WIDTH = math.inf  # never fold a long value over several lines
_BREAKS = "\n\r\x85\u2028\u2029"  # what YAML reads as a line break


def escape_vars(value: Any) -> Any:
    """``value`` with ``${`` written ``$${`` in every string (the loader's literal ``${``)."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, Mapping):
        return {k: escape_vars(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_vars(v) for v in value]
    return value


def _flow(value: Any, *, quoted: bool) -> str:
    text = yaml.safe_dump(
        [value],
        default_flow_style=True,
        default_style='"' if quoted else None,
        width=_WIDTH,
        allow_unicode=True,
        sort_keys=True,
    )
    return text.rstrip("\n")[1:-1]


def _plain(text: str) -> str:
    """A string as a block mapping's value: plain where YAML allows, else quoted."""
    dumped = yaml.safe_dump(text, width=_WIDTH, allow_unicode=True)
    if dumped.endswith("\n...\n"):
        dumped = dumped[: -len("\n...\n")]
    return dumped.rstrip("\n")


def inline(value: Any, *, substitute: bool = True) -> str:
    """``value`` as YAML on one line. ``substitute``: the loader substitutes ``${VAR}`` in
    it (every string of the spec file), so ``${`` is escaped."""
    data = escape_vars(value) if substitute else value
    text = _plain(data) if isinstance(data, str) else _flow(data, quoted=False)
    if not _reads_back(text, data):  # a line break YAML sees (\x85, \u2028, ...)
        text = _flow(data, quoted=True)
    return text


def _reads_back(text: str, data: Any) -> bool:
    if any(c in text for c in _BREAKS):
        return False
    try:
        return bool(yaml.safe_load(f"k: {text}\n") == {"k": data})
    except yaml.YAMLError:
        return False


def key(name: str) -> str:
    """A mapping key: as it is where YAML allows, else quoted."""
    return inline(name, substitute=False)


def quoted_key(name: str) -> str:
    """A metric name as a thresholds key: always double-quoted (as the examples write them)."""
    return _flow(name, quoted=True)


def one_line(text: str) -> str:
    """Text for a comment: on one line, whitespace collapsed."""
    return " ".join(str(text).split())
