"""Typed views of decoded JSON/YAML for the tests: each asserts the shape it returns, so a
wrong shape fails the test with a message instead of passing through as ``Any``."""

from __future__ import annotations

from typing import Any


def as_object(value: object, what: str = "value") -> dict[str, Any]:
    """``value`` as a JSON object; fails the test if it is anything else."""
    assert isinstance(value, dict), f"{what}: expected a JSON object, got {value!r}"
    return value


def as_list(value: object, what: str = "value") -> list[Any]:
    """``value`` as a JSON array; fails the test if it is anything else."""
    assert isinstance(value, list), f"{what}: expected a JSON array, got {value!r}"
    return value
