"""The hand-built Verdicts of tests/helpers/verdicts.py mean what they say."""

from __future__ import annotations

import pytest

from tests.helpers.verdicts import SCENARIOS, run_info


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_has_the_exit_code_it_claims(name: str) -> None:
    """Each hand-built scenario yields the exit code the reporter tests rely on."""
    build, code = SCENARIOS[name]
    assert build().exit_code == code


def test_run_info_duration() -> None:
    """RunInfo.duration_s is finish minus start, and None when either is unknown."""
    assert run_info().duration_s == 192.0
    assert run_info(finished_at=None).duration_s is None
