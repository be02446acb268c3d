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
    # The prebuilt image of this version (was `image: Dockerfile`): test_release_files.py.
    assert action["runs"]["using"] == "docker"
    assert action["runs"]["image"].startswith("docker://ghcr.io/")
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
        "shard",
        "no-sync",
        "rerun-failed",
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


def _gate_steps(path: Path) -> list[dict[str, object]]:
    workflow = yaml.safe_load(path.read_text())
    return [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("bluejay-gate/bluejay-gate@")
    ]


def test_example_workflows_use_only_the_action_s_inputs() -> None:
    inputs = set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])
    examples = sorted((ROOT / "examples/github/workflows").glob("*.yml"))
    assert len(examples) >= 3
    for path in examples:
        for step in _gate_steps(path):
            used = step.get("with")
            assert isinstance(used, dict)
            assert set(used) <= inputs, (path.name, set(used) - inputs)


def test_the_baseline_examples_fit_together() -> None:
    """The pull-request workflow compares with the main workflow's artifact and comments;
    the main workflow runs on push to main and uploads that artifact."""
    folder = ROOT / "examples/github/workflows"
    pull = yaml.safe_load((folder / "bluejay-gate-pull-request.yml").read_text())
    main = yaml.safe_load((folder / "bluejay-gate-main.yml").read_text())
    # PyYAML reads the key `on` as True.
    assert pull[True] == {"pull_request": None}
    assert main[True] == {"push": {"branches": ["main"]}}
    assert pull["permissions"] == {
        "contents": "read",
        "actions": "read",
        "pull-requests": "write",
    }
    (step,) = _gate_steps(folder / "bluejay-gate-pull-request.yml")
    used = step["with"]
    assert isinstance(used, dict)
    assert used["baseline"] == "github"
    assert used["pr-comment"] is True
    assert used["baseline-workflow"] == "bluejay-gate-main.yml"
    uploads = [
        s
        for s in main["jobs"]["gate"]["steps"]
        if str(s.get("uses", "")).startswith("actions/upload-artifact@")
    ]
    assert [u["with"]["name"] for u in uploads] == ["bluejay-gate-reports"]
    assert "bluejay-report.json" in uploads[0]["with"]["path"]
    assert uploads[0]["if"] == "always()"
