"""Where the CI forges join a gate run: ``--baseline github`` resolved into a path before
anything is queued (``github_baseline``: the download lives only while the gate reads
it), and ``--pr-comment`` after the reports are written (``comment_on_request``). Both
only say what happened in one line: neither ever stops the gate or changes its exit code.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO, TypeVar

from bluejay_gate import events
from bluejay_gate.ci import github
from bluejay_gate.ci.github_baseline import Found, Skipped, find_github_baseline
from bluejay_gate.ci.pr_comment import COMMENT_LIMIT, Posted, post_comment
from bluejay_gate.options import GateOptions
from bluejay_gate.report.info import RunInfo
from bluejay_gate.report.summary import render_summary
from bluejay_gate.verdict.model import Verdict

T = TypeVar("T")

# The whole baseline look-up (a few pages, compares, the download) gets this long.
BASELINE_BUDGET = 120.0
# The comment, all its requests: after a cancel little (the runner kills the job soon).
COMMENT_BUDGET = 60.0
COMMENT_BUDGET_CANCELLED = 1.5
COMMENT_REQUEST_TIMEOUT = 10.0  # each request; the budget above bounds them all


def in_time(
    work: Callable[[], T], budget: float, cancel: threading.Event | None = None
) -> T | None:
    """``work()`` in a daemon thread; None when it is not done within ``budget`` seconds
    or by a ``cancel`` (it is then left behind: a hung request must not hold the gate)."""
    results: list[T] = []
    worker = threading.Thread(target=lambda: results.append(work()), daemon=True)
    worker.start()
    until = time.monotonic() + budget
    while worker.is_alive() and time.monotonic() < until:
        if cancel is not None and cancel.is_set():
            break
        worker.join(min(0.05, max(0.0, until - time.monotonic())))
    return results[0] if results else None


def with_github_baseline(
    opts: GateOptions,
    env: Mapping[str, str],
    emit: events.Emit,
    *,
    cancel: threading.Event | None = None,
    budget: float = BASELINE_BUDGET,
    dest: Path | None = None,
) -> GateOptions:
    """``opts`` with ``baseline`` set to the downloaded report (or left unset) and
    ``baseline_note`` saying which run it is, or why there is none. The look-up runs in a
    thread that is given up on at ``cancel`` or after ``budget`` seconds. The report is
    downloaded into ``dest`` (default: a new temporary folder removed at exit)."""
    settings = opts.baseline_github
    if settings is None:
        return opts
    if dest is None:
        dest = Path(tempfile.mkdtemp(prefix="bluejay-gate-baseline-"))
        atexit.register(shutil.rmtree, dest, ignore_errors=True)
    found = in_time(
        lambda: find_github_baseline(env, settings, dest, now=datetime.now(UTC)), budget, cancel
    )
    if found is None:
        why = "cancelled" if cancel is not None and cancel.is_set() else f"over {budget:g} s"
        found = Skipped(f"no baseline: GitHub's API did not answer in time ({why})")
    if isinstance(found, Found):
        emit(events.Info(found.note))
        if found.warning:
            emit(events.Warning(found.warning))
        return dataclasses.replace(opts, baseline=found.path, baseline_note=found.note)
    # The gate says it, as for every baseline it skips ("no baseline: ...").
    return dataclasses.replace(opts, baseline=None, baseline_note=found.reason)


@contextlib.contextmanager
def github_baseline(
    opts: GateOptions,
    env: Mapping[str, str],
    emit: events.Emit,
    *,
    cancel: threading.Event | None = None,
) -> Iterator[GateOptions]:
    """``with_github_baseline`` for the time the gate reads the report: the download is
    removed as soon as the block ends, however it ends. A look-up thread given up on may
    still write into the folder later: removing it again at exit is the backstop."""
    if opts.baseline_github is None:
        yield opts
        return
    dest = Path(tempfile.mkdtemp(prefix="bluejay-gate-baseline-"))
    atexit.register(shutil.rmtree, dest, ignore_errors=True)
    try:
        yield with_github_baseline(opts, env, emit, cancel=cancel, dest=dest)
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def comment_on_request(
    opts: GateOptions,
    verdict: Verdict,
    info: RunInfo,
    *,
    env: Mapping[str, str],
    out: TextIO,
    cancelled: bool = False,
) -> None:
    """``--pr-comment``: post (or update) the summary; a failure is a warning line."""
    if not opts.pr_comment:
        return
    markdown = render_summary(verdict, info, max_bytes=COMMENT_LIMIT)
    spec_key = github.spec_path_for_annotations(str(opts.spec_path), env)
    budget = COMMENT_BUDGET_CANCELLED if cancelled else COMMENT_BUDGET

    def post() -> Posted:
        try:
            return post_comment(markdown, spec_key, env, timeout=COMMENT_REQUEST_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - a comment never changes the verdict
            return Posted("failed", f"comment not posted (internal error {type(exc).__name__})")

    posted = in_time(post, budget) or Posted(
        "failed", f"comment not posted: no answer within {budget:g} s"
    )
    outcome, message = posted.outcome, posted.message
    if outcome != "failed":
        out.write(message + "\n")
    elif github.in_actions(env):
        out.write(f"::warning title=bluejay-gate::{github.escape_data(message)}\n")
    else:
        out.write(f"warning: {message}\n")
    out.flush()
