"""The emulator's route table and the helpers every endpoint module shares.

Handler modules register themselves with ``@route`` on import; the ``endpoints`` package
imports every one of them, so importing ``bluejay_gate.emulator.endpoints`` collects all
routes. Owns no handler and no state.
"""

from __future__ import annotations

from typing import Any

from bluejay_gate.emulator.routing import Reply, Router
from bluejay_gate.emulator.store import NotFound

router = Router()
route = router.add


def ok(body: Any) -> Reply:
    return Reply(200, body)


def int_id(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise NotFound(f"{what} {value} not found") from None
