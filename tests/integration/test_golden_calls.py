"""Recorded calls (``calls:``) through the real CLI against the emulator: a passing and a
failing set, INCOMPLETED, a lost ``evaluate`` answer reconciled without a second call,
timeout and cancel with nothing left pending, calls and simulations side by side, bad
call files (nothing sent), every request the document's, and ``calls add``."""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from bluejay_gate.gate import Runtime, run_gate
from bluejay_gate.options import GateOptions
from bluejay_gate.spec.call_files import read_call_file
from tests.helpers.gate import KEY, SPEED, junit_agrees, run_cli
from tests.helpers.shared import openapi_document
from tests.helpers.typed import as_list, as_object

SCENARIO: dict[str, Any] = {
    "seed": 3,
    "timing": {"queued": 0.5, "running": 1.0, "conversation_ended": 0.2, "evaluating": 1.0},
    "agents": [{"id": 101, "name": "Support Bot v2", "external_agent_id": "support-bot"}],
    "custom_metrics": [
        {"name": "Refund policy followed", "response_type": "pass_fail"},
        {"name": "Empathy", "response_type": "quantitative", "min_value": 0, "max_value": 10},
    ],
    "call_rules": [
        {"transcript_contains": "dropped", "outcome": "INCOMPLETED"},
        {
            "transcript_contains": "45 days",
            "scores": {"Refund policy followed": {"value": "fail"}, "Empathy": {"value": 6}},
        },
        {"scores": {"Refund policy followed": {"value": "pass"}, "Empathy": {"value": 8}}},
    ],
    "simulations": [
        {
            "id": 4821,
            "name": "Billing regressions",
            "agent": "support-bot",
            "digital_humans": [{"id": 12, "name": "Angry caller"}],
            "scores": {"Refund policy followed": {"pass_rate": 1.0}, "Empathy": {"value": 8}},
        }
    ],
}
AGENT = """\
version: 1
agent:
  external_id: support-bot
  name: Support Bot v2
  system_prompt: ""
  knowledge_base: ""
  goals: []
run:
  poll_interval: 0.05s
"""


def call(utterance: str, **extra: Any) -> dict[str, Any]:
    return {
        "start_time_utc": "2026-03-02T14:05:00Z",
        "participants": [{"role": "AGENT"}, {"role": "USER"}],
        "transcript": [
            {"start_offset_ms": 0, "end_offset_ms": 900, "speaker": "USER", "utterance": utterance},
            {
                "start_offset_ms": 1000,
                "end_offset_ms": 2000,
                "speaker": "AGENT",
                "utterance": "Ok.",
            },
        ],
        **extra,
    }


THRESHOLDS = '      "Refund policy followed": pass_rate >= 100%\n      "Empathy": mean >= 7\n'


def write_spec(
    tmp_path: Path,
    calls: dict[str, dict[str, Any]],
    *,
    thresholds: str = THRESHOLDS,
    simulations: str = "",
    run: str = "",
) -> Path:
    folder = tmp_path / "golden"
    folder.mkdir(exist_ok=True)
    for name, body in calls.items():
        (folder / name).write_text(json.dumps(body, indent=2) + "\n")
    spec = tmp_path / "bluejay-gate.yml"
    text = AGENT + run
    text += simulations
    text += "calls:\n  - name: Refund calls\n    files: golden/*.json\n"
    text += "    metadata: {build: '42'}\n    thresholds:\n" + thresholds
    spec.write_text(text)
    return spec


def evaluate_posts(emu: Emulator) -> list[Any]:
    return [r for r in emu.requests if r.method == "POST" and r.path == "/v1/evaluate"]


def report(tmp_path: Path) -> dict[str, Any]:
    return as_object(json.loads((tmp_path / "report.json").read_text()), "report")


@pytest.fixture
def emu(emulator: Callable[..., Emulator]) -> Emulator:
    return emulator(copy.deepcopy(SCENARIO), api_key=KEY, speed=SPEED)


def test_passing_set(tmp_path, monkeypatch, capsys, emu: Emulator) -> None:
    files = {"a-refund.json": call("I want a refund"), "b-refund.json": call("Refund please")}
    spec = write_spec(tmp_path, files)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 0, out + err
    xml = junit_agrees(tmp_path, code)
    assert 'testsuite name="calls: Refund calls" tests="2"' in xml
    assert "golden/a-refund.json, golden/b-refund.json" in xml
    entry = as_object(as_list(report(tmp_path)["call_sets"], "call_sets")[0], "call set")
    assert entry["name"] == "Refund calls"
    assert entry["files"] == ["golden/a-refund.json", "golden/b-refund.json"]
    assert entry["outcome"] == "pass"
    assert len(entry["call_ids"]) == 2
    assert report(tmp_path)["simulations"] == []
    posts = evaluate_posts(emu)
    assert len(posts) == 2
    bodies = [as_object(p.body, "evaluate body") for p in posts]
    assert {b["agent_id"] for b in bodies} == {"101"}
    assert all(b["metadata"]["build"] == "42" for b in bodies)
    traces = {b["trace_id"] for b in bodies}
    assert len(traces) == 2
    assert all(b["metadata"]["bluejay_gate_trace_id"] == b["trace_id"] for b in bodies)
    assert "calls: Refund calls" in out
    assert KEY not in out + err + xml + (tmp_path / "report.json").read_text()


def test_failing_set(tmp_path, monkeypatch, capsys, emu: Emulator) -> None:
    files = {"ok.json": call("refund please"), "late.json": call("bought it 45 days ago")}
    spec = write_spec(tmp_path, files)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 1, out + err
    junit_agrees(tmp_path, code)
    entry = as_object(as_list(report(tmp_path)["call_sets"], "call_sets")[0], "call set")
    assert entry["outcome"] == "fail"
    checks = {c["label"]: c for c in entry["checks"]}
    assert checks["Refund policy followed: pass_rate >= 100%"]["outcome"] == "fail"
    assert checks["Refund policy followed: pass_rate >= 100%"]["observed"] == pytest.approx(0.5)
    assert checks["Empathy: mean >= 7"]["observed"] == pytest.approx(7.0)
    assert checks["Empathy: mean >= 7"]["outcome"] == "pass"
    calls = {c["file"]: c for c in entry["calls"]}
    assert set(calls) == {"golden/ok.json", "golden/late.json"}
    assert {c["status"] for c in calls.values()} == {"COMPLETED"}
    assert sorted(c["call_id"] for c in calls.values()) == sorted(entry["call_ids"])


def test_incompleted_call_is_no_verdict(tmp_path, monkeypatch, capsys, emu: Emulator) -> None:
    files = {"ok.json": call("refund please"), "cut.json": call("the line dropped")}
    spec = write_spec(tmp_path, files)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 3, out + err
    entry = as_object(as_list(report(tmp_path)["call_sets"], "call_sets")[0], "call set")
    assert entry["counts"] == {"total": 2, "completed": 1, "not_completed": 1, "never_spoke": 0}
    assert any("1 INCOMPLETED" in e for e in entry["errors"]), entry["errors"]


def test_lost_evaluate_answer_is_adopted_not_resent(
    tmp_path, monkeypatch, capsys, emu: Emulator
) -> None:
    monkeypatch.setenv("BLUEJAY_RETRY_MAX_DELAY", "0.01")
    emu.set_faults([{"endpoint": "POST /v1/evaluate", "kind": "drop", "when": "after", "times": 1}])
    spec = write_spec(tmp_path, {"only.json": call("refund please")})
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 0, out + err
    posts = evaluate_posts(emu)
    assert len(posts) == 1  # the dropped one: never sent again
    assert posts[0].took_effect
    assert len(emu.state.calls) == 1
    assert emu.count("GET", "/v1/retrieve-call-logs/101") >= 1
    entry = as_object(as_list(report(tmp_path)["call_sets"], "call_sets")[0], "call set")
    assert entry["call_ids"] == list(emu.state.calls)


def test_calls_and_simulations_side_by_side_under_one_timeout(
    tmp_path, monkeypatch, capsys, emulator: Callable[..., Emulator]
) -> None:
    slow = copy.deepcopy(SCENARIO)
    slow["timing"] = {"queued": 0.0, "running": 100.0, "evaluating": 100.0}
    emu = emulator(slow, api_key=KEY, speed=1.0)
    sims = "simulations:\n  - id: 4821\n    thresholds:\n      Empathy: mean >= 7\n"
    spec = write_spec(tmp_path, {"only.json": call("refund please")}, simulations=sims)
    started = time.monotonic()
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec, "--timeout", "1.5s")
    assert time.monotonic() - started < 10
    assert code == 3, out + err
    data = report(tmp_path)
    assert any("timed out" in e for e in data["errors"]), data["errors"]
    entry = as_object(as_list(data["call_sets"], "call_sets")[0], "call set")
    assert any("still EVALUATING" in e and "no endpoint to stop" in e for e in entry["errors"]), (
        entry["errors"]
    )
    # the simulation's conversations were ended; calls have no end endpoint
    assert emu.count("POST", "/v1/end-conversations") == 1
    assert len(data["simulations"]) == 1


def test_cancel_sends_nothing_more_and_reports_calls(
    tmp_path, monkeypatch, emulator: Callable[..., Emulator]
) -> None:
    slow = copy.deepcopy(SCENARIO)
    slow["timing"] = {"queued": 0.0, "running": 100.0, "evaluating": 100.0}
    emu = emulator(slow, api_key=KEY, speed=1.0)
    spec = write_spec(tmp_path, {"a.json": call("refund"), "b.json": call("refund too")})
    cancel = threading.Event()
    rt = Runtime(out=open(tmp_path / "out.txt", "w"), cancel=cancel)  # noqa: SIM115
    opts = GateOptions(
        spec_path=spec,
        api_key=KEY,
        base_url=emu.base_url,
        junit=tmp_path / "junit.xml",
        report=tmp_path / "report.json",
    )

    def cancel_when_sent() -> None:
        deadline = time.monotonic() + 10
        while len(emu.state.calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        cancel.set()

    threading.Thread(target=cancel_when_sent, daemon=True).start()
    started = time.monotonic()
    code = run_gate(opts, rt)
    rt.out.close()
    assert time.monotonic() - started < 10
    assert code == 3
    data = report(tmp_path)
    assert any("cancelled" in e for e in data["errors"]), data["errors"]
    entry = as_object(as_list(data["call_sets"], "call_sets")[0], "call set")
    assert sum(e.startswith("cancelled with call") for e in entry["errors"]) == 2, entry["errors"]
    assert len(evaluate_posts(emu)) == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{\n  "start_time_utc": "2026-01-01T00:00:00Z",\n  oops\n}\n',
            "bad.json:3: not valid JSON",
        ),
        (
            json.dumps(call("hi", participants=[{"role": "AGENT"}, {"role": "BOT"}]), indent=2),
            "bad.json:8: participants[1].role: 'BOT' is not one of ['AGENT', 'USER']",
        ),
        (
            json.dumps(call("hi", agent_id="999"), indent=2),
            "bad.json:25: agent_id: remove `agent_id`",
        ),
    ],
)
def test_bad_call_file_sends_nothing(
    tmp_path, monkeypatch, capsys, emu: Emulator, content: str, expected: str
) -> None:
    spec = write_spec(tmp_path, {"good.json": call("refund")})
    (tmp_path / "golden" / "bad.json").write_text(content)
    code, _, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 2
    assert expected in err, err
    assert err.count("\n") == 1
    assert emu.requests == []


def test_every_request_fits_the_document(tmp_path, monkeypatch, capsys, emu: Emulator) -> None:
    monkeypatch.setenv("BLUEJAY_RETRY_MAX_DELAY", "0.01")
    emu.set_faults([{"endpoint": "POST /v1/evaluate", "kind": "500", "when": "after", "times": 1}])
    spec = write_spec(tmp_path, {"a.json": call("refund", tags=["x"], label="production")})
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 0, out + err
    api = OpenAPI.from_dict(openapi_document(), config=Config(spec_validator_cls=None))
    seen = set()
    for record in emu.requests:
        seen.add((record.method, record.path.split("/")[2]))
        request = _DocumentRequest(record.method, record.path, record.query, record.body)
        result = api.unmarshal_request(request)
        assert not result.errors, (record.method, record.path, result.errors)
    assert ("POST", "evaluate") in seen
    assert ("GET", "retrieve-call-log") in seen
    assert ("GET", "retrieve-call-logs") in seen


class _DocumentRequest:
    def __init__(self, method: str, path: str, query: dict[str, Any], body: Any) -> None:
        self.host_url = "https://api.getbluejay.ai"
        self.path = path
        self.full_url_pattern = self.host_url + path
        self.method = method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict({k: str(v) for k, v in query.items()}),
            header=Headers([("X-API-Key", KEY), ("Content-Type", "application/json")]),
            cookie=ImmutableMultiDict(),
        )
        self.content_type = "application/json"
        self.body = None if body is None else json.dumps(body).encode()


def test_calls_add_from_call_log(tmp_path, monkeypatch, capsys, emu: Emulator) -> None:
    with BluejayClient(KEY, emu.base_url) as client:
        call_id = client.evaluate_call(
            call("refund please", metadata={"ticket": "T-1"}), agent_id="101", trace_id="t-1"
        )
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    folder = tmp_path / "golden"
    argv = ["calls", "add", "--from-call-log", call_id, "--to", str(folder)]
    with pytest.raises(SystemExit) as info:
        main([*argv, "--base-url", emu.base_url])
    out, err = capsys.readouterr()
    assert info.value.code == 0, out + err
    written = folder / f"call-{call_id}.json"
    assert f"wrote {written}" in out
    assert KEY not in out + err + written.read_text()
    body = read_call_file(written, str(written))
    assert body["transcript"][0]["utterance"] == "refund please"
    assert body["metadata"] == {"ticket": "T-1", "golden_from_call_id": call_id}
    assert "agent_id" not in body
    assert "//" not in written.read_text().replace("://", "")
    # a second add refuses to overwrite it
    with pytest.raises(SystemExit) as again:
        main([*argv, "--base-url", emu.base_url])
    assert again.value.code == 2
    assert "exists already" in capsys.readouterr().err
    # and the gate runs it
    spec = write_spec(tmp_path, {})
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 0, out + err


def test_demo_runs_the_calls_example(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["demo", "--example", "calls", "--out", str(tmp_path)])
    out, _ = capsys.readouterr()
    assert info.value.code == 0, out
    report_json = json.loads((tmp_path / "bluejay-report.json").read_text())
    assert report_json["call_sets"][0]["name"] == "Refund calls"
    assert len(report_json["call_sets"][0]["call_ids"]) == 3


def test_dry_run_sends_no_call(tmp_path, monkeypatch, capsys, emu: Emulator) -> None:
    spec = write_spec(tmp_path, {"a.json": call("refund"), "b.json": call("refund too")})
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec, "--dry-run")
    assert code == 0, out + err
    assert "would evaluate: Refund calls (2 recorded calls from golden/*.json), 2 checks" in out
    assert {r.method for r in emu.requests} == {"GET"}
    assert emu.state.calls == {}


def test_validate_in_a_subprocess_locates_a_bad_call_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    spec = write_spec(tmp_path, {"a.json": call("refund")})
    (tmp_path / "golden" / "a.json").write_text('{"start_time_utc": 5,\n "participants": []}\n')
    done = subprocess.run(
        [sys.executable, "-m", "bluejay_gate", "validate", "--spec", str(spec)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{tmp_path}/golden/a.json:2: participants: [] is too short" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_retried_attempt_adopts_the_calls_it_sent(
    tmp_path, monkeypatch, capsys, emu: Emulator
) -> None:
    """The same CI attempt run twice (a retried step): the second finds its calls by trace
    id and sends none again."""
    monkeypatch.setenv("BLUEJAY_GATE_RUN_ID", "attempt-7")
    spec = write_spec(tmp_path, {"a.json": call("refund"), "b.json": call("refund too")})
    first, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert first == 0, out + err
    assert len(evaluate_posts(emu)) == 2
    again, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert again == 0, out + err
    assert len(evaluate_posts(emu)) == 2
    assert out.count("was sent by an earlier try of this gate attempt") == 2
    entry = as_object(as_list(report(tmp_path)["call_sets"], "call_sets")[0], "call set")
    assert sorted(entry["call_ids"]) == sorted(emu.state.calls)
    monkeypatch.setenv("BLUEJAY_GATE_RUN_ID", "attempt-8")  # another attempt: sent anew
    third, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert third == 0, out + err
    assert len(evaluate_posts(emu)) == 4


def _merge(
    capsys: Any, monkeypatch: pytest.MonkeyPatch, spec: Path, out: Path, *reports: Path
) -> tuple[int, str]:
    monkeypatch.delenv("BLUEJAY_API_KEY", raising=False)  # merge needs no key
    out.mkdir(exist_ok=True)
    argv = ["merge", "--spec", str(spec), *map(str, reports), "--junit", str(out / "junit.xml"),
            "--report", str(out / "report.json")]  # fmt: skip
    with pytest.raises(SystemExit) as info:
        main(argv)
    stdout, stderr = capsys.readouterr()
    assert isinstance(info.value.code, int)
    return info.value.code, stdout + stderr


def test_shards_send_each_call_set_once_and_merge_judges_it(
    tmp_path, monkeypatch, capsys, emu: Emulator
) -> None:
    """A call set is a unit of ``--shard`` (its three files: three conversations, against
    the simulation's one): shard 1/2 sends the calls and queues nothing, shard 2/2 queues
    the simulation and sends no call; merge judges both from the shard reports. A merge
    without the report that holds the call set, or with it twice, is refused (exit 2)."""
    files = {n: call("refund please") for n in ("a.json", "b.json", "c.json")}
    sims = "simulations:\n  - id: 4821\n    thresholds:\n      Empathy: mean >= 7\n"
    spec = write_spec(tmp_path, files, simulations=sims)
    for k in (1, 2):
        dry = tmp_path / f"dry{k}"
        dry.mkdir()
        code, stdout, err = run_cli(dry, monkeypatch, capsys, emu, spec, "--shard", f"{k}/2",
                                    "--dry-run")  # fmt: skip
        assert code == 0, stdout + err
        assert f"shard {k}/2: 1 of 2 units" in stdout
        assert ("would evaluate: Refund calls (3 recorded calls" in stdout) == (k == 1)
    assert {r.method for r in emu.requests} == {"GET"}
    reports = []
    for k in (1, 2):
        out = tmp_path / f"shard{k}"
        out.mkdir()
        code, stdout, err = run_cli(out, monkeypatch, capsys, emu, spec, "--shard", f"{k}/2")
        assert code == 0, stdout + err
        reports.append(out / "report.json")
        sent = (len(evaluate_posts(emu)), emu.count("POST", "/v1/queue-simulation-run"))
        assert sent == ((3, 0) if k == 1 else (3, 1))
    first = json.loads(reports[0].read_text())
    second = json.loads(reports[1].read_text())
    assert first["shard"]["units"] == ["calls:Refund calls"]
    assert [c["name"] for c in first["call_sets"]] == ["Refund calls"]
    assert first["simulations"] == []
    assert second["shard"]["units"] == ["simulation:4821"]
    assert second["call_sets"] == []

    code, text = _merge(capsys, monkeypatch, spec, tmp_path / "merged", *reports)
    assert code == 0, text
    merged = json.loads((tmp_path / "merged" / "report.json").read_text())
    entry = as_object(as_list(merged["call_sets"], "call_sets")[0], "call set")
    assert entry["files"] == ["golden/a.json", "golden/b.json", "golden/c.json"]
    assert entry["outcome"] == "pass"
    assert entry["counts"]["completed"] == 3
    assert sorted(entry["call_ids"]) == sorted(emu.state.calls)
    assert [s["simulation_id"] for s in merged["simulations"]] == ["4821"]
    xml = (tmp_path / "merged" / "junit.xml").read_text()
    assert 'testsuite name="calls: Refund calls" tests="2"' in xml  # its two checks

    lost = copy.deepcopy(first)
    lost["call_sets"] = []
    (tmp_path / "lost.json").write_text(json.dumps(lost))
    code, text = _merge(
        capsys, monkeypatch, spec, tmp_path / "m2", tmp_path / "lost.json", reports[1]
    )
    assert code == 2
    assert "call set 'Refund calls' is in no shard report" in text
    assert f"{spec}:" in text
    twice = copy.deepcopy(second)
    twice["call_sets"] = first["call_sets"]
    (tmp_path / "twice.json").write_text(json.dumps(twice))
    code, text = _merge(
        capsys, monkeypatch, spec, tmp_path / "m3", reports[0], tmp_path / "twice.json"
    )
    assert code == 2
    assert "call set 'Refund calls' is also in" in text
    assert "shards overlap" in text


def test_rerun_failed_reuses_a_passed_call_set_until_its_files_change(
    tmp_path, monkeypatch, capsys, emu: Emulator
) -> None:
    """``--rerun-failed``: a call set that passed in the report is judged again from its
    samples and not sent (marked reused in every report); one that failed is sent again;
    one whose files changed since (a file's bytes, a file added, no hash recorded) is
    sent again with the reason in one line."""
    files = {"a.json": call("refund please"), "b.json": call("refund 45 days late")}
    spec = write_spec(tmp_path, files)
    runs = [tmp_path / f"run{n}" for n in range(7)]
    for folder in runs:
        folder.mkdir()

    code, out, err = run_cli(runs[0], monkeypatch, capsys, emu, spec)
    assert code == 1, out + err  # b.json fails "Refund policy followed"
    first = report(runs[0])["call_sets"][0]
    golden = tmp_path / "golden"
    assert first["file_sha256"] == {
        f"golden/{n}": hashlib.sha256((golden / n).read_bytes()).hexdigest()
        for n in ("a.json", "b.json")
    }
    (golden / "b.json").write_text(json.dumps(call("refund please, ten days ago")))

    def rerun(index: int, earlier: Path) -> tuple[str, dict[str, Any]]:
        code, out, err = run_cli(runs[index], monkeypatch, capsys, emu, spec,
                                 "--rerun-failed", str(earlier))  # fmt: skip
        assert code == 0, out + err
        return out, as_object(report(runs[index])["call_sets"][0], "call set")

    # failed there: sent again (both calls: a set is one unit), never reused, even when
    # the report is edited to say it passed (it is judged again from its calls)
    data = report(runs[0])
    data["exit_code"], data["outcome"] = 0, "pass"
    data["call_sets"][0]["outcome"] = "pass"
    for check in data["call_sets"][0]["checks"]:
        check["outcome"] = "pass"
    said_pass = tmp_path / "said-pass.json"
    said_pass.write_text(json.dumps(data))
    out, entry = rerun(1, said_pass)
    assert len(evaluate_posts(emu)) == 4
    assert entry["reused_from"] is None
    assert "not sent again" not in out
    assert "sent again" not in out  # no reason line: it did not pass there

    # passed there, same files: judged from its samples, nothing sent
    out, entry = rerun(2, runs[1] / "report.json")
    assert len(evaluate_posts(emu)) == 4
    earlier = str(runs[1] / "report.json")
    assert entry["reused_from"] == earlier
    assert entry["call_ids"] == report(runs[1])["call_sets"][0]["call_ids"]
    assert entry["outcome"] == "pass"
    assert f"call set 'Refund calls': passed in {earlier}, not sent again" in out
    assert f'<property name="reused_from" value="{earlier}"' in (runs[2] / "junit.xml").read_text()
    summary = (runs[2] / "summary.md").read_text()
    assert "## Reused\n\n- **Refund calls**: reused from " in summary
    assert "run1/report.json: passed there, not sent again" in summary

    dry = tmp_path / "dry"
    dry.mkdir()
    code, out, err = run_cli(dry, monkeypatch, capsys, emu, spec, "--dry-run",
                             "--rerun-failed", earlier)  # fmt: skip
    assert code == 0, out + err
    assert f"would reuse: Refund calls (passed in {earlier}, not sent)" in out
    assert "would evaluate" not in out
    assert len(evaluate_posts(emu)) == 4

    # a file's bytes changed since: sent again, with the reason
    (golden / "a.json").write_text(json.dumps(call("refund please!")))
    out, entry = rerun(3, runs[2] / "report.json")
    assert len(evaluate_posts(emu)) == 6
    assert entry["reused_from"] is None
    line = f"call set 'Refund calls': golden/a.json changed since {runs[2] / 'report.json'}"
    assert f"{line}: sent again" in out

    # a file added since: sent again
    (golden / "c.json").write_text(json.dumps(call("refund")))
    out, entry = rerun(4, runs[3] / "report.json")
    assert len(evaluate_posts(emu)) == 9
    assert f"its files changed since {runs[3] / 'report.json'} (added golden/c.json)" in out

    # an edited report that lost a call: the one left passes, but never for the whole set
    data = report(runs[4])
    lost = data["call_sets"][0]
    lost["conversations"], lost["calls"] = lost["conversations"][:1], lost["calls"][:1]
    lost["call_ids"] = lost["call_ids"][:1]
    edited = tmp_path / "lost-call.json"
    edited.write_text(json.dumps(data))
    out, entry = rerun(5, edited)
    assert len(evaluate_posts(emu)) == 12
    assert f"{edited} does not hold one call for each of its files: sent again" in out

    # a report without the hashes (edited, or older): cannot tell, so sent again
    data = report(runs[4])
    del data["call_sets"][0]["file_sha256"]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))
    out, entry = rerun(6, edited)
    assert len(evaluate_posts(emu)) == 15
    assert f"{edited} has no sha256 of golden/a.json to compare with: sent again" in out
    assert entry["reused_from"] is None
