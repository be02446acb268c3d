"""A call set's entry in the JSON report (top-level ``call_sets``): the simulation entry's
keys that mean something for recorded calls (outcome, counts, errors, notes, checks,
conversations), with ``name``, ``files`` (and each one's ``file_sha256``) and
``call_ids`` instead of the run's ids, and ``calls``: each call's id, file, status and
whether it completed. Renders only:
``jsonreport`` builds the simulation entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bluejay_gate.verdict.model import SimulationVerdict

# Keys of a simulation entry a call set has no use for (no simulation, no run).
_RUN_KEYS = ("label", "simulation_id", "run_ids", "run_status", "dashboard_url", "score")
_NOT_FOR_CALLS = frozenset((*_RUN_KEYS, "repeats", "flips"))


def call_set_entry(
    call_set: SimulationVerdict,
    entry: dict[str, Any],
    sha256: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``entry`` (the simulation-shaped entry of ``call_set``) as a call set's; ``sha256``:
    each file's content hash (``file_sha256``, null when unknown)."""
    by_id = {c.result_id: c for c in call_set.conversations}
    hashes = sha256 or {}
    out: dict[str, Any] = {
        "name": call_set.label,
        "files": list(call_set.files),
        "file_sha256": {f: hashes.get(f) or None for f in call_set.files},
        "call_ids": list(call_set.call_ids),
    }
    out.update((k, v) for k, v in entry.items() if k not in _NOT_FOR_CALLS)
    out["calls"] = [
        {
            "call_id": call_id,
            "file": by_id[call_id].file if call_id in by_id else None,
            "status": by_id[call_id].status if call_id in by_id else None,
            "completed": call_id in by_id and by_id[call_id].completed,
        }
        for call_id in call_set.call_ids
    ]
    return out
