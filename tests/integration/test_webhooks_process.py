"""``run.wait: webhook`` in a real subprocess (``python -m bluejay_gate``): SIGTERM while
waiting on webhooks ends the conversations, exits 3 and frees the port; in GitHub Actions
the secret is masked first and appears nowhere else."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bluejay_gate.emulator import Emulator
from tests.helpers.processes import wait_polling
from tests.helpers.specs import QUICKSTART, prepare
from tests.helpers.webhooks import SECRET, free_port, port_is_free

pytestmark = pytest.mark.slow

KEY = "webhook-process-canary-key-19c4"


def _emulator(speed: float) -> tuple[Emulator, int]:
    """A started emulator posting its webhooks to 127.0.0.1:<port>, and that port."""
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    port = free_port()
    emu = Emulator(scenario, api_key=KEY, speed=speed).start()
    emu.set_webhook(f"http://127.0.0.1:{port}/", SECRET)
    return emu, port


def _start(emu: Emulator, tmp_path: Path, port: int, **env: str) -> subprocess.Popen[str]:
    spec = prepare(tmp_path / "spec")
    data = yaml.safe_load(spec.read_text())
    data["run"]["wait"] = "webhook"
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    full = {**os.environ, "BLUEJAY_API_KEY": KEY, "BLUEJAY_WEBHOOK_SECRET": SECRET, **env}
    argv = [sys.executable, "-m", "bluejay_gate", "run", "--spec", str(spec)]
    argv += ["--base-url", emu.base_url, "--listen", f"127.0.0.1:{port}"]
    argv += ["--junit", str(tmp_path / "junit.xml"), "--report", str(tmp_path / "report.json")]
    return subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full
    )


@pytest.mark.needs_shared
def test_sigterm_while_waiting_on_webhooks(tmp_path: Path) -> None:
    emu, port = _emulator(0.2)
    try:
        proc = _start(emu, tmp_path, port, NO_COLOR="1")
        wait_polling(emu, proc)
        assert not port_is_free(port)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        elapsed = time.monotonic() - sent
    finally:
        emu.stop()
    assert proc.returncode == 3, out + err
    assert elapsed < 5.0
    assert port_is_free(port)
    assert emu.count("POST", "/v1/end-conversations") == 1
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["exit_code"] == 3
    for text in (out, err, json.dumps(report), (tmp_path / "junit.xml").read_text()):
        assert SECRET not in text
        assert KEY not in text


@pytest.mark.needs_shared
def test_secret_is_masked_in_github_actions(tmp_path: Path) -> None:
    emu, port = _emulator(20.0)
    outputs = tmp_path / "github_output"
    outputs.write_text("")
    try:
        proc = _start(emu, tmp_path, port, GITHUB_ACTIONS="true", GITHUB_OUTPUT=str(outputs))
        out, err = proc.communicate(timeout=60)
    finally:
        emu.stop()
    assert proc.returncode == 0, out + err
    lines = out.splitlines()
    assert f"::add-mask::{SECRET}" in lines[:2]
    assert all(line.startswith("::add-mask::") for line in lines if SECRET in line)
    assert SECRET not in err + outputs.read_text()
    assert port_is_free(port)
