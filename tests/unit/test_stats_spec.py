"""Spec keys for repeats, confidence and each_digital_human: loaded values and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluejay_gate.errors import SpecError
from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.thresholds import Aggregate

BASE = """\
version: 1
agent:
  name: Support Bot
run:
{run}
simulations:
  - id: 4821
{sim}
thresholds:
  goal_success:
{checks}
"""


def write(tmp_path: Path, *, run: str = "  timeout: 1m", sim: str = "", checks: str = "") -> Path:
    checks = checks or "    - pass_rate >= 80%"
    path = tmp_path / "spec.yml"
    path.write_text(BASE.format(run=run, sim=sim, checks=checks), encoding="utf-8")
    return path


def error(tmp_path: Path, **parts: str) -> str:
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, **parts), env={})
    text = str(info.value)
    assert "\n" not in text
    return text.removeprefix(f"{tmp_path / 'spec.yml'}:")


def test_defaults_leave_checks_as_they_were(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path), env={})
    assert spec.run.repeat == 1
    assert spec.run.max_repeats is None
    assert spec.run.confidence is None
    sim = spec.simulations[0]
    assert (sim.repeat, sim.max_repeats) == (1, None)
    (check,) = spec.checks_for(sim)
    assert check.confidence is None
    assert not check.per_digital_human


def test_run_keys_and_per_check_override(tmp_path: Path) -> None:
    spec = load_spec(
        write(
            tmp_path,
            run="  repeat: 3\n  max_repeats: 6\n  confidence: 95%",
            sim="    repeat: 2",
            checks=(
                "    - pass_rate >= 80%\n"
                "    - {check: fail_rate <= 30%, confidence: 0.9}\n"
                "    - count >= 4\n"
                "    - each_digital_human: passes >= 2\n"
            ),
        ),
        env={},
    )
    assert spec.run.confidence == pytest.approx(0.95)
    sim = spec.simulations[0]
    assert (sim.repeat, sim.max_repeats) == (2, 6)
    assert "repeat" not in sim.queue_options
    rate, fail_rate, count, each = spec.checks_for(sim)
    assert rate.confidence == pytest.approx(0.95)
    assert fail_rate.confidence == pytest.approx(0.9)
    assert count.confidence is None  # the run default applies only where it can
    assert each.per_digital_human
    assert each.aggregate is Aggregate.PASSES
    assert each.threshold == 2
    assert each.confidence is None
    assert each.label == "goal_success: each digital human passes >= 2"


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (
            {"run": "  confidence: 0.4"},
            "5: run.confidence: confidence 0.4 is out of range: write a level above 50% "
            "and below 100%, e.g. 0.95 or 95%",
        ),
        (
            {"run": "  confidence: 100%"},
            "5: run.confidence: confidence '100%' is out of range",
        ),
        ({"run": "  repeat: 0"}, "5: run.repeat: must be at least 1, got a number 0"),
        (
            {"run": "  repeat: 3\n  max_repeats: 2\n  confidence: 0.95"},
            "6: run.max_repeats: max_repeats 2 is less than repeat 3 for simulation 4821",
        ),
        (
            {"sim": "    repeat: 4\n    max_repeats: 3", "run": "  confidence: 0.95"},
            "9: simulations[0].max_repeats: max_repeats 3 is less than repeat 4",
        ),
        (
            {"run": "  max_repeats: 5"},
            "5: run.max_repeats: max_repeats stops early only on checks with `confidence`",
        ),
        (
            {"checks": "    - {check: median >= 7, confidence: 0.9}"},
            '11: thresholds."goal_success"[0].confidence: confidence does not apply to '
            "'median >= 7': only rate/pass_rate, fail_rate, share(VALUE) and mean checks",
        ),
        (
            {"checks": "    - {check: pass_rate == 80%, confidence: 0.9}"},
            '11: thresholds."goal_success"[0].confidence: confidence does not apply to '
            "'pass_rate == 80%': an interval can settle >=, >, <= or <, never == or !=",
        ),
        (
            {"checks": "    - {each_digital_human: passes >= 2, confidence: 0.9}"},
            '11: thresholds."goal_success"[0].confidence: confidence does not apply to an '
            "each_digital_human rule",
        ),
        (
            {"checks": "    - {each_digital_human: mean >= 2}"},
            "11: thresholds.\"goal_success\"[0].each_digital_human: 'mean >= 2' cannot be a "
            "per-digital-human rule",
        ),
        (
            {"checks": "    - {each_digital_human: passes >= 50%}"},
            "11: thresholds.\"goal_success\"[0].each_digital_human: 'passes >= 50%': `passes` "
            "is a number of conversations",
        ),
        (
            {"checks": "    - {check: pass_rate >= 80%, each_digital_human: passes >= 2}"},
            '11: thresholds."goal_success"[0]: give `check:` or `each_digital_human:`, not both',
        ),
        (
            {"sim": "    runs_per_digital_human: 2\n    repeat: 3"},
            "9: simulations[0].repeat: simulation 4821 sets runs_per_digital_human and repeat > 1",
        ),
    ],
)
def test_errors_are_located(tmp_path: Path, parts: dict[str, str], expected: str) -> None:
    assert error(tmp_path, **parts).startswith(expected)
