"""Turn pydantic validation errors into spec problems: a line, a key path and one plain
sentence that says what is wrong and how to fix it ("unknown key `treshold` — did you mean
`thresholds`?", "expected a whole number, got 'ten'").
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bluejay_gate.spec.fields import plain_type
from bluejay_gate.spec.spec_model import FILE_KEYS, SECTION_KEYS
from bluejay_gate.spec.yamlpos import Located
from bluejay_gate.spec.yamlpos import Path as KeyPath

_REQUIRED_HINTS = {
    "agent": "add an `agent:` section with at least `name:`",
    "simulations": "add a `simulations:` list with at least one `- id:` or `- name:`",
    "name": "add `name:` (the agent's name in Bluejay)",
    "check": "add `check: EXPRESSION`, e.g. `check: pass_rate >= 90%`",
    "file": "write {file: path/relative/to/the/spec}",
}
# Where a key means something else than at the agent: (section, key) -> hint.
_SECTION_HINTS = {
    ("custom metric", "name"): "add `name:` (the metric's name, its identity within the agent)",
    ("custom metric", "response_type"): (
        "add `response_type:` (pass_fail, yes_no, qualitative, quantitative, json or enum)"
    ),
    ("custom metric", "description"): (
        "add `description:` (what the metric measures: the text, or {file: path})"
    ),
    ("digital human", "name"): (
        "add `name:` (the digital human's name, its identity within the simulation)"
    ),
    ("metric list", "items"): "add `items:` with the list of metrics (`- name: ...`)",
    ("digital human list", "items"): (
        "add `items:` with the list of digital humans (`- name: ...`)"
    ),
}


# Document fields the spec sets itself: (section, key) -> why the key is not written.
_SET_BY_THE_GATE = {
    ("custom metric", "agent_ids"): "the gate links each metric to the spec's agent",
    ("custom metric", "agent_id"): "the gate links each metric to the spec's agent",
    ("simulation", "agent_id"): "a managed simulation is kept under the spec's agent",
}

_HOMES = {
    "run": "`run:`",
    "agent": "`agent:`",
    "simulation": "a simulation in `simulations:`",
    "custom metric": "a metric in `custom_metrics:`",
    "digital human": "a digital human in a simulation's `digital_humans:`",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the spec. Lower ``priority`` wins among problems on one line."""

    line: int
    priority: int
    path: KeyPath
    message: str


def key_path(path: Sequence[str | int]) -> str:
    """``("thresholds", "Empathy", 1)`` -> ``thresholds."Empathy"[1]``."""
    out = ""
    for position, part in enumerate(path):
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        metric = _is_metric_name(path, position)
        if metric or not part.isidentifier():
            text = json.dumps(part, ensure_ascii=not part.isprintable())
        else:
            text = part
        out += text if not out else f".{text}"
    return out


def _is_metric_name(path: Sequence[str | int], position: int) -> bool:
    parent = path[:position]
    return tuple(parent) == ("thresholds",) or (
        len(parent) == 3 and parent[0] in {"simulations", "calls"} and parent[2] == "thresholds"
    )


def _section(parent: KeyPath) -> str | None:
    """Which model a mapping at ``parent`` is, for "did you mean" suggestions."""
    if parent == ():
        return "top level"
    if parent in {("agent",), ("run",)}:
        return str(parent[0])
    if parent == ("custom_metrics",):
        return "metric list"
    if _is_entry(parent, ("custom_metrics",)):
        return "custom metric"
    if len(parent) == 2 and parent[0] == "simulations":
        return "simulation"
    if len(parent) == 3 and parent[0] == "simulations" and parent[2] == "digital_humans":
        return "digital human list"
    if len(parent) >= 4 and _is_entry(parent, parent[:3]) and parent[2] == "digital_humans":
        return "digital human"
    owner = _section(parent[:-1]) if parent else None
    if owner and parent[-1] in FILE_KEYS.get(owner, ()):
        return "file reference"
    if len(parent) == 2 and parent[0] == "calls":
        return "call set"
    if len(parent) >= 2 and "thresholds" in parent:
        return "check"
    return None


def _is_entry(path: KeyPath, section: KeyPath) -> bool:
    """``path`` is one item of the list at ``section``, written as a list or as the
    ``items:`` of the mapping form."""
    rest = path[len(section) :]
    if path[: len(section)] != section:
        return False
    return (len(rest) == 1 and isinstance(rest[0], int)) or (
        len(rest) == 2 and rest[0] == "items" and isinstance(rest[1], int)
    )


def _walk(loc: Sequence[str | int], data: Any) -> KeyPath:
    """The part of pydantic's ``loc`` that exists in the data (drops union tags etc.)."""
    path: list[str | int] = []
    current = data
    for part in loc:
        in_dict = isinstance(current, dict) and isinstance(part, str) and part in current
        in_list = (
            isinstance(current, list)
            and isinstance(part, int)
            and not isinstance(part, bool)
            and 0 <= part < len(current)
        )
        if in_dict or in_list:
            current = current[part]
            path.append(part)
    return tuple(path)


def translate_errors(
    exc: ValidationError,
    data: Any,
    located: Located,
    from_env: Mapping[KeyPath, list[str]],
) -> list[Problem]:
    """Every pydantic error as a ``Problem`` with its line and a plain message."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        path = _walk(loc, data)
        kind = error["type"]
        if kind == "extra_forbidden" and path:
            problems.append(_unknown_key(path, located))
            continue
        if kind == "missing":
            name = str(loc[-1]) if loc else ""
            hint = _SECTION_HINTS.get((_section(path) or "", name)) or _REQUIRED_HINTS.get(
                name, f"add `{name}:`"
            )
            message = f"missing required key `{name}`: {hint}"
            problems.append(Problem(located.line_of(path), 2, path, message))
            continue
        got = _describe_input(error.get("input"), path, from_env)
        message = _message(kind, error, got)
        problems.append(Problem(located.line_of(path), 1, path, message))
    # A misspelt key also reads as a missing one: report the misspelling, not the absence.
    misspelt = {p.path for p in problems if p.priority == 0}
    return [p for p in problems if not (p.priority == 2 and p.path in misspelt)]


def _unknown_key(path: KeyPath, located: Located) -> Problem:
    key = str(path[-1])
    parent = path[:-1]
    section = _section(parent)
    allowed = SECTION_KEYS.get(section, ()) if section else ()
    shown = _show_key(key)
    message = f"unknown key {shown}"
    reason = _SET_BY_THE_GATE.get((section or "", key))
    if reason:
        return Problem(located.line_of(path), 0, parent, f"{message}: {reason}; remove it")
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(key.lower().replace("-", "_"), allowed, n=1, cutoff=0.6)
    home = next((name for name in _HOMES if name != section and key in SECTION_KEYS[name]), None)
    if close:
        message += f" — did you mean `{close[0]}`?"
    elif home:
        message += f" — it belongs under {_HOMES[home]}"
    elif allowed:
        message += f"; allowed here: {', '.join(allowed)}"
    return Problem(located.line_of(path), 0, parent, message)


def _show_key(key: str) -> str:
    if key and key.isprintable() and "`" not in key:
        return f"`{key}`"
    return json.dumps(key)


def _describe_input(value: Any, path: KeyPath, from_env: Mapping[KeyPath, list[str]]) -> str:
    """What was given, in words. Values read from the environment are never echoed."""
    if path in from_env:
        names = ", ".join(f"${{{n}}}" for n in from_env[path])
        return f"{plain_type(value)} from {names}"
    if isinstance(value, (list, dict)) or value is None:
        return plain_type(value)
    text = json.dumps(value, ensure_ascii=True, default=str)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{plain_type(value)} {text}"


def _message(kind: str, error: Any, got: str) -> str:
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "value_error":
        msg = str(error["msg"])
        return msg.removeprefix("Value error, ")
    if kind == "threshold_kind":
        return f"{error['msg']}; got {got}"
    if kind == "string_type":
        tip = ": put it in quotes" if isinstance(value, (int, float)) else ""
        return f"expected text, got {got}{tip}"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"expected a whole number, got {got}"
    if kind in {"float_type", "float_parsing", "finite_number"}:
        return f"expected a number, got {got}"
    if kind in {"bool_type", "bool_parsing"}:
        return f"expected true or false, got {got}"
    if kind == "list_type":
        return f"expected a list (`- item` lines or [a, b]), got {got}"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"expected a mapping (`key: value` lines), got {got}"
    if kind in {"literal_error", "enum"}:
        return f"expected {ctx.get('expected', 'one of the documented values')}, got {got}"
    if kind == "too_short":
        return f"must not be empty: list at least {ctx.get('min_length', 1)} entry"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {got}"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')}, got {got}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}, got {got}"
    if kind == "less_than":
        return f"must be less than {ctx.get('lt')}, got {got}"
    return f"{error['msg']} (got {got})"
