"""``bluejay-gate calls add --from-call-log CALL_ID [--to DIR]``: a scored production call
turned into a golden-call file that ``calls:`` can send again.

Reads the call log (``GET /v1/retrieve-call-log/{call_id}``), fetches its transcript from
``transcript_url`` (without the API key) and writes ``DIR/call-<id>.json``: the
``POST /v1/evaluate`` body without the agent (start time, participants, direction,
interface, the transcript, tool calls, events, tags, metadata, who ended it), comment-free
JSON that ``validate`` accepts (it is checked before it is written). When the transcript
cannot be embedded, the file keeps the link (``transcript_url``, ``recording_url``) and a
warning says that links may expire. Never overwrites a file.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, TextIO

from bluejay_gate.bluejay.call_logs import TRACE_KEY
from bluejay_gate.bluejay.models import CallLog
from bluejay_gate.errors import ApiError, GateError, UsageError

_SPEAKERS = {
    "AGENT": "AGENT",
    "ASSISTANT": "AGENT",
    "BOT": "AGENT",
    "USER": "USER",
    "CUSTOMER": "USER",
    "CALLER": "USER",
    "HUMAN": "USER",
}
_PARTICIPANT_KEYS = ("role", "spoke_first", "name", "phone_number")
_KEPT = ("call_direction", "interface", "tool_calls", "events", "tags")


def transcript_entries(raw: Any) -> list[dict[str, Any]] | None:
    """A fetched transcript as ``TranscriptEntryRequest`` entries; ``None`` when it is not
    a list of turns (``{"transcript": [...]}`` is unwrapped; missing offsets are 0)."""
    if isinstance(raw, dict):
        raw = raw.get("transcript", raw.get("turns"))
    if not isinstance(raw, list) or not raw:
        return None
    entries = []
    for turn in raw:
        if not isinstance(turn, dict):
            return None
        speaker = _SPEAKERS.get(str(turn.get("speaker", turn.get("role", ""))).strip().upper())
        text = turn.get("utterance", turn.get("text", turn.get("content")))
        if speaker is None or not isinstance(text, str):
            return None
        entry: dict[str, Any] = {
            "start_offset_ms": _offset(turn.get("start_offset_ms")),
            "end_offset_ms": _offset(turn.get("end_offset_ms")),
            "speaker": speaker,
            "utterance": text,
        }
        if isinstance(turn.get("filler_utterance"), bool):
            entry["filler_utterance"] = turn["filler_utterance"]
        entries.append(entry)
    return entries


def _offset(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(0, int(value))


def golden_body(call: CallLog, transcript: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The golden-call file's body for ``call`` (its transcript embedded when given)."""
    body: dict[str, Any] = {"start_time_utc": call.start_time_utc or call.created_at}
    body["participants"] = [
        {k: p[k] for k in _PARTICIPANT_KEYS if p.get(k) is not None}
        for p in call.participants or []
        if isinstance(p, dict)
    ]
    for key in _KEPT:
        value = getattr(call, key)
        if value:
            body[key] = value
    if transcript is not None:
        body["transcript"] = transcript
    else:
        if call.transcript_url:
            body["transcript_url"] = call.transcript_url
        if call.recording_url:
            body["recording_url"] = call.recording_url
    metadata = {k: v for k, v in (call.metadata or {}).items() if k != TRACE_KEY}
    metadata["golden_from_call_id"] = call.id
    body["metadata"] = metadata
    if call.conversation_ended_by in {"AGENT", "USER"}:
        body["conversation_ended_by"] = call.conversation_ended_by
    return body


class CallLogApi(Protocol):
    def get_call_log(self, call_id: str) -> CallLog: ...


def add_from_call_log(
    client: CallLogApi, call_id: str, folder: Path, out: TextIO, fetch: Callable[[str], Any]
) -> Path:
    """Write ``folder/call-<call_id>.json`` from the call log; returns its path."""
    from bluejay_gate.spec.call_files import read_call_file

    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in call_id)
    target = folder / f"call-{name}.json"
    if target.exists():
        raise UsageError(f"{target} exists already: remove it or choose another --to folder")
    call = client.get_call_log(call_id)
    transcript = None
    if call.transcript_url:
        try:
            transcript = transcript_entries(fetch(call.transcript_url))
        except ApiError as exc:
            out.write(f"warning: {exc}; the file keeps the link instead\n")
        if transcript is None:
            out.write(
                "warning: the transcript could not be embedded; the file keeps "
                "transcript_url, which may expire: embed the transcript before committing\n"
            )
    body = golden_body(call, transcript)
    text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=folder, suffix=".json.tmp", delete=False
    ) as handle:
        handle.write(text)
        temporary = Path(handle.name)
    try:
        read_call_file(temporary, str(target))  # what `validate` will say of it
        temporary.replace(target)
    except GateError:
        temporary.unlink(missing_ok=True)
        raise
    status = (call.status or "unknown status").upper()
    out.write(f"wrote {target} from call {call.id} ({status}); add it to a `calls:` set\n")
    return target


def run_calls_command(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    from bluejay_gate.bluejay.address import DEFAULT_BASE_URL
    from bluejay_gate.bluejay.client import BluejayClient
    from bluejay_gate.bluejay.recordings import fetch_linked_json
    from bluejay_gate.bluejay.transport import validate_base_url

    api_key = env.get("BLUEJAY_API_KEY", "").strip()
    if not api_key:
        raise UsageError(
            "BLUEJAY_API_KEY is not set: export your Bluejay API key (in CI, from a secret)"
        )
    base_url = validate_base_url(args.base_url or env.get("BLUEJAY_BASE_URL") or DEFAULT_BASE_URL)
    with BluejayClient(api_key, base_url) as client:
        add_from_call_log(client, args.from_call_log, Path(args.to), out, fetch_linked_json)
    return 0
