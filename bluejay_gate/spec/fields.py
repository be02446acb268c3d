"""Value types the section models share: ids, non-empty text, durations, shares.

Each is an annotated type that validates a value as written in the YAML and says in plain
words what is wrong (``plain_type`` names a value's type the way a spec author would).
Pure: no I/O, no models of its own.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr

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
