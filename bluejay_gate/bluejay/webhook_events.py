"""Bluejay's webhook deliveries on the wire: the signature check and the event read.

A delivery carries ``X-Bluejay-Signature`` (hex HMAC-SHA256 of the raw body with the
signing secret), ``X-Bluejay-Event`` and ``X-Bluejay-Delivery``. ``signed`` checks the
signature on the raw bytes in constant time; ``read_event`` turns a verified body into a
``Pushed`` (a ``simulation_result_evaluated``: its result as the same ``SimulationResult``
a poll returns, so it is read by the same rules) or ``None`` for a known event the gate
has no use for. Pure: no I/O, never a secret in a message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from pydantic import ValidationError

from bluejay_gate.bluejay.models import Id, SimulationResult

EVALUATED = "simulation_result_evaluated"
# Events of the document's events_webhook the gate accepts and does not use.
KNOWN_UNUSED = frozenset(
    {"simulation_ended", "observability_call_evaluated", "outbound_simulation_started"}
)


class BadDelivery(ValueError):
    """A verified delivery the gate cannot read (answered 400)."""


@dataclass(frozen=True, slots=True)
class Pushed:
    """One scored conversation, pushed: its run and the result as a poll reads it."""

    run_id: str
    result: SimulationResult


class _Evaluated(SimulationResult):
    simulation_run_id: Id


def signed(secret: str, raw: bytes, signature: str | None) -> bool:
    """True when ``signature`` is the hex HMAC-SHA256 of ``raw`` (constant time)."""
    if not signature or not secret:
        return False
    expected = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    given = signature.strip().lower()
    given = given.removeprefix("sha256=")
    return hmac.compare_digest(expected.encode(), given.encode("ascii", "replace"))


def read_event(event: str | None, raw: bytes) -> Pushed | None:
    """A verified body read: ``Pushed``, ``None`` (a known event the gate does not use),
    or ``BadDelivery`` saying why it cannot be read."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadDelivery("the body is not JSON") from None
    if not isinstance(body, dict):
        raise BadDelivery("the body is not a JSON object")
    kind = body.get("type")
    if event is not None and kind is not None and event.strip() != kind:
        raise BadDelivery(f"X-Bluejay-Event {event.strip()!r} differs from the body's type")
    kind = kind if kind is not None else (event or "").strip()
    if kind in KNOWN_UNUSED:
        return None
    if kind != EVALUATED:
        raise BadDelivery(f"unknown event {str(kind)[:60]!r}")
    try:
        got = _Evaluated.model_validate(body)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(map(str, first["loc"])) or "body"
        raise BadDelivery(f"{EVALUATED}: {where}: {first['msg']}") from None
    return Pushed(got.simulation_run_id, got)
