"""Cancellation with real signals on a real subprocess: SIGTERM or SIGINT while polling
ends the still-running conversations with end-conversations, writes valid reports and
exits 3 within 5 seconds; a second signal exits at once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.emulator import Emulator
from tests.helpers.processes import wait_polling
from tests.helpers.proxy import Scripted, ScriptedProxy
from tests.helpers.shared import validate_junit
from tests.helpers.specs import QUICKSTART, prepare
from tests.helpers.typed import as_object

# Real subprocesses and signals, a few seconds each: left out of the default run.
pytestmark = pytest.mark.slow

KEY = "cancel-canary-key-6a0e2d"


def _start(emu: Emulator, tmp_path: Path) -> subprocess.Popen[str]:
    spec = prepare(tmp_path / "spec")
    env = {**os.environ, "BLUEJAY_API_KEY": KEY, "NO_COLOR": "1"}
    argv = [sys.executable, "-m", "bluejay_gate", "run", "--spec", str(spec)]
    argv += ["--base-url", emu.base_url, "--junit", str(tmp_path / "junit.xml")]
    argv += ["--report", str(tmp_path / "report.json")]
    return subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


@pytest.mark.needs_shared
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_while_polling(signum: int, tmp_path: Path) -> None:
    """One signal: the unfinished conversations are ended (exactly those, in one call),
    the JUnit validates against the XSD, the JSON report says exit 3, the process exits
    3 within 5 s, and the key appears nowhere."""
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    emu = Emulator(scenario, api_key=KEY, speed=0.2).start()  # conversations take ~9 s
    try:
        proc = _start(emu, tmp_path)
        wait_polling(emu, proc)
        sent = time.monotonic()
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=10)
        elapsed = time.monotonic() - sent
        ends = [r for r in emu.requests if r.path == "/v1/end-conversations"]
    finally:
        emu.stop()
    assert proc.returncode == 3, out + err
    assert elapsed < 5.0, f"exited {elapsed:.1f} s after the signal"
    assert f"{signal.Signals(signum).name} received" in err
    assert len(ends) == 1
    ended = sorted(as_object(ends[0].body)["test_result_ids"])
    assert len(ended) == 8  # 5 + 3 conversations, none had finished
    xml = (tmp_path / "junit.xml").read_text()
    validate_junit(xml)
    assert "<error" in xml
    report = as_object(json.loads((tmp_path / "report.json").read_text()), "report.json")
    assert report["exit_code"] == 3
    assert any("cancelled" in e for e in report["errors"])
    assert "cancelled" in out
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary report left behind
    for text in (out, err, xml, json.dumps(report)):
        assert KEY not in text


def test_second_signal_exits_at_once(tmp_path: Path) -> None:
    """While the first signal's clean-up hangs (end-conversations answers after 8 s),
    a second signal ends the process at once with exit 3."""
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    emu = Emulator(scenario, api_key=KEY, speed=0.2).start()
    emu.set_faults(["POST /v1/end-conversations:slow:1:delay=8"])
    try:
        proc = _start(emu, tmp_path)
        wait_polling(emu, proc)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)  # the first signal's clean-up is now waiting on the slow call
        assert proc.poll() is None, "the slow clean-up should still be running"
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=5)
        elapsed = time.monotonic() - sent
    finally:
        emu.stop()
    assert proc.returncode == 3, out + err
    assert elapsed < 1.5, f"second signal took {elapsed:.1f} s"
    assert "send it again to exit at once" in err
    assert KEY not in out + err


def test_signal_before_queueing_queues_nothing(tmp_path: Path) -> None:
    """A signal while the agent is being synced (slow answers): nothing is queued
    afterwards, the gate exits 3 with its reports, within 5 s."""
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    emu = Emulator(scenario, api_key=KEY, speed=0.2).start()
    emu.set_faults(["GET /v1/agent-by-external-id/*:slow:1:delay=1.5"])
    try:
        proc = _start(emu, tmp_path)
        deadline = time.monotonic() + 20
        while emu.count("GET", "/v1/ping") < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # the slow agent look-up is in flight
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        elapsed = time.monotonic() - sent
    finally:
        emu.stop()
    assert proc.returncode == 3, out + err
    assert elapsed < 5.0
    assert emu.count("POST", "/v1/queue-simulation-run") == 0, out
    assert json.loads((tmp_path / "report.json").read_text())["exit_code"] == 3


def _start_via(base_url: str, tmp_path: Path) -> subprocess.Popen[str]:
    """The gate as a subprocess against ``base_url``, retry waits as in production."""
    spec = prepare(tmp_path / "spec")
    env = {k: v for k, v in os.environ.items() if k != "BLUEJAY_RETRY_MAX_DELAY"}
    env |= {"BLUEJAY_API_KEY": KEY, "NO_COLOR": "1"}
    argv = [sys.executable, "-m", "bluejay_gate", "run", "--spec", str(spec)]
    argv += ["--base-url", base_url, "--junit", str(tmp_path / "junit.xml")]
    argv += ["--report", str(tmp_path / "report.json")]
    return subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _wait_for(
    proxy: ScriptedProxy,
    proc: subprocess.Popen[str],
    method: str,
    prefix: str,
    answer: int | str,
    count: int,
) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        if proxy.hits(method, prefix).count(answer) >= count:
            time.sleep(0.2)  # the gate is now waiting on them
            return
        time.sleep(0.02)
    out, err = proc.communicate(timeout=10) if proc.poll() is not None else ("", "")
    pytest.fail(f"never saw {count} x {answer} on {method} {prefix}: {out}{err}")


def _signal_and_collect(proc: subprocess.Popen[str]) -> tuple[str, str, float]:
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"still running 15 s after SIGINT: {out}{err}")
    return out, err, time.monotonic() - sent


def _assert_cancelled_reports(tmp_path: Path, out: str, err: str) -> dict[str, Any]:
    xml = (tmp_path / "junit.xml").read_text()
    validate_junit(xml)
    report = as_object(json.loads((tmp_path / "report.json").read_text()), "report.json")
    assert report["exit_code"] == 3
    assert any("cancelled" in e for e in report["errors"]), report["errors"]
    assert "Traceback" not in out + err
    for text in (out, err, xml, json.dumps(report)):
        assert KEY not in text
    return report


HANG = Scripted(hang=True)
UNAVAILABLE = Scripted(
    503, b"<html>busy</html>", {"Retry-After": "30", "Content-Type": "text/html"}
)


@pytest.mark.needs_shared
@pytest.mark.parametrize(
    ("answer", "seen"), [(HANG, "hang"), (UNAVAILABLE, 503)], ids=["hanging", "retry-after-30"]
)
def test_sigint_while_a_poll_hangs_or_a_retry_waits(
    answer: Scripted, seen: int | str, tmp_path: Path
) -> None:
    """Every poll hangs (never answered), or answers 503 with Retry-After: 30 (the client
    waits its 10 s cap before retrying): SIGINT still ends the gate within 5 s, with
    both reports and the unfinished conversations (all 8) ended in one call."""
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    emu = Emulator(scenario, api_key=KEY, speed=0.2).start()
    proxy = ScriptedProxy(
        emu.base_url,
        lambda m, p, n: answer if p.startswith("/v1/retrieve-simulation-results/") else None,
    )
    try:
        proc = _start_via(proxy.base_url, tmp_path)
        _wait_for(proxy, proc, "GET", "/v1/retrieve-simulation-results/", seen, 2)
        out, err, elapsed = _signal_and_collect(proc)
        ends = [r for r in emu.requests if r.path == "/v1/end-conversations"]
        runs = {
            str(i): sorted(int(c.id) for c in r.conversations) for i, r in emu.state.runs.items()
        }
    finally:
        proxy.close()
        emu.stop()
    assert proc.returncode == 3, out + err
    assert elapsed < 5.0, f"exited {elapsed:.1f} s after the signal: {out}{err}"
    assert len(ends) == 1
    assert sorted(as_object(ends[0].body)["test_result_ids"]) == sorted(
        i for ids in runs.values() for i in ids
    )
    assert len(as_object(ends[0].body)["test_result_ids"]) == 8
    _assert_cancelled_reports(tmp_path, out, err)


@pytest.mark.needs_shared
def test_sigint_while_a_queue_call_hangs(tmp_path: Path) -> None:
    """The second queue call never answers: SIGINT ends the gate within 5 s, the first
    run's conversations are ended, and the reports say a run may have been created for
    the other simulation and must be checked in the dashboard."""
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    emu = Emulator(scenario, api_key=KEY, speed=0.2).start()
    proxy = ScriptedProxy(
        emu.base_url,
        lambda m, p, n: HANG if p == "/v1/queue-simulation-run" and n == 1 else None,
    )
    try:
        proc = _start_via(proxy.base_url, tmp_path)
        _wait_for(proxy, proc, "POST", "/v1/queue-simulation-run", "hang", 1)
        _wait_for(proxy, proc, "POST", "/v1/queue-simulation-run", 200, 1)
        out, err, elapsed = _signal_and_collect(proc)
        ends = [r for r in emu.requests if r.path == "/v1/end-conversations"]
        runs = {
            str(i): sorted(int(c.id) for c in r.conversations) for i, r in emu.state.runs.items()
        }
    finally:
        proxy.close()
        emu.stop()
    assert proc.returncode == 3, out + err
    assert elapsed < 5.0, f"exited {elapsed:.1f} s after the signal: {out}{err}"
    assert len(runs) == 1
    assert len(ends) == 1
    assert sorted(as_object(ends[0].body)["test_result_ids"]) == next(iter(runs.values()))
    report = _assert_cancelled_reports(tmp_path, out, err)
    errors = [e for s in report["simulations"] for e in s["errors"]]
    assert any("a run may have been created" in e and "dashboard" in e for e in errors), errors
    assert "a run may have been created" in (tmp_path / "junit.xml").read_text()
