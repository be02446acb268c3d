"""Install the package exactly as the Dockerfile does, into a fresh venv, and run the Action."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bluejay_gate.emulator import Emulator
from tests.conftest import ROOT
from tests.helpers.action import KEY, quickstart_scenario, read_outputs, run_action, workspace


def _dockerfile_pip_commands() -> list[list[str]]:
    """The Dockerfile's `RUN pip install ...` lines, split into arguments."""
    runs = [
        line.removeprefix("RUN ").split()
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("RUN pip install")
    ]
    assert len(runs) == 2, runs
    return runs


@pytest.mark.slow
def test_dockerfile_install_runs_the_action(
    emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    image = tmp_path / "opt"
    image.mkdir()
    for name in ("requirements.lock", "pyproject.toml", "README.md", "entrypoint.py"):
        shutil.copy(ROOT / name, image / name)
    shutil.copytree(
        ROOT / "bluejay_gate", image / "bluejay_gate", ignore=shutil.ignore_patterns("__pycache__")
    )
    venv = tmp_path / "venv"
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "PIP_NO_CACHE_DIR": "1"}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    for command in _dockerfile_pip_commands():
        assert command[0] == "pip"
        proc = subprocess.run(
            [python, "-m", *command],
            cwd=image,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, " ".join(command) + "\n" + proc.stdout + proc.stderr

    emu = emulator(quickstart_scenario(), api_key=KEY, speed=20.0)
    ws = workspace(tmp_path, failing=False)
    code, log, output, summary = run_action(
        emu, ws, tmp_path, python=python, entrypoint=image / "entrypoint.py"
    )
    assert code == 0, log
    outputs = read_outputs(output)
    assert outputs["passed"] == "true"
    assert outputs["exit-code"] == "0"
    assert (ws / "gate" / "bluejay-junit.xml").is_file()
    assert "Billing regressions" in summary.read_text()
    assert KEY not in output.read_text() + summary.read_text()
