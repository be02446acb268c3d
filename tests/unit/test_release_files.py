"""The release files: action.yml runs the prebuilt image of its version, the self-test
builds the checkout instead, the release workflows do what README's "Releasing" says,
every third-party action is pinned, no workflow holds a literal secret, and the GitLab
component validates with the GitLab CI schema and renders a valid `bluejay-gate run`."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate import __version__
from bluejay_gate.cli import build_parser
from tests.conftest import ROOT
from tests.helpers.typed import as_list, as_object

IMAGE = "ghcr.io/bluejay-gate/bluejay-gate"
WORKFLOWS = sorted(
    [*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("examples/github/workflows/*.yml")]
)
COMPONENT = ROOT / "templates" / "bluejay-gate.yml"
RELEASE_TAGS = ROOT / "scripts" / "release_tags.py"


def _load(path: Path) -> dict[str, Any]:
    return as_object(yaml.safe_load(path.read_text()))


def _steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return [as_object(step) for step in as_list(as_object(workflow["jobs"])[job]["steps"])]


def _check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    beside = Path(sys.executable).parent / "check-jsonschema"
    exe = str(beside) if beside.exists() else shutil.which("check-jsonschema")
    if exe is None:
        pytest.fail("check-jsonschema is a test dependency: pip install -e '.[test]'")
    return subprocess.run(
        [exe, "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


# --- action.yml and the self-test -------------------------------------------------------


def test_action_runs_the_prebuilt_image_of_its_version() -> None:
    assert _load(ROOT / "action.yml")["runs"] == {
        "using": "docker",
        "image": f"docker://{IMAGE}:v{__version__}",
    }


def test_selftest_script_points_the_action_at_the_dockerfile(tmp_path: Path) -> None:
    copy = tmp_path / "action.yml"
    shutil.copy(ROOT / "action.yml", copy)
    done = subprocess.run(
        ["bash", str(ROOT / ".github" / "selftest-local-image.sh"), str(copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    before, after = _load(ROOT / "action.yml"), _load(copy)
    assert after["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert {k: v for k, v in after.items() if k != "runs"} == {
        k: v for k, v in before.items() if k != "runs"
    }
    assert _check_jsonschema("vendor.github-actions", copy).returncode == 0
    again = subprocess.run(
        ["bash", str(ROOT / ".github" / "selftest-local-image.sh"), str(copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 1
    assert "runs.image is not a docker://ghcr.io/ image" in again.stdout


def test_selftest_builds_the_checkout_before_every_uses_dot() -> None:
    workflow = _load(ROOT / ".github" / "workflows" / "selftest.yml")
    jobs = as_object(workflow["jobs"])
    assert len(jobs) >= 2
    for job in jobs:
        steps = _steps(workflow, job)
        local = [i for i, s in enumerate(steps) if s.get("uses") == "./"]
        patched = [i for i, s in enumerate(steps) if "selftest-local-image.sh" in s.get("run", "")]
        assert local, job
        assert len(patched) == 1, job
        assert patched[0] < local[0], job


# --- the release workflows ---------------------------------------------------------------


def _on(workflow: dict[Any, Any]) -> Any:
    return workflow["on"] if "on" in workflow else workflow[True]  # PyYAML: bare `on` is True


@pytest.mark.parametrize("name", ["release-image.yml", "release-pypi.yml"])
def test_release_workflows_run_on_version_tags_only(name: str) -> None:
    workflow = _load(ROOT / ".github" / "workflows" / name)
    assert _on(workflow) == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    assert workflow["permissions"] == {"contents": "read"}
    runs = "\n".join(
        step.get("run", "") for job in as_object(workflow["jobs"]) for step in _steps(workflow, job)
    )
    assert 'scripts/release_tags.py "$GITHUB_REF_NAME"' in runs


def test_release_image_builds_smoke_tests_pushes_and_moves_the_major_tag() -> None:
    workflow = _load(ROOT / ".github" / "workflows" / "release-image.yml")
    job = as_object(workflow["jobs"])["image"]
    assert job["permissions"] == {"contents": "write", "packages": "write"}
    steps = _steps(workflow, "image")
    text = [step.get("run", "") for step in steps]
    order = ["release_tags.py", "docker build", "demo --out", "docker push", "git push --force"]
    at = [next(i for i, run in enumerate(text) if word in run) for word in order]
    assert at == sorted(at), at  # checked, built, smoke-tested, pushed, then the tag moved
    smoke = text[at[2]]
    assert "demo --example failing" in smoke
    assert 'test "$failing" = 1' in smoke
    assert "INPUT_API-KEY=" in smoke  # entrypoint.py as the runner starts it
    assert "grep -A1 '^passed<<'" in smoke
    push = next(step for step in steps if "docker push" in step.get("run", ""))
    assert push["env"]["REGISTRY_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"
    assert "--password-stdin" in push["run"]
    assert "for tag in $TAGS; do" in push["run"]


def test_release_pypi_builds_checks_and_publishes_with_trusted_publishing() -> None:
    workflow = _load(ROOT / ".github" / "workflows" / "release-pypi.yml")
    jobs = as_object(workflow["jobs"])
    build = "\n".join(step.get("run", "") for step in _steps(workflow, "build"))
    assert "python -m build" in build
    assert "twine check --strict dist/*" in build
    assert 'bluejay-gate" demo' in build  # the wheel, in a fresh venv outside the clone
    publish = jobs["publish"]
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    uses = [step.get("uses", "") for step in _steps(workflow, "publish")]
    assert uses[-1] == "pypa/gh-action-pypi-publish@release/v1"
    last = _steps(workflow, "publish")[-1]
    assert "with" not in last  # no password, no token: trusted publishing
    assert "id-token" not in str(jobs["build"].get("permissions", {}))


_PINNED = re.compile(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@([0-9a-f]{40}|v\d+(\.\d+){0,2}|release/v\d+)")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_local_or_pinned(path: Path) -> None:
    uses = re.findall(r"^\s*(?:-\s+)?uses:\s*(\S+)", path.read_text(), re.MULTILINE)
    assert uses
    for ref in uses:
        assert ref.startswith("./") or _PINNED.fullmatch(ref), f"{path.name}: {ref}"


_SECRET_SHAPES = re.compile(
    r"gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|glpat-[\w-]{20}|pypi-[\w-]{40,}"
    r"|AKIA[0-9A-Z]{16}|xox[abpr]-[\w-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----"
)
# Keys whose values are credentials: each must come from `secrets.*` (or the job's own
# github.token). The self-test's and smoke test's `selftest-key` / `smoke-key` are keys
# of the emulator, which accepts any.
_SECRET_KEY = re.compile(r"(token|password|secret|api[-_]?key)", re.IGNORECASE)
_FROM_SECRETS = re.compile(r"\$\{\{\s*(secrets\.[A-Z_]+|github\.token)\s*\}\}")
_EMULATOR_KEYS = {"selftest-key"}


def _secret_values(node: Any, key: str = "") -> list[tuple[str, str]]:
    if isinstance(node, dict):  # (`permissions: id-token: write` is no credential)
        pairs = [(str(k), v) for k, v in node.items() if k not in {"permissions", "description"}]
        return [pair for k, v in pairs for pair in _secret_values(v, k)]
    if isinstance(node, list):
        return [pair for item in node for pair in _secret_values(item, key)]
    if isinstance(node, str) and _SECRET_KEY.search(key):
        return [(key, node)]
    return []


@pytest.mark.parametrize("path", [*WORKFLOWS, ROOT / "action.yml", COMPONENT], ids=lambda p: p.name)
def test_no_literal_secret(path: Path) -> None:
    text = path.read_text()
    assert not _SECRET_SHAPES.search(text), path.name
    for line in text.splitlines():
        if "secrets." in line and not re.match(
            r"\s*(#|description:)", line
        ):  # only inside an expression, never echoed or interpolated
            assert re.search(r"\$\{\{\s*secrets\.[A-Z_]+\s*\}\}", line), line
            assert "run:" not in line, line
            assert "echo" not in line, line
    documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    for key, value in [pair for doc in documents for pair in _secret_values(doc)]:
        assert _FROM_SECRETS.fullmatch(value) or value in _EMULATOR_KEYS, (path.name, key, value)


def test_the_secret_check_catches_a_literal_token() -> None:
    literal = {"env": {"REGISTRY_TOKEN": "ghp_" + "a" * 36}, "with": {"api-key": "k-123"}}
    assert _secret_values(literal) == [("REGISTRY_TOKEN", "ghp_" + "a" * 36), ("api-key", "k-123")]
    assert _SECRET_SHAPES.search(str(literal))
    assert not _FROM_SECRETS.fullmatch("k-123")


# --- scripts/release_tags.py -------------------------------------------------------------


def _release_tags(*args: str, root: Path = ROOT, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, str(RELEASE_TAGS), *args, "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_release_tags_for_this_version(tmp_path: Path) -> None:
    output = tmp_path / "github_output"
    major, minor, _ = __version__.split(".")
    done = _release_tags(
        f"v{__version__}", "--sha", "c0ffee", env={"GITHUB_OUTPUT": str(output), "PATH": ""}
    )
    assert done.returncode == 0, done.stdout + done.stderr
    expected = [
        f"version={__version__}",
        f"image={IMAGE}",
        f"tags=v{__version__} v{major}.{minor} v{major} sha-c0ffee",
        f"major=v{major}",
    ]
    assert done.stdout.splitlines() == expected
    assert output.read_text().splitlines() == expected


@pytest.mark.parametrize("tag", ["v9.9.9", "1.2.3", "v1.2", "v01.2.3", "v1.2.3-rc1"])
def test_release_tags_refuses_a_tag_that_is_not_this_version(tag: str) -> None:
    done = _release_tags(tag)
    assert done.returncode == 1
    assert f"tag {tag} but bluejay_gate/__init__.py says __version__ = '{__version__}'" in (
        done.stdout
    )
    assert done.stdout.startswith("::error title=release::")


def test_release_tags_names_each_file_that_lags_behind(tmp_path: Path) -> None:
    for name in ("action.yml", "bluejay_gate/__init__.py", "templates/bluejay-gate.yml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    init = tmp_path / "bluejay_gate" / "__init__.py"
    init.write_text(init.read_text().replace(f'"{__version__}"', '"7.8.9"'))
    done = _release_tags("v7.8.9", root=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines == [
        f"::error title=release::action.yml: runs.image is tagged v{__version__}: make it v7.8.9",
        "::error title=release::templates/bluejay-gate.yml: image-version defaults to "
        f"v{__version__}: make it v7.8.9",
    ]


# --- the GitLab CI/CD component ----------------------------------------------------------

_INPUT = re.compile(r"\$\[\[\s*inputs\.([\w-]+)\s*\]\]")


def _component() -> tuple[dict[str, Any], str]:
    header, _, jobs = COMPONENT.read_text().partition("\n---\n")
    return as_object(yaml.safe_load(header)), jobs


def test_component_has_a_spec_header_and_one_job() -> None:
    documents = list(yaml.safe_load_all(COMPONENT.read_text()))
    assert len(documents) == 2
    assert set(as_object(documents[0])) == {"spec"}
    assert set(as_object(documents[1])) == {"bluejay-gate"}


@pytest.mark.parametrize("part", [0, 1], ids=["spec header", "jobs"])
def test_component_documents_validate_with_the_gitlab_ci_schema(part: int, tmp_path: Path) -> None:
    documents = list(yaml.safe_load_all(COMPONENT.read_text()))
    path = tmp_path / "part.yml"
    path.write_text(yaml.safe_dump(documents[part]))
    proc = _check_jsonschema("vendor.gitlab-ci", path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_component_inputs_are_the_issue_s_and_all_used() -> None:
    header, jobs = _component()
    inputs = as_object(header["spec"]["inputs"])
    assert set(inputs) == {
        "stage",
        "spec",
        "image-version",
        "junit-path",
        "report-path",
        "extra-args",
    }
    assert all(spec.get("description") for spec in inputs.values())
    assert set(_INPUT.findall(jobs)) == set(inputs)
    assert inputs["image-version"]["default"] == f"v{__version__}"


def _render(overrides: dict[str, str]) -> dict[str, Any]:
    header, jobs = _component()
    values = {k: str(v.get("default", "")) for k, v in header["spec"]["inputs"].items()}
    values.update(overrides)
    return as_object(yaml.safe_load(_INPUT.sub(lambda m: values[m[1]], jobs)))


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, {"spec": "bluejay-gate.yml", "timeout": None, "dry_run": False}),
        (
            {"spec": "gate/my spec.yml", "extra-args": "--timeout 30m --dry-run"},
            {"spec": "gate/my spec.yml", "timeout": 1800.0, "dry_run": True},
        ),
    ],
    ids=["defaults", "inputs"],
)
def test_component_renders_a_valid_gate_job(
    overrides: dict[str, str], expected: dict[str, Any], tmp_path: Path
) -> None:
    job = _render({"junit-path": "out/j.xml", **overrides})["bluejay-gate"]
    assert job["image"] == {"name": f"{IMAGE}:v{__version__}", "entrypoint": [""]}
    assert job["stage"] == "test"
    assert job["artifacts"]["reports"] == {"junit": "out/j.xml"}
    assert job["artifacts"]["paths"] == ["out/j.xml", "bluejay-report.json"]
    assert job["artifacts"]["when"] == "always"
    (command,) = job["script"]
    argv = shlex.split(command)
    assert argv[:2] == ["bluejay-gate", "run"]
    args = build_parser().parse_args(argv[1:])
    assert (args.spec, args.junit, args.report) == (
        expected["spec"],
        "out/j.xml",
        "bluejay-report.json",
    )
    assert (args.timeout, args.dry_run) == (expected["timeout"], expected["dry_run"])
    rendered = tmp_path / "rendered.yml"
    rendered.write_text(yaml.safe_dump(_render(overrides)))
    proc = _check_jsonschema("vendor.gitlab-ci", rendered)
    assert proc.returncode == 0, proc.stdout + proc.stderr
