"""Back from a report's ``simulations[].conversations`` to the conversations the verdict
judges (``verdict.model.Conversation``, each metric a ``MetricValue`` read again from its
raw text, response type and declared domain), and which item of a report is which.

Pure. A conversation the report cannot have written (no result id, metrics not an object,
a metric without its response type) is a one-line ``UsageError`` naming the file and the
simulation: a baseline that cannot be read is never read as "no samples".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from bluejay_gate.earlier.baseline_document import EarlierSimulation
from bluejay_gate.errors import UsageError
from bluejay_gate.model.values import MetricValue, metric_value
from bluejay_gate.verdict.model import Conversation

_Item = TypeVar("_Item")


def match(
    items: Sequence[_Item],
    item_id: Callable[[_Item], str],
    item_name: Callable[[_Item], str],
    wanted_id: str,
    wanted_name: str,
) -> _Item | None:
    """The item with ``wanted_id``, else (none or several with it) the one named
    ``wanted_name``; ``None`` when neither tells one item. For simulations now, call sets
    later."""
    by_id = [item for item in items if item_id(item) == wanted_id]
    if len(by_id) == 1:
        return by_id[0]
    pool = by_id or list(items)
    by_name = [item for item in pool if item_name(item) == wanted_name]
    return by_name[0] if len(by_name) == 1 else None


def _metric(name: str, entry: object, bad: Callable[[str], UsageError]) -> MetricValue:
    if not isinstance(entry, dict):
        raise bad(f"metric {name!r} is not an object")
    response_type = entry.get("response_type")
    if not isinstance(response_type, str):
        raise bad(f"metric {name!r} has no response_type")
    raw = entry.get("raw")
    applicable = entry.get("applicable", True)
    if not isinstance(applicable, bool):
        raise bad(f"metric {name!r} has applicable {applicable!r}, not true or false")
    if applicable and entry.get("value") is None:
        # malformed in that run (the report keeps no value for it): malformed here too,
        # never read again as a fine number
        shown = "no value" if raw is None else repr(raw)
        return MetricValue(
            name,
            raw if isinstance(raw, str) else None,
            None,
            response_type,
            True,
            None,
            error=f"{shown} was malformed in the baseline report",
        )
    if raw is None:
        raw = entry.get("value")
    low, high, options = entry.get("min_value"), entry.get("max_value"), entry.get("options")
    if not all(_is_number(b) for b in (low, high) if b is not None):
        raise bad(f"metric {name!r} has a min_value or max_value that is not a number")
    if options is not None and not (
        isinstance(options, list) and all(isinstance(o, str) for o in options)
    ):
        raise bad(f"metric {name!r} has options that are not a list of strings")
    return metric_value(
        name,
        raw,
        response_type,
        reasoning=entry.get("reasoning"),
        not_applicable=not applicable,
        min_value=None if low is None else float(low),
        max_value=None if high is None else float(high),
        options=None if options is None else tuple(options),
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _conversation(item: Mapping[str, Any], bad: Callable[[str], UsageError]) -> Conversation:
    result_id = item.get("result_id")
    if not isinstance(result_id, str) or not result_id:
        raise bad("a conversation has no result_id")
    completed = item.get("completed")
    if not isinstance(completed, bool):
        raise bad(f"conversation {result_id} has no completed true/false")
    metrics = item.get("metrics", {})
    if not isinstance(metrics, dict):
        raise bad(f"conversation {result_id} has metrics that are not an object")
    return Conversation(
        result_id=result_id,
        run_id=_optional_text(item.get("run_id")) or "",
        digital_human_id=_optional_text(item.get("digital_human_id")),
        status=_optional_text(item.get("status")) or "UNKNOWN",
        completed=completed,
        never_spoke=item.get("never_spoke") is True,
        metrics={str(name): _metric(str(name), entry, bad) for name, entry in metrics.items()},
    )


def conversations_of(source: str, simulation: EarlierSimulation) -> tuple[Conversation, ...]:
    """The simulation's conversations as the verdict reads them; ``UsageError`` when the
    report cannot have written one of them."""

    def bad(what: str) -> UsageError:
        return UsageError(f"{source}: simulation {simulation.label!r}: {what}")

    seen: set[str] = set()
    found = []
    for item in simulation.conversations:
        conversation = _conversation(item, bad)
        if conversation.result_id in seen:
            raise bad(f"conversation {conversation.result_id} is listed twice")
        seen.add(conversation.result_id)
        found.append(conversation)
    return tuple(found)
