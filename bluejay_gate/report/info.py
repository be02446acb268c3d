"""What the reports say about the run besides the verdict: spec, agent, runs, timing,
and who the digital humans are (their names, read once per simulation)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bluejay_gate.model.shards import Shard


@dataclass(frozen=True)
class RunInfo:
    """Facts about one gate run that the CLI knows and the ``Verdict`` does not."""

    spec_path: str  # as given on the command line
    version: str  # bluejay_gate.__version__
    base_url: str
    agent_id: str | None = None
    agent_name: str | None = None
    # "created" | "updated" | "unchanged" | "would create" | "would update"
    agent_action: str | None = None
    changed_fields: tuple[str, ...] = ()
    run_ids: tuple[str, ...] = ()
    started_at: datetime | None = None  # UTC
    finished_at: datetime | None = None
    dry_run: bool = False
    # check label ("Empathy: mean >= 7") -> line in the spec; used when Check.line is unset
    check_lines: Mapping[str, int] = field(default_factory=dict)
    # identity, so an earlier report can be checked against a spec (``earlier``)
    spec_sha256: str | None = None  # of the spec file's bytes as read
    agent_external_id: str | None = None
    agent_fields_sha256: str | None = None  # of the agent fields the spec sets
    shard: Shard | None = None  # ``run --shard K/N``: which shard and its units
    # ``merge``: the shard reports merged (paths as given)
    merged_from: tuple[str, ...] = ()
    # what this run compared with: "baseline PATH (...)" or "no baseline: REASON"
    baseline: str | None = None
    # simulation id -> digital human id -> name (names that tell them apart only)
    digital_human_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # call set name -> call file (as shown) -> sha256 of its bytes, as judged
    call_file_sha256: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # simulation label -> seconds from its first run queued to its last run done
    simulation_seconds: Mapping[str, float] = field(default_factory=dict)
    # Bluejay as code: each record the setup wrote (or would write), and the drift. Each
    # entry: kind, name, action, id, changed (fields), parent (a digital human's
    # simulation), text (the one line the console printed).
    setup_changes: tuple[Mapping[str, Any], ...] = ()
    drift: tuple[Mapping[str, Any], ...] = ()

    def digital_human_name(self, simulation_id: str, digital_human_id: str | None) -> str | None:
        """The digital human's name, or ``None`` when it is not known (show the id)."""
        if digital_human_id is None:
            return None
        return self.digital_human_names.get(simulation_id, {}).get(digital_human_id)

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to finish, when both are known (never negative)."""
        if self.started_at is None or self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at).total_seconds())
