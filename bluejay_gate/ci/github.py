"""Everything GitHub Actions-specific, and nothing that runs outside Actions.

Workflow commands (``::add-mask::``, ``::error ...::``, ``::group::``), step outputs
(``$GITHUB_OUTPUT``, multi-line safe with a random delimiter) and the step summary
(``$GITHUB_STEP_SUMMARY``, kept under GitHub's 1 MiB cap).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

from bluejay_gate.spec.thresholds import Severity
from bluejay_gate.verdict.model import Outcome, Verdict

STEP_SUMMARY_LIMIT = 1024 * 1024
ANNOTATIONS_SHOWN = 10
# Masked first, with the API key: the tokens the baseline and the comment are sent with.
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GITLAB_TOKEN")


def in_actions(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS", "").lower() == "true"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def mask_command(value: str) -> str:
    return f"::add-mask::{escape_data(value)}"


def group(title: str) -> str:
    return f"::group::{escape_data(title)}"


def endgroup() -> str:
    return "::endgroup::"


def spec_path_for_annotations(spec_path: str, env: Mapping[str, str]) -> str:
    """The spec path relative to the workspace (annotations need repository paths)."""
    workspace = env.get("GITHUB_WORKSPACE")
    path = Path(spec_path)
    if workspace:
        try:
            return Path(os.path.relpath(path.resolve(), Path(workspace).resolve())).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def error_annotations(verdict: Verdict, spec_file: str) -> list[str]:
    """One ``::error`` (or ``::warning``) per check that did not pass, located at the line
    of its threshold; plus one per simulation or gate error without a line."""
    lines = []
    for sim in verdict.simulations:
        for result in sim.checks:
            if result.outcome in {Outcome.PASS, Outcome.SKIPPED}:
                continue
            level = "error" if result.check.severity is Severity.ERROR else "warning"
            kind = "failed" if result.outcome is Outcome.FAIL else "no verdict"
            if result.outcome is Outcome.WARN:
                kind = "warning"
            props = [f"file={escape_property(spec_file)}"]
            if result.check.line:
                props.append(f"line={result.check.line}")
            props.append(f"title={escape_property(f'{sim.label}: {result.check.label} ({kind})')}")
            lines.append(f"::{level} {','.join(props)}::{escape_data(result.message)}")
        for error in sim.errors:
            where = f"file={escape_property(spec_file)},title={escape_property(sim.label)}"
            lines.append(f"::error {where}::{escape_data(error)}")
    lines.extend(f"::error title=bluejay-gate::{escape_data(e)}" for e in verdict.errors)
    return lines


def write_outputs(path: str | Path, outputs: Mapping[str, str]) -> None:
    """Append ``name<<DELIM`` blocks: safe for any value, multi-line included."""
    chunks = []
    for name, value in outputs.items():
        delimiter = f"ghadelimiter_{secrets.token_hex(12)}"
        while delimiter in value:
            delimiter = f"ghadelimiter_{secrets.token_hex(12)}"
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    with Path(path).open("a", encoding="utf-8") as fh:
        fh.write("".join(chunks))


def summary_room(path: str | Path) -> int:
    """Bytes the step summary file can still take under GitHub's 1 MiB cap."""
    target = Path(path)
    used = target.stat().st_size if target.exists() else 0
    return max(0, STEP_SUMMARY_LIMIT - used - 1024)


def append_step_summary(path: str | Path, markdown: str) -> None:
    """Append an already size-limited summary (see ``summary_room``)."""
    with Path(path).open("a", encoding="utf-8") as fh:
        fh.write(markdown)


def outputs_for(
    *,
    exit_code: int,
    agent_id: str | None,
    run_ids: Iterable[str],
    junit: Path | None,
    report: Path | None,
) -> dict[str, str]:
    return {
        "passed": "true" if exit_code == 0 else "false",
        "exit-code": str(exit_code),
        "agent-id": agent_id or "",
        "run-ids": ",".join(run_ids),
        "junit-path": str(junit) if junit else "",
        "report-path": str(report) if report else "",
        "skipped": "false",
    }


def skipped_outputs() -> dict[str, str]:
    """The outputs of a gate skipped for want of the key: ``passed`` empty, not false."""
    return {
        **outputs_for(exit_code=0, agent_id=None, run_ids=(), junit=None, report=None),
        "passed": "",
        "skipped": "true",
    }
