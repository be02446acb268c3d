"""The whole spec file as written: ``SpecModel`` joins the section models.

These pydantic models describe the file as the author writes it (durations as ``"30m"``,
ids as numbers or strings, ``{file: ...}`` references); every key has a description and
examples, which become the published JSON Schema (``schema``). ``load`` validates a file
against ``SpecModel`` and ``build`` turns the result into the frozen ``Spec``.
``SECTION_KEYS`` lists the keys each part accepts, for "did you mean" suggestions.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bluejay_gate.spec.agent_model import AgentModel
from bluejay_gate.spec.call_model import CallSetModel
from bluejay_gate.spec.fields import drop_null
from bluejay_gate.spec.file_refs import FileRef
from bluejay_gate.spec.human_model import TEXT_FIELDS as HUMAN_TEXT_FIELDS
from bluejay_gate.spec.human_model import HumanListModel, HumanModel
from bluejay_gate.spec.metric_model import TEXT_FIELDS as METRIC_TEXT_FIELDS
from bluejay_gate.spec.metric_model import MetricListModel, MetricModel, MetricsSection
from bluejay_gate.spec.run_model import RunModel
from bluejay_gate.spec.simulation_model import SimulationModel
from bluejay_gate.spec.threshold_model import CheckModel, Thresholds

_EXAMPLES: list[dict[str, Any]] = [
    {
        "version": 1,
        "agent": {
            "external_id": "support-bot",
            "name": "Support Bot v2",
            "system_prompt": {"file": "prompts/support.md"},
            "knowledge_base": {"file": "kb/faq.md"},
            "goals": ["Resolve billing questions"],
        },
        "run": {"timeout": "30m"},
        "simulations": [{"id": 4821, "name": "Billing regressions"}],
        "thresholds": {"goal_success": "pass_rate >= 80%", "score": "value >= 80"},
    },
    {
        "version": 1,
        "agent": {"external_id": "support-bot", "name": "Support Bot v2"},
        "custom_metrics": [
            {
                "name": "Resolution",
                "response_type": "pass_fail",
                "description": {"file": "metrics/resolution.md"},
            }
        ],
        "simulations": [
            {
                "name": "Billing regressions",
                "max_call_duration": 5,
                "selected_custom_metrics": ["Resolution"],
                "digital_humans": [
                    {
                        "name": "Angry Alice",
                        "intent": {"file": "humans/alice.md"},
                        "success_criteria": "The refund is confirmed",
                    }
                ],
            }
        ],
        "thresholds": {"Resolution": "pass_rate >= 80%"},
    },
]


def _spec_schema(schema: dict[str, Any]) -> None:
    drop_null(("custom_metrics",))(schema)
    schema["anyOf"] = [{"required": ["simulations"]}, {"required": ["calls"]}]
    schema["examples"] = _EXAMPLES


class SpecModel(BaseModel):
    """A bluejay-gate spec (bluejay-gate.yml)."""

    model_config = ConfigDict(
        extra="forbid",
        title="bluejay-gate spec",
        json_schema_extra=_spec_schema,
    )

    version: Literal[1] = Field(
        description="Version of the spec format. Supported: 1.", examples=[1]
    )
    agent: AgentModel = Field(
        description="The agent under test.",
        examples=[{"external_id": "support-bot", "name": "Support Bot v2", "type": "INBOUND"}],
    )
    run: RunModel = Field(
        default_factory=RunModel,
        description="How the gate runs (every key optional).",
        examples=[{"timeout": "30m", "poll_interval": "10s", "max_parallel": 10}],
    )
    custom_metrics: MetricsSection | None = Field(
        default=None,
        description=(
            "The agent's custom metrics, kept in Bluejay by name: created when missing, "
            "updated when they differ; the ones the agent has beyond them are reported as "
            "drift. A list, or {prune: true, items: [...]} to unlink those instead."
        ),
        examples=[
            [
                {
                    "name": "Resolution",
                    "response_type": "pass_fail",
                    "description": {"file": "metrics/resolution.md"},
                }
            ]
        ],
    )
    simulations: list[SimulationModel] = Field(
        default_factory=list,
        min_length=1,
        description="The simulations to run (a spec needs simulations, calls, or both).",
        examples=[[{"id": 4821, "name": "Billing regressions"}, {"name": "Smoke test"}]],
    )
    calls: list[CallSetModel] = Field(
        default_factory=list,
        min_length=1,
        description=(
            "Sets of recorded (golden) calls, each sent to Bluejay's POST /v1/evaluate and "
            "judged like a simulation."
        ),
        examples=[[{"name": "Refund calls", "files": "calls/refunds/*.json"}]],
    )
    thresholds: Thresholds = Field(default_factory=dict)

    @field_validator("custom_metrics", mode="before")
    @classmethod
    def _metrics_not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError(
                "is empty: list the metrics (`- name: ...`), or remove the key to leave the "
                "agent's metrics alone"
            )
        return value


# Keys each part of the file accepts, for "did you mean" suggestions.
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "top level": tuple(SpecModel.model_fields),
    "agent": tuple(AgentModel.model_fields),
    "run": tuple(RunModel.model_fields),
    "simulation": tuple(SimulationModel.model_fields),
    "call set": tuple(CallSetModel.model_fields),
    "custom metric": tuple(MetricModel.model_fields),
    "metric list": tuple(MetricListModel.model_fields),
    "digital human": tuple(HumanModel.model_fields),
    "digital human list": tuple(HumanListModel.model_fields),
    "check": tuple(CheckModel.model_fields),
    "file reference": tuple(FileRef.model_fields),
}
# Keys of each part that take {file: path}, for suggestions inside a file reference.
FILE_KEYS: dict[str, tuple[str, ...]] = {
    "agent": ("system_prompt", "knowledge_base"),
    "simulation": ("description",),
    "custom metric": METRIC_TEXT_FIELDS,
    "digital human": HUMAN_TEXT_FIELDS,
}
