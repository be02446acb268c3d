"""The frozen options one gate run is given: parsed once from argv and environment."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bluejay_gate.ci.github_baseline import BaselineSettings

from bluejay_gate.model.links import DASHBOARD


@dataclass(frozen=True, slots=True)
class GateOptions:
    spec_path: Path
    api_key: str = field(repr=False)
    base_url: str
    junit: Path | None = Path("bluejay-junit.xml")
    report: Path | None = Path("bluejay-report.json")
    summary: Path | None = None
    timeout: float | None = None  # overrides the spec's run.timeout
    dry_run: bool = False
    dashboard_url: str = DASHBOARD  # where the reports' dashboard links point (the demo's own)
    shard: tuple[int, int] | None = None  # ``--shard K/N``: run the K-th of N shards
    no_sync: bool = False  # ``--no-sync``: the agent must already match the spec
    rerun_failed: Path | None = None  # ``--rerun-failed``: reuse what passed in this report
    baseline: Path | None = None  # an earlier run's JSON report to compare with
    # run.wait: webhook: where to listen (HOST:PORT), https with both TLS files, and the
    # signing secret (BLUEJAY_WEBHOOK_SECRET; the environment only, never shown)
    listen: str | None = None
    listen_tls_cert: Path | None = None
    listen_tls_key: Path | None = None
    webhook_secret: str = field(default="", repr=False)
    # --baseline github: looked up before anything is queued, then ``baseline`` is its path
    baseline_github: BaselineSettings | None = None
    baseline_note: str | None = None  # which run the baseline is, or why there is none
    pr_comment: bool = False  # post the summary on the pull / merge request
