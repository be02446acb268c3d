"""pull's one-line YAML values: whatever Bluejay holds is read back exactly by the spec
loader (YAML, then ``${VAR}`` substitution)."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bluejay_gate.manage.pull_yaml import escape_vars, inline, key, quoted_key

texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


def unescape(value: Any) -> Any:
    """What the loader's substitution does to a ``$${``: a literal ``${``."""
    if isinstance(value, str):
        return value.replace("$${", "${")
    if isinstance(value, dict):
        return {k: unescape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unescape(v) for v in value]
    return value


@settings(deadline=None, max_examples=150)
@given(values)
def test_any_value_reads_back_on_one_line(value: Any) -> None:
    text = inline(value)
    assert "\n" not in text
    loaded = yaml.safe_load(f"k: {text}  # a comment\nnext: 1\n")
    assert unescape(loaded["k"]) == value
    assert loaded["next"] == 1


@settings(deadline=None, max_examples=100)
@given(texts)
def test_metric_names_read_back_as_threshold_keys(name: str) -> None:
    loaded = yaml.safe_load(f"thresholds:\n  {quoted_key(name)}: pass_rate >= 80%\n")
    assert loaded == {"thresholds": {name: "pass_rate >= 80%"}}
    assert yaml.safe_load(f"{key(name)}: 1\n") == {name: 1}


def test_dollar_brace_is_escaped_everywhere() -> None:
    assert inline("Hi ${name}") == "Hi $${name}"
    assert escape_vars({"a": ["${X}", 1]}) == {"a": ["$${X}", 1]}
    assert inline({"a": "${X}"}, substitute=False) == "{a: '${X}'}"


def test_plain_where_yaml_allows_and_quoted_where_not() -> None:
    assert inline("Did it greet?") == "Did it greet?"
    assert inline("yes") == "'yes'"
    assert inline("a: b") == "'a: b'"
    assert inline("two\nlines") == '"two\\nlines"'
    assert inline(["x", "y z"]) == "[x, y z]"
    assert inline({"b": 1, "a": 2}) == "{a: 2, b: 1}"
