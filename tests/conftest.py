"""Shared test setup: the developer's shell never leaks into a test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
OPENAPI_PATH = SHARED / "bluejay-openapi.json"
SCHEMAS = SHARED / "schemas"

_LEAKY_PREFIXES = ("GITHUB_", "INPUT_", "BLUEJAY_", "RUNNER_")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear GITHUB_*, INPUT_*, BLUEJAY_* and NO_COLOR so each test starts from nothing."""
    for name in list(os.environ):
        if name.startswith(_LEAKY_PREFIXES) or name in {"NO_COLOR", "CI", "GITLAB_CI"}:
            monkeypatch.delenv(name, raising=False)
    return
