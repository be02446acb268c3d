#!/usr/bin/env python3
"""GitHub Action entry point: map ``INPUT_*`` variables onto the ``bluejay-gate`` CLI.

Nothing else happens here: the CLI does the work (and, in Actions, the annotations,
outputs and step summary). Inputs arrive as ``INPUT_<NAME>`` upper-cased with hyphens
kept (``INPUT_API-KEY``); the underscore spelling is accepted too; unset is "".
The container runs as root: files the gate wrote are handed back to the owner of the
workspace before exiting.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from bluejay_gate.github import mask_command


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
    ):
        if value := read_input(env, name):
            argv += [flag, value]
    if read_input(env, "dry-run").lower() in {"true", "1", "yes"}:
        argv.append("--dry-run")
    return argv


def hand_back(workspace: Path, before: set[Path]) -> None:
    """chown what the gate created to the workspace owner (the container runs as root)."""
    if os.geteuid() != 0:
        return
    stat = workspace.stat()
    for path in workspace.rglob("*"):
        if path not in before:
            try:
                os.chown(path, stat.st_uid, stat.st_gid, follow_symlinks=False)
            except OSError:
                continue


def main() -> int:
    env = dict(os.environ)
    key = read_input(env, "api-key")
    if key:
        # Escaped as the runner unescapes command data: a key with "%" is masked as is.
        sys.stdout.write(mask_command(key) + "\n")
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
    before = set(workspace.rglob("*"))
    code = subprocess.call(build_command(env), cwd=workdir, env=env)
    hand_back(workspace, before)
    return code


if __name__ == "__main__":
    sys.exit(main())
