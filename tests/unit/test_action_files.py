"""The Action's metadata is valid and matches what entrypoint.py reads."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT


def test_action_yml_validates_against_the_github_schema() -> None:
    """check-jsonschema's vendored GitHub Actions schema accepts action.yml."""
    beside = Path(sys.executable).parent / "check-jsonschema"
    exe = str(beside) if beside.exists() else shutil.which("check-jsonschema")
    if exe is None:
        pytest.fail("check-jsonschema is a test dependency: pip install -e '.[test]'")
    proc = subprocess.run(
        [exe, "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_inputs_and_outputs_are_the_contract() -> None:
    """Inputs and outputs are exactly the ones DESIGN.md and the issue name."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert set(action["inputs"]) == {
        "api-key",
        "spec",
        "base-url",
        "junit-path",
        "report-path",
        "timeout",
        "dry-run",
        "working-directory",
        "baseline",
        "baseline-artifact",
        "baseline-workflow",
        "baseline-max-age",
        "pr-comment",
        "on-missing-key",
        "github-token",
    }
    assert action["inputs"]["api-key"]["required"] is True
    assert action["inputs"]["spec"]["default"] == "bluejay-gate.yml"
    assert set(action["outputs"]) == {
        "passed",
        "exit-code",
        "agent-id",
        "run-ids",
        "junit-path",
        "report-path",
        "skipped",
    }
    assert action["inputs"]["on-missing-key"]["default"] == "error"
    assert action["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert all(spec.get("description") for spec in action["inputs"].values())
