"""Read an earlier gate run's JSON report (``load_earlier``): the file, its JSON, its
``schema_version``, and the parts later stages read (spec, agent, simulations).

Owns what can go wrong with the file itself: missing, unreadable, not JSON, not a
bluejay-gate report, a schema version this gate cannot read. Each is one ``UsageError``
line naming the file. Never judges the conversations (``samples`` reads them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bluejay_gate.errors import UsageError

# The JSON report's ``schema_version`` this gate writes and reads (report/jsonreport.py).
SCHEMA_VERSION = 2
TOOL_NAME = "bluejay-gate"
OLDER = "written by an older bluejay-gate; run it again on the base branch"


@dataclass(frozen=True)
class EarlierAgent:
    id: str | None
    name: str | None
    external_id: str | None
    fields_sha256: str | None


@dataclass(frozen=True)
class EarlierSimulation:
    label: str
    simulation_id: str
    score: float | None
    conversations: tuple[Mapping[str, Any], ...]  # as written; ``samples`` reads them


@dataclass(frozen=True)
class EarlierReport:
    path: Path
    schema_version: int
    spec: str | None  # the spec path as given to that run
    spec_sha256: str | None
    agent: EarlierAgent
    simulations: tuple[EarlierSimulation, ...]
    finished_at: str | None
    outcome: str | None
    dry_run: bool


def _fail(path: Path, what: str) -> UsageError:
    return UsageError(f"{path}: {what}")


def _read(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _fail(path, "report not found: pass the JSON report of an earlier run") from None
    except IsADirectoryError:
        raise _fail(path, "is a folder: pass the JSON report file (bluejay-report.json)") from None
    except OSError as exc:
        raise _fail(path, f"cannot read the report: {exc.strerror}") from None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _fail(path, "not UTF-8 text: pass the JSON report bluejay-gate wrote") from None
    except json.JSONDecodeError as exc:
        raise _fail(
            path, f"not JSON (line {exc.lineno}): pass the JSON report bluejay-gate wrote"
        ) from None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _simulations(path: Path, value: object) -> tuple[EarlierSimulation, ...]:
    if not isinstance(value, list):
        raise _fail(path, "`simulations` is not a list: not a bluejay-gate report")
    found: list[EarlierSimulation] = []
    for index, item in enumerate(value):
        where = f"simulations[{index}]"
        if not isinstance(item, dict):
            raise _fail(path, f"{where} is not an object: not a bluejay-gate report")
        label, simulation_id = item.get("label"), item.get("simulation_id")
        if not isinstance(label, str) or not isinstance(simulation_id, str):
            raise _fail(path, f"{where} lacks `label` or `simulation_id`")
        conversations = item.get("conversations", [])
        if not isinstance(conversations, list) or not all(
            isinstance(c, dict) for c in conversations
        ):
            raise _fail(path, f"{where}.conversations is not a list of objects")
        found.append(
            EarlierSimulation(
                label, simulation_id, _number(item.get("score")), tuple(conversations)
            )
        )
    return tuple(found)


def _agent(value: object) -> EarlierAgent:
    agent: Mapping[str, Any] = value if isinstance(value, dict) else {}
    return EarlierAgent(
        id=_text(agent.get("id")),
        name=_text(agent.get("name")),
        external_id=_text(agent.get("external_id")),
        fields_sha256=_text(agent.get("fields_sha256")),
    )


def load_earlier(path: Path) -> EarlierReport:
    """The report at ``path``; a one-line ``UsageError`` naming the file when it cannot be
    one this gate reads."""
    data = _read(path)
    tool = data.get("tool") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(tool, dict) or tool.get("name") != TOOL_NAME:
        raise _fail(path, "not a bluejay-gate JSON report (no tool.name 'bluejay-gate')")
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _fail(path, f"schema_version {version!r} is not a number, expected {SCHEMA_VERSION}")
    if version < SCHEMA_VERSION:
        raise _fail(path, f"schema_version {version}, expected {SCHEMA_VERSION}: {OLDER}")
    if version > SCHEMA_VERSION:
        raise _fail(
            path,
            f"schema_version {version}, expected {SCHEMA_VERSION}: written by a newer "
            "bluejay-gate; use that version here too",
        )
    return EarlierReport(
        path=path,
        schema_version=version,
        spec=_text(data.get("spec")),
        spec_sha256=_text(data.get("spec_sha256")),
        agent=_agent(data.get("agent")),
        simulations=_simulations(path, data.get("simulations")),
        finished_at=_text(data.get("finished_at")),
        outcome=_text(data.get("outcome")),
        dry_run=data.get("dry_run") is True,
    )
