"""An earlier gate run's JSON report, read back (``load_earlier``): the file parsed, its
``schema_version`` checked, and the parts later stages read again (spec and agent
identity, shard, gate errors, runs, simulations, call sets) kept as one typed ``EarlierReport``,
for ``--rerun-failed``, ``merge`` and ``--baseline`` alike.

Owns what can go wrong with the file itself: missing, unreadable, not JSON, not a
bluejay-gate report, a schema version this gate cannot read, top-level parts of the wrong
shape. Each is one ``EarlierReportError`` line naming the file (exit 2). Reads one file;
sends nothing, judges nothing (``samples`` reads the conversations).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from bluejay_gate.errors import EarlierReportError
from bluejay_gate.model.shards import Shard

# The JSON report's schema_version this gate reads back (report.jsonreport.SCHEMA_VERSION;
# a test keeps the two equal: ``earlier`` never imports ``report``).
READS_VERSION = 2
TOOL_NAME = "bluejay-gate"
NO_VERDICT_TEXT = "no simulations were evaluated, so there is nothing to decide"
_NOT_OURS = "the report was not written by this bluejay-gate or was edited"


class Use(Enum):
    """What the report is read for. The two uses were written apart and their tests pin
    different wording for a few faults of the file (and ``RERUN`` refuses a report without
    ``spec_sha256`` here, where ``BASELINE`` leaves it to ``identity.check_identity``, which
    names every missing identity part at once); everything else is read the same."""

    RERUN = "rerun"  # --rerun-failed and merge: the report must be this very spec's run
    BASELINE = "baseline"  # --baseline: the same gate on another commit


# Per use: (no such file, the version this gate reads, `simulations` not a list).
_WORDING: dict[Use, tuple[str, str, str]] = {
    Use.RERUN: (
        "no such report: pass the JSON report (--report) of the earlier run",
        f"this bluejay-gate reads {READS_VERSION}",
        "'simulations' is not a list of objects",
    ),
    Use.BASELINE: (
        "report not found: pass the JSON report of an earlier run",
        f"expected {READS_VERSION}",
        "`simulations` is not a list: not a bluejay-gate report",
    ),
}


@dataclass(frozen=True)
class EarlierSimulation:
    """One item of the report's ``simulations``: who it is, and the item as written
    (``samples`` reads its conversations, runs and counters)."""

    label: str
    simulation_id: str
    score: float | None
    conversations: tuple[Mapping[str, Any], ...]  # as written; ``samples`` reads them
    doc: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    index: int = 0  # its place in the report's ``simulations``, for messages


@dataclass(frozen=True)
class EarlierCallSet:
    """One item of the report's ``call_sets``: its name (a call set has no id) and the
    item as written (``samples`` reads its conversations: one per evaluated call)."""

    name: str
    conversations: tuple[Mapping[str, Any], ...]  # as written; ``samples`` reads them
    doc: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    index: int = 0  # its place in the report's ``call_sets``, for messages

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True)
class EarlierReport:
    """What the gate reads again of an earlier report."""

    path: str  # as given
    schema_version: int
    spec: str | None  # the spec path as given to that run
    spec_sha256: str | None  # never None when read for ``Use.RERUN``
    agent_id: str | None
    agent_name: str | None
    agent_external_id: str | None
    agent_fields_sha256: str | None
    exit_code: int | None
    errors: tuple[str, ...]  # the gate-level errors it recorded
    shard: Shard | None
    base_url: str | None = None
    run_ids: tuple[str, ...] = ()
    dry_run: bool = False
    finished_at: str | None = None
    outcome: str | None = None
    simulations: tuple[EarlierSimulation, ...] = field(repr=False, default=())
    call_sets: tuple[EarlierCallSet, ...] = field(repr=False, default=())


def load_earlier(path: Path, use: Use = Use.RERUN) -> EarlierReport:
    """Read ``path`` as a bluejay-gate JSON report; ``EarlierReportError`` when it is not
    one, or one this version cannot read."""
    where = str(path)
    missing, reads, not_listed = _WORDING[use]
    data = _read(where, path, missing)
    if not isinstance(data, dict) or not isinstance(data.get("tool"), dict):
        raise EarlierReportError(f"{where}: not a bluejay-gate JSON report (no 'tool' object)")
    if data["tool"].get("name") != TOOL_NAME:
        raise EarlierReportError(
            f"{where}: not a bluejay-gate JSON report (tool is not {TOOL_NAME})"
        )
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise EarlierReportError(f"{where}: schema_version {version!r} is not a number, {reads}")
    if version < READS_VERSION:
        raise EarlierReportError(
            f"{where}: schema_version {version}, {reads}: written by an older bluejay-gate; "
            "run it again on the base branch"
        )
    if version > READS_VERSION:
        raise EarlierReportError(
            f"{where}: schema_version {version}, {reads}: written by a newer bluejay-gate; "
            "use that version here too"
        )
    sha = _opt_str(data.get("spec_sha256")) or None
    if sha is None and use is Use.RERUN:
        raise EarlierReportError(f"{where}: the report has no spec_sha256: not a run's report")
    return _earlier(where, data, version, sha, not_listed)


def _read(where: str, path: Path, missing: str) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EarlierReportError(f"{where}: {missing}") from None
    except IsADirectoryError:
        raise EarlierReportError(
            f"{where}: is a folder: pass the JSON report file (bluejay-report.json)"
        ) from None
    except OSError as exc:
        raise EarlierReportError(
            f"{where}: cannot read the report ({type(exc).__name__}: {exc.strerror})"
        ) from None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise EarlierReportError(
            f"{where}: not UTF-8 text: pass the JSON report bluejay-gate wrote"
        ) from None
    except json.JSONDecodeError as exc:
        raise EarlierReportError(
            f"{where}: not JSON (line {exc.lineno}): pass the JSON report (--report) "
            "bluejay-gate wrote, not the JUnit file"
        ) from None


def _earlier(
    where: str, data: dict[str, Any], version: int, sha: str | None, not_listed: str
) -> EarlierReport:
    agent = data.get("agent")
    agent = agent if isinstance(agent, dict) else {}
    errors = data.get("errors", [])
    if not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
        raise EarlierReportError(f"{where}: 'errors' is not a list of strings")
    code = data.get("exit_code")
    run_ids = data.get("run_ids", [])
    if not isinstance(run_ids, list) or not all(isinstance(r, str) for r in run_ids):
        raise EarlierReportError(f"{where}: 'run_ids' is not a list of strings")
    return EarlierReport(
        path=where,
        schema_version=version,
        spec=_opt_str(data.get("spec")),
        spec_sha256=sha,
        agent_id=_opt_str(agent.get("id")),
        agent_name=_opt_str(agent.get("name")),
        agent_external_id=_opt_str(agent.get("external_id")),
        agent_fields_sha256=_opt_str(agent.get("fields_sha256")),
        exit_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        errors=tuple(e for e in errors if e != NO_VERDICT_TEXT),
        shard=_shard(where, data.get("shard")),
        base_url=_opt_str(data.get("base_url")),
        run_ids=tuple(run_ids),
        dry_run=data.get("dry_run") is True,
        finished_at=_opt_str(data.get("finished_at")),
        outcome=_opt_str(data.get("outcome")),
        simulations=_simulations(where, data.get("simulations"), not_listed),
        call_sets=_call_sets(where, data.get("call_sets", [])),
    )


def _entries(
    where: str, value: object, key: str, not_listed: str
) -> list[tuple[int, str, dict[str, Any], tuple[dict[str, Any], ...]]]:
    """The objects of one list of the report (``simulations`` or ``call_sets``): each with
    its index, where it is (for messages) and its conversations, checked alike."""
    if not isinstance(value, list):
        raise EarlierReportError(f"{where}: {not_listed}")
    found = []
    for index, item in enumerate(value):
        at = f"{where}: {key}[{index}]"
        if not isinstance(item, dict):
            raise EarlierReportError(f"{at} is not an object: {_NOT_OURS}")
        conversations = item.get("conversations", [])
        if not isinstance(conversations, list) or not all(
            isinstance(c, dict) for c in conversations
        ):
            raise EarlierReportError(f"{at}.conversations is not a list of objects")
        found.append((index, at, item, tuple(conversations)))
    return found


def _simulations(where: str, value: object, not_listed: str) -> tuple[EarlierSimulation, ...]:
    found: list[EarlierSimulation] = []
    for index, at, item, conversations in _entries(where, value, "simulations", not_listed):
        label, simulation_id = item.get("label"), item.get("simulation_id")
        if not isinstance(label, str) or not isinstance(simulation_id, str):
            raise EarlierReportError(f"{at} lacks `label` or `simulation_id`: {_NOT_OURS}")
        score = item.get("score")
        found.append(
            EarlierSimulation(
                label,
                simulation_id,
                None
                if isinstance(score, bool) or not isinstance(score, int | float)
                else float(score),
                conversations,
                doc=item,
                index=index,
            )
        )
    return tuple(found)


def _call_sets(where: str, value: object) -> tuple[EarlierCallSet, ...]:
    """The report's ``call_sets`` (none when the run had none: the key is then absent)."""
    not_listed = f"'call_sets' is not a list of objects: {_NOT_OURS}"
    found: list[EarlierCallSet] = []
    for index, at, item, conversations in _entries(where, value, "call_sets", not_listed):
        name = item.get("name")
        if not isinstance(name, str):
            raise EarlierReportError(f"{at} lacks `name`: {_NOT_OURS}")
        found.append(EarlierCallSet(name, conversations, doc=item, index=index))
    return tuple(found)


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _shard(where: str, value: object) -> Shard | None:
    if value is None:
        return None
    if isinstance(value, dict):
        index, count, units = value.get("index"), value.get("count"), value.get("units")
        if (
            isinstance(index, int)
            and isinstance(count, int)
            and not isinstance(index, bool)
            and not isinstance(count, bool)
            and 1 <= index <= count
            and isinstance(units, list)
            and all(isinstance(u, str) for u in units)
        ):
            return Shard(index, count, tuple(units))
    raise EarlierReportError(
        f"{where}: 'shard' is not {{index, count, units}} with 1 <= index <= count"
    )
