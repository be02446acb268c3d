"""Reporters: each takes a ``Verdict`` (plus ``RunInfo``) and returns text (JUnit and JSON
also in parts, ``iter_junit`` and ``iter_json``, so a large report is streamed to disk).

``write_reports`` is the one place that turns them into files, atomically. Rendering
is pure; only ``bluejay_gate.report.files.write_atomic`` touches the disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from bluejay_gate.report.console import render_verdict_block, use_color
from bluejay_gate.report.files import write_atomic
from bluejay_gate.report.info import RunInfo
from bluejay_gate.report.jsonreport import SCHEMA_VERSION, iter_json, render_json
from bluejay_gate.report.junit import iter_junit, render_junit
from bluejay_gate.report.summary import STEP_SUMMARY_LIMIT, render_summary
from bluejay_gate.verdict.model import Verdict

__all__ = [
    "SCHEMA_VERSION",
    "STEP_SUMMARY_LIMIT",
    "ReportWriteError",
    "RunInfo",
    "render_json",
    "render_junit",
    "render_summary",
    "render_verdict_block",
    "use_color",
    "write_reports",
]


class ReportWriteError(OSError):
    """One or more reports could not be written; the others were. Lists each failure."""

    def __init__(
        self, failures: list[tuple[str, Path, BaseException]], written: list[Path]
    ) -> None:
        self.failures = failures
        self.written = written
        details = "; ".join(
            f"{kind} report {path}: {error.__class__.__name__}: {error}"
            for kind, path, error in failures
        )
        super().__init__(
            f"could not write {details} — check that the directory exists and is writable, "
            "or pass another path"
        )


def write_reports(
    verdict: Verdict,
    info: RunInfo,
    *,
    junit: Path | None,
    report: Path | None,
    summary: Path | None,
) -> list[Path]:
    """Render and atomically write each report whose path is given; return the paths
    written, in the order junit, report, summary.

    One report failing does not stop the others: every one is attempted, then
    ``ReportWriteError`` (an ``OSError``) is raised naming each that failed.
    """
    jobs: list[tuple[str, Path | None, Callable[[], str | Iterable[str]]]] = [
        ("JUnit", junit, lambda: iter_junit(verdict, info)),
        ("JSON", report, lambda: iter_json(verdict, info)),
        ("Markdown summary", summary, lambda: render_summary(verdict, info)),
    ]
    written: list[Path] = []
    failures: list[tuple[str, Path, BaseException]] = []
    for kind, path, render in jobs:
        if path is None:
            continue
        try:
            write_atomic(path, render())
        except (OSError, ValueError) as error:  # UnicodeError is a ValueError
            failures.append((kind, path, error))
        else:
            written.append(path)
    if failures:
        raise ReportWriteError(failures, written)
    return written
