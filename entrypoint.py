#!/usr/bin/env python3
"""GitHub Action entry point: map ``INPUT_*`` variables onto the ``bluejay-gate`` CLI.

Nothing else happens here: the CLI does the work (and, in Actions, the annotations,
outputs and step summary). Inputs arrive as ``INPUT_<NAME>`` upper-cased with hyphens
kept (``INPUT_API-KEY``); the underscore spelling is accepted too; unset is "".
``api-key`` becomes ``BLUEJAY_API_KEY`` and ``github-token`` ``GITHUB_TOKEN`` (for the
baseline and the pull-request comment), both masked first.
The container runs as root: files the gate wrote are handed back to the owner of the
workspace before exiting, also files that existed before and were rewritten.

The entrypoint is the container's first process, which gets no default signal handling:
SIGINT and SIGTERM (how the runner cancels a job) are handed on to the gate, which ends its
running conversations and writes its reports; the entrypoint then hands the files back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from bluejay_gate.ci.github import mask_command


def read_input(env: Mapping[str, str], name: str) -> str:
    upper = name.upper()
    for key in (f"INPUT_{upper}", f"INPUT_{upper.replace('-', '_')}"):
        value = env.get(key, "").strip()
        if value:
            return value
    return ""


def build_command(env: Mapping[str, str]) -> list[str]:
    argv = [sys.executable, "-m", "bluejay_gate", "run"]
    argv += ["--spec", read_input(env, "spec") or "bluejay-gate.yml"]
    for name, flag in (
        ("base-url", "--base-url"),
        ("junit-path", "--junit"),
        ("report-path", "--report"),
        ("timeout", "--timeout"),
        ("baseline", "--baseline"),
        ("baseline-artifact", "--baseline-artifact"),
        ("baseline-workflow", "--baseline-workflow"),
        ("baseline-max-age", "--baseline-max-age"),
        ("on-missing-key", "--on-missing-key"),
        ("shard", "--shard"),
        ("rerun-failed", "--rerun-failed"),
    ):
        if value := read_input(env, name):
            argv += [flag, value]
    for name, flag in (
        ("dry-run", "--dry-run"),
        ("pr-comment", "--pr-comment"),
        ("no-sync", "--no-sync"),
    ):
        if read_input(env, name).lower() in {"true", "1", "yes"}:
            argv.append(flag)
    return argv


def hand_back(workspace: Path, before: set[Path], started: float) -> None:
    """chown what the gate created or rewrote since ``started`` (a report written again
    is a new file: atomic writes replace it) to the workspace owner; the container runs
    as root."""
    if os.geteuid() != 0:
        return
    owner = workspace.stat()
    for path in workspace.rglob("*"):
        try:
            stat = path.lstat()
            if path in before and stat.st_mtime < started:
                continue
            if (stat.st_uid, stat.st_gid) != (owner.st_uid, owner.st_gid):
                os.chown(path, owner.st_uid, owner.st_gid, follow_symlinks=False)
        except OSError:
            continue


def run_forwarding_signals(argv: list[str], cwd: Path, env: Mapping[str, str]) -> int:
    """Run the gate; SIGINT and SIGTERM received meanwhile are sent on to it (a second
    one too: the gate then exits at once). Returns its exit code (3 if a signal killed it)."""
    # Its own process group: a Ctrl-C on a terminal reaches it once, through us, not twice.
    child = subprocess.Popen(argv, cwd=cwd, env=dict(env), process_group=0)

    def forward(signum: int, _frame: FrameType | None) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = child.wait()  # the handler runs inside; wait() resumes after it (PEP 475)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code if code >= 0 else 3


def main() -> int:
    env = dict(os.environ)
    key = read_input(env, "api-key")
    token = read_input(env, "github-token")
    for secret in (key, token):
        if secret:
            # Escaped as the runner unescapes command data: a key with "%" is masked as is.
            sys.stdout.write(mask_command(secret) + "\n")
    sys.stdout.flush()
    workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd())
    workdir = workspace / read_input(env, "working-directory")
    if not workdir.resolve().is_relative_to(workspace.resolve()):
        sys.stdout.write(
            "::error title=bluejay-gate::working-directory must be inside the workspace\n"
        )
        return 2
    if key:
        env["BLUEJAY_API_KEY"] = key
    if token:  # the baseline and the pull-request comment are fetched and sent with it
        env["GITHUB_TOKEN"] = token
    before = set(workspace.rglob("*"))
    started = time.time() - 1.0  # mtime granularity: rather one file too many than one too few
    code = run_forwarding_signals(build_command(env), workdir, env)
    hand_back(workspace, before, started)
    return code


if __name__ == "__main__":
    sys.exit(main())
