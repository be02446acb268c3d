"""One entry of ``calls:`` as written: a named set of golden calls (``files``, a glob
relative to the spec), its thresholds and the metadata merged into each call. Validation
only: ``build`` turns it into a ``CallSetSpec``, ``call_files`` reads the files."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bluejay_gate.spec.fields import NonEmptyStr
from bluejay_gate.spec.threshold_model import Thresholds


class CallSetModel(BaseModel):
    """A set of recorded calls sent to Bluejay's POST /v1/evaluate and judged like a
    simulation."""

    model_config = ConfigDict(extra="forbid")

    name: NonEmptyStr = Field(
        description="Report label of the set (one JUnit suite); unique among the call sets.",
        examples=["Refund calls"],
    )
    files: NonEmptyStr = Field(
        description=(
            "Glob of golden-call JSON files, relative to the spec's folder. Each file is one "
            "JSON object: the body of POST /v1/evaluate without agent_id / external_agent_id "
            "(the gate adds the spec's agent)."
        ),
        examples=["calls/refunds/*.json"],
    )
    thresholds: Thresholds = Field(default_factory=dict)
    metadata: dict[str, Any] | None = Field(
        default=None,
        description=(
            "Merged into each call's metadata (dynamic variables); these keys win over the file's."
        ),
        examples=[{"build": "${GITHUB_SHA}"}],
    )
