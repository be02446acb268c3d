"""``run.wait: webhook`` through the real CLI against the emulator, which signs and posts
its events to the gate's listener: the verdict the moment the last conversation is
scored, with at most queue + 2 requests per run; lost, duplicated, late, forged and
foreign deliveries delay the verdict at most, never change it; timeout and cancel free
the port; wrong options exit 2 with nothing sent; the secret is never shown."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from bluejay_gate.gate import Runtime, run_gate
from bluejay_gate.options import GateOptions
from tests.helpers.gate import KEY, run_cli
from tests.helpers.loopback import serve, url_of
from tests.helpers.proxy import ScriptedProxy
from tests.helpers.specs import QUICKSTART, prepare
from tests.helpers.typed import as_object
from tests.helpers.webhooks import SECRET, certificate, free_port, port_is_free

Factory = Callable[..., Emulator]
SPEED = 20.0
RESULTS = "/v1/retrieve-simulation-results/"
QUEUE = "/v1/queue-simulation-run"


def _scenario(**changes: Any) -> dict[str, Any]:
    data = as_object(yaml.safe_load((QUICKSTART / "emulator.yml").read_text()), "emulator.yml")
    data.update(changes)
    return data


def _spec(tmp_path: Path, **run: Any) -> Path:
    spec = prepare(tmp_path / "spec")
    data = yaml.safe_load(spec.read_text())
    data["run"].update({"wait": "webhook", "webhook_poll_interval": "30s", **run})
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    return spec


@pytest.fixture
def hooked(emulator: Factory) -> Callable[..., tuple[Emulator, int]]:
    """``hooked(scenario, faults=..., **emulator kwargs)`` -> an emulator posting its
    webhooks to 127.0.0.1:<port>, and that port (where the gate is to listen)."""

    def make(
        scenario: dict[str, Any], *, faults: dict[str, Any] | None = None, **kwargs: Any
    ) -> tuple[Emulator, int]:
        port = free_port()
        emu = emulator(scenario, api_key=KEY, **{"speed": SPEED, **kwargs})
        emu.set_webhook(f"http://127.0.0.1:{port}/", SECRET, faults=faults)
        return emu, port

    return make


def _gate(tmp_path, monkeypatch, capsys, emu, spec, port, *extra: str) -> tuple[int, str, str]:
    monkeypatch.setenv("BLUEJAY_WEBHOOK_SECRET", SECRET)
    return run_cli(
        tmp_path, monkeypatch, capsys, emu, spec, "--listen", f"127.0.0.1:{port}", *extra
    )


def _reads(emu: Emulator) -> dict[str, int]:
    """Bulk result reads per run."""
    counts: dict[str, int] = {}
    for r in emu.requests:
        if r.method == "GET" and r.path.startswith(RESULTS):
            run = r.path.removeprefix(RESULTS)
            counts[run] = counts.get(run, 0) + 1
    return counts


def _no_secret(tmp_path: Path, *texts: str) -> None:
    reports = [p.read_text() for p in tmp_path.iterdir() if p.is_file()]
    for text in (*texts, *reports):
        assert SECRET not in text
        assert KEY not in text


@pytest.mark.needs_shared
@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_webhooks_pass_with_queue_plus_two_requests_per_run(
    hooked, tmp_path, monkeypatch, capsys, host: str
) -> None:
    emu, port = hooked(_scenario())
    monkeypatch.setenv("BLUEJAY_WEBHOOK_SECRET", SECRET)
    code, out, err = run_cli(
        tmp_path, monkeypatch, capsys, emu, _spec(tmp_path), "--listen", f"{host}:{port}"
    )
    assert code == 0, out + err
    if host == "127.0.0.1":
        assert f"listening for Bluejay webhooks at http://127.0.0.1:{port}/ (the URL" in out
    else:
        assert f"on every address, port {port} (register http://<this machine's" in out
    assert emu.count("POST", QUEUE) == 2
    reads = _reads(emu)
    assert len(reads) == 2
    assert all(n <= 2 for n in reads.values()), reads  # the first poll + the confirming read
    assert emu.count("GET", "/v1/simulation-results/") == 0  # nothing re-read one by one
    assert port_is_free(port)
    _no_secret(tmp_path, out, err)


@pytest.mark.needs_shared
def test_same_failing_verdict_as_polling(hooked, tmp_path, monkeypatch, capsys) -> None:
    """A failing run fails by webhook exactly as it fails by polling."""
    scenario = _scenario()
    scenario["simulations"][1]["scores"]["Empathy"] = {"mean": 3.0, "spread": 0.2}
    emu, port = hooked(scenario)
    code, out, err = _gate(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path), port)
    assert code == 1, out + err
    assert "Empathy: mean >= 7" in (tmp_path / "junit.xml").read_text()
    polled = tmp_path / "polled"
    polled.mkdir()
    emu2, _ = hooked(scenario)
    spec = _spec(polled, wait="poll")
    code2, _, _ = run_cli(polled, monkeypatch, capsys, emu2, spec)
    assert code2 == 1
    webhook_report = json.loads((tmp_path / "report.json").read_text())
    poll_report = json.loads((polled / "report.json").read_text())
    assert [
        (c["label"], c["outcome"]) for s in webhook_report["simulations"] for c in s["checks"]
    ] == [(c["label"], c["outcome"]) for s in poll_report["simulations"] for c in s["checks"]]


@pytest.mark.needs_shared
def test_lost_webhooks_delay_the_verdict_never_change_it(
    hooked, tmp_path, monkeypatch, capsys
) -> None:
    """Every event lost: the safety-net poll still finds every score, same verdict."""
    scenario = _scenario()
    scenario["simulations"][1]["scores"]["Empathy"] = {"mean": 3.0, "spread": 0.2}
    emu, port = hooked(scenario, faults={"loss": 1.0})
    spec = _spec(tmp_path, webhook_poll_interval="0.3s")
    code, out, err = _gate(tmp_path, monkeypatch, capsys, emu, spec, port)
    assert code == 1, out + err
    lost = [d for d in emu.webhook_deliveries if d.error == "lost"]
    assert sum(d.event == "simulation_result_evaluated" for d in lost) == 8  # every one
    assert all(d.status is None for d in emu.webhook_deliveries)
    assert max(_reads(emu).values()) >= 2  # found by polling
    assert port_is_free(port)


@pytest.mark.needs_shared
def test_duplicated_and_delayed_webhooks(hooked, tmp_path, monkeypatch, capsys) -> None:
    """Every event sent twice with one delivery id, half of them late: one verdict,
    the replays answered 200, still at most queue + 2 reads per run."""
    faults = {"duplicate": 1.0, "delay": 0.3, "delay_share": 0.5}
    emu, port = hooked(_scenario(), faults=faults)
    code, out, err = _gate(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path), port)
    assert code == 0, out + err
    assert all(n <= 2 for n in _reads(emu).values())
    deadline = time.monotonic() + 10
    evaluated = "simulation_result_evaluated"
    while sum(d.event == evaluated for d in emu.webhook_deliveries) < 16:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    answered = [d for d in emu.webhook_deliveries if d.event == evaluated]
    ids = [d.delivery_id for d in answered]
    assert len(ids) == 2 * len(set(ids)) == 16
    first = {d.delivery_id: d for d in reversed(answered)}  # each id's first copy
    assert {d.status for d in first.values()} == {200}  # all 8 events were taken
    replays = [d for d in answered if first[d.delivery_id] is not d]
    # the replays that came while the gate was up were answered 200 (and ignored);
    # the ones after it exited found the port closed
    assert {d.status for d in replays} <= {200, None}
    assert any(d.status == 200 for d in replays)


@pytest.mark.needs_shared
def test_late_webhooks_after_the_verdict_change_nothing(
    hooked, tmp_path, monkeypatch, capsys
) -> None:
    """Events held back until after the gate decided by polling: the gate exits, the port
    is closed, the late deliveries find nobody; the verdict stands."""
    emu, port = hooked(_scenario(), faults={"delay": 3.0})
    spec = _spec(tmp_path, webhook_poll_interval="0.2s")
    code, out, err = _gate(tmp_path, monkeypatch, capsys, emu, spec, port)
    assert code == 0, out + err
    assert port_is_free(port)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(emu.webhook_deliveries) < 16:
        time.sleep(0.1)
    late = [d for d in emu.webhook_deliveries if d.event == "simulation_result_evaluated"]
    assert len(late) == 8
    assert all(d.status is None for d in late)  # connection refused: the gate is gone
    assert json.loads((tmp_path / "report.json").read_text())["exit_code"] == 0


class Relay:
    """Between the emulator and the gate: each event is changed by ``change`` (its body
    as JSON), re-signed with ``secret`` and sent on; the answers are kept."""

    def __init__(
        self, target: str, change: Callable[[dict[str, Any]], dict[str, Any]], secret: str
    ) -> None:
        self.answers: list[int] = []

        def handle(h: BaseHTTPRequestHandler) -> None:
            raw = h.rfile.read(int(h.headers["Content-Length"]))
            body = change(json.loads(raw))
            out = json.dumps(body).encode()
            headers = {k: v for k, v in h.headers.items() if k.lower().startswith("x-bluejay")}
            headers["X-Bluejay-Signature"] = hmac.new(
                secret.encode(), out, hashlib.sha256
            ).hexdigest()
            try:
                status = httpx.post(target, content=out, headers=headers, timeout=5).status_code
            except httpx.HTTPError:
                status = 0
            self.answers.append(status)
            h.send_response(200)
            h.send_header("Content-Length", "0")
            h.end_headers()

        self.httpd = serve(handle)
        self.url = url_of(self.httpd) + "/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _relayed(
    emulator: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    scenario: dict[str, Any],
    change: Callable[[dict[str, Any]], dict[str, Any]],
    secret: str,
    speed: float,
    safety: str,
) -> tuple[int, str, str, Relay, Emulator]:
    """The gate with webhooks whose events pass through a ``Relay`` (``change``d and
    re-signed with ``secret``); the safety-net poll every ``safety``."""
    port = free_port()
    relay = Relay(f"http://127.0.0.1:{port}/", change, secret)
    try:
        emu = emulator(scenario, api_key=KEY, speed=speed)
        emu.set_webhook(relay.url, SECRET)
        spec = _spec(tmp_path, webhook_poll_interval=safety)
        code, out, err = _gate(tmp_path, monkeypatch, capsys, emu, spec, port)
    finally:
        relay.close()
    return code, out, err, relay, emu


def _perfect(body: dict[str, Any]) -> dict[str, Any]:
    """The conversation as a forger would have it: status COMPLETED and every custom
    metric at its best, in a newer evaluation."""
    if body.get("type") != "simulation_result_evaluated":
        return body
    best = {"pass_fail": "pass", "quantitative": "10", "enum": "resolved"}
    newest = dict(body["evaluations"][-1])
    newest["created_at"] = "2099-01-01T00:00:00Z"
    newest["custom_metrics"] = [
        {**m, "response_value": best.get(m["response_type"], m["response_value"])}
        for m in newest.get("custom_metrics") or []
    ]
    return {**body, "status": "COMPLETED", "evaluations": [*body["evaluations"], newest]}


@pytest.mark.needs_shared
@pytest.mark.parametrize(
    ("secret", "refused"), [("forger's guess", True), (SECRET, False)], ids=["forged", "signed"]
)
def test_rosier_webhooks_never_pass_a_failing_run(
    emulator, tmp_path, monkeypatch, capsys, secret: str, refused: bool
) -> None:
    """Webhooks claiming perfect scores for a failing run: forged ones are refused (401,
    a warning names the secret), and even correctly signed ones lose to the confirming
    read. Exit 1 either way."""
    scenario = _scenario()
    scenario["simulations"][1]["scores"]["Empathy"] = {"mean": 3.0, "spread": 0.2}
    gate = (emulator, tmp_path, monkeypatch, capsys)
    # the safety net a while away, so the forged deliveries come while the gate waits
    code, out, err, relay, _ = _relayed(*gate, scenario, _perfect, secret, SPEED, "1.5s")
    assert code == 1, out + err
    assert "Empathy: mean >= 7" in (tmp_path / "junit.xml").read_text()
    assert relay.answers
    if refused:
        assert 401 in relay.answers
        assert set(relay.answers) <= {401, 0}  # 0: sent on after the gate had exited
        assert "had no valid signature" in out
    else:
        assert 200 in relay.answers
        assert "had no valid signature" not in out
    _no_secret(tmp_path, out, err)


@pytest.mark.needs_shared
@pytest.mark.parametrize("foreign_run", [True, False], ids=["foreign-run", "foreign-result"])
def test_foreign_deliveries_are_ignored(
    emulator, tmp_path, monkeypatch, capsys, foreign_run: bool
) -> None:
    """Signed events of a run and of results this gate did not queue (another run in the
    same organisation, or made up) change nothing and finish nothing."""

    def foreign(body: dict[str, Any]) -> dict[str, Any]:
        if body.get("type") != "simulation_result_evaluated":
            return body
        run = 99999 if foreign_run else body["simulation_run_id"]
        return {**_perfect(body), "simulation_run_id": run, "id": body["id"] + 5000000}

    gate = (emulator, tmp_path, monkeypatch, capsys)
    # ~1 s a conversation: the safety-net poll every 0.3 s sees it unfinished
    code, out, err, relay, emu = _relayed(*gate, _scenario(), foreign, SECRET, 2.0, "0.3s")
    assert code == 0, out + err
    assert 200 in relay.answers  # accepted (Bluejay would retry otherwise), then ignored
    assert max(_reads(emu).values()) >= 3  # nothing was finished by them: polled to the end
    report = json.loads((tmp_path / "report.json").read_text())
    ids = {c["result_id"] for s in report["simulations"] for c in s["conversations"]}
    assert len(ids) == 8
    assert all(int(i) < 5000000 for i in ids)
    assert {c["run_id"] for s in report["simulations"] for c in s["conversations"]} == {
        "70001",
        "70002",
    }


@pytest.mark.needs_shared
def test_https_listener_end_to_end(emulator, tmp_path, monkeypatch, capsys) -> None:
    cert, key, trust = certificate(tmp_path / "..")
    port = free_port()
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    emu.set_webhook(f"https://127.0.0.1:{port}/", SECRET, verify=trust)
    extra = ("--listen-tls-cert", str(cert), "--listen-tls-key", str(key))
    code, out, err = _gate(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path), port, *extra)
    assert code == 0, out + err
    assert f"https://127.0.0.1:{port}/" in out
    assert all(n <= 2 for n in _reads(emu).values())
    assert {d.status for d in emu.webhook_deliveries} == {200}


@pytest.mark.needs_shared
def test_timeout_frees_the_port_and_ends_conversations(
    hooked, tmp_path, monkeypatch, capsys
) -> None:
    emu, port = hooked(_scenario(), speed=0.2)
    code, out, err = _gate(
        tmp_path, monkeypatch, capsys, emu, _spec(tmp_path), port, "--timeout", "1s"
    )
    assert code == 3, out + err
    assert "timed out" in out
    assert emu.count("POST", "/v1/end-conversations") == 1
    assert port_is_free(port)


@pytest.mark.needs_shared
def test_cancel_frees_the_port_within_seconds(hooked, tmp_path) -> None:
    """Cancel while waiting on webhooks (the safety poll a minute away): the gate stops
    within a second or two, ends the conversations, and frees the port."""
    emu, port = hooked(_scenario(), speed=0.2)
    spec = _spec(tmp_path, webhook_poll_interval="60s")
    opts = GateOptions(
        spec_path=spec,
        api_key=KEY,
        base_url=emu.base_url,
        junit=tmp_path / "junit.xml",
        report=tmp_path / "report.json",
        listen=f"127.0.0.1:{port}",
        webhook_secret=SECRET,
    )
    out = io.StringIO()
    rt = Runtime(out=out, env={"BLUEJAY_API_KEY": KEY})
    timer = threading.Timer(1.0, rt.cancel.set)
    timer.start()
    started = time.monotonic()
    code = run_gate(opts, rt)
    elapsed = time.monotonic() - started
    timer.cancel()
    assert code == 3
    assert elapsed < 5.0
    assert emu.count("POST", "/v1/end-conversations") == 1
    assert port_is_free(port)
    report = json.loads((tmp_path / "report.json").read_text())
    assert any("cancelled" in e for e in report["errors"])
    assert SECRET not in out.getvalue()


@pytest.mark.parametrize(
    ("run", "flags", "env", "message"),
    [
        ({}, [], {}, "BLUEJAY_WEBHOOK_SECRET is not set"),
        (
            {},
            ["--no-listen"],
            {"BLUEJAY_WEBHOOK_SECRET": SECRET},
            "--listen HOST:PORT is not given",
        ),
        ({"wait": "poll"}, [], {"BLUEJAY_WEBHOOK_SECRET": SECRET}, "run.wait is poll"),
        ({}, ["--listen-tls-cert", "x.pem"], {"BLUEJAY_WEBHOOK_SECRET": SECRET}, "go together"),
        ({}, ["--bad-listen"], {"BLUEJAY_WEBHOOK_SECRET": SECRET}, "expected HOST:PORT"),
    ],
    ids=["no-secret", "no-listen", "listen-with-poll", "tls-half", "bad-listen"],
)
def test_wrong_webhook_options_exit_2_with_nothing_sent(
    emulator, tmp_path, monkeypatch, capsys, run, flags, env, message
) -> None:
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    monkeypatch.delenv("BLUEJAY_WEBHOOK_SECRET", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    listen = ["--listen", f"127.0.0.1:{free_port()}"]
    if "--no-listen" in flags:
        listen, flags = [], []
    if "--bad-listen" in flags:
        listen, flags = ["--listen", "localhost"], []
    code, out, err = run_cli(
        tmp_path, monkeypatch, capsys, emu, _spec(tmp_path, **run), *listen, *flags
    )
    assert code == 2, out + err
    assert message in err
    assert emu.requests == []
    assert SECRET not in out + err


def test_busy_port_exits_2_with_nothing_sent(emulator, tmp_path, monkeypatch, capsys) -> None:
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    with serve(lambda h: None) as busy:
        port = busy.server_address[1]
        code, out, err = _gate(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path), port)
    assert code == 2, out + err
    assert "cannot listen there" in err
    assert emu.requests == []


def test_dry_run_with_webhooks_listens_nowhere(emulator, tmp_path, monkeypatch, capsys) -> None:
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    port = free_port()
    code, out, err = _gate(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path), port, "--dry-run")
    assert code == 0, out + err
    assert "listening" not in out
    assert {r.method for r in emu.requests} == {"GET"}


@pytest.mark.needs_shared
def test_a_pushed_result_the_read_leaves_out_is_never_judged_final(
    hooked, tmp_path, monkeypatch, capsys
) -> None:
    """Bluejay's bulk read never lists one conversation that a (correctly signed) webhook
    reported scored: that read confirms nothing, the run is never done, and the gate
    times out with no verdict (exit 3) instead of passing on the webhook's word."""
    emu, port = hooked(_scenario())

    def drop_first(method: str, path: str, n: int, status: int, body: bytes) -> bytes:
        if not path.startswith(RESULTS + "70001") or status != 200:
            return body
        data = json.loads(body)
        data["simulation_results"] = data["simulation_results"][1:]
        return json.dumps(data).encode()

    proxy = ScriptedProxy(emu.base_url, lambda m, p, n: None, rewrite=drop_first)
    try:
        monkeypatch.setenv("BLUEJAY_WEBHOOK_SECRET", SECRET)
        spec = _spec(tmp_path)
        argv = ["run", "--spec", str(spec), "--base-url", proxy.base_url, "--timeout", "2s"]
        argv += ["--listen", f"127.0.0.1:{port}", "--junit", str(tmp_path / "junit.xml")]
        argv += ["--report", str(tmp_path / "report.json")]
        monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
        with pytest.raises(SystemExit) as info:
            main(argv)
        out, err = capsys.readouterr()
    finally:
        proxy.close()
    assert info.value.code == 3, out + err
    assert "timed out" in out
    evaluated = {d.result_id for d in emu.webhook_deliveries if d.status == 200}
    assert len(evaluated) == 8  # every conversation was pushed, the left-out one too
    reads = proxy.hits("GET", RESULTS + "70001")
    assert len(reads) >= 3  # read again and again (poll_interval), never confirmed
    assert port_is_free(port)
