"""What the client puts in a request: ids as the OpenAPI document types them (integer
ids checked, path segments percent-encoded) and bodies of documented fields only, ``None``
fields left out. A request that would not fit is refused here, before it is sent. Pure."""

from __future__ import annotations

from collections.abc import Mapping
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
