"""The recordings linked from results (``/files/transcripts/{id}.json``,
``/files/audio/{id}.wav``): no key needed, like signed URLs.
"""

from __future__ import annotations

from bluejay_gate.emulator import reasoning
from bluejay_gate.emulator.endpoints.registry import int_id, ok, route
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.store import Store


@route("GET", "/files/transcripts/{name}", auth=False)
def transcript(store: Store, call: Call) -> Reply:
    """A short transcript that agrees with the conversation's scores."""
    result_id = int_id(call.params["name"].removesuffix(".json"), "Transcript")
    conv = store.conversation(result_id)
    caller = str(store.digital_humans.get(conv.digital_human_id, {}).get("name") or "a caller")
    turns = reasoning.transcript(caller, conv.scores.metrics, never_speaks=conv.never_speaks)
    return ok(
        {
            "simulation_result_id": result_id,
            "note": "served by the bluejay-gate emulator, not by Bluejay",
            "transcript": turns,
        }
    )


_SILENT_WAV = (
    b"RIFF"
    + (36 + 800).to_bytes(4, "little")
    + b"WAVEfmt "
    + (16).to_bytes(4, "little")
    + (1).to_bytes(2, "little")
    + (1).to_bytes(2, "little")
    + (8000).to_bytes(4, "little")
    + (8000).to_bytes(4, "little")
    + (1).to_bytes(2, "little")
    + (8).to_bytes(2, "little")
    + b"data"
    + (800).to_bytes(4, "little")
    + b"\x80" * 800
)


@route("GET", "/files/audio/{name}", auth=False)
def audio(store: Store, call: Call) -> Reply:
    store.conversation(int_id(call.params["name"].removesuffix(".wav"), "Recording"))
    return Reply(200, _SILENT_WAV, content_type="audio/wav")
