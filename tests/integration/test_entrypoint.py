"""entrypoint.py run the way the runner starts the container action, against the emulator."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bluejay_gate.emulator import Emulator
from tests.conftest import ROOT
from tests.helpers.action import (
    KEY,
    quickstart_scenario,
    read_outputs,
    run_action,
    runner_env,
    workspace,
)
from tests.helpers.processes import wait_polling
from tests.helpers.typed import as_object


def _groups(log: str) -> list[list[str]]:
    """Each ::group:: title with the first following marker line (must be its ::endgroup::)."""
    lines = log.splitlines()
    marks = [(i, t) for i, t in enumerate(lines) if t.startswith(("::group::", "::endgroup::"))]
    return [
        [t.removeprefix("::group::"), marks[n + 1][1] if n + 1 < len(marks) else ""]
        for n, (_i, t) in enumerate(marks)
        if t.startswith("::group::")
    ]


def test_passing_action(emulator: Callable[..., Emulator], tmp_path: Path) -> None:
    """A passing spec: mask first, outputs passed=true/exit-code=0, summary written, exit 0."""
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=20.0)
    ws = workspace(tmp_path, failing=False)
    code, log, output, summary = run_action(emu, ws, tmp_path)
    assert code == 0, log
    assert log.splitlines()[0] == f"::add-mask::{KEY}"
    assert all(line.startswith("::add-mask::") for line in log.splitlines() if KEY in line)
    outputs = read_outputs(output)
    assert outputs["passed"] == "true"
    assert outputs["exit-code"] == "0"
    assert outputs["agent-id"] == "101"
    assert len(outputs["run-ids"].split(",")) == 2
    assert "Billing regressions" in summary.read_text()
    assert _groups(log) == [
        ["Billing regressions", "::endgroup::"],
        ["Smoke test", "::endgroup::"],
    ], log
    assert (ws / "gate" / "bluejay-junit.xml").is_file()
    assert KEY not in output.read_text() + summary.read_text()


def test_failing_action(emulator: Callable[..., Emulator], tmp_path: Path) -> None:
    """A failing spec: exit 1, an ::error annotation at the threshold's line, passed=false."""
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=20.0)
    ws = workspace(tmp_path, failing=True)
    code, log, output, _ = run_action(emu, ws, tmp_path)
    assert code == 1, log
    spec_lines = (ws / "gate" / "bluejay-gate.yml").read_text().splitlines()
    line = next(i for i, t in enumerate(spec_lines, 1) if t.startswith('  "Empathy"'))
    annotations = [a for a in log.splitlines() if a.startswith("::error ")]
    assert any(
        a.startswith(f"::error file=gate/bluejay-gate.yml,line={line},") and "Empathy" in a
        for a in annotations
    ), annotations
    outputs = read_outputs(output)
    assert outputs["passed"] == "false"
    assert outputs["exit-code"] == "1"


@pytest.mark.slow
def test_selftest_emulator_script_serves_the_action_over_https(tmp_path: Path) -> None:
    """What the self-test workflow does, without Docker: its script starts the emulator
    with https and a throwaway CA (here on 127.0.0.1 instead of docker0), writes the
    ``base-url`` step output, and the entrypoint, given that URL and SSL_CERT_FILE as
    the workflow gives them, passes; without SSL_CERT_FILE it refuses the certificate."""
    ws = workspace(tmp_path, failing=False)
    output = tmp_path / "script_output"
    output.touch()
    port = _free_port()
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(output),
        "SELFTEST_HOST": "127.0.0.1",
        "SELFTEST_PORT": str(port),
        "SELFTEST_NO_INSTALL": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    scenario = ROOT / "examples" / "quickstart" / "emulator.yml"
    script = ROOT / ".github" / "selftest-emulator.sh"
    started = subprocess.run(
        ["bash", str(script), str(scenario)],
        cwd=ws,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    pid_file = ws / ".selftest" / "emulator.pid"
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert output.read_text() == f"base-url=https://127.0.0.1:{port}\n"
        base_url = f"https://127.0.0.1:{port}"
        code, log, _out, _summary = run_action(base_url, ws, tmp_path)
        assert code == 3, log
        assert "could not be verified" in log
        ca = {"SSL_CERT_FILE": str(ws / ".selftest" / "ca.pem")}
        code, log, out, _summary = run_action(base_url, ws, tmp_path, extra_env=ca)
        assert code == 0, log
        assert read_outputs(out)["passed"] == "true"
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_mask_line_is_escaped_like_the_runner_unescapes_it(tmp_path: Path) -> None:
    """The runner unescapes %25, %0D and %0A in command data: a key holding "%" is
    written escaped so the value masked is the key itself. The mask comes first, even
    when the inputs are then refused (working-directory outside the workspace)."""
    ws = tmp_path / "workspace"
    ws.mkdir()
    refused = {"INPUT_API-KEY": "key%0Awith%percent", "INPUT_WORKING-DIRECTORY": "../elsewhere"}
    code, log, _out, _summary = run_action("http://127.0.0.1:9", ws, tmp_path, extra_env=refused)
    assert log.splitlines()[0] == "::add-mask::key%250Awith%25percent"
    assert code == 2
    assert "working-directory must be inside the workspace" in log


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_cancelled_job_ends_conversations_and_writes_reports(
    signum: int, emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    """GitHub cancels a job by signalling the container's first process, entrypoint.py: it
    hands the signal to the gate, which ends every running conversation and writes its
    reports within 5 s; the entrypoint exits 3."""
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=0.2)  # conversations take ~9 s
    ws = workspace(tmp_path, failing=False)
    env, _output, _summary = runner_env(emu, ws, tmp_path, {"NO_COLOR": "1"})
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "entrypoint.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_polling(emu, proc)
    sent = time.monotonic()
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=20)
    elapsed = time.monotonic() - sent
    assert proc.returncode == 3, out + err
    assert elapsed < 5.0, f"exited {elapsed:.1f} s after the signal"
    ends = [r for r in emu.requests if r.path == "/v1/end-conversations"]
    assert len(ends) == 1, out + err
    ended = as_object(ends[0].body)["test_result_ids"]
    assert len(ended) == 8  # 5 + 3 conversations, none finished
    junit = (ws / "gate" / "bluejay-junit.xml").read_text()
    assert "<error" in junit
    report = json.loads((ws / "gate" / "bluejay-report.json").read_text())
    assert report["exit_code"] == 3
    assert any("cancelled" in e for e in report["errors"])


@pytest.mark.skipif(os.geteuid() != 0, reason="handing files back needs root, as in the runner")
def test_rewritten_reports_are_handed_back(
    emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    """Reports left by an earlier step are rewritten (atomically: a new file, owned by root):
    they are handed back to the workspace owner like the new ones."""
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=20.0)
    ws = workspace(tmp_path, failing=False)
    old = ws / "gate" / "bluejay-junit.xml"
    old.write_text("<old/>")
    past = time.time() - 3600
    os.utime(old, (past, past))
    untouched = ws / "gate" / "prompts" / "support.md"
    for path in [ws, *ws.rglob("*")]:
        os.chown(path, 4321, 4321, follow_symlinks=False)
    os.chown(untouched, 4322, 4322)  # not written by the gate: left as it is
    code, log, _output, _summary = run_action(emu, ws, tmp_path)
    assert code == 0, log
    assert old.read_text() != "<old/>"
    for name in ("bluejay-junit.xml", "bluejay-report.json"):
        stat = (ws / "gate" / name).stat()
        assert (stat.st_uid, stat.st_gid) == (4321, 4321), name
    assert untouched.stat().st_uid == 4322
