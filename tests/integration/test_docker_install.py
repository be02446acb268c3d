"""Install the package exactly as the Dockerfile's build stage does, into a fresh venv, and
run the Action and the image's smoke test (`bluejay-gate demo`) from it.

The build stage's WORKDIR, COPY and RUN instructions are replayed in order (``/opt/venv``
becomes a temporary folder), so a change to the Dockerfile is tested here as written."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bluejay_gate import __version__
from bluejay_gate.emulator import Emulator
from tests.conftest import ROOT
from tests.helpers.action import KEY, quickstart_scenario, read_outputs, run_action, workspace


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _instructions(stage: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile stage named ``stage``, continuation
    lines joined, comments left out."""
    joined = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found: list[tuple[str, str]] = []
    inside = False
    for line in joined.splitlines():
        word, _, rest = line.strip().partition(" ")
        if word == "FROM":  # stage "" is the last, unnamed one
            inside = rest.split()[-1] == stage or (not stage and " AS " not in rest)
            continue
        if inside and word and not word.startswith("#"):
            found.append((word, rest.strip()))
    return found


def test_the_build_stage_installs_into_the_venv_the_runtime_copies() -> None:
    steps = _instructions("build")
    runs = [args for word, args in steps if word == "RUN"]
    assert runs[0] == "python -m venv /opt/venv"
    assert any("pip install --no-deps -r requirements.lock" in run for run in runs)
    assert any("uninstall --yes pip setuptools" in run for run in runs)
    assert "--invalidation-mode unchecked-hash /opt/venv/lib" in runs[-1]
    runtime = (ROOT / "Dockerfile").read_text().rsplit("\nFROM ", 1)[1]
    assert "COPY --from=build /opt/venv /opt/venv" in runtime
    assert "RUN " not in runtime  # nothing is installed (or compiled) in the runtime stage
    assert "PYTHONDONTWRITEBYTECODE=1" in runtime


def test_the_build_context_holds_what_the_dockerfile_copies_and_no_more() -> None:
    kept = [
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    ]
    copied = [
        name
        for stage in ("build", "")
        for word, args in _instructions(stage)
        if word == "COPY" and not args.startswith("--from")
        for name in args.split()[:-1]
    ]
    assert (ROOT / ".dockerignore").read_text().splitlines()[1] == "*"
    assert sorted(kept) == sorted(set(copied))


@pytest.mark.slow
def test_dockerfile_install_runs_the_action(
    emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    src = tmp_path / "src"
    venv = tmp_path / "venv"
    bin_dir = tmp_path / "bin"  # `python` as the base image has it
    bin_dir.mkdir()
    python3 = shutil.which("python3")
    assert python3 is not None
    (bin_dir / "python").symlink_to(python3)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "PIP_NO_CACHE_DIR": "1"}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    workdir = src
    for word, args in _instructions("build"):
        if word == "WORKDIR":
            workdir = src / args.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif word == "COPY":
            *sources, dest = args.split()
            for name in sources:
                target = workdir / dest / name if dest.endswith("/") else workdir / dest
                if (ROOT / name).is_dir():
                    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
                    shutil.copytree(ROOT / name, target, ignore=ignore)
                else:
                    shutil.copy(ROOT / name, target)
        elif word == "RUN":
            command = args.replace("/opt/venv", str(venv))
            proc = _run(["bash", "-euo", "pipefail", "-c", command], workdir, env)
            assert proc.returncode == 0, command + "\n" + proc.stdout + proc.stderr
    python = str(venv / "bin" / "python")
    assert not (venv / "bin" / "pip").exists()  # pip is not shipped
    assert list(venv.rglob("bluejay_gate/__pycache__/cli.*.pyc"))  # compiled at build

    # The image's own smoke test: the demo, from the installed package's examples.
    for example, expected in (("quickstart", 0), ("failing", 1)):
        demo = _run(  # outside the clone: the examples come from the package
            [str(venv / "bin" / "bluejay-gate"), "demo", "--example", example],
            tmp_path,
            {**env, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert demo.returncode == expected, demo.stdout + demo.stderr
        assert f"bluejay_gate/examples/{example}/bluejay-gate.yml" in demo.stdout

    # The runtime stage's entrypoint, alone in its folder as in the image (beside a copy of
    # the package, the script would import that copy instead of the installed one).
    entrypoint = tmp_path / "opt" / "bluejay-gate" / "entrypoint.py"
    entrypoint.parent.mkdir(parents=True)
    shutil.copy(ROOT / "entrypoint.py", entrypoint)
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=20.0)
    ws = workspace(tmp_path, failing=False)
    code, log, output, summary = run_action(emu, ws, tmp_path, python=python, entrypoint=entrypoint)
    assert code == 0, log
    outputs = read_outputs(output)
    assert outputs["passed"] == "true"
    assert outputs["exit-code"] == "0"
    assert (ws / "gate" / "bluejay-junit.xml").is_file()
    assert "Billing regressions" in summary.read_text()
    assert KEY not in output.read_text() + summary.read_text()
    version = _run([python, "-m", "bluejay_gate", "--version"], tmp_path, {**os.environ, **env})
    assert version.stdout.strip() == f"bluejay-gate {__version__}"
