"""Sharding and reruns through the real CLI against the emulator: the agent synced once,
N shards run with ``--no-sync``, ``merge`` judges their samples as one run (the JSON
verdict section byte for byte the single run's on the same data); ``--rerun-failed``
queues only what did not pass and reuses the rest; every report that does not fit is
refused in one line, exit 2, with nothing sent."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from tests.conftest import ROOT
from tests.helpers.forges import GITHUB_TOKEN, ScriptedGitHub, github_env, pull_request_event
from tests.helpers.gate import KEY, SPEED, run_cli
from tests.helpers.specs import prepare
from tests.helpers.typed import as_object

QUICKSTART = ROOT / "examples" / "quickstart"
Factory = Callable[..., Emulator]
QUEUE = "/v1/queue-simulation-run"


def _scenario(*, smoke_empathy: float = 7.8) -> dict[str, Any]:
    """The quickstart's scenario plus a third simulation (4823, three digital humans)."""
    data = as_object(yaml.safe_load((QUICKSTART / "emulator.yml").read_text()), "emulator.yml")
    data["timing"] = {"queued": 0.1, "running": 0.3, "conversation_ended": 0.1, "evaluating": 0.1}
    third = copy.deepcopy(data["simulations"][1])
    third.update(
        id=4823,
        name="Refunds",
        digital_humans=[
            {"id": 31, "name": "Refund late"},
            {"id": 32, "name": "Refund twice"},
            {"id": 33, "name": "Refund abroad"},
        ],
    )
    data["simulations"].append(third)
    data["simulations"][1]["scores"]["Empathy"] = {"mean": smoke_empathy, "spread": 0.2}
    return data


# How the emulator scores the golden calls of ``_spec(calls=True)``: the first fits the
# call "45 days" after purchase (a worse Empathy), the other every other call.
_FINE = {"Refund policy followed": {"value": "pass"}, "Greeting compliance": {"value": "pass"}}
CALL_RULES: list[dict[str, Any]] = [
    {"transcript_contains": "45 days", "scores": {**_FINE, "Empathy": {"value": 7}}},
    {"scores": {**_FINE, "Empathy": {"value": 9}, "goal_success": {"rate": 1.0}}},
]
CALL_FILES = ("refund-within-window.json", "refund-after-45-days.json")


def _spec(tmp_path: Path, *, max_parallel: int = 10, calls: bool = False) -> Path:
    """The quickstart spec (polling every 0.05 s) with Refunds (4823) added; with
    ``calls``, a call set of two golden calls (examples/calls) judged on its own checks."""
    path = prepare(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["run"]["max_parallel"] = max_parallel
    data["simulations"].append({"id": 4823, "name": "Refunds"})
    if calls:
        folder = tmp_path / "golden"
        folder.mkdir()
        for name in CALL_FILES:
            shutil.copy(ROOT / "examples" / "calls" / "calls" / "refunds" / name, folder / name)
        del data["thresholds"]["score"]  # a run's number: a call set has no run
        # min_samples 3 cannot be reached by a set of two calls: refused before paying
        del data["thresholds"]["Resolution"]
        data["calls"] = [
            {
                "name": "Refund calls",
                "files": "golden/*.json",
                "thresholds": {
                    "Refund policy followed": "pass_rate >= 100%",
                    "Empathy": "mean >= 7.5",
                    "goal_success": "pass_rate >= 50%",
                },
            }
        ]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _main(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """``main(argv)`` in-process: exit code, stdout, stderr (never the key)."""
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    code = info.value.code
    assert isinstance(code, int)
    assert KEY not in out + err
    return code, out, err


def _run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    emu: Emulator,
    spec: Path,
    out_dir: Path,
    *extra: str,
) -> tuple[int, str, str]:
    """``run`` with its reports in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return run_cli(out_dir, monkeypatch, capsys, emu, spec, *extra)


def _merge(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    spec: Path,
    out_dir: Path,
    *reports: Path,
) -> tuple[int, str, str]:
    out_dir.mkdir(parents=True, exist_ok=True)
    monkeypatch.delenv("BLUEJAY_API_KEY", raising=False)  # merge needs no key
    reports_out = ("--junit", str(out_dir / "junit.xml"), "--report", str(out_dir / "report.json"))
    summary = ("--summary", str(out_dir / "summary.md"))
    return _main(capsys, "merge", "--spec", str(spec), *map(str, reports),
                 *reports_out, *summary)  # fmt: skip


def verdict_section(path: Path) -> str:
    """The JSON report's verdict, as written: from ``exit_code`` to ``errors`` inclusive,
    and ``simulations`` to the end."""
    text = path.read_text()
    head = text[text.index('  "exit_code"') : text.index('  "agent"')]
    return head + text[text.index('  "simulations"') :]


@pytest.mark.parametrize("calls", [False, True], ids=["simulations", "with-call-set"])
def test_shards_merged_equal_the_single_run_byte_for_byte(
    emulator: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    calls: bool,
) -> None:
    """One emulator runs the suite whole; a fresh one with the same scenario is synced once,
    then runs shard 1/2 and 2/2 with --no-sync; merge's JSON verdict section equals the
    single run's byte for byte (one check fails: the merged gate exits 1 as the single).
    With a call set, it is one more unit (two conversations: its two files), sent by
    one shard only, and judged in the merge from that shard's report."""
    scenario = _scenario(smoke_empathy=3.0)
    if calls:
        scenario["call_rules"] = CALL_RULES
    # one run (and call) at a time: the same ids in both worlds
    spec = _spec(tmp_path, max_parallel=1, calls=calls)
    single_emu = emulator(copy.deepcopy(scenario), api_key=KEY, speed=SPEED)
    single_code, out, err = _run(monkeypatch, capsys, single_emu, spec, tmp_path / "single")
    assert single_code == 1, out + err

    # The same scenario on the same address (links carry it): the same data, fresh.
    port = int(single_emu.base_url.rsplit(":", 1)[1].split("/")[0])
    single_emu.stop()
    emu = emulator(copy.deepcopy(scenario), api_key=KEY, speed=SPEED, port=port)
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    code, out, _ = _main(capsys, "sync", "--spec", str(spec), "--base-url", emu.base_url)
    assert code == 0, out
    assert "agent 'Support Bot v2' (id 101): updated" in out
    assert emu.count("POST", QUEUE) == 0
    shard_codes = []
    for k in (1, 2):
        code, out, err = _run(
            monkeypatch, capsys, emu, spec, tmp_path / f"shard{k}", "--shard", f"{k}/2", "--no-sync"
        )
        shard_codes.append(code)
    # Planned by conversations: 4821 has 5, 4822 and 4823 3 each (3 + 3 = 6 on the other).
    first = json.loads((tmp_path / "shard1" / "report.json").read_text())
    second = json.loads((tmp_path / "shard2" / "report.json").read_text())
    # With the call set (2): 4821 (5) + the set (2) = 7 on the first, 3 + 3 = 6 on the other.
    units = ["simulation:4821", "calls:Refund calls"] if calls else ["simulation:4821"]
    assert first["shard"] == {"index": 1, "count": 2, "units": units}
    assert [c["name"] for c in first["call_sets"]] == (["Refund calls"] if calls else [])
    assert second["call_sets"] == []
    assert second["shard"] == {
        "index": 2,
        "count": 2,
        "units": ["simulation:4822", "simulation:4823"],
    }
    assert [s["label"] for s in second["simulations"]] == ["Smoke test", "Refunds"]
    assert shard_codes == [0, 1]
    assert (
        "shard 2/2 (simulation:4822, simulation:4823): this verdict covers only this shard" in out
    )
    assert '<property name="shard" value="2/2"' in (tmp_path / "shard2" / "junit.xml").read_text()
    assert emu.count("POST", QUEUE) == 3  # each simulation queued once over both shards
    assert emu.count("POST", "/v1/evaluate") == (2 if calls else 0)  # each call sent once
    # The agent was updated once, by sync (its request is logged by now): no shard synced.
    assert emu.count("PUT", "/v1/update-agent-by-external-id") == 1
    assert emu.count("POST", "/v1/update-agent") == 0
    assert emu.count("POST", "/v1/add-agent") == 0

    code, out, err = _merge(
        monkeypatch,
        capsys,
        spec,
        tmp_path / "merged",
        tmp_path / "shard2" / "report.json",
        tmp_path / "shard1" / "report.json",
    )
    assert code == 1, out + err
    merged = tmp_path / "merged" / "report.json"
    single = tmp_path / "single" / "report.json"
    assert verdict_section(merged) == verdict_section(single)
    data = json.loads(merged.read_text())
    assert [s["label"] for s in data["simulations"]] == [
        "Billing regressions",
        "Smoke test",
        "Refunds",
    ]
    assert data["merged_from"] == [
        str(tmp_path / "shard2" / "report.json"),
        str(tmp_path / "shard1" / "report.json"),
    ]
    if calls:
        (entry,) = data["call_sets"]
        assert entry["name"] == "Refund calls"
        assert entry["files"] == [f"golden/{name}" for name in sorted(CALL_FILES)]
        assert entry["counts"]["completed"] == 2
        assert entry["outcome"] == json.loads(single.read_text())["call_sets"][0]["outcome"]
        assert "Refund calls" in (tmp_path / "merged" / "junit.xml").read_text()
    assert "FAILED (exit 1)" in out
    assert "merged from 2 shard reports" in out
    assert "Smoke test" in (tmp_path / "merged" / "junit.xml").read_text()
    assert "Smoke test" in (tmp_path / "merged" / "summary.md").read_text()


def test_no_sync_refuses_an_agent_that_differs(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """--no-sync with an agent not yet as the spec says: exit 2, nothing changed or queued."""
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    code, _out, err = _run(
        monkeypatch, capsys, emu, _spec(tmp_path), tmp_path / "o", "--shard", "1/2", "--no-sync"
    )
    assert code == 2
    assert "--no-sync: agent 'Support Bot v2' differs from the spec (" in err
    assert "run `bluejay-gate sync` first" in err
    assert len(err.strip().splitlines()) == 1
    assert emu.count("POST", QUEUE) == 0
    assert [r for r in emu.requests if r.method != "GET"] == []


def test_dry_run_of_a_shard_shows_only_its_simulations(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    code, out, _ = _run(
        monkeypatch, capsys, emu, _spec(tmp_path), tmp_path / "o", "--shard", "2/2", "--dry-run"
    )
    assert code == 0
    assert "shard 2/2: 2 of 3 units (simulation:4822, simulation:4823)" in out
    assert "would queue: Smoke test" in out
    assert "would queue: Refunds" in out
    assert "Billing regressions" not in out
    assert "in total: 6 conversations" in out
    assert [r for r in emu.requests if r.method != "GET"] == []


def _shard_reports(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, count: int
) -> tuple[Path, list[Path]]:
    spec = _spec(tmp_path)
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    paths = []
    for k in range(1, count + 1):
        code, out, err = _run(
            monkeypatch, capsys, emu, spec, tmp_path / f"n{count}-{k}", "--shard", f"{k}/{count}"
        )
        assert code == 0, out + err
        paths.append(tmp_path / f"n{count}-{k}" / "report.json")
    return spec, paths


def test_merge_refuses_shards_that_do_not_make_one_run(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Overlapping, missing and mixed-N shards, a full report and another spec's report:
    one line each, exit 2, no report written."""
    spec, (one, two) = _shard_reports(emulator, tmp_path, monkeypatch, capsys, 2)
    _, (solo,) = _shard_reports(emulator, tmp_path / "solo", monkeypatch, capsys, 1)
    other = tmp_path / "other.yml"
    other.write_text(spec.read_text() + "# another spec\n")
    full = json.loads(one.read_text())
    full["shard"] = None
    whole = tmp_path / "whole.json"
    whole.write_text(json.dumps(full))
    cases: list[tuple[Path, tuple[Path, ...], str]] = [
        (spec, (one, one), f"{one}: shard 1/2 is given twice (also {one})"),
        (spec, (two,), "shard 1 of 2 missing: pass every shard's report (given 1)"),
        (spec, (one, solo), f"{solo}: shard 1/1 of 1, but {one} is one of 2"),
        (spec, (whole, two), f"{whole}: not a shard report (no 'shard')"),
        (other, (one, two), f"{one}: written for another spec (spec_sha256 "),
    ]
    for spec_path, reports, expected in cases:
        _refused(monkeypatch, capsys, spec_path, tmp_path / "refused", reports, expected)
    prompt = tmp_path / "prompts" / "support.md"
    prompt.write_text(prompt.read_text() + "\nBe brief.\n")  # not what the shards ran
    expected = f"{one}: the shards tested another agent than {spec} describes (agent fields_sha256"
    _refused(monkeypatch, capsys, spec, tmp_path / "refused", (one, two), expected)


def _refused(
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    spec: Path,
    out_dir: Path,
    reports: tuple[Path, ...],
    expected: str,
) -> None:
    code, out, err = _merge(monkeypatch, capsys, spec, out_dir, *reports)
    assert code == 2, (expected, out, err)
    assert expected in err, err
    assert len(err.strip().splitlines()) == 1
    assert not (out_dir / "report.json").exists()


def test_merge_refuses_overlapping_units(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Two shard reports that both ran one simulation (edited, or from two plans)."""
    spec, (one, two) = _shard_reports(emulator, tmp_path, monkeypatch, capsys, 2)
    data = json.loads(two.read_text())
    data["shard"]["units"].append("simulation:4821")
    two.write_text(json.dumps(data))
    code, _, err = _merge(monkeypatch, capsys, spec, tmp_path / "m", one, two)
    assert code == 2
    assert f"{two}: shard 2/2 overlaps {one}: both ran simulation:4821" in err


def test_rerun_failed_queues_only_what_did_not_pass(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A run where Smoke test fails; after the fix only Smoke test is queued again, the two
    that passed are taken from the report (marked reused in every report), and the verdict
    over the union passes."""
    spec = _spec(tmp_path)
    broken = emulator(_scenario(smoke_empathy=3.0), api_key=KEY, speed=SPEED)
    code, _, _ = _run(monkeypatch, capsys, broken, spec, tmp_path / "first")
    assert code == 1
    earlier = tmp_path / "first" / "report.json"
    first = json.loads(earlier.read_text())

    fixed = emulator(_scenario(), api_key=KEY, speed=SPEED)
    code, out, err = _run(
        monkeypatch, capsys, fixed, spec, tmp_path / "again", "--rerun-failed", str(earlier)
    )
    assert code == 0, out + err
    queued = [r for r in fixed.requests if r.path == QUEUE]
    assert len(queued) == 1
    assert str(as_object(queued[0].body, "queue body")["simulation_id"]) == "4822"
    data = json.loads((tmp_path / "again" / "report.json").read_text())
    sims = {s["label"]: s for s in data["simulations"]}
    assert list(sims) == ["Billing regressions", "Smoke test", "Refunds"]
    assert sims["Billing regressions"]["reused_from"] == str(earlier)
    assert sims["Refunds"]["reused_from"] == str(earlier)
    assert sims["Smoke test"]["reused_from"] is None
    old = {s["label"]: s for s in first["simulations"]}
    assert sims["Billing regressions"]["run_ids"] == old["Billing regressions"]["run_ids"]
    assert (
        sims["Billing regressions"]["conversations"] == old["Billing regressions"]["conversations"]
    )
    assert f"Billing regressions: passed in {earlier}, not run again" in out
    assert f"reused from {earlier} (run {old['Refunds']['run_ids'][0]})" in out
    junit = (tmp_path / "again" / "junit.xml").read_text()
    assert f'name="reused_from" value="{earlier}"' in junit
    summary = (tmp_path / "again" / "summary.md").read_text()
    assert "## Reused" in summary
    assert "**Refunds**: reused from" in summary


def test_rerun_failed_refuses_a_changed_agent_and_another_spec(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A prompt file changed since the report (the spec's bytes did not): the report's
    results prove nothing about this agent, reuse is refused with the reason; a report
    of another spec too. Exit 2, nothing sent."""
    spec = _spec(tmp_path)
    emu = emulator(_scenario(smoke_empathy=3.0), api_key=KEY, speed=SPEED)
    _run(monkeypatch, capsys, emu, spec, tmp_path / "first")
    earlier = tmp_path / "first" / "report.json"
    prompt = tmp_path / "prompts" / "support.md"
    prompt.write_text(prompt.read_text() + "\nBe brief.\n")
    fresh = emulator(_scenario(), api_key=KEY, speed=SPEED)
    code, _, err = _run(
        monkeypatch, capsys, fresh, spec, tmp_path / "again", "--rerun-failed", str(earlier)
    )
    assert code == 2
    assert f"{earlier}: the agent changed since that run (agent fields_sha256 " in err
    assert "its results are not reused" in err
    other = tmp_path / "other.yml"
    other.write_text(spec.read_text().replace("max_parallel: 10", "max_parallel: 9"))
    code, _, err = _run(
        monkeypatch, capsys, fresh, other, tmp_path / "again", "--rerun-failed", str(earlier)
    )
    assert code == 2
    assert f"{earlier}: written for another spec (spec_sha256 " in err
    assert fresh.requests == []


def test_merge_carries_a_shards_gate_error_and_refuses_a_lost_simulation(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A shard that timed out makes the merged gate say no verdict (exit 3), never pass;
    a shard report without one of its simulations is refused: no verdict from part of
    the suite."""
    spec, (one, two) = _shard_reports(emulator, tmp_path, monkeypatch, capsys, 2)
    data = json.loads(two.read_text())
    data["errors"] = ["timed out after 30m before every conversation was scored"]
    timed_out = tmp_path / "timed-out.json"
    timed_out.write_text(json.dumps(data))
    code, out, _ = _merge(monkeypatch, capsys, spec, tmp_path / "m", one, timed_out)
    assert code == 3
    assert "timed out after 30m" in out
    assert json.loads((tmp_path / "m" / "report.json").read_text())["errors"] == data["errors"]

    data = json.loads(two.read_text())
    data["simulations"] = [s for s in data["simulations"] if s["label"] != "Refunds"]
    lost = tmp_path / "lost.json"
    lost.write_text(json.dumps(data))
    code, _, err = _merge(monkeypatch, capsys, spec, tmp_path / "lost", one, lost)
    assert code == 2
    assert "simulation 'Refunds' is in no shard report" in err


def test_merge_in_a_subprocess_without_a_key(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """``python -m bluejay_gate merge`` with no BLUEJAY_API_KEY: merges, exit 0."""
    spec, reports = _shard_reports(emulator, tmp_path, monkeypatch, capsys, 3)
    env = {k: v for k, v in os.environ.items() if k != "BLUEJAY_API_KEY"}
    proc = subprocess.run(
        [sys.executable, "-m", "bluejay_gate", "merge", "--spec", str(spec), *map(str, reports),
         "--junit", str(tmp_path / "j.xml"), "--report", str(tmp_path / "r.json")],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASSED (exit 0)" in proc.stdout
    data = json.loads((tmp_path / "r.json").read_text())
    assert [s["label"] for s in data["simulations"]] == [
        "Billing regressions",
        "Smoke test",
        "Refunds",
    ]
    units = [json.loads(p.read_text())["shard"]["units"] for p in reports]
    assert units == [["simulation:4821"], ["simulation:4822"], ["simulation:4823"]]


def test_rerun_of_a_suite_that_passed_queues_nothing(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Everything passed: the dry run says it would reuse all, the rerun queues nothing,
    passes on the earlier samples, and no report holds the key."""
    spec = _spec(tmp_path)
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    code, _, _ = _run(monkeypatch, capsys, emu, spec, tmp_path / "first")
    assert code == 0
    earlier = tmp_path / "first" / "report.json"
    before = emu.count("POST", QUEUE)
    code, out, _ = _run(
        monkeypatch,
        capsys,
        emu,
        spec,
        tmp_path / "dry",
        "--rerun-failed",
        str(earlier),
        "--dry-run",
    )
    assert code == 0
    assert out.count("would reuse: ") == 3
    assert "in total: 0 conversations" in out
    code, out, _ = _run(
        monkeypatch, capsys, emu, spec, tmp_path / "again", "--rerun-failed", str(earlier)
    )
    assert code == 0, out
    assert emu.count("POST", QUEUE) == before
    data = json.loads((tmp_path / "again" / "report.json").read_text())
    assert all(s["reused_from"] == str(earlier) for s in data["simulations"])
    assert data["run_ids"] == []
    for path in (tmp_path / "again").iterdir():
        assert KEY not in path.read_text()


def test_a_shard_with_nothing_to_run_says_so_and_merges(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Four shards of three simulations: the fourth queues nothing, says why and has no
    verdict of its own (exit 3); merged with the other three, the gate passes."""
    spec = _spec(tmp_path)
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    reports = []
    for k in (1, 2, 3, 4):
        code, out, _ = _run(monkeypatch, capsys, emu, spec, tmp_path / f"s{k}", "--shard", f"{k}/4")
        assert code == (3 if k == 4 else 0), out
        reports.append(tmp_path / f"s{k}" / "report.json")
    assert "shard 4/4 has no simulations to run (3 over 4 shards): use fewer shards" in out
    assert emu.count("POST", QUEUE) == 3
    assert json.loads(reports[3].read_text())["shard"]["units"] == []
    code, out, _ = _merge(monkeypatch, capsys, spec, tmp_path / "m", *reports)
    assert code == 0, out
    assert "no simulations were evaluated" not in out


def test_merge_in_actions_annotates_a_refusal_and_sets_outputs(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """In GitHub Actions a refused merge (a shard missing) is an ::error annotation and
    the step outputs say exit 2, not passed."""
    spec, (one, _) = _shard_reports(emulator, tmp_path, monkeypatch, capsys, 2)
    outputs = tmp_path / "github-output"
    outputs.write_text("")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    code, out, _ = _merge(monkeypatch, capsys, spec, tmp_path / "m", one)
    assert code == 2
    assert "::error title=bluejay-gate::shard 2 of 2 missing" in out
    lines = outputs.read_text().splitlines()
    assert lines[lines.index(next(x for x in lines if x.startswith("exit-code<<"))) + 1] == "2"
    assert lines[lines.index(next(x for x in lines if x.startswith("passed<<"))) + 1] == "false"


def test_sync_in_actions_masks_the_key_and_annotates_a_rejected_key(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """``sync`` in GitHub Actions: the key is masked first; a rejected key is an ::error
    annotation and exit 3, nothing changed."""
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    wrong = "sk-wrong-canary-8d1e"
    monkeypatch.setenv("BLUEJAY_API_KEY", wrong)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    with pytest.raises(SystemExit) as info:
        main(["sync", "--spec", str(_spec(tmp_path)), "--base-url", emu.base_url])
    out, err = capsys.readouterr()
    assert info.value.code == 3
    assert out.splitlines()[0] == f"::add-mask::{wrong}"
    assert "::error title=bluejay-gate::" in out
    assert wrong not in "\n".join(out.splitlines()[1:]) + err
    assert [r for r in emu.requests if r.method != "GET"] == []


def test_rerun_queues_again_a_simulation_whose_digital_humans_changed(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Billing regressions passed, but Bluejay now has a sixth digital human for it: its
    old samples would judge a suite that no longer exists, so it is queued again."""
    spec = _spec(tmp_path)
    code, _, _ = _run(monkeypatch, capsys, emulator(_scenario(), api_key=KEY, speed=SPEED),
                      spec, tmp_path / "first")  # fmt: skip
    assert code == 0
    earlier = tmp_path / "first" / "report.json"
    grown = _scenario()
    grown["simulations"][0]["digital_humans"].append({"id": 17, "name": "Roaming charges"})
    emu = emulator(grown, api_key=KEY, speed=SPEED)
    code, out, err = _run(
        monkeypatch, capsys, emu, spec, tmp_path / "again", "--rerun-failed", str(earlier)
    )
    assert code == 0, out + err
    assert f"Billing regressions: has 6 digital humans now, 5 in {earlier}: queued again" in out
    queued = [str(as_object(r.body, "queue body")["simulation_id"]) for r in emu.requests
              if r.path == QUEUE]  # fmt: skip
    assert queued == ["4821"]
    data = json.loads((tmp_path / "again" / "report.json").read_text())
    assert [s["reused_from"] for s in data["simulations"]] == [None, str(earlier), str(earlier)]
    assert data["simulations"][0]["counts"]["total"] == 6


def test_merge_posts_the_comment_and_shards_do_not(
    emulator: Factory,
    github: ScriptedGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With --pr-comment, a shard posts nothing (its part would replace the others' in the
    one comment per spec) and says so; merge posts the merged summary once."""
    spec = _spec(tmp_path)
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    env = github_env(github, pull_request_event(tmp_path, base="c8", head="p2"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reports = []
    for k in (1, 2):
        code, out, err = _run(
            monkeypatch, capsys, emu, spec, tmp_path / f"s{k}", "--shard", f"{k}/2", "--pr-comment"
        )
        assert code == 0, out + err
        assert "comment left to `bluejay-gate merge --pr-comment` (this is one shard)" in out
        reports.append(tmp_path / f"s{k}" / "report.json")
    assert github.state.comments == {}
    monkeypatch.delenv("BLUEJAY_API_KEY", raising=False)
    out_dir = tmp_path / "merged"
    out_dir.mkdir()
    code, out, err = _main(
        capsys, "merge", "--spec", str(spec), *map(str, reports), "--pr-comment",
        "--junit", str(out_dir / "junit.xml"), "--report", str(out_dir / "report.json"),
    )  # fmt: skip
    assert code == 0, out + err
    (comment,) = github.state.comments[12]
    assert "Billing regressions" in comment["body"]
    assert "Smoke test" in comment["body"]
    assert GITHUB_TOKEN not in out + err
