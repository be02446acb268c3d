"""Value types the section models share: ids, non-empty text, durations, shares, numbers
as written, lists of mappings with required keys.

Each is an annotated type that validates a value as written in the YAML and says in plain
words what is wrong (``plain_type`` names a value's type the way a spec author would).
Pure: no I/O, no models of its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)

from bluejay_gate.model.durations import parse_duration, parse_share

FORBID_EXTRA = ConfigDict(extra="forbid")


def plain_type(value: Any) -> str:
    """A value's type in the words a spec author uses."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _id_value(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(  # noqa: TRY004 - pydantic reports only ValueError
            f"expected an id (a number or text), got {plain_type(value)}"
        )
    if isinstance(value, str) and not value.strip():
        raise ValueError("an id must not be empty")
    return value


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


IdValue = Annotated[StrictInt | StrictStr, BeforeValidator(_id_value)]
NonEmptyStr = Annotated[str, AfterValidator(_non_empty)]


def _duration(value: Any) -> float:
    seconds = parse_duration(value)
    if seconds <= 0:
        raise ValueError(f"must be more than 0, got {value!r}")
    return seconds


def _share(value: Any) -> float:
    return parse_share(value)


_NUM = r"(\d+(\.\d*)?|\.\d+)"
_UNIT = r"([mM][sS]|[sSmMhH])"
_DURATION_PATTERN = rf"^\s*{_NUM}\s*({_UNIT}\s*({_NUM}\s*{_UNIT}\s*)*)?$"
Duration = Annotated[
    Annotated[str, Field(pattern=_DURATION_PATTERN)] | Annotated[float, Field(gt=0)],
    BeforeValidator(_duration),
]
Share = Annotated[
    Annotated[str, Field(pattern=r"^\s*(\d+(\.\d*)?|\.\d+)\s*%\s*$")]
    | Annotated[float, Field(ge=0, le=1)],
    BeforeValidator(_share),
]


def not_null(value: Any) -> Any:
    """A before-validator: a key written with no value (``key:``) is refused."""
    if value is None:
        raise ValueError("is empty: give a value or remove the key")
    return value


def _number(value: Any) -> int | float:
    if isinstance(value, str):  # ${VAR} values are text
        text = value.strip()
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"expected a number, got text {json.dumps(text)}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(  # noqa: TRY004 - pydantic reports only ValueError
            f"expected a number, got {plain_type(value)}"
        )
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value}")
    return value


#: A number as written: ``0`` stays an int, ``0.5`` a float; true/false is refused.
Number = Annotated[int | float, BeforeValidator(_number), WithJsonSchema({"type": "number"})]


def within(low: float, high: float) -> AfterValidator:
    """An after-validator: the number is in ``low``..``high``."""

    def check(value: float) -> float:
        if not low <= value <= high:
            raise ValueError(f"must be from {low:g} to {high:g}, got {value}")
        return value

    return AfterValidator(check)


def required_keys(required: tuple[str, ...], what: str) -> BeforeValidator:
    """A before-validator for a list of mappings (or one mapping) of the document's
    ``what``: each has the ``required`` keys. A light check: other keys pass as written."""

    def check(value: Any) -> Any:
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            where = f"item {index + 1}" if isinstance(value, list) else "the mapping"
            if not isinstance(item, dict):
                raise ValueError(  # noqa: TRY004 - pydantic reports only ValueError
                    f"{where} is {plain_type(item)}: each {what} is a mapping with "
                    f"{_keys(required)}"
                )
            missing = tuple(key for key in required if key not in item)
            if missing:
                raise ValueError(
                    f"{where} has no {_keys(missing)}: each {what} needs {_keys(required)}"
                )
        return value

    return BeforeValidator(check)


def _keys(keys: tuple[str, ...]) -> str:
    shown = [f"`{key}`" for key in keys]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def drop_null(keys: Collection[str]) -> Callable[[dict[str, Any]], None]:
    """A ``json_schema_extra`` that removes the ``null`` choice (and ``default: null``)
    from the properties ``keys``: the loader refuses null there (``not_null``)."""

    def edit(schema: dict[str, Any]) -> None:
        for key, prop in schema.get("properties", {}).items():
            if key not in keys:
                continue
            choices = [c for c in prop.get("anyOf", ()) if c != {"type": "null"}]
            if "anyOf" in prop and len(choices) == 1:
                del prop["anyOf"]
                prop.update(choices[0])
            elif "anyOf" in prop:
                prop["anyOf"] = choices
            if prop.get("default", 0) is None:
                del prop["default"]

    return edit
