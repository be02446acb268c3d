"""Reading one ``response_value`` by its ``response_type``: the kinds of value (boolean,
number, enum, raw text), the words Bluejay uses for true, false and not applicable, and
the parsers. Pure: no I/O; knows nothing of domains, conversations or checks.
"""

from __future__ import annotations

import functools
import json
import math
from typing import Literal

from bluejay_gate.model.metric_names import (
    BUILTIN_BOOL_TYPE,
    BUILTIN_ENUM_TYPE,
    BUILTIN_NUMBER_TYPE,
)

Kind = Literal["boolean", "number", "enum", "raw"]

BOOLEAN_TYPES = frozenset(
    {"pass_fail", "yes_no", "tool_call", "boolean", "bool", BUILTIN_BOOL_TYPE}
)
NUMBER_TYPES = frozenset(
    {"quantitative", "number", "numeric", "integer", "float", "score", BUILTIN_NUMBER_TYPE}
)
ENUM_TYPES = frozenset({"enum", "categorical", BUILTIN_ENUM_TYPE})
RAW_TYPES = frozenset({"qualitative", "json", "text"})

TRUE_WORDS = frozenset({"pass", "passed", "yes", "true", "1"})
FALSE_WORDS = frozenset({"fail", "failed", "no", "false", "0"})
NOT_APPLICABLE_WORDS = frozenset({"not applicable", "n/a", "not_applicable"})
# Not applicable too, unless it is one of an enum's declared options (then it is that
# option). Decided outside ``_parse_text``: its cache does not know the options.
NA_WORD = "na"


# isinstance tuples (``int | float`` would build a union object on every call: hot path)
NUMERIC_CLASSES = (int, float)
SCALAR_CLASSES = (str, int, float)
_CONTAINERS = (dict, list)

TYPE_KINDS: dict[str, Kind] = {
    **dict.fromkeys(BOOLEAN_TYPES, "boolean"),
    **dict.fromkeys(NUMBER_TYPES, "number"),
    **dict.fromkeys(ENUM_TYPES, "enum"),
    **dict.fromkeys(RAW_TYPES, "raw"),
}


def normalise_type(response_type: object) -> str:
    """``" Pass_Fail "`` -> ``"pass_fail"``; anything not a string -> ``""`` (unknown)."""
    if isinstance(response_type, str):
        return response_type if response_type in TYPE_KINDS else response_type.strip().lower()
    return ""


def type_kind(response_type: str) -> Kind | None:
    """The kind a known ``response_type`` holds; ``None`` when unknown (inferred per value)."""
    kind = TYPE_KINDS.get(response_type)
    if kind is None and response_type:
        kind = TYPE_KINDS.get(normalise_type(response_type))
    return kind


def is_not_applicable(raw: object) -> bool:
    """``None``, ``"Not Applicable"``, ``"N/A"``, ``"not_applicable"``, ``"NA"`` (any case;
    on an enum with ``NA`` among its options, ``metric_value`` reads it as that option)."""
    if raw is None:
        return True
    if not isinstance(raw, str):
        return False
    word = raw.strip().casefold()
    return word in NOT_APPLICABLE_WORDS or word == NA_WORD


def _finite(number: float, raw: object) -> float:
    if not math.isfinite(number):
        raise ValueError(f"{raw!r} is not a finite number")
    return number


def to_number(raw: object) -> float:
    """A finite number from a number or numeric text; ``ValueError`` saying why if not."""
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is a boolean, not a number")  # noqa: TRY004 - parse_value contract: ValueError
    if isinstance(raw, NUMERIC_CLASSES):
        try:
            return _finite(float(raw), raw)
        except OverflowError:  # an integer with hundreds of digits
            raise ValueError(f"{to_text(raw)[:40]}... is not a finite number") from None
    if isinstance(raw, str):
        try:
            number = float(raw.strip())
        except ValueError:
            raise ValueError(f"{raw!r} is not a number") from None
        return _finite(number, raw)
    raise ValueError(f"{raw!r} is not a number")


def _to_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, NUMERIC_CLASSES) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.strip().casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        try:
            number = float(word)
        except ValueError:
            number = math.nan
        if number in (0.0, 1.0):
            return number == 1.0
    raise ValueError(f"{raw!r} is not a boolean (expected pass/fail, yes/no, true/false, 1/0)")


def to_text(raw: object) -> str:
    """A value as text: booleans lower-case, whole floats without ``.0``, else JSON."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, NUMERIC_CLASSES):
        return str(raw)
    return json.dumps(raw, sort_keys=True, default=str)


def _infer_text(word: str, folded: str) -> bool | float | str:
    if folded in TRUE_WORDS and folded != "1":
        return True
    if folded in FALSE_WORDS and folded != "0":
        return False
    try:
        return to_number(word)
    except ValueError:
        return word


@functools.lru_cache(maxsize=4096)
def _parse_text(raw: str, kind: Kind | None) -> tuple[bool | float | str | None, bool]:
    """A string value. Cached: response values repeat a lot (pass/fail, 1..10, enum words)."""
    word = raw.strip()
    folded = word.casefold()
    if folded in NOT_APPLICABLE_WORDS:
        return None, False
    if kind == "raw":
        return raw, True
    if not word:
        raise ValueError("the value is empty")
    if kind == "boolean":
        if folded in TRUE_WORDS:
            return True, True
        if folded in FALSE_WORDS:
            return False, True
        return _to_bool(raw), True
    if kind == "number":
        return to_number(raw), True
    if kind == "enum":
        return word, True
    return _infer_text(word, folded), True


def parse(raw: object, kind: Kind | None) -> tuple[bool | float | str | None, bool]:
    """``parse_value`` for an already-resolved kind."""
    if raw is None:
        return None, False
    if isinstance(raw, str):
        return _parse_text(raw, kind)
    if kind == "raw":
        return to_text(raw), True
    if kind == "boolean":
        return _to_bool(raw), True
    if kind == "number":
        return to_number(raw), True
    if kind == "enum" and isinstance(raw, _CONTAINERS):
        raise ValueError(f"{to_text(raw)!r} is not an enum value")
    if kind is None and isinstance(raw, bool):
        return raw, True
    if kind is None and isinstance(raw, NUMERIC_CLASSES):
        return to_number(raw), True
    return to_text(raw), True


def parse_value(raw: object, response_type: str) -> tuple[bool | float | str | None, bool]:
    """``(value, applicable)`` for one ``response_value``.

    Booleans for pass_fail / yes_no / tool_call, floats for quantitative, stripped strings
    for enum, the raw text for qualitative / json; an unknown type is inferred from the
    value (clearly boolean, else numeric, else kept as a string). ``(None, False)`` when
    not applicable. Raises ``ValueError`` saying why when the value cannot be read.
    """
    return parse(raw, type_kind(normalise_type(response_type)))


def flag_is_set(value: object) -> bool:
    """A flag such as ``is_not_applicable``: ``True``, ``1`` or a true word."""
    if isinstance(value, str):
        return value.strip().casefold() in TRUE_WORDS
    return value is True or value == 1
