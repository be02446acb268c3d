"""Does an earlier report belong to this spec and this agent? The identity hashes a report
records (``spec_sha256``, ``fields_sha256``) and the checks against them. Pure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from bluejay_gate.earlier.document import EarlierReport
from bluejay_gate.errors import EarlierReportError


def spec_sha256(data: bytes) -> str:
    """sha256 hex of the spec file's bytes as read."""
    return hashlib.sha256(data).hexdigest()


def fields_sha256(fields: Mapping[str, Any]) -> str:
    """sha256 hex of the canonical JSON of the agent fields the spec sets."""
    text = json.dumps(dict(fields), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def refuse_other_spec(report: EarlierReport, spec_path: str, sha: str) -> None:
    """The report must come from this very spec file (byte for byte)."""
    if report.spec_sha256 != sha:
        raise EarlierReportError(
            f"{report.path}: written for another spec (spec_sha256 {report.spec_sha256[:12]}, "
            f"{spec_path} is {sha[:12]}): use a report of a run of this spec, or run it whole"
        )


def refuse_changed_agent(report: EarlierReport, sha: str) -> None:
    """Results of another agent prove nothing about this one: its samples are not reused."""
    if report.agent_fields_sha256 != sha:
        was = (report.agent_fields_sha256 or "none")[:12]
        raise EarlierReportError(
            f"{report.path}: the agent changed since that run (agent fields_sha256 {was}, "
            f"the spec's is {sha[:12]}): its results are not reused; run the gate whole"
        )
