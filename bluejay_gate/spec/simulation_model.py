"""One entry of ``simulations:`` as written: which simulation, its thresholds, its options,
and, for a managed simulation, what the gate keeps in Bluejay.

Besides ``id``/``name``, ``digital_human_ids``, ``thresholds`` and repeats, an entry may set
the optional SimulationRunRequest properties of Bluejay's OpenAPI document
(``QUEUE_OPTION_FIELDS``). An entry with a ``digital_humans:`` list of mappings is managed:
it may also set the simulation's own settings (``SimulationRequest`` /
``UpdateSimulationRequest``: ``MANAGED_FIELDS``). Validation only: ``build`` and
``managed`` turn it into a ``SimulationSpec`` and refuse what only a managed entry may say.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bluejay_gate.bluejay.fields import QUEUE_RUN_PROPERTIES, SIMULATION_SPEC_PROPERTIES
from bluejay_gate.spec.fields import IdValue, NonEmptyStr, drop_null, not_null
from bluejay_gate.spec.file_refs import FileRef, TextOrFile, read_file_ref
from bluejay_gate.spec.human_model import HumansSection
from bluejay_gate.spec.statistics import MAX_REPEATS_DESCRIPTION, REPEAT_DESCRIPTION
from bluejay_gate.spec.threshold_model import Thresholds

# Optional properties of the OpenAPI document's SimulationRunRequest the spec may set per
# simulation (``simulation_id`` and ``digital_human_ids`` have keys of their own).
QUEUE_OPTION_FIELDS = tuple(
    f for f in QUEUE_RUN_PROPERTIES if f not in {"simulation_id", "digital_human_ids"}
)
#: The simulation settings a managed entry keeps in Bluejay (its name aside).
MANAGED_FIELDS = SIMULATION_SPEC_PROPERTIES
#: Settings only a managed entry may set (the rest are queue options of any entry too).
MANAGED_ONLY_FIELDS = tuple(f for f in MANAGED_FIELDS if f not in QUEUE_OPTION_FIELDS)
_NOT_NULL = (*MANAGED_ONLY_FIELDS, "digital_humans")
_Percent = Annotated[int, Field(ge=0, le=100)]
_Duration = Literal["minutes", "seconds"]


def _simulation_schema(schema: dict[str, Any]) -> None:
    drop_null(_NOT_NULL)(schema)
    schema["anyOf"] = [{"required": ["id"]}, {"required": ["name"]}]
    # A managed entry (digital_humans) is found by name and runs its own digital humans;
    # only a managed entry sets the simulation's settings.
    schema["if"] = {"required": ["digital_humans"]}
    schema["then"] = {
        "required": ["name"],
        "not": {"anyOf": [{"required": ["id"]}, {"required": ["digital_human_ids"]}]},
    }
    schema["else"] = {"not": {"anyOf": [{"required": [f]} for f in MANAGED_ONLY_FIELDS]}}


class SimulationModel(BaseModel):
    """One Bluejay simulation to run."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_simulation_schema)

    id: IdValue | None = Field(
        default=None,
        description="Bluejay's id of the simulation (not on a managed one: it goes by name).",
        examples=[4821],
    )
    name: NonEmptyStr | None = Field(
        default=None,
        description=(
            "Report label; without id, the agent's one simulation of this exact name (a "
            "managed simulation's identity). Default label: the simulation's name in Bluejay."
        ),
        examples=["Billing regressions"],
    )
    digital_human_ids: Annotated[list[IdValue], Field(min_length=1)] | None = Field(
        default=None,
        description=(
            "Run only these digital humans (default: all of the simulation's). Not on a "
            "managed simulation: it runs its digital_humans."
        ),
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

    digital_humans: HumansSection | None = Field(
        default=None,
        description=(
            "The digital humans of a MANAGED simulation, as mappings (each by name): the "
            "gate creates the simulation under the agent when missing and keeps its "
            "settings and digital humans as written. A list, or {prune: true, items: [...]}"
            " to unlink the ones the list does not name. Without it, the entry is a "
            "reference to an existing simulation."
        ),
        examples=[[{"name": "Angry Alice", "intent": {"file": "humans/alice.md"}}]],
    )

    # -- a managed simulation's settings (SimulationRequest / UpdateSimulationRequest) ---
    description: TextOrFile | None = Field(
        default=None,
        description="Description of the simulation: the text, or {file: path}. Managed only.",
        examples=[{"file": "sims/billing.md"}, "Customers with billing problems."],
    )
    max_concurrent: Annotated[int, Field(gt=0, le=500)] | None = Field(
        default=None,
        description="Most concurrent calls of the simulation (at most 500). Managed only.",
        examples=[5],
    )
    hangup_on_transfer: bool | None = Field(
        default=None, description="Hang up the call on transfer. Managed only.", examples=[True]
    )
    max_call_duration: int | None = Field(
        default=None,
        description="Longest call, in max_call_duration_units (default 10). Managed only.",
        examples=[5],
    )
    max_call_duration_units: _Duration | None = Field(
        default=None,
        description="Units of max_call_duration: minutes (default) or seconds. Managed only.",
        examples=["minutes"],
    )
    max_turns: int | None = Field(
        default=None,
        description="Most turns per conversation (set by update). Managed only.",
        examples=[20],
    )
    ringing_timeout: int | None = Field(
        default=None,
        description="Ringing timeout in seconds for SIP trunks (default 300). Managed only.",
        examples=[60],
    )
    digital_humans_settings: dict[str, Any] | None = Field(
        default=None,
        description=(
            "Settings for the simulation's digital humans (default_name, "
            "default_caller_number, default_language, default_background_noise, "
            "first_message, num_runs). Managed only."
        ),
        examples=[{"default_language": "en", "num_runs": 1}],
    )
    selected_custom_metrics: list[NonEmptyStr] | None = Field(
        default=None,
        description=(
            "Custom metrics the simulation scores, by NAME (the gate finds their ids among "
            "the agent's metrics). Managed only."
        ),
        examples=[["Resolution", "Empathy"]],
    )
    custom_metrics_failing_threshold: _Percent | None = Field(
        default=None,
        description="Score (0-100) below which a custom metric is failing. Managed only.",
        examples=[40],
    )
    custom_metrics_passing_threshold: _Percent | None = Field(
        default=None,
        description="Score (0-100) at or above which a custom metric passes. Managed only.",
        examples=[70],
    )
    outcome_failing_threshold: Annotated[int, Field(ge=0, le=99)] | None = Field(
        default=None,
        description="Outcome score (0-99) below which the simulation fails. Managed only.",
        examples=[40],
    )
    outcome_passing_threshold: Annotated[int, Field(ge=1, le=100)] | None = Field(
        default=None,
        description="Outcome score (1-100) at or above which it passes. Managed only.",
        examples=[80],
    )
    sequential_calling: bool | None = Field(
        default=None,
        description="Run the calls one after another (deprecated by Bluejay). Managed only.",
        examples=[False],
    )
    always_on: bool | None = Field(
        default=None,
        description="The simulation has always-on digital humans. Managed only.",
        examples=[False],
    )
    tags: list[str] | None = Field(
        default=None, description="Tags of the simulation. Managed only.", examples=[["billing"]]
    )
    pinned: bool | None = Field(
        default=None, description="Whether the simulation is pinned. Managed only.", examples=[True]
    )
    bluejay_as_code_id: str | None = Field(
        default=None,
        description="Stable code-addressable identifier (a UUID). Managed only.",
        examples=["1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"],
    )

    @field_validator(*_NOT_NULL, mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return not_null(value)

    @field_validator("description")
    @classmethod
    def _resolve_file(
        cls, value: str | FileRef | None, info: ValidationInfo
    ) -> str | FileRef | None:
        # Only a managed entry reads it (``digital_humans`` is validated first); on a
        # reference entry the key itself is the problem (``managed``).
        if value is None or info.data.get("digital_humans") is None:
            return value
        return read_file_ref(value, info)

    @field_validator("selected_custom_metrics")
    @classmethod
    def _names_once(cls, value: list[str] | None) -> list[str] | None:
        twice = sorted({name for name in value or () if (value or []).count(name) > 1})
        if twice:
            raise ValueError(f"lists {twice[0]!r} twice: name each metric once")
        return value

    @model_validator(mode="after")
    def _id_or_name(self) -> SimulationModel:
        if self.digital_humans is not None and self.name is None:
            raise ValueError(
                "a managed simulation (one with digital_humans) needs `name`: it is found by "
                "name within the agent"
            )
        if self.id is None and self.name is None:
            raise ValueError("a simulation needs `id` or `name` (or both)")
        return self
