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


def inline(value: Any, *, substitute: bool = True) -> str:
    """``value`` as YAML on one line. ``substitute``: the loader substitutes ``${VAR}`` in
    it (every string of the spec file), so ``${`` is escaped."""
    data = escape_vars(value) if substitute else value
    text = _flow(data, quoted=False)
    if "\n" in text:
        text = _flow(data, quoted=True)
    return text


def key(name: str) -> str:
    """A mapping key: as it is where YAML allows, else quoted."""
    return inline(name, substitute=False)


def quoted_key(name: str) -> str:
    """A metric name as a thresholds key: always double-quoted (as the examples write them)."""
    return _flow(name, quoted=True)
