"""Secrets: every gate scenario runs with a distinctive canary key, which must never
appear in stdout, stderr, the JUnit, JSON or Markdown reports, the GitHub step summary,
``$GITHUB_OUTPUT`` or any exception text; the one allowed place is the ``::add-mask::``
line in GitHub Actions. TLS verification is always on (``SSL_CERT_FILE`` honoured) and
``http://`` is refused for a host that is not loopback.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from tests.helpers.hostile import ENDPOINTS, HostileServer
from tests.helpers.specs import QUICKSTART, prepare

CANARY = "bjg-canary-" + "5e1f0a9c7b3d42e8a6c1f0d9b7e3a5c2"
FRAGMENTS = (CANARY, CANARY[:16], CANARY[-16:])  # a cut-off key is a leak too


@dataclass
class Case:
    scenario: Callable[[dict[str, Any]], None] = lambda _s: None
    emulator_key: str = CANARY
    speed: float = 20.0
    faults: list[str] = field(default_factory=list)
    args: tuple[str, ...] = ()
    expected: int = 0
    actions: bool = False
    echo: bool = False  # a hostile server echoes the key back in an answer


def _fail(s: dict[str, Any]) -> None:
    s["simulations"][1]["scores"]["Empathy"] = {"mean": 3.0, "spread": 0.2}


def _warn(s: dict[str, Any]) -> None:
    s["simulations"][1]["scores"]["Resolution"] = {"weights": {"escalated": 1.0}}


def _unfunded(s: dict[str, Any]) -> None:
    s["simulations"][0]["run_outcome"] = "INSUFFICIENT_FUNDS"


CASES: dict[str, Case] = {
    "pass": Case(),
    "fail": Case(_fail, expected=1),
    "warn": Case(_warn),
    "timeout": Case(speed=1.0, args=("--timeout", "0.3s"), expected=3),
    "insufficient-funds": Case(_unfunded, expected=3),
    "auth-error": Case(emulator_key="another-key", expected=3),
    "dry-run": Case(args=("--dry-run",)),
    **{
        f"fault-{kind}": Case(faults=[f"*:{kind}:1:after:times=3:retry_after=0:delay=0.05"])
        for kind in ("429", "500", "502", "503", "slow", "drop")
    },
    "fault-exhausted": Case(faults=["*:503:1"], expected=3),
    "actions-pass": Case(actions=True),
    "actions-fail": Case(_fail, expected=1, actions=True),
    "actions-auth-error": Case(emulator_key="another-key", expected=3, actions=True),
    "actions-timeout": Case(speed=1.0, args=("--timeout", "0.3s"), expected=3, actions=True),
    "echoed-by-server": Case(expected=3, echo=True),
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLUEJAY_API_KEY", CANARY)
    monkeypatch.setenv("BLUEJAY_RETRY_MAX_DELAY", "0.01")
    monkeypatch.setenv("NO_COLOR", "1")
    return


def assert_no_canary(name: str, text: str) -> None:
    for line in text.splitlines():
        if line == f"::add-mask::{CANARY}":
            continue
        for fragment in FRAGMENTS:
            assert fragment not in line, f"{name} leaks the key: {line[:300]}"


def assert_tree_clean(root: Path) -> int:
    """Every file under ``root`` (reports, summary, outputs); returns how many."""
    files = [p for p in root.rglob("*") if p.is_file()]
    for path in files:
        assert_no_canary(str(path), path.read_text(errors="replace"))
    return len(files)


@pytest.mark.parametrize("name", list(CASES))
def test_canary_never_leaks(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, env: None
) -> None:
    case = CASES[name]
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    case.scenario(scenario)
    spec = prepare(tmp_path / "spec")
    out = tmp_path / "out"
    out.mkdir()
    if case.actions:
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
        monkeypatch.setenv("GITHUB_OUTPUT", str(out / "github_output"))
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(out / "step_summary.md"))
        monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    emu = Emulator(scenario, api_key=case.emulator_key, speed=case.speed).start()
    server = None
    try:
        emu.set_faults(case.faults)
        base = emu.base_url
        if case.echo:
            server = HostileServer(emu.base_url)
            server.target = ENDPOINTS[6]  # the results poll
            page = f"<html>denied for key {CANARY} at {'x' * 150}{CANARY}</html>".encode()
            server.mutation = lambda _d: ("text/html", page)
            base = server.base_url
        argv = ["run", "--spec", str(spec), "--base-url", base, "--junit", str(out / "j.xml")]
        argv += ["--report", str(out / "r.json"), "--summary", str(out / "s.md"), *case.args]
        with pytest.raises(SystemExit) as info:
            main(argv)
    finally:
        if server is not None:
            server.close()
        emu.stop()
    stdout, stderr = capsys.readouterr()
    assert info.value.code == case.expected, stdout + stderr
    assert_no_canary("stdout", stdout)
    assert_no_canary("stderr", stderr)
    written = assert_tree_clean(out)
    if not case.args:  # every non-dry run writes its reports
        assert written >= 3
    if case.actions:
        assert f"::add-mask::{CANARY}" in stdout.splitlines()[0]
        assert (out / "github_output").read_text().count("exit-code") == 1
        assert (out / "step_summary.md").is_file() or case.expected == 3
    if case.echo:  # the echoed key was there, and was scrubbed
        assert "denied for key ***" in stdout
    if case.faults and case.expected == 0:
        assert any(r.fault for r in emu.requests)
    assert all(r.query == {} or CANARY not in str(r.query) for r in emu.requests)


def test_key_is_only_in_the_header(tmp_path: Path, capsys, env: None) -> None:
    """The emulator sees the key in X-API-Key, never in a URL or a body."""
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    emu = Emulator(scenario, api_key=CANARY, speed=20.0).start()
    try:
        assert _gate(emu.base_url, prepare(tmp_path / "spec"), tmp_path) == 0
    finally:
        emu.stop()
    capsys.readouterr()
    assert len(emu.requests) > 5
    for record in emu.requests:
        assert CANARY not in record.path
        assert CANARY not in str(record.query)
        assert CANARY not in str(record.body)


# -- TLS ------------------------------------------------------------------------------


@pytest.fixture
def tls_proxy(tmp_path: Path) -> Iterator[tuple[str, Path, Emulator]]:
    """An https proxy on 127.0.0.1 (a throwaway CA's certificate) in front of the
    emulator; yields (base URL, CA bundle path, emulator)."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    emu = Emulator(scenario, api_key=CANARY, speed=20.0).start()
    server = HostileServer(emu.base_url)
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    port = server.httpd.server_address[1]
    yield f"https://127.0.0.1:{port}", ca_path, emu
    server.close()
    emu.stop()


def _gate(base_url: str, spec: Path, out: Path) -> int:
    argv = ["run", "--spec", str(spec), "--base-url", base_url]
    argv += ["--junit", str(out / "j.xml"), "--report", str(out / "r.json")]
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert isinstance(info.value.code, int)
    return info.value.code


def test_self_signed_certificate_is_refused(
    tls_proxy: tuple[str, Path, Emulator], tmp_path: Path, capsys, env: None
) -> None:
    """Verification is on: an unknown CA ends the gate with exit 3 and a message that
    says what to do; nothing past the TLS handshake reached the API."""
    base, _ca, emu = tls_proxy
    code = _gate(base, prepare(tmp_path / "spec"), tmp_path)
    stdout, stderr = capsys.readouterr()
    assert code == 3
    assert "TLS certificate of 127.0.0.1 could not be verified" in stdout + stderr
    assert "SSL_CERT_FILE" in stdout + stderr
    assert emu.requests == []
    assert_no_canary("output", stdout + stderr)


def test_ssl_cert_file_is_honoured(
    tls_proxy: tuple[str, Path, Emulator],
    tmp_path: Path,
    capsys,
    env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With SSL_CERT_FILE pointing at the CA, the whole gate runs over TLS and passes."""
    base, ca, emu = tls_proxy
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    code = _gate(base, prepare(tmp_path / "spec"), tmp_path)
    stdout, stderr = capsys.readouterr()
    assert code == 0, stdout + stderr
    assert emu.count("POST", "/v1/queue-simulation-run") == 2


@pytest.mark.parametrize(
    "url", ["http://10.0.0.8:8787", "http://api.getbluejay.ai", "http://[2001:db8::1]"]
)
def test_plain_http_refused_off_loopback(url: str, tmp_path: Path, capsys, env: None) -> None:
    """http:// to a host that is not loopback: exit 2 before any request, one line."""
    code = _gate(url, prepare(tmp_path / "spec"), tmp_path)
    _, stderr = capsys.readouterr()
    assert code == 2
    assert "plain http://" in stderr
    assert "use https://" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "j.xml").exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1"])
def test_plain_http_allowed_on_loopback(url: str, tmp_path: Path, capsys, env: None) -> None:
    """Loopback may use http:// (the emulator): the URL is accepted, the connection then
    fails (nothing listens on port 1) with exit 3, not a usage error."""
    code = _gate(url, prepare(tmp_path / "spec"), tmp_path)
    stdout, stderr = capsys.readouterr()
    assert code == 3, stdout + stderr
    assert "could not connect" in stdout + stderr


def _key_in_every_text(data: bytes) -> tuple[str, bytes]:
    """The results answer with the key in every reasoning (as is), every call summary
    (spelt with needless \\u escapes) and every transcript link."""
    body = json.loads(data)
    for result in body.get("simulation_results") or []:
        result["transcript_url"] = f"https://files.example/{CANARY}/{result['id']}"
        for evaluation in result.get("evaluations") or []:
            evaluation["call_summary"] = "the caller read out @@ESCAPED@@ aloud"
            evaluation["goal_reasoning"] = f"goal met; key {CANARY}"
            for metric in evaluation.get("custom_metrics") or []:
                metric["reasoning"] = f"{metric.get('reasoning') or ''} (said {CANARY})"
    text = json.dumps(body).encode()
    escaped = "".join(f"\\u{ord(c):04x}" for c in CANARY).encode()
    return "application/json", text.replace(b"@@ESCAPED@@", escaped)


def test_key_in_bluejay_text_is_scrubbed_from_every_artifact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, env: None
) -> None:
    """Text written by Bluejay (reasonings, call summaries, links) that holds the key is
    scrubbed before it is read, so no report, summary, output or console line carries it;
    the verdict is the same as without it (exit 0)."""
    assert _key_in_every_text(b'{"simulation_results": []}')  # the helper itself runs
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(out / "github_output"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(out / "step_summary.md"))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    emu = Emulator(scenario, api_key=CANARY, speed=20.0).start()
    server = HostileServer(emu.base_url)
    server.target = ENDPOINTS[6]  # the results poll
    server.mutation = _key_in_every_text
    try:
        spec = prepare(tmp_path / "spec")
        argv = ["run", "--spec", str(spec), "--base-url", server.base_url]
        argv += ["--junit", str(out / "j.xml"), "--report", str(out / "r.json")]
        argv += ["--summary", str(out / "s.md")]
        with pytest.raises(SystemExit) as info:
            main(argv)
    finally:
        server.close()
        emu.stop()
    stdout, stderr = capsys.readouterr()
    assert info.value.code == 0, stdout + stderr
    assert server.hits > 0
    assert_no_canary("stdout", stdout)
    assert_no_canary("stderr", stderr)
    assert assert_tree_clean(out) >= 5
    report = (out / "r.json").read_text()
    assert "(said ***)" in report  # the reasoning was there, scrubbed
    assert "goal met; key ***" in report
    # a passing run's JUnit names no conversation (their reasonings are in the JSON only)
    assert "(said" not in (out / "j.xml").read_text()
