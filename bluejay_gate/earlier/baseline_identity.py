"""Does an earlier report belong to this spec and agent? Pure: digests and comparisons.

The report records the spec (its path and the sha256 of its bytes) and the agent (its
external id when the spec names one, its name, and the sha256 of the fields the spec
sets). A baseline is the same gate on another commit, so its spec file and agent fields
may differ (that is what a pull request changes); what must match is *which* gate and
*which* agent: the spec path and the agent's external id (else its name). A difference
in the file or the fields is reported as a note, never refused.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Mapping
from typing import Any

from bluejay_gate.earlier.baseline_document import EarlierReport
from bluejay_gate.errors import UsageError
from bluejay_gate.spec.resolved import Spec


def fields_sha256(fields: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the agent fields the spec sets."""
    text = json.dumps(dict(fields), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bytes_sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _spec_path(text: str) -> str:
    return posixpath.normpath(text.replace("\\", "/"))


def check_identity(
    report: EarlierReport, spec: Spec, spec_path: str, spec_sha256: str | None
) -> list[str]:
    """Refuse (``UsageError``) a report of another spec or agent; the notes on what
    changed since (the spec file's bytes, the agent's fields)."""
    where = str(report.path)
    if report.dry_run:
        raise UsageError(f"{where}: the report of a dry run has no results to compare with")
    if report.spec is None or report.agent.name is None or report.spec_sha256 is None:
        raise UsageError(
            f"{where}: records no spec or agent (spec, spec_sha256, agent.name), so it "
            "cannot be told to belong to this gate: pass a report bluejay-gate wrote"
        )
    if _spec_path(report.spec) != _spec_path(spec_path):
        raise UsageError(
            f"{where}: written for the spec {report.spec!r}, not {spec_path!r}: pass the "
            "report of a run of this spec"
        )
    agent, wanted = report.agent, spec.agent
    if wanted.external_id is not None and agent.external_id is not None:
        if agent.external_id != wanted.external_id:
            raise UsageError(
                f"{where}: written for the agent with external_id {agent.external_id!r}, not "
                f"{wanted.external_id!r}: pass the report of a run of this agent"
            )
    elif agent.name != wanted.name:
        raise UsageError(
            f"{where}: written for the agent {agent.name!r}, not {wanted.name!r}: pass the "
            "report of a run of this agent"
        )
    notes = []
    if spec_sha256 != report.spec_sha256:
        notes.append("the spec file changed since")
    if agent.fields_sha256 is not None and agent.fields_sha256 != fields_sha256(wanted.fields):
        notes.append("the agent's fields changed since")
    return notes
