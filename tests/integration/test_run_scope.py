"""Only this run's conversations: results a run's answer lists that are not among its
queued conversations are ignored and named in every report; conversations a finished
run counts (``total_tests``) but never returned count as not completed; an adopted run
whose conversations could not be listed takes those of its first answer, with a note."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from tests.helpers.proxy import Rewrite, Script, Scripted, ScriptedProxy
from tests.helpers.specs import QUICKSTART, prepare

KEY = "scope-canary-key-5e2a"
POLL = "/v1/retrieve-simulation-results/"


def _gate(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    rewrite: Rewrite | None = None,
    script: Script | None = None,
    faults: list[str] | None = None,
    edit_spec: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[int, str, dict[str, Any]]:
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    monkeypatch.setenv("BLUEJAY_RETRY_MAX_DELAY", "0.01")
    monkeypatch.setenv("NO_COLOR", "1")
    spec = prepare(tmp_path / "spec")
    if edit_spec is not None:
        data = yaml.safe_load(spec.read_text())
        edit_spec(data)
        spec.write_text(yaml.safe_dump(data, sort_keys=False))
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    emu = Emulator(scenario, api_key=KEY, speed=10.0).start()
    if faults:
        emu.set_faults(faults)
    proxy = ScriptedProxy(emu.base_url, script or (lambda m, p, n: None), rewrite)
    argv = ["run", "--spec", str(spec), "--base-url", proxy.base_url]
    argv += ["--junit", str(tmp_path / "junit.xml"), "--report", str(tmp_path / "report.json")]
    argv += ["--summary", str(tmp_path / "summary.md")]
    try:
        with pytest.raises(SystemExit) as info:
            main(argv)
    finally:
        proxy.close()
        emu.stop()
    out, err = capsys.readouterr()
    assert isinstance(info.value.code, int)
    assert "Traceback" not in out + err
    return info.value.code, out + err, json.loads((tmp_path / "report.json").read_text())


def _poll_rewrite(change: Callable[[dict[str, Any]], None]) -> Rewrite:
    def rewrite(method: str, path: str, n: int, status: int, data: bytes) -> bytes:
        if method != "GET" or not path.startswith(POLL) or status != 200:
            return data
        body = json.loads(data)
        change(body)
        return json.dumps(body).encode()

    return rewrite


def test_foreign_results_are_ignored_and_noted(tmp_path, monkeypatch, capsys) -> None:
    """Every poll of the Smoke test's run also lists results 901 and 902 (failing copies
    of one of its conversations): they are not judged (the gate passes) and every report
    names them."""

    def add_foreign(body: dict[str, Any]) -> None:
        results = body.get("simulation_results") or []
        if len(results) != 3 or results[0]["status"] != "COMPLETED":
            return
        for rid in (901, 902):
            copy = json.loads(json.dumps(results[0]))
            copy["id"] = rid
            for metric in copy["evaluations"][-1]["custom_metrics"]:
                if metric["name"] == "Empathy":
                    metric["response_value"] = "0"
            results.append(copy)

    code, output, report = _gate(tmp_path, monkeypatch, capsys, _poll_rewrite(add_foreign))
    assert code == 0, output
    smoke = report["simulations"][1]
    run_id = smoke["run_ids"][0]
    note = f"ignored 2 results that are not among run {run_id}'s queued conversations: 901, 902"
    assert smoke["notes"] == [note]
    assert report["simulations"][0]["notes"] == []
    assert smoke["counts"]["total"] == 3
    assert all(c["result_id"] not in {"901", "902"} for c in smoke["conversations"])
    assert note in output
    assert (
        note.replace("'", "&apos;") in (tmp_path / "junit.xml").read_text()
        or note in (tmp_path / "junit.xml").read_text()
    )
    assert "## Notes" in (tmp_path / "summary.md").read_text()
    assert "901, 902" in (tmp_path / "summary.md").read_text()


def test_conversations_counted_but_never_returned_are_not_completed(
    tmp_path, monkeypatch, capsys
) -> None:
    """The finished Smoke test run says total_tests 5 but returns 3 conversations: the 2
    unseen count as not completed, so allow_incomplete 0% gives no verdict (the run
    score check, which would fail on 3 passed of 5, is left out)."""

    def no_score(data: dict[str, Any]) -> None:
        del data["thresholds"]["score"]

    def inflate(body: dict[str, Any]) -> None:
        run = body["simulation_run"]
        if len(body.get("simulation_results") or []) == 3:
            run["total_tests"] = 5

    code, output, report = _gate(
        tmp_path, monkeypatch, capsys, _poll_rewrite(inflate), edit_spec=no_score
    )
    assert code == 3, output
    smoke = report["simulations"][1]
    run_id = smoke["run_ids"][0]
    assert smoke["counts"] == {"total": 5, "completed": 3, "not_completed": 2, "never_spoke": 0}
    assert any(
        "2 of 5 conversations did not complete" in e
        and f"2 counted by run {run_id} but never returned" in e
        for e in smoke["errors"]
    ), smoke["errors"]
    assert report["simulations"][0]["outcome"] == "pass"


def test_adopted_run_without_listed_conversations_takes_its_first_answer(
    tmp_path, monkeypatch, capsys
) -> None:
    """The queue answer is lost (503 after the run was created) and listing the adopted
    run's results fails too: the gate takes the conversations of its first answer, says
    so in a note, and still reaches the verdict."""

    def one_simulation(data: dict[str, Any]) -> None:
        data["simulations"] = data["simulations"][:1]

    def script(method: str, path: str, n: int) -> Scripted | None:
        if method == "GET" and path.startswith(POLL) and n < 6:  # the adoption's look-up
            return Scripted(503, b"busy")
        return None

    code, output, report = _gate(
        tmp_path,
        monkeypatch,
        capsys,
        script=script,
        faults=["POST /v1/queue-simulation-run:503:1:after:times=1"],
        edit_spec=one_simulation,
    )
    assert "adopted run" in output, output
    assert code == 0, output
    (sim,) = report["simulations"]
    run_id = sim["run_ids"][0]
    assert sim["notes"] == [
        f"run {run_id}'s conversations could not be listed when it was queued; "
        "took the 5 of its first answer"
    ]
    assert sim["counts"]["total"] == 5


def test_result_listed_twice_differently_gives_no_verdict(tmp_path, monkeypatch, capsys) -> None:
    """Every answer of the finished Smoke test run lists its first result twice, the
    second copy with another Empathy value: that simulation has no verdict, naming the
    result and both values; the other simulation passes."""
    twice: list[str] = []

    def duplicate(body: dict[str, Any]) -> None:
        results = body.get("simulation_results") or []
        if len(results) != 3 or results[0]["status"] != "COMPLETED":
            return
        copy = json.loads(json.dumps(results[0]))
        for metric in copy["evaluations"][-1]["custom_metrics"]:
            if metric["name"] == "Empathy":
                metric["response_value"] = "0"
        results.append(copy)
        twice.append(str(copy["id"]))

    code, output, report = _gate(tmp_path, monkeypatch, capsys, _poll_rewrite(duplicate))
    assert code == 3, output
    assert twice
    smoke = report["simulations"][1]
    assert smoke["outcome"] == "no_verdict"
    assert any(
        f"listed result {twice[0]} twice in one answer, with Empathy" in e and "'0'" in e
        for e in smoke["errors"]
    ), smoke["errors"]
    assert report["simulations"][0]["outcome"] == "pass"
