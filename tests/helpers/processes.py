"""Waiting on a gate running in a subprocess against the emulator: the moment it is
polling, read from the emulator's request log. Sends nothing itself."""

from __future__ import annotations

import subprocess
import time

import pytest

from bluejay_gate.emulator import Emulator


def wait_polling(emu: Emulator, proc: subprocess.Popen[str]) -> None:
    """Until both runs are queued and each has been polled at least once."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        polled = {
            r.path for r in emu.requests if r.path.startswith("/v1/retrieve-simulation-results/")
        }
        if emu.count("POST", "/v1/queue-simulation-run") >= 2 and len(polled) >= 2:
            return
        time.sleep(0.02)
    pytest.fail("the gate never started polling")
