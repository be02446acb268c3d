"""write_reports: every requested report, written atomically, each one independent."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bluejay_gate.report import (
    ReportWriteError,
    render_json,
    render_junit,
    render_summary,
    write_reports,
)
from tests.helpers.verdicts import failing_verdict, run_info


def test_writes_all_three_and_returns_their_paths(tmp_path: Path) -> None:
    """JUnit, JSON and summary land where asked, with exactly the renderers' text."""
    verdict, info = failing_verdict(), run_info()
    junit = tmp_path / "out" / "junit.xml"
    report = tmp_path / "out" / "report.json"
    summary = tmp_path / "summary.md"
    written = write_reports(verdict, info, junit=junit, report=report, summary=summary)
    assert written == [junit, report, summary]
    assert junit.read_text(encoding="utf-8") == render_junit(verdict, info)
    assert report.read_text(encoding="utf-8") == render_json(verdict, info)
    assert summary.read_text(encoding="utf-8") == render_summary(verdict, info)
    assert ET.parse(junit).getroot().tag == "testsuites"
    assert json.loads(report.read_text(encoding="utf-8"))["exit_code"] == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["junit.xml", "report.json"]


def test_skips_reports_without_a_path(tmp_path: Path) -> None:
    """A None path means that report is not written."""
    report = tmp_path / "report.json"
    written = write_reports(failing_verdict(), run_info(), junit=None, report=report, summary=None)
    assert written == [report]
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_one_failure_does_not_stop_the_others(tmp_path: Path) -> None:
    """An unwritable JUnit path is reported by name; the JSON and summary are still written."""
    junit = tmp_path / "junit.xml"
    junit.mkdir()  # a directory where the file should go: the rename fails
    report = tmp_path / "report.json"
    summary = tmp_path / "summary.md"
    with pytest.raises(ReportWriteError) as caught:
        write_reports(failing_verdict(), run_info(), junit=junit, report=report, summary=summary)
    error = caught.value
    assert [(kind, path) for kind, path, _ in error.failures] == [("JUnit", junit)]
    assert error.written == [report, summary]
    assert str(error).startswith(f"could not write JUnit report {junit}: ")
    assert "check that the directory exists and is writable, or pass another path" in str(error)
    assert report.exists()
    assert summary.exists()
    assert isinstance(error, OSError)
