"""Faults survived: with 20% of requests to every endpoint failing (429 with Retry-After,
500/502/503, slow answers, dropped connections; injected before or after the handler
ran), the gate reaches the same verdict, exit code and JUnit as without faults, and the
emulator's request log shows exactly one queue call that took effect per intended run.

The harness (tests/helpers/soak.py) is shared with ``bench/soak.py`` (many more seeds).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.soak import (
    CI_SEEDS,
    FAILING_SEEDS,
    FAULT_KINDS,
    KEY,
    SoakRun,
    fault_rules,
    soak_once,
)

_baseline: dict[bool, SoakRun] = {}


def baseline(tmp_path_factory: pytest.TempPathFactory, failing: bool = False) -> SoakRun:
    if failing not in _baseline:
        workdir = tmp_path_factory.mktemp("baseline")
        _baseline[failing] = soak_once(workdir, None, failing=failing)
    return _baseline[failing]


def test_fault_rules_add_up_to_the_rate() -> None:
    """Twelve rules (6 kinds x before/after) whose first-match odds total 20%."""
    rules = fault_rules()
    assert {(r["kind"], r["when"]) for r in rules} == {
        (k, w) for k in FAULT_KINDS for w in ("before", "after")
    }
    miss = 1.0
    for rule in rules:
        miss *= 1 - rule["rate"]
    assert 1 - miss == pytest.approx(0.2)


def test_baseline_passes_cleanly(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Without faults the quickstart passes with one queue call per simulation."""
    run = baseline(tmp_path_factory)
    assert run.exit_code == 0, run.output
    assert run.outcome == "pass"
    assert run.faults == 0
    assert run.queue_calls_taking_effect == run.intended_runs == 2
    assert "<testcase" in run.junit
    assert KEY not in run.output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("seed", "failing"),
    [(seed, False) for seed in CI_SEEDS] + [(seed, True) for seed in FAILING_SEEDS],
)
def test_faults_change_nothing(
    seed: int, failing: bool, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Same verdict, exit code and (normalised) JUnit as the fault-free run, for a
    passing and a failing gate; no run queued twice; faults really happened."""
    expected = baseline(tmp_path_factory, failing)
    assert expected.exit_code == (1 if failing else 0), expected.output
    run = soak_once(tmp_path / "gate", seed, failing=failing)
    assert run.faults >= 1, "the seed injected nothing"
    assert run.exit_code == expected.exit_code, run.output
    assert run.checks == expected.checks
    assert run.junit == expected.junit
    assert run.duplicate_runs == 0, run.output
    assert KEY not in run.output


def test_retry_delay_cap_from_environment() -> None:
    """BLUEJAY_RETRY_MAX_DELAY caps backoff and Retry-After; a bad value is a usage error."""
    from bluejay_gate.bluejay.retry import RetryPolicy, policy_from_env
    from bluejay_gate.errors import UsageError

    assert policy_from_env({}) == RetryPolicy()
    capped = policy_from_env({"BLUEJAY_RETRY_MAX_DELAY": "0.02"})
    assert (capped.max_delay, capped.base_delay) == (0.02, 0.02)
    assert capped.backoff(5) == pytest.approx(0.02)
    with pytest.raises(UsageError, match=r"BLUEJAY_RETRY_MAX_DELAY='soon' is not a number"):
        policy_from_env({"BLUEJAY_RETRY_MAX_DELAY": "soon"})
    with pytest.raises(UsageError, match="between 0 and 3600"):
        policy_from_env({"BLUEJAY_RETRY_MAX_DELAY": "-1"})


def test_polls_failing_past_their_retries_are_polled_through(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The first 14 polls answer 503 (two runs share them, so at least one poll call
    gives up after its 6 attempts): the gate polls that run again at the next tick
    instead of giving it up, and reaches the fault-free verdict."""
    expected = baseline(tmp_path_factory)
    rule = "GET /v1/retrieve-simulation-results/*:503:1:times=14:retry_after=0"
    run = soak_once(tmp_path / "gate", 1, faults=[rule])
    assert run.faults == 14
    assert "trying again at the next poll" in run.output
    assert run.exit_code == expected.exit_code, run.output
    assert run.junit == expected.junit
