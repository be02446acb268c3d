"""The digital-human request bodies the emulator accepts, mirroring the OpenAPI document:
``DigitalHumanRequestData`` (inside ``CreateDigitalHumanRequest``),
``UpdateDigitalHumanRequest`` and ``RemoveDigitalHumansFromSimulationRequest``.

Every documented field, with the document's defaults, enums and bounds; nested objects
(traits, expected tool calls, scripted responses, interruptions, speaks-first config) are
taken as JSON objects and kept as sent. Unknown fields are ignored, as FastAPI does (the
document does not forbid them). A unit test checks the fields against the document.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from bluejay_gate.emulator.bodies import Body

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
JsonObject = dict[str, Any]


class _HumanFields(Body):
    """The fields create and update share, with the update's (mostly null) defaults."""

    name: str | None = None
    tag: str | None = None
    accent: Accent | None = None
    gender: Gender | None = None
    phone_number: str | None = None
    outbound_text_number: str | None = None
    expected_tool_calls: list[JsonObject] | None = None
    hangup_phrases: list[str] | None = None
    hangup_instructions: str | None = None
    silence_timeout: int | None = Field(default=None, ge=15)
    role_description: str | None = None
    traits: list[JsonObject] | None = None
    interruptions: JsonObject | None = None
    scripted_responses: list[JsonObject] | None = None
    speaks_first_config: JsonObject | None = None
    original_transcript: str | None = None
    formatted_transcript: list[JsonObject] | None = None
    enriched_playback: list[JsonObject] | None = None
    always_on_active: bool | None = None
    livekit_metadata: JsonObject | None = None
    language: Language | None = "en"
    background_noise: BackgroundNoise | None = "none"
    voice_speed: VoiceSpeed | None = "normal"
    background_noise_volume: float | None = Field(default=0.8, ge=0, le=1)
    endpointing_delay: float | None = 1.5
    creativity: float | None = Field(default=0.7, ge=0, le=2)


class DigitalHumanRequestData(_HumanFields):
    """``DigitalHumanRequestData``: every field is kept as given, defaults filled in."""

    bluejay_as_code_id: UUID | None = None  # format: uuid
    intent: str = ""
    success_criteria: str = ""
    audio_quality: AudioQuality | None = "high"
    fluency: Fluency | None = "native"
    verbosity: Verbosity | None = "medium"
    allow_end_call_tool: bool | None = True
    allow_silence_tool: bool | None = True
    allow_dtmf_tool: bool | None = True
    default_dtmf_or_voiced: DtmfOrVoiced | None = "voiced"
    silence_tool_instructions: str | None = "default"
    workflow_v2_id: UUID | None = None  # format: uuid
    workflow_path_index: int | None = Field(default=None, ge=0)
    always_on_mode: bool | None = False
    num_runs: int | None = Field(default=1, ge=1)


class CreateDigitalHumanRequest(Body):
    """``POST /v1/create-digital-human``."""

    simulation_ids: list[int] | None = None
    simulation_id: int | None = None
    digital_human: DigitalHumanRequestData


class UpdateDigitalHumanRequest(_HumanFields):
    """``PUT /v1/update-digital-human/{id}``: only the fields given change;
    ``simulation_ids``, when given, replaces the simulations it belongs to."""

    intent: str | None = None
    success_criteria: str | None = None
    audio_quality: AudioQuality | None = None
    fluency: Fluency | None = None
    verbosity: Verbosity | None = None
    allow_end_call_tool: bool | None = None
    allow_silence_tool: bool | None = None
    allow_dtmf_tool: bool | None = None
    default_dtmf_or_voiced: DtmfOrVoiced | None = None
    silence_tool_instructions: str | None = None
    simulation_ids: list[int] | None = None
    num_runs: int | None = Field(default=None, ge=1)
    always_on_mode: bool | None = None
    override_conflict: bool | None = False


class RemoveDigitalHumansFromSimulationRequest(Body):
    """``POST /v1/simulation/{id}/remove-digital-humans``."""

    digital_human_ids: list[int]
