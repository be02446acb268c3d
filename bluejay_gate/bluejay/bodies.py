"""What the client puts in a request: ids as the OpenAPI document types them (integer
ids checked, path segments percent-encoded) and bodies of documented fields only, ``None``
fields left out. A request that would not fit is refused here, before it is sent. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from bluejay_gate.bluejay.limits import EXCERPT_CHARS
from bluejay_gate.errors import RequestRejected


def segment(value: object) -> str:
    """A path segment: the id as text, percent-encoded (``/`` included)."""
    return quote(str(value), safe="")


def integer_id(value: object, kind: str, endpoint: str) -> str:
    """``value`` as a whole number's text, or refused (Bluejay types these ids as ints)."""
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not text.isascii():
        raise RequestRejected(
            f"not sent: {kind} id {str(value)[:EXCERPT_CHARS]!r} is not a whole number "
            f"(Bluejay {kind} ids are integers); check the id in the spec",
            endpoint=endpoint,
        )
    return str(int(text))


def documented_body(
    fields: Mapping[str, Any], allowed: frozenset[str], schema: str, endpoint: str
) -> dict[str, Any]:
    """Only documented fields, ``None`` values left out."""
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise RequestRejected(
            f"not sent: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not "
            f"field{'s' if len(unknown) > 1 else ''} of {schema} in the Bluejay API; "
            f"allowed: {', '.join(sorted(allowed))}",
            endpoint=endpoint,
        )
    return {key: value for key, value in fields.items() if value is not None}


def require(
    body: Mapping[str, Any], required: frozenset[str], schema: str, endpoint: str, where: str
) -> None:
    """Refuse a body without every field ``schema`` requires; ``where`` says what in the
    spec to complete ("the spec's agent")."""
    missing = sorted(required - body.keys())
    if missing:
        raise RequestRejected(
            f"not sent: {schema} needs {', '.join(missing)}; add them to {where}",
            endpoint=endpoint,
        )


def integer_ids(values: object, kind: str, endpoint: str) -> list[int]:
    """Ids as the integers a request body carries (``digital_human_ids``, ``agent_ids``)."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise RequestRejected(
            f"not sent: {kind} ids must be a list, not {type(values).__name__}",
            endpoint=endpoint,
        )
    return [int(integer_id(value, kind, endpoint)) for value in values]


def string_ids(values: object, kind: str, endpoint: str) -> list[str]:
    """Ids as the strings a request body carries (``selected_custom_metrics``)."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise RequestRejected(
            f"not sent: {kind} ids must be a list, not {type(values).__name__}",
            endpoint=endpoint,
        )
    texts: list[str] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
            raise RequestRejected(
                f"not sent: {kind} id {str(value)[:EXCERPT_CHARS]!r} is not an id",
                endpoint=endpoint,
            )
        texts.append(str(value))
    return texts


def path_id(value: object, kind: str, endpoint: str) -> str:
    """A string id for a path (a custom metric's uuid): non-empty, percent-encoded."""
    text = str(value).strip()
    if isinstance(value, bool) or not text:
        raise RequestRejected(
            f"not sent: {kind} id {str(value)[:EXCERPT_CHARS]!r} is empty or not an id; "
            "check the id",
            endpoint=endpoint,
        )
    return segment(text)
