"""The emulator's request log: one ``RequestRecord`` per request received, and the one
line per request it prints (query secrets masked). Records and formats; serves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bluejay_gate.emulator.scenario import FaultDef

_SECRET_QUERY_WORDS = ("key", "token", "secret", "password")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the emulator received. ``status`` 0 means the connection was dropped.
    ``took_effect``: the handler ran and succeeded, whatever the client then received
    (a fault injected ``after`` hides a success from it)."""

    method: str
    path: str
    query: dict[str, Any]
    status: int
    body: Any | None
    fault: str | None
    time: float
    took_effect: bool = False


def request_line(
    client: str,
    *,
    method: str,
    path: str,
    query: dict[str, Any],
    status: int,
    fault: FaultDef | None,
    ms: float,
) -> str:
    """``client "METHOD /path?query" status [fault=kind/when] 1.2ms``; secret-named query
    values masked (headers, and so the API key, are never logged)."""
    shown = "&".join(
        f"{k}={'***' if any(w in k.lower() for w in _SECRET_QUERY_WORDS) else v}"
        for k, v in query.items()
    )
    target = f"{path}?{shown}" if shown else path
    extra = f" fault={fault.kind}/{fault.when}" if fault else ""
    return f'{client} "{method} {target}" {status or "dropped"}{extra} {ms:.1f}ms'
