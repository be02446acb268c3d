"""A result's fingerprint: what the verdict on it depends on, cheaply, so an unchanged
result is not read again. Pure; never reads the metrics themselves.
"""

from __future__ import annotations

import json
from typing import Any

from bluejay_gate.bluejay.models import SimulationResult


def _default(value: Any) -> str:
    return repr(value)


def fingerprint(result: SimulationResult) -> int:
    """What the verdict on ``result`` depends on: its status, every evaluation (ids,
    times, custom metrics with their values, flags, types and domains, built-in fields),
    the legacy top-level metrics, latency and duration. Equal fingerprints: the result
    read before still holds (reading the metrics again is the costly part of a big run);
    different: read it again. It is the hash of that content as JSON, written by the C
    encoder (an int per result, not a copy of every value: a big run holds 10,000 of
    them); str hashes are salted per process, so no answer can be made to collide on
    purpose. Reasoning texts are in it too: a changed text reads the result again, which
    costs a little and changes no verdict."""
    return hash(
        json.dumps(
            [
                result.status,
                result.evaluations,
                result.custom_metrics,
                result.latency,
                result.duration,
            ],
            default=_default,
            check_circular=False,
        )
    )
