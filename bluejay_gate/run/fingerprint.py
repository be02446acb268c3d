"""A result's fingerprint: what the verdict on it depends on, cheaply, so an unchanged
result is not read again. Pure; never reads the metrics themselves.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from bluejay_gate.bluejay.models import SimulationResult
from bluejay_gate.bluejay.results import newest_evaluation

# Long texts no verdict depends on: left out of a fingerprint (cheaper to build).
_UNJUDGED_KEYS = frozenset({"reasoning", "description", "explanation", "transcript", "summary"})


def _freeze(value: Any) -> Hashable:
    """JSON as nested tuples, without the texts in ``_UNJUDGED_KEYS``."""
    if isinstance(value, dict):
        return tuple((k, _freeze(v)) for k, v in value.items() if k not in _UNJUDGED_KEYS)
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value if isinstance(value, Hashable) else repr(value)


def fingerprint(result: SimulationResult) -> int:
    """What the verdict on ``result`` depends on, cheaply: its status; each evaluation's
    id, created_at and custom metrics (names, values, N/A flags, types, ranges, options);
    the newest evaluation's built-in fields; the legacy top-level metrics, latency and
    duration. Equal fingerprints: the result read before still holds (reading the
    metrics again is the costly part of a big run); different: read it again. Kept as
    the hash of that content (an int per result, not a copy of every value: a big run
    holds 10,000 of them); str hashes are salted per process, so no answer can be made
    to collide on purpose."""
    evaluations = [e for e in result.evaluations or [] if isinstance(e, dict)]
    newest = newest_evaluation(result)
    return hash(
        (
            result.status,
            tuple(
                (
                    e.get("id"),
                    e.get("created_at"),
                    _freeze(e.get("custom_metrics")),
                    _freeze(e.get("custom_evals")),
                )
                for e in evaluations
            ),
            _freeze(
                {k: v for k, v in newest.items() if k not in {"custom_metrics", "custom_evals"}}
                if newest is not None
                else None
            ),
            _freeze(result.custom_metrics),
            _freeze(result.latency),
            result.duration,
        )
    )
