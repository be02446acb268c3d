"""Which gate attempt a recorded call belongs to: the attempt's id (the CI's run and
attempt, else ``BLUEJAY_GATE_RUN_ID``, else the process's own) and each call's trace id
derived from it and the file, so a retry of one attempt finds the call it sent and another
attempt sends anew. Pure."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping


def trace_id_for(gate_run: str, set_name: str, file: str) -> str:
    """The call's trace id: the same for a retry of one gate attempt (so the look-up
    finds a call the lost answer created), different for another attempt or file."""
    digest = hashlib.sha256(f"{gate_run}\0{set_name}\0{file}".encode()).hexdigest()
    return f"bluejay-gate-{digest[:32]}"


def attempt_is_named(env: Mapping[str, str]) -> bool:
    """True when ``gate_run_id`` comes from the environment (not this process's own id):
    a retried step of one CI attempt then has the same trace ids."""
    return any(env.get(k) for k in ("GITHUB_RUN_ID", "CI_JOB_ID", "BLUEJAY_GATE_RUN_ID"))


def gate_run_id(env: Mapping[str, str], fallback: str) -> str:
    """One gate attempt's id: the CI's run and attempt (GitHub, GitLab), else
    ``BLUEJAY_GATE_RUN_ID``, else ``fallback`` (this process's own)."""
    if env.get("GITHUB_RUN_ID"):
        return (
            f"github-{env.get('GITHUB_REPOSITORY', '')}-{env['GITHUB_RUN_ID']}-"
            f"{env.get('GITHUB_RUN_ATTEMPT', '1')}-{env.get('GITHUB_JOB', '')}"
        )
    if env.get("CI_JOB_ID"):
        return f"gitlab-{env.get('CI_PROJECT_ID', '')}-{env['CI_JOB_ID']}"
    return env.get("BLUEJAY_GATE_RUN_ID") or fallback
