"""The real CLI run in-process against an emulator (``main([...])`` with
``pytest.raises(SystemExit)``), and the check that its JUnit validates and agrees with
the exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from tests.helpers.shared import validate_junit

KEY = "canary-key-5f3e9a7c1d"
SPEED = 20.0  # a conversation's ~1.7 s lifecycle takes ~0.09 s


def run_cli(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    emu: Emulator,
    spec: Path,
    *extra: str,
) -> tuple[int, str, str]:
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    argv = [
        "run",
        "--spec",
        str(spec),
        "--base-url",
        emu.base_url,
        "--junit",
        str(tmp_path / "junit.xml"),
        "--report",
        str(tmp_path / "report.json"),
        "--summary",
        str(tmp_path / "summary.md"),
        *extra,
    ]
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    code = info.value.code
    assert isinstance(code, int)
    return code, out, err


def junit_agrees(tmp_path: Path, code: int) -> str:
    xml = (tmp_path / "junit.xml").read_text()
    validate_junit(xml)
    has_problem = "<failure" in xml or "<error" in xml
    assert has_problem == (code != 0)
    return xml
