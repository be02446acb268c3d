"""Earlier reports read back: a judged run written as JSON, read back and judged again
gives the same report byte for byte (every kind of awkward sample the verdict reads),
and every report that cannot be used is refused in one line naming the file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluejay_gate.earlier.document import READS_VERSION, load_earlier
from bluejay_gate.earlier.identity import (
    fields_sha256,
    refuse_changed_agent,
    refuse_other_spec,
    spec_sha256,
)
from bluejay_gate.earlier.reuse import reusable
from bluejay_gate.earlier.samples import match_simulations, simulation_input
from bluejay_gate.errors import EarlierReportError
from bluejay_gate.model.results import ReadResult, ResultMetrics
from bluejay_gate.model.values import MetricValue
from bluejay_gate.report import SCHEMA_VERSION, render_json
from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.resolved import Spec
from bluejay_gate.verdict.evaluate import evaluate
from bluejay_gate.verdict.inputs import SimulationInput
from tests.helpers.evaluation import result, run, sim
from tests.helpers.verdicts import run_info

SPEC = """\
version: 1
agent:
  external_id: support-bot
  name: Support Bot v2
simulations:
  - id: 4821
    name: Billing regressions
  - name: Smoke test
thresholds:
  "Greeting compliance": pass_rate >= 60%
  "Empathy": [mean >= 5, min >= 1]
  "Resolution":
    - check: share(resolved) >= 50%
      severity: warn
  goal_success: pass_rate >= 50%
  score: value >= 50
"""


def _spec(tmp_path: Path, text: str = SPEC) -> Spec:
    path = tmp_path / "bluejay-gate.yml"
    path.write_text(text)
    return load_spec(path, {})


def _awkward_inputs(spec: Spec) -> list[SimulationInput]:
    """Two simulations whose samples hold what the verdict must judge again the same:
    numbers as text and as JSON, N/A, out of domain, enum, a result without a status,
    one whose agent never spoke, one scored without custom metrics, a value given twice
    differently, runs' counters, unseen conversations and the orchestrator's errors."""
    checks = [spec.checks_for(s) for s in spec.simulations]
    first = [
        result(
            1, {"Greeting compliance": ("pass", "pass_fail"), "Empathy": ("7.5", "quantitative")}
        ),
        result(2, {"Greeting compliance": ("fail", "pass_fail"), "Empathy": (3, "quantitative")}),
        result(3, {"Greeting compliance": ("NA", "pass_fail"), "Empathy": ("0.1", "quantitative")}),
        result(4, {"Resolution": ("resolved", "enum"), "Empathy": ("6", "quantitative")}),
        result(5, {"Greeting compliance": ("pass", "pass_fail")}, num_turns=1),
        result(6, {}, status="COMPLETED"),
        result(7, {"Empathy": ("9", "quantitative")}, status="no_answer"),
    ]
    domain = MetricValue("Empathy", "12", None, "quantitative", True, None, "outside", 0.0, 10.0)
    odd = ReadResult(
        "8", "13", None, 61000.0, None, None, ResultMetrics({"Empathy": domain}, True, False)
    )
    second = [
        result(
            11, {"Greeting compliance": ("pass", "pass_fail"), "Empathy": ("8", "quantitative")}
        ),
        result(
            12, {"Greeting compliance": ("pass", "pass_fail"), "Empathy": ("9", "quantitative")}
        ),
    ]
    one = sim(list(checks[0]), first, notes=("ignored 1 result",), unseen={"77": 2})
    one = dataclasses.replace(one, results=(*one.results, odd), errors=("run 78 timed out",))
    two = sim(
        list(checks[1]),
        second,
        label="Smoke test",
        runs=(run("91", total=2, passed=2),),
        result_runs={"11": "91", "12": "91"},
    )
    return [one, dataclasses.replace(two, simulation_id="4822")]


def _write(
    tmp_path: Path, spec: Spec, inputs: list[SimulationInput], name: str, **info: Any
) -> Path:
    verdict = evaluate(inputs, allow_incomplete=0.5, gate_errors=("a gate error",))
    sha = spec_sha256(spec.path.read_bytes())
    full = run_info(spec_sha256=sha, agent_fields_sha256=fields_sha256(spec.agent.fields), **info)
    path = tmp_path / name
    path.write_text(render_json(verdict, full))
    return path


def _judged_again(spec: Spec, path: Path) -> list[SimulationInput]:
    report = load_earlier(path)
    docs = match_simulations(spec, report.simulations)
    return [
        simulation_input(spec, s, doc, where="r", reused_from=None)
        for s, doc in zip(spec.simulations, docs, strict=True)
        if doc is not None
    ]


def test_a_report_read_back_and_judged_again_is_the_same_report(tmp_path: Path) -> None:
    """Judge, write JSON, read back, judge again: the JSON is identical byte for byte (so
    is its verdict section), with every awkward sample kept."""
    spec = _spec(tmp_path)
    first = _write(tmp_path, spec, _awkward_inputs(spec), "first.json")
    again = _judged_again(spec, first)
    data = json.loads(first.read_text())
    second = _write(tmp_path, spec, again, "second.json")
    assert second.read_text() == first.read_text()
    sims = data["simulations"]
    assert [s["outcome"] for s in sims] == ["fail", "pass"]
    assert [c["outcome"] for c in sims[0]["checks"]] == [
        "no_verdict",
        "fail",
        "fail",
        "warn",
        "pass",
        "pass",
    ]
    assert sims[0]["run_errors"] == ["run 78 timed out"]
    assert sims[0]["unseen"] == {"77": 2}
    by_id = {c["result_id"]: c for c in sims[0]["conversations"]}
    assert by_id["8"]["status_as_sent"] is None
    assert by_id["8"]["status"] == "UNKNOWN"
    assert by_id["8"]["metrics"]["Empathy"]["error"] == "outside"
    assert by_id["8"]["metrics"]["Empathy"]["max_value"] == 10.0
    assert by_id["6"]["has_custom"] is False
    assert by_id["1"]["has_custom"] is True
    assert by_id["7"]["status_as_sent"] == "no_answer"
    assert "without a status" in " ".join(sims[0]["errors"])


def test_the_verdict_is_judged_again_not_read(tmp_path: Path) -> None:
    """A report whose recorded outcome says pass while its samples fail is judged by its
    samples: reuse takes only what passes again (the recorded outcome is never read)."""
    spec = _spec(tmp_path)
    path = _write(tmp_path, spec, _awkward_inputs(spec), "r.json")
    data = json.loads(path.read_text())
    for s in data["simulations"]:
        s["outcome"] = "pass"
    path.write_text(json.dumps(data))
    taken = reusable(spec, load_earlier(path))
    assert sorted(taken) == [1]
    assert taken[1].reused_from == str(path)
    assert taken[1].label == "Smoke test"


def test_a_flipped_sample_changes_the_verdict_judged_again(tmp_path: Path) -> None:
    """Each sample counts: one pass turned into a fail in the report fails the check."""
    spec = _spec(tmp_path)
    path = _write(tmp_path, spec, _awkward_inputs(spec)[1:], "r.json")
    data = json.loads(path.read_text())
    for c in data["simulations"][0]["conversations"]:
        c["metrics"]["Greeting compliance"]["value"] = False
    path.write_text(json.dumps(data))
    (again,) = _judged_again(spec, path)
    verdict = evaluate([again], allow_incomplete=0.0)
    assert verdict.exit_code == 1
    assert reusable(spec, load_earlier(path)) == {}


def _report(tmp_path: Path, data: object, name: str = "r.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not JSON"),
        ([1, 2], "not a bluejay-gate JSON report"),
        ({"tool": {"name": "other"}}, "tool is not bluejay-gate"),
        (
            {"tool": {"name": "bluejay-gate"}, "schema_version": 1},
            "schema_version 1, this bluejay-gate reads 2: written by an older bluejay-gate; "
            "run it again on the base branch",
        ),
        ({"tool": {"name": "bluejay-gate"}, "schema_version": 9}, "written by a newer"),
        ({"tool": {"name": "bluejay-gate"}, "schema_version": 2}, "has no spec_sha256"),
        (
            {
                "tool": {"name": "bluejay-gate"},
                "schema_version": 2,
                "spec_sha256": "ab",
                "simulations": {},
            },
            "'simulations' is not a list of objects",
        ),
        (
            {
                "tool": {"name": "bluejay-gate"},
                "schema_version": 2,
                "spec_sha256": "ab",
                "simulations": [],
                "shard": {"index": 3, "count": 2, "units": []},
            },
            "'shard' is not",
        ),
        *(
            (
                {
                    "tool": {"name": "bluejay-gate"},
                    "schema_version": 2,
                    "spec_sha256": "ab",
                    "simulations": [],
                    "call_sets": call_sets,
                },
                expected,
            )
            for call_sets, expected in (
                ({}, "'call_sets' is not a list of objects"),
                ([3], "call_sets[0] is not an object"),
                ([{"files": []}], "call_sets[0] lacks `name`"),
            )
        ),
    ],
)
def test_unusable_reports_are_refused_in_one_line(
    tmp_path: Path, content: object, expected: str
) -> None:
    path = _report(tmp_path, content)
    with pytest.raises(EarlierReportError) as info:
        load_earlier(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message
    assert info.value.exit_code == 2


def test_a_missing_report_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(EarlierReportError, match=r"gone\.json: no such report"):
        load_earlier(tmp_path / "gone.json")


def test_reads_what_the_report_writes() -> None:
    """``earlier`` never imports ``report``: the version it reads, and the "nothing was
    run" line it leaves out of the gate errors, are kept equal here."""
    from bluejay_gate.earlier.document import NO_VERDICT_TEXT
    from bluejay_gate.report.wording import gate_errors
    from bluejay_gate.verdict.model import Verdict

    assert READS_VERSION == SCHEMA_VERSION == 2
    assert gate_errors(Verdict(())) == (NO_VERDICT_TEXT,)


def test_an_edited_sample_of_the_wrong_shape_is_refused_with_its_place(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    path = _write(tmp_path, spec, _awkward_inputs(spec), "r.json")
    data = json.loads(path.read_text())
    data["simulations"][1]["conversations"][0]["metrics"]["Empathy"]["applicable"] = "yes"
    path.write_text(json.dumps(data))
    with pytest.raises(EarlierReportError) as info:
        reusable(spec, load_earlier(path))
    assert "simulations[1].conversations[0].metrics['Empathy'].applicable: not true or false" in (
        str(info.value)
    )


def test_identity_refusals_name_the_hashes(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    path = _write(tmp_path, spec, _awkward_inputs(spec), "r.json")
    report = load_earlier(path)
    sha = spec_sha256(spec.path.read_bytes())
    refuse_other_spec(report, "bluejay-gate.yml", sha)  # the same spec: accepted
    refuse_changed_agent(report, fields_sha256(spec.agent.fields))
    with pytest.raises(EarlierReportError, match=r"written for another spec \(spec_sha256 "):
        refuse_other_spec(report, "bluejay-gate.yml", spec_sha256(b"other"))
    changed = fields_sha256({**spec.agent.fields, "name": "Support Bot v3"})
    with pytest.raises(EarlierReportError) as info:
        refuse_changed_agent(report, changed)
    assert "the agent changed since that run (agent fields_sha256 " in str(info.value)
    assert changed[:12] in str(info.value)
    assert "results are not reused" in str(info.value)


def test_fields_hash_is_canonical() -> None:
    assert fields_sha256({"a": 1, "b": [1, 2]}) == fields_sha256({"b": [1, 2], "a": 1})
    assert fields_sha256({"a": 1}) != fields_sha256({"a": 2})


_VALUES: dict[str, tuple[str, list[object]]] = {
    "Greeting compliance": ("pass_fail", ["pass", "fail", "NA", "maybe", True, None]),
    "Empathy": ("quantitative", ["7.25", 3, 9.5, "0.1", "abc", "NA", "1e3", None]),
    "Resolution": ("enum", ["resolved", "escalated", "NA", "resolved ", 4]),
}


@st.composite
def _results(draw: st.DrawFn) -> list[Any]:
    count = draw(st.integers(0, 6))
    made = []
    for rid in range(1, count + 1):
        metrics = {
            name: (draw(st.sampled_from(values)), rtype)
            for name, (rtype, values) in _VALUES.items()
            if draw(st.booleans())
        }
        made.append(
            result(
                rid,
                metrics,
                status=draw(st.sampled_from(["COMPLETED", "completed", "NO_ANSWER", "RUNNING"])),
                num_turns=draw(st.sampled_from([12, 1, None])),
            )
        )
    return made


@settings(max_examples=60, deadline=None)
@given(results=_results(), incomplete=st.sampled_from([0.0, 0.3, 1.0]))
def test_any_run_read_back_is_judged_the_same(
    tmp_path_factory: pytest.TempPathFactory, results: list[Any], incomplete: float
) -> None:
    """Whatever the samples, judging the report read back writes the same report."""
    tmp_path = tmp_path_factory.mktemp("roundtrip")
    spec = _spec(tmp_path)
    checks = spec.checks_for(spec.simulations[0])
    inputs = [sim(list(checks), results, runs=(run(total=len(results), passed=1),))]
    verdict = evaluate(inputs, allow_incomplete=incomplete)
    info = run_info(spec_sha256="ab", agent_fields_sha256="cd")
    path = tmp_path / "r.json"
    path.write_text(render_json(verdict, info))
    again = evaluate(_judged_again(spec, path), allow_incomplete=incomplete)
    assert render_json(again, info) == path.read_text()
    assert again.exit_code == verdict.exit_code
