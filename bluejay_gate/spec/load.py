"""Load ``bluejay-gate.yml`` into a frozen ``Spec``, or fail with one ``SpecError`` line.

Pipeline: read the file into YAML with line numbers (``source``) -> version and API-key
checks -> ``${VAR}`` substitution (``env``) -> pydantic models (``spec_model``: types,
unknown keys, threshold grammar, ``{file: ...}``) -> ``Spec`` and the checks across
sections (``build``). The first error in file order is raised as ``SpecError(file, line,
key)``, rendered ``file:line: key: message`` on one line. Nothing here touches the network,
and importing it stays cheap. The JSON Schema of the file lives in ``schema``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bluejay_gate.errors import SpecError
from bluejay_gate.spec.build import build_spec
from bluejay_gate.spec.env import check_key_like, substitute
from bluejay_gate.spec.messages import Problem, key_path, translate_errors
from bluejay_gate.spec.resolved import Spec
from bluejay_gate.spec.source import one_line, read_located
from bluejay_gate.spec.spec_model import SpecModel
from bluejay_gate.spec.yamlpos import Located


def load_spec(path: str | Path, env: Mapping[str, str] | None = None) -> Spec:
    """Read and validate the spec at ``path``. Raises ``SpecError`` (file, line, key)."""
    spec_path = Path(path)
    file = one_line(str(path))
    environ: Mapping[str, str] = os.environ if env is None else env
    located = read_located(spec_path, file)
    problems: list[Problem] = []
    _check_version(located, problems)
    check_key_like(located, located.value, (), problems)
    data, from_env = substitute(located, environ, problems)
    model: SpecModel | None = None
    try:
        # Top-level ``x-...`` keys are free (a place for YAML anchors), as in Compose files.
        data = {k: v for k, v in data.items() if not k.startswith("x-")}
        model = SpecModel.model_validate(data, context={"base_dir": spec_path.parent})
    except ValidationError as exc:
        problems.extend(
            p for p in translate_errors(exc, data, located, from_env) if p.path[:1] != ("version",)
        )
    _raise_first(problems, file)
    assert model is not None  # validation succeeded: there were no problems
    spec = build_spec(model, located, spec_path, problems)
    _raise_first(problems, file)
    return spec


def _check_version(located: Located, problems: list[Problem]) -> None:
    data = located.value
    if "version" not in data:
        problems.append(Problem(1, 2, (), "missing `version`: add `version: 1` at the top"))
        return
    version = data["version"]
    if version == 1 and not isinstance(version, bool):
        return
    problems.append(
        Problem(
            located.line_of(("version",)),
            1,
            ("version",),
            f"unsupported spec version {_short(version)}: this bluejay-gate reads version 1",
        )
    )


def _raise_first(problems: list[Problem], file: str) -> None:
    if not problems:
        return
    first = min(problems, key=lambda p: (p.line, p.priority))
    raise SpecError(one_line(first.message), file=file, line=first.line, key=key_path(first.path))


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."
