"""An earlier gate run's JSON report, read back (``load_earlier``): the file parsed, its
``schema_version`` checked, and the parts the gate reads again (identity, shard, gate
errors, simulations) kept as ``EarlierReport``.

Reads one file; sends nothing, judges nothing. Every problem is one
``EarlierReportError`` line naming the file (exit 2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bluejay_gate.errors import EarlierReportError
from bluejay_gate.model.shards import Shard

# The JSON report's schema_version this gate reads back (report.jsonreport.SCHEMA_VERSION;
# a test keeps the two equal: ``earlier`` never imports ``report``).
READS_VERSION = 2
TOOL_NAME = "bluejay-gate"
NO_VERDICT_TEXT = "no simulations were evaluated, so there is nothing to decide"


@dataclass(frozen=True)
class EarlierReport:
    """What the gate reads again of an earlier report."""

    path: str  # as given
    spec_sha256: str
    agent_external_id: str | None
    agent_fields_sha256: str | None
    exit_code: int | None
    errors: tuple[str, ...]  # the gate-level errors it recorded
    shard: Shard | None
    base_url: str | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    run_ids: tuple[str, ...] = ()
    simulations: tuple[dict[str, Any], ...] = field(repr=False, default=())


def load_earlier(path: Path) -> EarlierReport:
    """Read ``path`` as a bluejay-gate JSON report; ``EarlierReportError`` when it is not
    one, or one this version cannot read."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EarlierReportError(
            f"{where}: no such report: pass the JSON report (--report) of the earlier run"
        ) from None
    except (OSError, UnicodeError) as exc:
        raise EarlierReportError(
            f"{where}: cannot read the report ({type(exc).__name__}: {exc})"
        ) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise EarlierReportError(
            f"{where}: not JSON ({exc}): pass the JSON report (--report), not the JUnit file"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("tool"), dict):
        raise EarlierReportError(f"{where}: not a bluejay-gate JSON report (no 'tool' object)")
    if data["tool"].get("name") != TOOL_NAME:
        raise EarlierReportError(
            f"{where}: not a bluejay-gate JSON report (tool is not {TOOL_NAME})"
        )
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < READS_VERSION:
        raise EarlierReportError(
            f"{where}: schema_version {version!r}, this bluejay-gate reads {READS_VERSION}: "
            "written by an older bluejay-gate; run it again on the base branch"
        )
    if version > READS_VERSION:
        raise EarlierReportError(
            f"{where}: schema_version {version}, this bluejay-gate reads {READS_VERSION}: "
            "written by a newer bluejay-gate; use that version"
        )
    return _earlier(where, data)


def _earlier(where: str, data: dict[str, Any]) -> EarlierReport:
    sha = data.get("spec_sha256")
    if not isinstance(sha, str) or not sha:
        raise EarlierReportError(f"{where}: the report has no spec_sha256: not a run's report")
    agent = data.get("agent")
    agent = agent if isinstance(agent, dict) else {}
    sims = data.get("simulations")
    if not isinstance(sims, list) or not all(isinstance(s, dict) for s in sims):
        raise EarlierReportError(f"{where}: 'simulations' is not a list of objects")
    errors = data.get("errors", [])
    if not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
        raise EarlierReportError(f"{where}: 'errors' is not a list of strings")
    code = data.get("exit_code")
    run_ids = data.get("run_ids", [])
    if not isinstance(run_ids, list) or not all(isinstance(r, str) for r in run_ids):
        raise EarlierReportError(f"{where}: 'run_ids' is not a list of strings")
    return EarlierReport(
        path=where,
        spec_sha256=sha,
        agent_external_id=_opt_str(agent.get("external_id")),
        agent_fields_sha256=_opt_str(agent.get("fields_sha256")),
        exit_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        errors=tuple(e for e in errors if e != NO_VERDICT_TEXT),
        shard=_shard(where, data.get("shard")),
        base_url=_opt_str(data.get("base_url")),
        agent_id=_opt_str(agent.get("id")),
        agent_name=_opt_str(agent.get("name")),
        run_ids=tuple(run_ids),
        simulations=tuple(sims),
    )


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
