"""A hypothesis strategy for YAML-like documents: nested lists and mappings of spec-ish
keys and scalars (thresholds, durations, ``${VAR}`` references, odd floats and text)."""

from __future__ import annotations

from hypothesis import strategies as st

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "mean >= 7",
            "pass_rate >= 90%",
            "value >= 80",
            "30m",
            "5%",
            "${X}",
            "$${Y}",
            "INBOUND",
            "enum",
            "pass_fail",
        ]
    ),
)
keys = st.one_of(
    st.text(max_size=10),
    st.sampled_from(
        [
            "version",
            "agent",
            "run",
            "simulations",
            "thresholds",
            "name",
            "id",
            "check",
            "score",
            "timeout",
            "file",
            "severity",
            "min_samples",
            "api_key",
            "x-a",
            "goals",
            "custom_metrics",
            "response_type",
            "description",
            "enum_options",
            "digital_humans",
            "prune",
            "items",
            "intent",
        ]
    ),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=25,
)
