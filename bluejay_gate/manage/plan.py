"""The plan of a spec's Bluejay setup (custom metrics, managed simulations and their
digital humans): what will be (or was) created, updated or unlinked, and the drift —
what Bluejay has that the spec does not. Plain data with the one-line descriptions the
console, the dry run and the reports print. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

CREATE = "create"
UPDATE = "update"
UNLINK = "unlink"
UNCHANGED = "unchanged"

_DONE = {CREATE: "created", UPDATE: "updated", UNLINK: "unlinked", UNCHANGED: "unchanged"}
_TODO = {CREATE: "would create", UPDATE: "would update", UNLINK: "would unlink"}


@dataclass(frozen=True)
class Change:
    """One record the plan touches. ``kind``: "custom metric" | "simulation" |
    "digital human"; ``parent``: the simulation's name, for a digital human."""

    kind: str
    name: str
    action: str
    ident: str | None = None  # Bluejay's id (None until created)
    changed: tuple[str, ...] = ()  # the fields an update writes
    payload: Mapping[str, Any] = field(default_factory=dict)
    parent: str | None = None
    later: Mapping[str, Any] = field(default_factory=dict)  # update-only fields of a create

    def done(self, ident: str | None = None) -> Change:
        return replace(self, ident=ident if ident is not None else self.ident)

    def describe(self, *, done: bool) -> str:
        where = f" of simulation {self.parent!r}" if self.parent else ""
        ident = f" (id {self.ident})" if self.ident else ""
        if self.action == UNCHANGED:
            return f"{self.kind} {self.name!r}{where}{ident}: unchanged"
        verb = _DONE[self.action] if done else _TODO[self.action]
        fields = f" {', '.join(self.changed)}" if self.action == UPDATE else ""
        return f"{self.kind} {self.name!r}{where}{ident}: {verb}{fields}"


@dataclass(frozen=True)
class Drift:
    """Something Bluejay has and the spec does not: reported, never deleted."""

    kind: str
    name: str
    ident: str
    parent: str | None = None
    fix: str = ""

    def describe(self) -> str:
        where = f" of simulation {self.parent!r}" if self.parent else ""
        return (
            f"drift: {self.kind} {self.name!r} (id {self.ident}){where} is in Bluejay but "
            f"not in the spec{': ' + self.fix if self.fix else ''}"
        )


@dataclass(frozen=True)
class SetupPlan:
    """Every change, in the order it is applied (metrics, then simulations, each
    followed by its digital humans), and the drift."""

    changes: tuple[Change, ...] = ()
    drift: tuple[Drift, ...] = ()

    @property
    def writes(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action != UNCHANGED)

    @property
    def creates(self) -> bool:
        return any(c.action == CREATE for c in self.changes)

    def lines(self, *, done: bool) -> list[str]:
        """What changed (or would), then the drift; unchanged records are counted."""
        out = [c.describe(done=done) for c in self.writes]
        same = len(self.changes) - len(self.writes)
        if same:
            out.append(f"{same} other record{'s' if same != 1 else ''} of the setup unchanged")
        out.extend(d.describe() for d in self.drift)
        return out


def change_records(plan: SetupPlan, *, done: bool) -> tuple[dict[str, Any], ...]:
    """The writes of ``plan`` as plain records (the reports' ``setup.changes``)."""
    return tuple(
        {
            "kind": c.kind,
            "name": c.name,
            "action": c.action,
            "id": c.ident,
            "changed": list(c.changed),
            "parent": c.parent,
            "text": c.describe(done=done),
        }
        for c in plan.writes
    )


def drift_records(plan: SetupPlan) -> tuple[dict[str, Any], ...]:
    """The drift of ``plan`` as plain records (the reports' ``setup.drift``)."""
    return tuple(
        {"kind": d.kind, "name": d.name, "id": d.ident, "parent": d.parent, "text": d.describe()}
        for d in plan.drift
    )
