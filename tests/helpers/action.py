"""entrypoint.py run the way the GitHub runner starts the container action: a workspace
with the quickstart, the runner's environment (INPUT_*, GITHUB_OUTPUT, the step
summary), and reading the outputs file back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from bluejay_gate.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]

KEY = "canary-action-key-77aa31"


def workspace(tmp_path: Path, *, failing: bool) -> Path:
    ws = tmp_path / "workspace"
    shutil.copytree(ROOT / "examples" / "quickstart", ws / "gate")
    spec = ws / "gate" / "bluejay-gate.yml"
    text = spec.read_text().replace("poll_interval: 10s", "poll_interval: 0.05s")
    if failing:
        text = text.replace(
            '"Empathy": [mean >= 7, min >= 4]', '"Empathy": [mean >= 9.5, min >= 4]'
        )
    spec.write_text(text)
    return ws


def runner_env(
    emu: Emulator | str, ws: Path, tmp_path: Path, extra_env: dict[str, str] | None = None
) -> tuple[dict[str, str], Path, Path]:
    """The environment the runner gives the container's process; ``emu`` is the emulator,
    or the base URL of one. Also the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files."""
    output = tmp_path / "github_output"
    summary = tmp_path / "step_summary"
    output.touch()
    summary.touch()
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(ws),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "INPUT_API-KEY": KEY,
        "INPUT_SPEC": "bluejay-gate.yml",
        "INPUT_BASE-URL": emu if isinstance(emu, str) else emu.base_url,
        "INPUT_JUNIT-PATH": "bluejay-junit.xml",
        "INPUT_REPORT-PATH": "bluejay-report.json",
        "INPUT_TIMEOUT": "",
        "INPUT_DRY-RUN": "false",
        "INPUT_WORKING-DIRECTORY": "gate",
        **(extra_env or {}),
    }
    return env, output, summary


def run_action(
    emu: Emulator | str,
    ws: Path,
    tmp_path: Path,
    *,
    python: str = sys.executable,
    entrypoint: Path = ROOT / "entrypoint.py",
    extra_env: dict[str, str] | None = None,
) -> tuple[int, str, Path, Path]:
    """entrypoint.py run to its end as the runner starts it."""
    env, output, summary = runner_env(emu, ws, tmp_path, extra_env)
    proc = subprocess.run(
        [python, str(entrypoint)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr, output, summary


def read_outputs(path: Path) -> dict[str, str]:
    blocks = re.findall(r"^([\w-]+)<<(\S+)\n(.*?)\n\2$", path.read_text(), re.S | re.M)
    return {name: value for name, _delimiter, value in blocks}


def quickstart_scenario() -> dict[str, object]:
    data = yaml.safe_load((ROOT / "examples" / "quickstart" / "emulator.yml").read_text())
    assert isinstance(data, dict)
    return data
