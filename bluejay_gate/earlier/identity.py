"""Does an earlier report belong to this spec and this agent? The identity digests a
report records (``spec_sha256`` of the spec file's bytes, ``fields_sha256`` of the agent
fields the spec sets) and the checks against them. Pure: digests and comparisons.

Two uses, two rules. ``--rerun-failed`` and ``merge`` reuse the report's samples as this
run's, so the report must come from this very spec file and agent (``refuse_other_spec``,
``refuse_changed_agent``). A ``--baseline`` is the same gate on another commit, so its spec
file and agent fields may differ (that is what a pull request changes); what must match is
*which* gate and *which* agent: the spec path and the agent's external id (else its name).
A difference in the file or the fields is a note there, never a refusal (``check_identity``).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Mapping
from typing import Any

from bluejay_gate.earlier.document import EarlierReport
from bluejay_gate.errors import EarlierReportError
from bluejay_gate.spec.resolved import Spec


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
            f"{report.path}: written for another spec (spec_sha256 "
            f"{(report.spec_sha256 or 'none')[:12]}, {spec_path} is {sha[:12]}): use a report "
            "of a run of this spec, or run it whole"
        )


def refuse_changed_agent(report: EarlierReport, sha: str) -> None:
    """Results of another agent prove nothing about this one: its samples are not reused."""
    if report.agent_fields_sha256 != sha:
        was = (report.agent_fields_sha256 or "none")[:12]
        raise EarlierReportError(
            f"{report.path}: the agent changed since that run (agent fields_sha256 {was}, "
            f"the spec's is {sha[:12]}): its results are not reused; run the gate whole"
        )


def _spec_path(text: str) -> str:
    return posixpath.normpath(text.replace("\\", "/"))


def check_identity(report: EarlierReport, spec: Spec, spec_path: str, sha: str | None) -> list[str]:
    """A baseline: refuse (``EarlierReportError``) a report of another spec or agent; the
    notes on what changed since (the spec file's bytes, the agent's fields)."""
    where = report.path
    if report.dry_run:
        raise EarlierReportError(f"{where}: the report of a dry run has no results to compare with")
    if report.spec is None or report.agent_name is None or report.spec_sha256 is None:
        raise EarlierReportError(
            f"{where}: records no spec or agent (spec, spec_sha256, agent.name), so it "
            "cannot be told to belong to this gate: pass a report bluejay-gate wrote"
        )
    if _spec_path(report.spec) != _spec_path(spec_path):
        raise EarlierReportError(
            f"{where}: written for the spec {report.spec!r}, not {spec_path!r}: pass the "
            "report of a run of this spec"
        )
    wanted = spec.agent
    if wanted.external_id is not None and report.agent_external_id is not None:
        if report.agent_external_id != wanted.external_id:
            raise EarlierReportError(
                f"{where}: written for the agent with external_id "
                f"{report.agent_external_id!r}, not {wanted.external_id!r}: pass the report "
                "of a run of this agent"
            )
    elif report.agent_name != wanted.name:
        raise EarlierReportError(
            f"{where}: written for the agent {report.agent_name!r}, not {wanted.name!r}: pass "
            "the report of a run of this agent"
        )
    notes = []
    if sha != report.spec_sha256:
        notes.append("the spec file changed since")
    fields = report.agent_fields_sha256
    if fields is not None and fields != fields_sha256(wanted.fields):
        notes.append("the agent's fields changed since")
    return notes
