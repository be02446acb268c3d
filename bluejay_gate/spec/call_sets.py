"""The ``calls:`` sets of a validated spec -> ``CallSetSpec``s: each set's checks, its
files found (the glob, relative to the spec) and read (``call_files``: one located
``SpecError`` for a bad file), its metadata merged into each call. Owns what no single
key says: two sets of one name, a glob that matches nothing, a set with nothing to check,
a check on the run-level ``score`` (calls have no run). Pure but for reading the files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bluejay_gate.model.metric_names import RUN_LEVEL
from bluejay_gate.spec.call_files import find_call_files, read_call_file
from bluejay_gate.spec.checks import build_checks
from bluejay_gate.spec.messages import Problem
from bluejay_gate.spec.resolved import CallFile, CallSetSpec, Spec
from bluejay_gate.spec.yamlpos import Located

if TYPE_CHECKING:
    from bluejay_gate.spec.spec_model import SpecModel


def build_call_sets(
    model: SpecModel,
    located: Located,
    spec_path: Path,
    problems: list[Problem],
    level: float | None,
) -> tuple[CallSetSpec, ...]:
    sets: list[CallSetSpec] = []
    names: dict[str, int] = {}
    base = spec_path.parent
    for index, set_model in enumerate(model.calls):
        path = ("calls", index)
        line = located.line_of(path)
        files_line = located.line_of((*path, "files"))
        first = names.setdefault(set_model.name, line)
        if first != line:
            problems.append(
                Problem(
                    line,
                    1,
                    (*path, "name"),
                    f"call set name {set_model.name!r} is used twice (lines {first} and "
                    f"{line}): each set is one report suite, give each its own name",
                )
            )
        checks = build_checks(set_model.thresholds, (*path, "thresholds"), located, problems, level)
        try:
            found = find_call_files(base, set_model.files)
        except ValueError as exc:
            problems.append(Problem(files_line, 1, (*path, "files"), f"{set_model.files!r} {exc}"))
            found = []
        else:
            if not found:
                problems.append(
                    Problem(
                        files_line,
                        1,
                        (*path, "files"),
                        f"{set_model.files!r} matches no file in {base}: check the glob "
                        "(relative to the spec's folder) or add golden calls "
                        "(bluejay-gate calls add --from-call-log CALL_ID)",
                    )
                )
        files = tuple(_call_file(base, f, spec_path, set_model.metadata) for f in found)
        sets.append(CallSetSpec(set_model.name, set_model.files, files, checks, line))
    return tuple(sets)


def _call_file(
    base: Path, found: Path, spec_path: Path, metadata: dict[str, Any] | None
) -> CallFile:
    rel = found.relative_to(base).as_posix()
    body = read_call_file(found, str(spec_path.parent / rel))
    if metadata:
        body["metadata"] = {**(body.get("metadata") or {}), **metadata}
    return CallFile(found, rel, body, _sha256(found))


def _sha256(path: Path) -> str:
    """The file's content hash ("" if it cannot be read again: then never reused)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def check_call_sets(spec: Spec, problems: list[Problem]) -> None:
    """Each call set has something to check, and nothing a call cannot carry."""
    for index, call_set in enumerate(spec.calls):
        checks = spec.checks_for(call_set)
        if not checks:
            problems.append(
                Problem(
                    call_set.line,
                    1,
                    ("calls", index),
                    f"call set {call_set.name!r} has nothing to check: add `thresholds:` at "
                    "the top level or under the set — a gate with no checks would pass "
                    "without looking",
                )
            )
        problems.extend(
            Problem(
                check.line or call_set.line,
                1,
                ("calls", index, "thresholds", check.metric),
                f"call set {call_set.name!r}: {check.metric!r} is a simulation run's number "
                "(tests passed / total); recorded calls have no run: check their metrics",
            )
            for check in checks
            if check.metric in RUN_LEVEL and check.metric in call_set.thresholds
        )
