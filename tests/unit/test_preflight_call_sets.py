"""preflight (pure): a ``calls:`` set's thresholds are checked against the metric
definitions as a simulation's are: names, kinds, ``min_samples`` against its files."""

from __future__ import annotations

import json
from pathlib import Path

from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.resolved import Spec
from bluejay_gate.verdict.definitions import check, needed_metrics
from tests.unit.test_preflight_checks import DEFS, facts

CALL = {
    "start_time_utc": "2026-03-02T14:05:00Z",
    "participants": [{"role": "AGENT"}, {"role": "USER"}],
    "transcript": [
        {"start_offset_ms": 0, "end_offset_ms": 900, "speaker": "USER", "utterance": "hi"}
    ],
}


def spec_with_calls(tmp_path: Path, thresholds: str, *, simulations: bool = False) -> Spec:
    (tmp_path / "golden").mkdir()
    for name in ("a.json", "b.json"):
        (tmp_path / "golden" / name).write_text(json.dumps(CALL))
    text = "version: 1\nagent:\n  name: Bot\n"
    if simulations:
        text += "simulations:\n  - id: 4821\n    thresholds:\n      Empathy: mean >= 1\n"
    text += "calls:\n  - name: Golden\n    files: golden/*.json\n    thresholds:\n" + thresholds
    path = tmp_path / "spec.yml"
    path.write_text(text)
    return load_spec(path, {})


def test_call_set_metrics_are_needed(tmp_path: Path) -> None:
    spec = spec_with_calls(
        tmp_path, "      Polite: rate >= 50%\n      goal_success: rate >= 5%\n", simulations=True
    )
    assert needed_metrics(spec) == ["Empathy", "Polite"]


def test_unknown_and_misfit_call_set_thresholds(tmp_path: Path) -> None:
    spec = spec_with_calls(
        tmp_path,
        "      Empaty: mean >= 7\n"
        "      Polite: mean >= 7\n"
        "      Empathy:\n        check: mean >= 7\n        min_samples: 3\n"
        "      Resolution: share(resolved) >= 50%\n",
    )
    problems = check(spec, DEFS, [])
    assert [(p.line, p.metric) for p in problems] == [
        (8, "Empaty"),
        (9, "Polite"),
        (10, "Empathy"),
    ]
    assert "no custom metric named 'Empaty'" in problems[0].message
    assert "did you mean 'Empathy'?" in problems[0].message
    assert "'Polite' (yes_no, pass/fail)" in problems[1].message
    assert problems[2].message.startswith(
        "min_samples 3 cannot be reached: call set 'Golden' has 2 call files (golden/*.json)"
    )


def test_call_sets_with_unreadable_definitions_check_only_min_samples(tmp_path: Path) -> None:
    spec = spec_with_calls(
        tmp_path, "      Empaty:\n        check: mean >= 7\n        min_samples: 2\n"
    )
    assert check(spec, None, []) == []


def test_a_simulation_and_a_call_set_each_checked(tmp_path: Path) -> None:
    spec = spec_with_calls(tmp_path, "      Tone: mean >= 7\n", simulations=True)
    problems = check(spec, DEFS, [facts(selected=frozenset({"m-greet"}))])
    assert [p.metric for p in problems] == ["Empathy", "Tone"]
    assert "is not selected for Billing" in problems[0].message
    assert "no custom metric named 'Tone'" in problems[1].message
