"""`bluejay-gate emulator` as a process: the lesson's exercise with curl, flags, signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent / "bluejay-gate"
CURL = shutil.which("curl")


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [str(BIN), "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    line = proc.stdout.readline().strip()
    assert line.startswith("Bluejay emulator listening on http://127.0.0.1:"), (
        line,
        proc.stderr.read() if proc.poll() is not None else "",
    )
    return proc, line.rsplit(" ", 1)[1]


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc, url = start("--api-key", "lesson-key")
    yield proc, url
    if proc.poll() is None:
        proc.kill()
        proc.wait(5)


def curl(*args: str) -> dict[str, Any] | list[Any]:
    assert CURL, "curl is needed for the lesson exercise"
    out = subprocess.run(
        [CURL, "-sS", "--fail-with-body", *args],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    data = json.loads(out.stdout)
    assert isinstance(data, dict | list), out.stdout
    return data


@pytest.mark.skipif(not BIN.exists(), reason="console script not installed in this venv")
def test_lesson_exercise_with_curl(served):
    """Create the lesson's agent with curl, list agents and see it, get it by its id."""
    proc, url = served
    auth = ["-H", "X-API-Key: lesson-key", "-H", "Content-Type: application/json"]
    created = curl(
        *auth,
        "-X",
        "POST",
        f"{url}/v1/agents",
        "-d",
        json.dumps(
            {
                "name": "Support Bot v2",
                "description": "Customer support voice agent",
                "type": "INBOUND",
                "mode": "VOICE",
            }
        ),
    )
    assert isinstance(created, dict)
    assert (created["name"], created["type"], created["mode"]) == (
        "Support Bot v2",
        "INBOUND",
        "VOICE",
    )
    assert created["agent_description"] == "Customer support voice agent"
    listed = curl(*auth, f"{url}/v1/agents")
    assert isinstance(listed, list), listed
    assert [a["name"] for a in listed] == ["Support Bot v2"]
    fetched = curl(*auth, f"{url}/v1/agents/{created['id']}")
    assert fetched == created
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(5) == 0
    log = proc.stderr.read()
    assert '"POST /v1/agents" 200' in log
    assert log.count("\n") == 3  # one line per request
    assert "lesson-key" not in log


@pytest.mark.skipif(not BIN.exists(), reason="console script not installed in this venv")
def test_sigint_stops_with_exit_0_and_faults_apply(tmp_path):
    """--fault from the command line applies; SIGINT ends the process with exit code 0."""
    assert CURL, "curl is needed for the lesson exercise"
    proc, url = start("--fault", "GET /v1/ping:503", "--quiet")
    try:
        out = subprocess.run(
            [
                CURL,
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-H",
                "X-API-Key: x",
                f"{url}/v1/ping",
            ],
            capture_output=True,
            check=False,
            text=True,
            timeout=10,
        )
        assert out.stdout == "503"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(5) == 0
        assert proc.stderr is not None
        assert proc.stderr.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0"], "not a loopback address"),
        (["--fault", "GET /v1/ping:418"], "--fault 'GET /v1/ping:418'"),
        (["--scenario", "/nonexistent.yml"], "cannot read the scenario file"),
        (["--tls-key", "key.pem"], "--tls-key needs --tls-cert"),
        (["--tls-cert", "/nonexistent.pem"], "cannot load --tls-cert /nonexistent.pem"),
    ],
)
def test_invalid_command_lines_exit_2_with_a_message(args, message):
    """Non-loopback host, bad fault spec, unreadable scenario: exit 2 and say why."""
    from bluejay_gate.cli import build_parser
    from bluejay_gate.emulator.cli import run

    parsed = build_parser().parse_args(["emulator", "--port", "0", *args])
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert run(parsed) == 2
    assert message in err.getvalue()


@pytest.mark.slow
@pytest.mark.skipif(not BIN.exists(), reason="console script not installed in this venv")
def test_tls_serves_https_and_the_gate_trusts_it_with_ssl_cert_file(tmp_path: Path) -> None:
    """--tls-cert/--tls-key: the emulator serves https (how the self-test workflow lets the
    Action's container reach it without plain http), and the gate, given the CA with
    SSL_CERT_FILE, runs the quickstart against it and passes; without it, exit 3."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    cert.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    quickstart = Path(__file__).resolve().parents[2] / "examples" / "quickstart"
    proc = subprocess.Popen(
        [
            str(BIN),
            "emulator",
            "--port",
            "0",
            "--quiet",
            "--speed",
            "50",
            "--scenario",
            str(quickstart / "emulator.yml"),
            "--tls-cert",
            str(tmp_path / "cert.pem"),
            "--tls-key",
            str(tmp_path / "key.pem"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("Bluejay emulator listening on https://127.0.0.1:"), line
        url = line.rsplit(" ", 1)[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SSL_"))}
        env["BLUEJAY_API_KEY"] = "tls-key-0001"
        cmd = [
            str(BIN),
            "run",
            "--spec",
            str(quickstart / "bluejay-gate.yml"),
            "--base-url",
            url,
            "--junit",
            str(tmp_path / "j.xml"),
            "--report",
            str(tmp_path / "r.json"),
        ]
        refused = subprocess.run(
            cmd, check=False, env=env, capture_output=True, text=True, timeout=60
        )
        assert refused.returncode == 3, refused.stdout + refused.stderr
        assert "could not be verified" in refused.stdout + refused.stderr
        env["SSL_CERT_FILE"] = str(tmp_path / "ca.pem")
        passed = subprocess.run(
            cmd, check=False, env=env, capture_output=True, text=True, timeout=120
        )
        assert passed.returncode == 0, passed.stdout + passed.stderr
        assert "PASSED (exit 0)" in passed.stdout
        assert json.loads((tmp_path / "r.json").read_text())["base_url"] == url
    finally:
        proc.kill()
        proc.wait(5)
