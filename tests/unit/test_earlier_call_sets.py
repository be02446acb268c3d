"""Baselines for call sets (``earlier``): a report's ``call_sets`` read back with the
simulations' conversation reader, each matched to this run's call set by name, and a
``delta`` on a call set judged against it (or skipped with the reason)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from bluejay_gate.earlier.baseline import Baseline, BaselineSkipped, attach, load_baseline
from bluejay_gate.earlier.document import EarlierCallSet, load_earlier
from bluejay_gate.earlier.samples import conversations_of
from bluejay_gate.errors import UsageError
from bluejay_gate.report.jsonreport import render_json
from bluejay_gate.spec.load import load_spec
from bluejay_gate.verdict.decided import Certainty, SimulationState, decide, simulation_certainties
from bluejay_gate.verdict.evaluate import evaluate
from bluejay_gate.verdict.inputs import BaselineSimulation, SimulationInput
from bluejay_gate.verdict.model import CALL_SET, Outcome, Verdict
from tests.helpers.baselines import baseline, delta, passes
from tests.helpers.evaluation import result, sim
from tests.helpers.verdicts import make_simulation, run_info
from tests.unit.test_earlier_baseline import conversation, edit, write_report, write_spec


def _with_call_set(path: Path, name: str, body: dict[str, object]) -> None:
    """Add to the report at ``path`` a call set entry as ``json_calls`` writes it."""
    calls = make_simulation(name, (), simulation_id="", conversations=())
    entry = json.loads(
        render_json(Verdict((dataclasses.replace(calls, kind=CALL_SET),)), run_info())
    )
    (written,) = entry["call_sets"]
    written.update(body)
    edit(path, lambda data: data.setdefault("call_sets", []).append(written))


def _calls(hits: list[bool]) -> list[dict[str, object]]:
    return [
        {
            "result_id": f"c{i}",
            "completed": True,
            "status": "COMPLETED",
            "metrics": {
                "Refund": {
                    "value": "pass" if ok else "fail",
                    "raw": "pass" if ok else "fail",
                    "response_type": "pass_fail",
                    "applicable": True,
                }
            },
        }
        for i, ok in enumerate(hits, start=1)
    ]


def test_the_report_call_sets_are_read_back(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    path = write_report(tmp_path, spec, (conversation("1", {}),))
    _with_call_set(path, "Refund calls", {"conversations": _calls([True, False, True])})
    report = load_earlier(path)
    (earlier,) = report.call_sets
    assert (earlier.name, earlier.label, earlier.index) == ("Refund calls", "Refund calls", 0)
    assert len(earlier.conversations) == 3
    found = load_baseline(path, load_spec(spec, {}))
    (refunds,) = found.call_sets
    assert (refunds.label, refunds.simulation_id, refunds.source) == ("Refund calls", "", str(path))
    assert [c.result_id for c in refunds.conversations] == ["c1", "c2", "c3"]
    assert [c.metrics["Refund"].value for c in refunds.conversations] == [True, False, True]
    assert [s.label for s in found.simulations] == ["Billing regressions"]


def test_a_report_without_call_sets_has_none(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    path = write_report(tmp_path, spec, (conversation("1", {}),))
    edit(path, lambda data: data.pop("call_sets", None))
    assert load_earlier(path).call_sets == ()
    assert load_baseline(path, load_spec(spec, {})).call_sets == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"not": "a list"}, "'call_sets' is not a list"),
        (["x"], "call_sets[0] is not an object"),
        ([{"conversations": []}], "call_sets[0] lacks `name`"),
        ([{"name": "A", "conversations": "x"}], "call_sets[0].conversations is not a list"),
    ],
)
def test_call_sets_of_the_wrong_shape_are_refused(
    tmp_path: Path, value: object, expected: str
) -> None:
    spec = write_spec(tmp_path)
    path = write_report(tmp_path, spec, ())
    edit(path, lambda data: data.__setitem__("call_sets", value))
    with pytest.raises(UsageError, match=rf"^{path}: .*") as info:
        load_earlier(path)
    assert expected in str(info.value)


def test_a_call_set_conversation_the_gate_cannot_have_written() -> None:
    earlier = EarlierCallSet("Refund calls", ({"result_id": "c1"},))
    with pytest.raises(
        UsageError, match=r"^x.json: call set 'Refund calls': conversation c1 has no completed"
    ):
        conversations_of("x.json", earlier)


def _call_input(name: str) -> SimulationInput:
    return dataclasses.replace(sim([], []), label=name, simulation_id="", kind=CALL_SET)


def test_attach_matches_call_sets_by_name_apart_from_simulations() -> None:
    billing = baseline(passes("Refund", 8, 10))
    refunds = BaselineSimulation("main.json", "Refund calls", "", passes("Refund", 9, 10))
    base = Baseline("main.json", (billing,), call_sets=(refunds,))
    # a call set named as a simulation is not that simulation, and the other way round
    inputs = [
        sim([], []),
        _call_input("Refund calls"),
        _call_input("Billing regressions"),
        _call_input("Tone calls"),
    ]
    got = [i.baseline for i in attach(inputs, base)]
    assert got[0] is billing
    assert got[1] is refunds
    assert got[2] == (
        "the baseline main.json has no call set 'Billing regressions'; it has 'Refund calls'"
    )
    assert got[3] == "the baseline main.json has no call set 'Tone calls'; it has 'Refund calls'"
    twice = Baseline("main.json", (), call_sets=(refunds, refunds))
    assert attach([_call_input("Refund calls")], twice)[0].baseline == (
        "the baseline main.json has 2 call sets named 'Refund calls'"
    )
    skipped = attach([_call_input("Refund calls")], BaselineSkipped("no earlier run on main"))
    assert skipped[0].baseline == "no baseline: no earlier run on main"


def test_a_delta_on_a_call_set_is_judged_against_its_baseline() -> None:
    check = delta("Refund", "delta(pass_rate) >= -10%")
    now = [result(i, {"Refund": ("pass" if i <= 6 else "fail", "pass_fail")}) for i in range(1, 11)]
    refunds = BaselineSimulation("main.json", "Refund calls", "", passes("Refund", 9, 10))
    base = Baseline("main.json", (), call_sets=(refunds,))
    calls = dataclasses.replace(sim([check], now), label="Refund calls", simulation_id="")
    calls = dataclasses.replace(calls, kind=CALL_SET, runs=())
    (judged,) = evaluate(attach([calls], base), allow_incomplete=False).simulations
    (res,) = judged.checks
    assert res.outcome is Outcome.FAIL
    assert res.observed == pytest.approx(-0.3)
    lacking = Baseline("main.json", (), call_sets=())
    (judged,) = evaluate(attach([calls], lacking), allow_incomplete=False).simulations
    assert judged.checks[0].outcome is Outcome.SKIPPED
    assert "has no call set 'Refund calls'" in judged.checks[0].message


def test_stop_when_decided_leaves_a_call_set_delta_open() -> None:
    """With its baseline attached, a call set's delta check is still never certain early
    (read as a plain rate, every rate is >= -10%)."""
    check = delta("Refund", "delta(pass_rate) >= -10%")
    now = [result(i, {"Refund": ("pass", "pass_fail")}) for i in range(1, 9)]
    refunds = BaselineSimulation("main.json", "Refund calls", "", passes("Refund", 9, 10))
    calls = dataclasses.replace(
        sim([check], now), label="Refund calls", simulation_id="", kind=CALL_SET, runs=()
    )
    (attached,) = attach([calls], Baseline("main.json", (), call_sets=(refunds,)))
    assert attached.baseline is refunds
    state = SimulationState(attached, 2)
    assert simulation_certainties(state)[0].certainty is Certainty.OPEN
    assert decide([state], allow_incomplete=1.0).stop is None
