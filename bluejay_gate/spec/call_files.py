"""Golden-call files: finding a call set's files (its glob, relative to the spec) and
reading each one, offline, into the body ``POST /v1/evaluate`` will carry, or one located
``SpecError`` (``calls/x.json:7: participants[1].role: ...``).

A file is one JSON object: the ``CallRequestUsingAgentId`` body of Bluejay's OpenAPI
document without ``agent_id`` / ``external_agent_id`` (the gate adds the spec's agent). It
is validated against the bundled copy of that schema (``call_request_schema.json``, the
document's own text; a test keeps them equal), holds only its fields (the client sends
documented fields only) and must say what to score: ``transcript``,
``transcript_url``, ``recording_url`` or ``recording_base64``. Reads local files only.
"""

from __future__ import annotations

import difflib
import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

from bluejay_gate.errors import SpecError
from bluejay_gate.spec.source import one_line
from bluejay_gate.spec.yamlpos import Located, YamlError, load_located

SCHEMA_FILE = "call_request_schema.json"
REQUEST_SCHEMA = "CallRequestUsingAgentId"
SOURCES = ("transcript", "transcript_url", "recording_url", "recording_base64")
AGENT_KEYS = ("agent_id", "external_agent_id")
MAX_CALL_FILE_BYTES = 20 * 1024 * 1024


@functools.cache
def bundled_schemas() -> dict[str, Any]:
    """``components.schemas`` of the bundled subset of Bluejay's OpenAPI document."""
    text = resources.files("bluejay_gate.spec").joinpath(SCHEMA_FILE).read_text("utf-8")
    schemas: dict[str, Any] = json.loads(text)["components"]["schemas"]
    return schemas


@functools.cache
def _validator() -> Any:
    # only specs with calls pay for it
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    schema = {
        "$ref": f"#/components/schemas/{REQUEST_SCHEMA}",
        "components": {"schemas": bundled_schemas()},
    }
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def find_call_files(base_dir: Path, pattern: str) -> list[Path]:
    """The files ``pattern`` matches under ``base_dir``, sorted; ValueError when the
    pattern cannot be used (absolute, empty)."""
    if Path(pattern).is_absolute():
        raise ValueError("must be relative to the spec's folder")
    try:
        found = base_dir.glob(pattern)
        return sorted(p for p in found if p.is_file())
    except (NotImplementedError, ValueError, OSError) as exc:
        raise ValueError(f"is not a usable glob ({exc})") from None


def _key(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def read_call_file(path: Path, shown: str) -> dict[str, Any]:
    """One golden call's body (without the agent), or a ``SpecError`` at ``shown:line``."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read the call file: {exc.strerror}", file=shown) from None
    if len(raw) > MAX_CALL_FILE_BYTES:
        raise SpecError(
            f"call file is {len(raw)} bytes, more than {MAX_CALL_FILE_BYTES}: link a "
            "transcript_url or recording_url instead of embedding it",
            file=shown,
            line=1,
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError("not UTF-8 text: save it as UTF-8", file=shown, line=line) from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"not valid JSON ({exc.msg}, column {exc.colno}): a golden call is one JSON "
            "object (comments are not allowed)",
            file=shown,
            line=exc.lineno,
        ) from None
    if not isinstance(body, dict):
        raise SpecError(
            "a golden call is one JSON object (the body of POST /v1/evaluate), "
            f"not {'a list' if isinstance(body, list) else 'a single value'}",
            file=shown,
            line=1,
        )
    located = _located(text)
    for key in AGENT_KEYS:
        if key in body:
            raise SpecError(
                f"remove `{key}`: the gate sends every call as the spec's agent",
                file=shown,
                line=located.line_of((key,)),
                key=key,
            )
    known = bundled_schemas()[REQUEST_SCHEMA]["properties"]
    for key in body:
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f" — did you mean `{close[0]}`?" if close else ""
            raise SpecError(
                f"unknown key `{key}`: not a field of {REQUEST_SCHEMA} in Bluejay's API "
                f"(the gate sends documented fields only){hint}",
                file=shown,
                line=located.line_of((key,)),
                key=key,
            )
    check = dict(body, agent_id="0")
    errors = sorted(_validator().iter_errors(check), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = tuple(first.absolute_path)
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise SpecError(
            one_line(
                f"{_plain(first)}{more}: the file must fit {REQUEST_SCHEMA} of Bluejay's "
                "OpenAPI document"
            ),
            file=shown,
            line=located.line_of(where),
            key=_key(where),
        )
    if not any(body.get(k) for k in SOURCES):
        raise SpecError(
            f"nothing to score: give one of {', '.join(SOURCES)}",
            file=shown,
            line=1,
        )
    return body


def _plain(error: Any) -> str:
    message = str(error.message)
    return message if len(message) <= 200 else message[:197] + "..."


def _located(text: str) -> Located:
    """Lines of the JSON's keys (JSON is YAML); line 1 for all when that fails."""
    try:
        located = load_located(text)
    except YamlError:
        return Located(None)
    return located if located is not None else Located(None)
