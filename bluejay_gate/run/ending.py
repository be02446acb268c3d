"""Ending the conversations of runs that did not settle normally (timeout, cancel, a run
given up with an error): one end-conversations call for all of them, never raising.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bluejay_gate import events
from bluejay_gate.errors import GateError
from bluejay_gate.run.tracking import Tracker


class EndApi(Protocol):
    def end_conversations(self, result_ids: Sequence[str]) -> None: ...


def end_unfinished(api: EndApi, trackers: Sequence[Tracker], emit: events.Emit) -> int:
    """Stop the still-running conversations of every run that did not settle normally
    (timeout, cancel, a run given up with an error), in one call; returns how many."""
    ids = [
        rid
        for t in trackers
        if not t.settled or t.error is not None
        for rid in t.unfinished_result_ids()
    ]
    ids = list(dict.fromkeys(ids))
    if not ids:
        return 0
    try:
        api.end_conversations(ids)
    except GateError as exc:
        emit(events.Warning(f"could not end {len(ids)} running conversations: {exc}"))
        return 0
    except Exception as exc:  # noqa: BLE001 - clean-up must not hide the reports
        emit(
            events.Warning(
                f"could not end {len(ids)} running conversations "
                f"(internal error {type(exc).__name__}: {exc})"
            )
        )
        return 0
    emit(events.Info(f"ended {len(ids)} still-running conversations"))
    return len(ids)
