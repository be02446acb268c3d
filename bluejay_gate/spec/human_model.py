"""One digital human of a managed simulation as written, and the ``digital_humans:`` list.

A digital human is found by ``name`` within its simulation and takes every field of the
OpenAPI document's ``DigitalHumanRequestData`` (``HUMAN_SPEC_PROPERTIES``), with the
document's enums; the long texts may be ``{file: path}``. Nested objects (traits,
interruptions, scripted responses, ...) are checked lightly: mappings with the keys the
document requires. ``digital_humans:`` is a list, or ``{prune: true, items: [...]}`` to
unlink the simulation's digital humans the list does not name. Validation only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
)

from bluejay_gate.bluejay.fields import HUMAN_SPEC_PROPERTIES
from bluejay_gate.spec.fields import (
    NonEmptyStr,
    Number,
    drop_null,
    not_null,
    plain_type,
    required_keys,
    within,
)
from bluejay_gate.spec.file_refs import FileRef, TextOrFile, read_file_ref

HUMAN_FIELDS = HUMAN_SPEC_PROPERTIES
TEXT_FIELDS = (
    "intent",
    "success_criteria",
    "role_description",
    "hangup_instructions",
    "original_transcript",
)
# The document's enums (LanguageType, AccentType, ...), as the spec's types.
Language = Literal[
    "en", "es", "pt", "ja", "tr", "hi", "ar", "ru", "zh", "ml", "fr", "yue", "vi", "de"
]
Accent = Literal[
    "multilingual",
    "american",
    "american2",
    "mature",
    "southern",
    "italian",
    "indian",
    "british",
    "australian",
    "mexican",
    "spanish",
    "portuguese",
    "french",
    "turkish",
    "japanese",
    "hindi",
    "arabic",
    "russian",
    "chinese",
    "german",
]
Gender = Literal["male", "female"]
BackgroundNoise = Literal["none", "office", "talking", "traffic", "cafe", "park", "tv"]
VoiceSpeed = Literal["slowest", "slow", "normal", "fast", "fastest"]
AudioQuality = Literal["high", "medium", "low", "horrible"]
Fluency = Literal["beginner", "intermediate", "native"]
Verbosity = Literal["low", "medium", "high"]
DtmfOrVoiced = Literal["voiced", "dtmf"]
#: Each enum key and its values, in the document's terms (tests compare them).
HUMAN_ENUMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "language": ("LanguageType", get_args(Language)),
    "accent": ("AccentType", get_args(Accent)),
    "gender": ("GenderType", get_args(Gender)),
    "background_noise": ("BackgroundNoiseType", get_args(BackgroundNoise)),
    "voice_speed": ("VoiceSpeedType", get_args(VoiceSpeed)),
    "audio_quality": ("AudioQualityType", get_args(AudioQuality)),
    "fluency": ("FluencyType", get_args(Fluency)),
    "verbosity": ("VerbosityType", get_args(Verbosity)),
    "default_dtmf_or_voiced": ("DtmfOrVoicedType", get_args(DtmfOrVoiced)),
}
INTERRUPTION_TYPES = ("none", "low", "medium", "high", "keywords", "contextual")

_OPTIONAL = tuple(f for f in HUMAN_FIELDS if f != "name")

_ToolCalls = Annotated[
    list[dict[str, Any]], required_keys(("name",), "expected tool call (ExpectedToolCall)")
]
_Traits = Annotated[
    list[dict[str, Any]],
    required_keys(("trait_name", "trait_data_type", "value"), "trait (Trait)"),
]
_ScriptedResponses = Annotated[
    list[dict[str, Any]],
    required_keys(
        ("match_type", "match_phrase", "response_type", "occurrence_mode"),
        "scripted response (ScriptedResponse)",
    ),
]
_Interruptions = Annotated[dict[str, Any], required_keys(("type",), "interruption configuration")]
_SpeaksFirst = Annotated[
    dict[str, Any], required_keys(("speaks_first",), "speaks-first configuration")
]


class HumanModel(BaseModel):
    """A digital human the simulation runs: created when the simulation has none of this
    name, updated when a field differs."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=drop_null(_OPTIONAL))

    name: NonEmptyStr = Field(
        description="Name of the digital human: its identity within the simulation.",
        examples=["Angry Alice"],
    )
    intent: TextOrFile | None = Field(
        default=None,
        description=(
            "Who the digital human is and what it wants: the text, or {file: path} relative "
            "to the spec. Leave it out when enriched_playback is set."
        ),
        examples=[{"file": "humans/alice.md"}, "You were charged twice and want a refund."],
    )
    success_criteria: TextOrFile | None = Field(
        default=None,
        description="When the conversation succeeded: the text, or {file: path}.",
        examples=["The refund is confirmed"],
    )
    tag: str | None = Field(
        default=None, description="Tag for categorizing the digital human.", examples=["billing"]
    )
    language: Language | None = Field(
        default=None,
        description="Language the digital human speaks (Bluejay's default: en).",
        examples=["en"],
    )
    accent: Accent | None = Field(
        default=None, description="Accent of the digital human.", examples=["british"]
    )
    gender: Gender | None = Field(
        default=None, description="Gender of the digital human.", examples=["female"]
    )
    background_noise: BackgroundNoise | None = Field(
        default=None, description="Type of background noise (default: none).", examples=["cafe"]
    )
    voice_speed: VoiceSpeed | None = Field(
        default=None, description="Speed of the voice (default: normal).", examples=["fast"]
    )
    audio_quality: AudioQuality | None = Field(
        default=None, description="Audio quality of the voice (default: high).", examples=["low"]
    )
    fluency: Fluency | None = Field(
        default=None, description="Fluency of the speech (default: native).", examples=["native"]
    )
    verbosity: Verbosity | None = Field(
        default=None, description="Verbosity of the answers (default: medium).", examples=["low"]
    )
    phone_number: str | None = Field(
        default=None,
        description="Phone number of the digital human (quote it, or use ${VAR}).",
        examples=["+15557654321"],
    )
    outbound_text_number: str | None = Field(
        default=None, description="Outbound text number.", examples=["+15557654322"]
    )
    background_noise_volume: Annotated[Number, within(0, 1)] | None = Field(
        default=None,
        description="Volume of the background noise, 0 to 1 (default: 0.8).",
        examples=[0.5],
        json_schema_extra={"minimum": 0, "maximum": 1},
    )
    expected_tool_calls: _ToolCalls | None = Field(
        default=None,
        description="Tool calls the agent should make: mappings with name, parameters, output.",
        examples=[[{"name": "issue_refund", "parameters": {"amount": 20}}]],
    )
    allow_end_call_tool: bool | None = Field(
        default=None, description="Allow the digital human to end the call.", examples=[True]
    )
    allow_silence_tool: bool | None = Field(
        default=None, description="Allow the digital human to stay silent.", examples=[True]
    )
    allow_dtmf_tool: bool | None = Field(
        default=None, description="Allow the digital human to press keys (DTMF).", examples=[False]
    )
    default_dtmf_or_voiced: DtmfOrVoiced | None = Field(
        default=None, description="Default input mode (default: voiced).", examples=["voiced"]
    )
    silence_tool_instructions: str | None = Field(
        default=None,
        description='Silence tool instructions: "default" for the built-in behaviour, or text.',
        examples=["default"],
    )
    endpointing_delay: Number | None = Field(
        default=None, description="Endpointing delay in seconds (default: 1.5).", examples=[1.5]
    )
    creativity: Annotated[Number, within(0, 2)] | None = Field(
        default=None,
        description="How creative the digital human is, 0 to 2 (model temperature; 0.7).",
        examples=[0.7],
        json_schema_extra={"minimum": 0, "maximum": 2},
    )
    hangup_phrases: list[str] | None = Field(
        default=None, description="Phrases that make it hang up.", examples=[["goodbye"]]
    )
    hangup_instructions: TextOrFile | None = Field(
        default=None,
        description="How and when to hang up: the text, or {file: path}.",
        examples=["Hang up once the refund is confirmed."],
    )
    silence_timeout: Annotated[int, Field(ge=15)] | None = Field(
        default=None,
        description="Silence timeout in seconds (at least 15).",
        examples=[30],
    )
    role_description: TextOrFile | None = Field(
        default=None,
        description="The role the digital human plays: the text, or {file: path}.",
        examples=["A long-time customer on the premium plan."],
    )
    traits: _Traits | None = Field(
        default=None,
        description="Traits: mappings with trait_name, trait_data_type, value (is_sip_header).",
        examples=[[{"trait_name": "plan", "trait_data_type": "STRING", "value": "premium"}]],
    )
    interruptions: _Interruptions | None = Field(
        default=None,
        description=(
            "Interruption configuration: {type: none|low|medium|high}, {type: keywords, "
            "keyword_responses: [...]} or {type: contextual, contextual_prompt: ...}."
        ),
        examples=[{"type": "medium"}],
    )
    scripted_responses: _ScriptedResponses | None = Field(
        default=None,
        description=(
            "Scripted responses: mappings with match_type, match_phrase, response_type, "
            "occurrence_mode (response_value, occurrence_n, silence_duration)."
        ),
        examples=[
            [
                {
                    "match_type": "exact",
                    "match_phrase": "account number",
                    "response_type": "phrase",
                    "response_value": "It is 12345",
                    "occurrence_mode": "always",
                }
            ]
        ],
    )
    speaks_first_config: _SpeaksFirst | None = Field(
        default=None,
        description="Whether the digital human speaks first: {speaks_first, mode, message}.",
        examples=[{"speaks_first": True, "mode": "custom", "message": "Hi, I was charged twice."}],
    )
    original_transcript: TextOrFile | None = Field(
        default=None,
        description="A transcript to replay: the text, or {file: path}.",
        examples=[{"file": "humans/alice-transcript.txt"}],
    )
    formatted_transcript: list[dict[str, str]] | None = Field(
        default=None,
        description="A structured transcript to replay, as [{role, utterance}].",
        examples=[[{"role": "user", "utterance": "Hi, I was charged twice."}]],
    )
    enriched_playback: list[dict[str, Any]] | None = Field(
        default=None,
        description="Enriched playback: a list of turn objects.",
        examples=[[{"role": "user", "utterance": "Hello"}]],
    )
    workflow_v2_id: str | None = Field(
        default=None,
        description="Source workflow UUID, when generated from a workflow.",
        examples=["5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"],
    )
    workflow_path_index: Annotated[int, Field(ge=0)] | None = Field(
        default=None,
        description="0-based path index within the workflow's paths.",
        examples=[0],
    )
    always_on_mode: bool | None = Field(
        default=None, description="Whether always-on mode is enabled.", examples=[False]
    )
    always_on_active: bool | None = Field(
        default=None,
        description="Whether it actively receives calls on phone_number.",
        examples=[True],
    )
    num_runs: Annotated[int, Field(ge=1)] | None = Field(
        default=None,
        description="Times this digital human runs per simulation run (default: 1).",
        examples=[2],
    )
    livekit_metadata: dict[str, Any] | None = Field(
        default=None,
        description="LiveKit configuration and metadata for this digital human.",
        examples=[{"room": "support"}],
    )
    bluejay_as_code_id: str | None = Field(
        default=None,
        description="Stable code-addressable identifier (a UUID).",
        examples=["7c8d9e0f-1a2b-4c3d-9e4f-5a6b7c8d9e0f"],
    )

    @field_validator(*_OPTIONAL, mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return not_null(value)

    @field_validator("interruptions")
    @classmethod
    def _interruption_type(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and value.get("type") not in INTERRUPTION_TYPES:
            choices = ", ".join(INTERRUPTION_TYPES)
            raise ValueError(f"`type` must be one of {choices}, got {value.get('type')!r}")
        return value

    @field_validator(*TEXT_FIELDS)
    @classmethod
    def _resolve_file(
        cls, value: str | FileRef | None, info: ValidationInfo
    ) -> str | FileRef | None:
        return None if value is None else read_file_ref(value, info)


class HumanListModel(BaseModel):
    """``digital_humans:`` as a mapping: the list under ``items`` and ``prune``."""

    model_config = ConfigDict(extra="forbid")

    prune: bool = Field(
        default=False,
        description=(
            "true: unlink from the simulation every digital human it has that `items` does "
            "not name. false (the default): only report them as drift."
        ),
        examples=[True],
    )
    items: list[HumanModel] = Field(
        description="The digital humans, as in the list form.",
        examples=[[{"name": "Angry Alice", "intent": "You were charged twice."}]],
    )


def _list_of_mappings(value: Any) -> Any:
    items = value.get("items") if isinstance(value, dict) else value
    if isinstance(items, list) and any(not isinstance(item, dict) for item in items):
        raise ValueError(
            "digital_humans lists the digital humans the gate keeps in Bluejay, as mappings "
            "(`- name: ...`); to run some of an existing simulation's digital humans, use "
            "`digital_human_ids: [12, 13]`"
        )
    if not isinstance(value, (list, dict)):
        raise ValueError(  # noqa: TRY004 - pydantic reports only ValueError
            "expected a list of digital humans (`- name: ...` lines) or a mapping "
            f"{{prune: true, items: [...]}}, got {plain_type(value)}"
        )
    return value


def _form(value: Any) -> str:
    return "list form" if isinstance(value, list) else "mapping form"


#: ``digital_humans:``: a list of digital humans, or ``{prune: ..., items: [...]}``.
HumansSection = Annotated[
    Annotated[list[HumanModel], Tag("list form")] | Annotated[HumanListModel, Tag("mapping form")],
    Discriminator(_form),
    BeforeValidator(_list_of_mappings),
]
