"""One entry of ``simulations:`` as written: which simulation, its thresholds, its options.

Besides ``id``/``name``, ``digital_human_ids``, ``thresholds`` and repeats, an entry may set
the optional SimulationRunRequest properties of Bluejay's OpenAPI document
(``QUEUE_OPTION_FIELDS``). Validation only: ``build`` turns it into a ``SimulationSpec``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bluejay_gate.bluejay.fields import QUEUE_RUN_PROPERTIES
from bluejay_gate.spec.fields import IdValue, NonEmptyStr
from bluejay_gate.spec.statistics import MAX_REPEATS_DESCRIPTION, REPEAT_DESCRIPTION
from bluejay_gate.spec.threshold_model import Thresholds

# Optional properties of the OpenAPI document's SimulationRunRequest the spec may set per
# simulation (``simulation_id`` and ``digital_human_ids`` have keys of their own).
QUEUE_OPTION_FIELDS = tuple(
    f for f in QUEUE_RUN_PROPERTIES if f not in {"simulation_id", "digital_human_ids"}
)


class SimulationModel(BaseModel):
    """One Bluejay simulation to run."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"anyOf": [{"required": ["id"]}, {"required": ["name"]}]}
    )

    id: IdValue | None = Field(
        default=None, description="Bluejay's id of the simulation.", examples=[4821]
    )
    name: NonEmptyStr | None = Field(
        default=None,
        description=(
            "Report label; without id, the agent's one simulation of this exact name. "
            "Default label: the simulation's name in Bluejay."
        ),
        examples=["Billing regressions"],
    )
    digital_human_ids: Annotated[list[IdValue], Field(min_length=1)] | None = Field(
        default=None,
        description="Run only these digital humans (default: all of the simulation's).",
        examples=[[12, 13]],
    )
    thresholds: Thresholds = Field(default_factory=dict)
    repeat: int | None = Field(
        default=None,
        ge=1,
        description=REPEAT_DESCRIPTION + " Overrides run.repeat.",
        examples=[3],
    )
    max_repeats: int | None = Field(
        default=None,
        ge=1,
        description=MAX_REPEATS_DESCRIPTION + " Overrides run.max_repeats.",
        examples=[6],
    )
    prompt_id: str | None = Field(
        default=None,
        description="Prompt UUID for this run.",
        examples=["6c1f9a52-1d2e-4b7a-9e0f-3a5b7c9d1e2f"],
    )
    knowledge_base_id: str | None = Field(
        default=None,
        description="Knowledge base UUID for this run.",
        examples=["8d2e0b63-2e3f-4c8b-8f10-4b6c8d0e2f3a"],
    )
    phone_number: str | None = Field(
        default=None,
        description="Phone number for this run (overrides the agent's).",
        examples=["${STAGING_PHONE}"],
    )
    sip_uri: str | None = Field(
        default=None,
        description="SIP URI for this run (overrides the agent's).",
        examples=["sip:staging@example.com"],
    )
    runs_per_digital_human: int | None = Field(
        default=None,
        gt=0,
        description="Conversations per digital human in this run.",
        examples=[3],
    )
    livekit_agent_name: str | None = Field(
        default=None, description="LiveKit agent name for this run.", examples=["support-agent"]
    )
    livekit_metadata: dict[str, Any] | None = Field(
        default=None, description="Metadata passed to the LiveKit room.", examples=[{"build": "42"}]
    )
    pipecat_agent_name: str | None = Field(
        default=None, description="Pipecat agent name for this run.", examples=["support-agent"]
    )
    pipecat_agent_configuration: dict[str, Any] | None = Field(
        default=None,
        description="Pipecat agent configuration for this run.",
        examples=[{"voice": "alloy"}],
    )
    pipecat_room_properties: dict[str, Any] | None = Field(
        default=None,
        description="Pipecat room properties for this run.",
        examples=[{"max_participants": 2}],
    )

    @model_validator(mode="after")
    def _id_or_name(self) -> SimulationModel:
        if self.id is None and self.name is None:
            raise ValueError("a simulation needs `id` or `name` (or both)")
        return self
