"""Example specs in tests/fixtures/specs: pass/ loads, fail/ and invalid/ give their expected
one-line message; the committed JSON Schema is current and agrees with the loader."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bluejay_gate.errors import SpecError
from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.schema import schema_text, spec_json_schema
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "specs"
ENV = {
    "SUPPORT_BOT_PHONE": "+15550001111",
    "AGENT_WS_PASSWORD": "ws-pass",
    "AGENT_SIP_PASSWORD": "sip-pass",
}
PASS = sorted((FIXTURES / "pass").glob("*.yml"))
FAIL = sorted((FIXTURES / "fail").glob("*.yml"))
INVALID = sorted((FIXTURES / "invalid").glob("*.yml"))


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(spec_json_schema())


def test_fixture_folders_are_populated() -> None:
    """Each folder holds several examples and every rejected one has its .expected file."""
    assert len(PASS) >= 5
    assert len(FAIL) >= 10
    assert len(INVALID) >= 10
    for path in FAIL + INVALID:
        assert path.with_suffix(".expected").is_file(), path


@pytest.mark.parametrize("path", PASS, ids=_ids(PASS))
def test_pass_specs_load(path: Path) -> None:
    """Every pass/ spec loads and has at least one check for each simulation."""
    spec = load_spec(path, env=ENV)
    assert spec.simulations
    assert all(spec.checks_for(sim) for sim in spec.simulations)


@pytest.mark.parametrize("path", PASS, ids=_ids(PASS))
def test_pass_specs_validate_against_the_schema(path: Path) -> None:
    """Every pass/ spec is valid against the published JSON Schema."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [e.message for e in _validator().iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize("path", FAIL + INVALID, ids=_ids(FAIL + INVALID))
def test_rejected_specs_give_the_expected_line(path: Path) -> None:
    """Every fail/ and invalid/ spec raises SpecError with exactly its expected message."""
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").rstrip("\n")
    with pytest.raises(SpecError) as info:
        load_spec(path, env=ENV)
    assert str(info.value) == f"{path}:{expected}"
    assert "\n" not in str(info.value)
    assert info.value.file == str(path)
    assert info.value.line == int(expected.split(":", 1)[0])


@pytest.mark.parametrize("path", FAIL, ids=_ids(FAIL))
def test_fail_specs_are_rejected_by_the_schema_too(path: Path) -> None:
    """Every fail/ spec is structurally wrong, so an editor using the schema flags it too."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert not _validator().is_valid(data)


def test_committed_schema_is_current() -> None:
    """bluejay-gate.schema.json at the repo root equals spec_json_schema() output exactly."""
    committed = (ROOT / "bluejay-gate.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text()
    assert schema_text() == json.dumps(spec_json_schema(), indent=2, sort_keys=False) + "\n"


def test_documented_regeneration_command_writes_the_committed_schema() -> None:
    """``python -m bluejay_gate.spec.schema`` (the way spec/schema.py documents to regenerate
    bluejay-gate.schema.json) prints the committed file byte for byte."""
    done = subprocess.run(
        [sys.executable, "-m", "bluejay_gate.spec.schema"],
        capture_output=True,
        check=False,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stderr == b""
    assert done.stdout == (ROOT / "bluejay-gate.schema.json").read_bytes()


def test_schema_header() -> None:
    """The schema names its draft, its id and title, and is itself a valid 2020-12 schema."""
    schema = spec_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/bluejay-gate.schema.json")
    assert schema["title"] == "bluejay-gate spec"
    assert "BLUEJAY_API_KEY" in schema["description"]
    assert schema["required"] == ["version", "agent"]
    assert schema["anyOf"] == [{"required": ["simulations"]}, {"required": ["calls"]}]
    jsonschema.Draft202012Validator.check_schema(schema)


# Conditions between keys (an enum metric needs enum_options, ...) restate keys declared
# beside them; they declare none.
_CONDITIONS = frozenset({"if", "then", "else", "not"})


def _properties(node: Any, where: str = "#") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            found.append((f"{where}/{key}", value))
        for key, value in node.items():
            if key not in _CONDITIONS:
                found.extend(_properties(value, f"{where}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_properties(value, f"{where}/{index}"))
    return found


def test_every_key_has_a_description_and_examples() -> None:
    """Every property anywhere in the schema carries a description and examples."""
    props = _properties(spec_json_schema())
    assert len(props) > 50
    missing = [where for where, p in props if not p.get("description") or not p.get("examples")]
    assert missing == []


def test_schema_knows_every_section() -> None:
    """The schema lists the agent, run, simulation and check keys with extra keys forbidden."""
    defs = spec_json_schema()["$defs"]
    assert set(defs) >= {"AgentModel", "RunModel", "SimulationModel", "CheckModel", "FileRef"}
    for name in ("AgentModel", "RunModel", "SimulationModel", "CheckModel", "FileRef"):
        assert defs[name]["additionalProperties"] is False
    assert defs["AgentModel"]["required"] == ["name"]
    assert defs["CheckModel"]["properties"]["severity"]["enum"] == ["error", "warn"]


@pytest.mark.parametrize(
    ("data", "valid"),
    [
        ({"run": {"timeout": "1h30m"}}, True),
        ({"run": {"timeout": "soon"}}, False),
        ({"run": {"allow_incomplete": "5%"}}, True),
        ({"run": {"allow_incomplete": 1.5}}, False),
        ({"x-anchors": {"a": 1}}, True),
        ({"agent": {"name": "A", "mode": "AUDIO"}}, False),
        ({"thresholds": {"Empathy": [{"check": "mean >= 7", "min_samples": 0}]}}, False),
    ],
)
def test_schema_checks_values(data: dict[str, Any], valid: bool) -> None:
    """Durations, shares, x- keys, enums and min_samples are checked by the schema."""
    base: dict[str, Any] = {
        "version": 1,
        "agent": {"name": "Bot"},
        "simulations": [{"id": 1}],
        "thresholds": {"score": "value >= 80"},
    }
    base.update(data)
    assert _validator().is_valid(base) is valid
