"""Shared test setup: the developer's shell never leaks into a test, and tests marked
``needs_shared`` skip (one reason: where to put the files) when ../shared is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers.shared import MISSING_REASON, shared_missing

ROOT = Path(__file__).resolve().parent.parent

_LEAKY_PREFIXES = ("GITHUB_", "INPUT_", "BLUEJAY_", "RUNNER_")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear GITHUB_*, INPUT_*, BLUEJAY_* and NO_COLOR so each test starts from nothing."""
    for name in list(os.environ):
        if name.startswith(_LEAKY_PREFIXES) or name in {"NO_COLOR", "CI", "GITLAB_CI"}:
            monkeypatch.delenv(name, raising=False)
    return


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the shared folder's files, ``needs_shared`` tests skip before they start."""
    if not shared_missing():
        return
    skip = pytest.mark.skip(reason=MISSING_REASON)
    for item in items:
        if item.get_closest_marker("needs_shared"):
            item.add_marker(skip)
