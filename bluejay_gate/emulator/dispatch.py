"""One request's way to its handler, in FastAPI's order after the faults: route lookup
(404/405), ``X-API-Key`` (missing: collected as a 422 error; wrong: 401 at once), path,
query and body validation (422 with every error), the handler, and the store's errors as
404/400. Returns a ``Reply``; reads and writes no socket.
"""

from __future__ import annotations

from typing import Any

from bluejay_gate.emulator.endpoints import router
from bluejay_gate.emulator.routing import Reply, validate
from bluejay_gate.emulator.store import Conflict, NotFound, Store


def dispatch(
    state: Store,
    *,
    api_key: str | None,
    method: str,
    path: str,
    query: dict[str, Any],
    raw: bytes,
    key: str | None,
) -> Reply:
    route, raw_params, allowed = router.match(method, path)
    if route is None:
        if allowed:
            return Reply(
                405, {"detail": "Method Not Allowed"}, {"Allow": ", ".join(sorted(allowed))}
            )
        return Reply(404, {"detail": "Not Found"})
    errors = []
    if route.auth:
        if key is None:
            errors.append(
                {
                    "type": "missing",
                    "loc": ["header", "X-API-Key"],
                    "msg": "Field required",
                    "input": None,
                }
            )
        elif api_key is not None and key != api_key:
            return Reply(401, {"detail": "Invalid API key"})
    call, more = validate(route, raw_params, query, raw)
    errors.extend(more)
    if errors or call is None:
        return Reply(422, {"detail": errors})
    try:
        return route.handler(state, call)
    except NotFound as exc:
        return Reply(404, {"detail": str(exc)})
    except Conflict as exc:
        return Reply(400, {"detail": str(exc)})
