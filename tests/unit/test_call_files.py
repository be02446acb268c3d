"""Golden-call sets in the spec: found, read and validated offline with located errors;
the bundled request schema is the OpenAPI document's own text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bluejay_gate.errors import SpecError
from bluejay_gate.spec.call_files import REQUEST_SCHEMA, bundled_schemas
from bluejay_gate.spec.load import load_spec
from tests.helpers.shared import openapi_document

HEAD = """\
version: 1
agent:
  name: Support Bot
  system_prompt: ""
  knowledge_base: ""
  goals: []
"""
GOOD: dict[str, Any] = {
    "start_time_utc": "2026-03-02T14:05:00Z",
    "participants": [{"role": "AGENT"}, {"role": "USER"}],
    "transcript": [
        {"start_offset_ms": 0, "end_offset_ms": 5, "speaker": "USER", "utterance": "hi"}
    ],
}


ONE_SET = (
    "calls:\n  - name: R\n    files: golden/*.json\n    thresholds: {goal_success: rate >= 1%}\n"
)


def spec_with(tmp_path: Path, calls: str, files: dict[str, Any] | None = None) -> Path:
    (tmp_path / "golden").mkdir()
    for name, body in (files if files is not None else {"a.json": GOOD}).items():
        text = body if isinstance(body, str) else json.dumps(body, indent=2)
        (tmp_path / "golden" / name).write_text(text)
    spec = tmp_path / "bluejay-gate.yml"
    spec.write_text(HEAD + calls)
    return spec


def error_of(spec: Path) -> str:
    with pytest.raises(SpecError) as info:
        load_spec(spec, {})
    return str(info.value)


@pytest.mark.needs_shared
def test_bundled_schema_is_the_documents() -> None:
    schemas = openapi_document()["components"]["schemas"]
    bundled = bundled_schemas()
    assert REQUEST_SCHEMA in bundled
    for name, schema in bundled.items():
        assert schemas[name] == schema, name
    wanted = set(re.findall(r"#/components/schemas/([\w.-]+)", json.dumps(bundled)))
    assert wanted <= set(bundled)


def test_calls_only_spec_loads_with_metadata_merged(tmp_path: Path) -> None:
    body = dict(GOOD, metadata={"ticket": "T-1", "build": "old"})
    spec = spec_with(
        tmp_path,
        "calls:\n  - name: Refunds\n    files: golden/*.json\n    metadata: {build: '7'}\n"
        "    thresholds:\n      goal_success: pass_rate >= 80%\n",
        {"b.json": body, "a.json": GOOD},
    )
    loaded = load_spec(spec, {})
    assert loaded.simulations == ()
    (call_set,) = loaded.calls
    assert [f.shown for f in call_set.files] == ["golden/a.json", "golden/b.json"]
    assert call_set.files[1].body["metadata"] == {"ticket": "T-1", "build": "7"}
    assert [c.label for c in loaded.checks_for(call_set)] == ["goal_success: pass_rate >= 80%"]


@pytest.mark.parametrize(
    ("calls", "files", "expected"),
    [
        (
            ONE_SET.replace("golden/", "nothing/"),
            None,
            r"bluejay-gate.yml:9: calls\[0\].files: 'nothing/\*.json' matches no file",
        ),
        (
            "calls:\n  - name: R\n    files: golden/*.json\n",
            None,
            r"bluejay-gate.yml:8: calls\[0\]: call set 'R' has nothing to check",
        ),
        (
            "calls:\n  - name: R\n    files: golden/*.json\n    thresholds: {score: value >= 80}\n",
            None,
            r"'score' is a simulation run's number",
        ),
        (
            ONE_SET + ONE_SET.removeprefix("calls:\n"),
            None,
            r"call set name 'R' is used twice",
        ),
        (
            "calls:\n  - name: R\n    filez: golden/*.json\n",
            None,
            r"unknown key `filez`.*did you mean `files`",
        ),
        (
            ONE_SET,
            {"a.json": "[1, 2]"},
            r"golden/a.json:1: a golden call is one JSON object",
        ),
        (
            ONE_SET,
            {"a.json": {k: v for k, v in GOOD.items() if k != "transcript"}},
            r"golden/a.json:1: nothing to score: give one of transcript, transcript_url",
        ),
        (
            ONE_SET,
            {"a.json": dict(GOOD, participants=[{"role": "AGENT"}])},
            r"golden/a.json:3: participants: .* is too short",
        ),
        (
            ONE_SET,
            {"a.json": dict(GOOD, external_agent_id="bot")},
            r"golden/a.json:\d+: external_agent_id: remove `external_agent_id`",
        ),
        (
            ONE_SET,
            {"a.json": dict(GOOD, transcrpt=[])},
            r"golden/a.json:\d+: transcrpt: unknown key `transcrpt`.*did you mean `transcript`",
        ),
        (
            ONE_SET,
            {"a.json": dict(GOOD, tags=["a"], label="production")},
            r"",  # documented optional fields load
        ),
    ],
)
def test_bad_call_sets_are_located(
    tmp_path: Path, calls: str, files: dict[str, Any] | None, expected: str
) -> None:
    spec = spec_with(tmp_path, calls, files)
    if not expected:
        assert load_spec(spec, {}).calls
        return
    message = error_of(spec)
    assert re.search(expected, message), message
    assert "\n" not in message


def test_a_spec_needs_simulations_or_calls(tmp_path: Path) -> None:
    spec = tmp_path / "bluejay-gate.yml"
    spec.write_text(HEAD)
    assert "or a `calls:` list of golden calls" in error_of(spec)
