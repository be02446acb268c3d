"""The golden-calls example through entrypoint.py as the GitHub runner starts the action:
it passes, its outputs and step summary name the call set, the key never shows, and a
retried step of the same run attempt sends no call twice."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from bluejay_gate.emulator import Emulator
from tests.helpers.action import KEY, read_outputs, run_action

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "calls"


def test_calls_example_as_the_action(emulator: Callable[..., Emulator], tmp_path: Path) -> None:
    scenario = yaml.safe_load((EXAMPLE / "emulator.yml").read_text())
    emu = emulator(scenario, api_key=KEY, speed=20.0)
    ws = tmp_path / "workspace"
    shutil.copytree(EXAMPLE, ws / "gate")
    spec = ws / "gate" / "bluejay-gate.yml"
    spec.write_text(spec.read_text().replace("poll_interval: 5s", "poll_interval: 0.05s"))
    attempt = {"GITHUB_RUN_ID": "4242", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_REPOSITORY": "o/r"}
    code, log, output, summary = run_action(emu, ws, tmp_path, extra_env=attempt)
    assert code == 0, log
    outputs = read_outputs(output)
    assert outputs["passed"] == "true"
    assert outputs["exit-code"] == "0"
    assert "calls: Refund calls" in summary.read_text()
    assert KEY not in output.read_text() + summary.read_text()
    assert all(line.startswith("::add-mask::") for line in log.splitlines() if KEY in line)
    assert emu.count("POST", "/v1/evaluate") == 3
    (tmp_path / "again").mkdir()
    again, log, _, _ = run_action(emu, ws, tmp_path / "again", extra_env=attempt)
    assert again == 0, log
    assert emu.count("POST", "/v1/evaluate") == 3
    assert log.count("was sent by an earlier try of this gate attempt") == 3
