"""No queued run is lost: whatever fails after a run was queued (another simulation's
queue call refused, a poll refused or unreadable, an internal error), every queued run's
unfinished conversations are ended with end-conversations and every run is in the
reports. A scripted proxy in front of the emulator answers the failures."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.models import RunResults
from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from bluejay_gate.gate import Runtime, run_gate
from bluejay_gate.options import GateOptions
from tests.helpers.proxy import Script, Scripted, ScriptedProxy
from tests.helpers.specs import QUICKSTART, prepare
from tests.helpers.typed import as_object

KEY = "lost-runs-canary-key-77b1"
QUEUE = "/v1/queue-simulation-run"
POLL = "/v1/retrieve-simulation-results/"
END = "/v1/end-conversations"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    # conversations take ~9 s: nothing finishes on its own during a test
    emulator = Emulator(scenario, api_key=KEY, speed=0.2).start()
    yield emulator
    emulator.stop()


def _gate(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    emu: Emulator,
    script: Script,
) -> tuple[int, str, ScriptedProxy]:
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    monkeypatch.setenv("BLUEJAY_RETRY_MAX_DELAY", "0.01")
    monkeypatch.setenv("NO_COLOR", "1")
    spec = prepare(tmp_path / "spec")
    proxy = ScriptedProxy(emu.base_url, script)
    argv = ["run", "--spec", str(spec), "--base-url", proxy.base_url]
    argv += ["--junit", str(tmp_path / "junit.xml"), "--report", str(tmp_path / "report.json")]
    try:
        with pytest.raises(SystemExit) as info:
            main(argv)
    finally:
        proxy.close()
    out, err = capsys.readouterr()
    assert isinstance(info.value.code, int)
    assert "Traceback" not in out + err
    assert KEY not in out + err
    return info.value.code, out + err, proxy


def _ended(emu: Emulator) -> list[int]:
    ends = [r for r in emu.requests if r.path == END]
    return sorted(i for r in ends for i in as_object(r.body, END)["test_result_ids"])


def _run_results(emu: Emulator) -> dict[str, list[int]]:
    return {
        str(run_id): sorted(int(c.id) for c in run.conversations)
        for run_id, run in emu.state.runs.items()
    }


@pytest.mark.parametrize("status", [401, 403])
def test_second_queue_call_refused_ends_the_first_run(
    status: int, tmp_path: Path, monkeypatch, capsys, emu: Emulator
) -> None:
    """Two simulations queued together; the second queue call is refused (401/403): the
    first run is kept, its conversations are ended, and the reports list it."""

    def script(method: str, path: str, n: int) -> Scripted | None:
        if method == "POST" and path == QUEUE and n == 1:
            return Scripted(status, b'{"detail": "Invalid API key"}')
        return None

    code, output, proxy = _gate(tmp_path, monkeypatch, capsys, emu, script)
    assert code == 3, output
    assert proxy.hits("POST", QUEUE) == [200, status]
    runs = _run_results(emu)
    assert len(runs) == 1, runs
    (run_id, ids), *_ = runs.items()
    assert _ended(emu) == ids
    assert len(ids) in {3, 5}
    xml = (tmp_path / "junit.xml").read_text()
    assert f"runs: {run_id}" in xml
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["exit_code"] == 3
    assert run_id in report["run_ids"]
    assert any(f"({status})" in e for e in report["errors"]), report["errors"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "answer",
    [
        Scripted(404, b'{"detail": "Not Found"}'),
        Scripted(200, b"<html>Sign in</html>", {"Content-Type": "text/html"}),
    ],
    ids=["404", "unreadable"],
)
def test_poll_given_up_ends_its_conversations(
    answer: Scripted, tmp_path: Path, monkeypatch, capsys, emu: Emulator
) -> None:
    """The first poll of one run answers 404 or a page that is not JSON: that run is given
    up, and its conversations are ended, not left running (and paid for) until they end."""
    failed: list[str] = []

    def script(method: str, path: str, n: int) -> Scripted | None:
        if method == "GET" and path.startswith(POLL) and n == 0:
            failed.append(path[len(POLL) :])
            return answer
        return None

    # the other run is cancelled by the gate too; stop when the first poll has failed
    code, output, _ = _gate(tmp_path, monkeypatch, capsys, emu, script)
    assert code == 3, output
    assert len(failed) == 1
    runs = _run_results(emu)
    assert set(_ended(emu)) >= set(runs[failed[0]])
    report = json.loads((tmp_path / "report.json").read_text())
    assert failed[0] in report["run_ids"]
    assert any(
        f"polling run {failed[0]} failed" in e for s in report["simulations"] for e in s["errors"]
    )


class _BrokenClient(BluejayClient):
    """A real client whose third poll raises an unexpected error (a bug stand-in)."""

    polls = 0

    def get_run_results(self, run_id: str) -> RunResults:
        type(self).polls += 1
        if type(self).polls == 3:
            raise RuntimeError("boom")
        return super().get_run_results(run_id)


def test_internal_error_while_polling_ends_every_run(tmp_path: Path, emu: Emulator) -> None:
    """An unexpected exception in polling: every run's conversations are ended, the
    reports are written with an internal-error line and both runs, exit 3."""
    spec = prepare(tmp_path / "spec")
    opts = GateOptions(
        spec_path=spec,
        api_key=KEY,
        base_url=emu.base_url,
        junit=tmp_path / "junit.xml",
        report=tmp_path / "report.json",
    )
    rt = Runtime(
        out=io.StringIO(),
        env={"BLUEJAY_RETRY_MAX_DELAY": "0.01"},
        client_factory=lambda o: _BrokenClient(o.api_key, o.base_url),
    )
    code = run_gate(opts, rt)
    assert code == 3
    runs = _run_results(emu)
    assert len(runs) == 2
    assert _ended(emu) == sorted(i for ids in runs.values() for i in ids)
    report = json.loads((tmp_path / "report.json").read_text())
    assert sorted(report["run_ids"]) == sorted(runs)
    assert any("internal error while polling (RuntimeError): boom" in e for e in report["errors"])
    assert "runs: " in (tmp_path / "junit.xml").read_text()
