"""Load ``bluejay-gate.yml`` into a frozen ``Spec``, or fail with one ``SpecError`` line.

Pipeline: read the file -> YAML with line numbers (``yamlpos``) -> version and API-key
checks -> ``${VAR}`` substitution -> pydantic models (``spec_models``: types, unknown keys,
threshold grammar, ``{file: ...}``) -> cross-field checks -> ``Spec``. The first error in
file order is raised as ``SpecError(file, line, key)``, rendered ``file:line: key: message``
on one line. Nothing here touches the network, and importing it stays cheap.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bluejay_gate.errors import SpecError
from bluejay_gate.model.durations import parse_duration
from bluejay_gate.spec.env import check_key_like, substitute
from bluejay_gate.spec.messages import Problem, key_path, translate_errors
from bluejay_gate.spec.models import CheckModel, SpecModel
from bluejay_gate.spec.thresholds import (
    CONFIDENCE_AGGREGATES,
    CONFIDENCE_WORDS,
    Aggregate,
    Check,
    Op,
    ParsedExpression,
    Severity,
    parse_each,
    parse_expression,
)
from bluejay_gate.spec.yamlpos import Located, YamlError, load_located
from bluejay_gate.spec.yamlpos import Path as KeyPath

__all__ = [
    "AgentSpec",
    "RunSettings",
    "SimulationSpec",
    "Spec",
    "SpecError",
    "load_spec",
    "parse_duration",
    "spec_json_schema",
]

SCHEMA_ID = (
    "https://raw.githubusercontent.com/bluejay-gate/bluejay-gate/main/bluejay-gate.schema.json"
)

_AGENT_NOT_SENT = frozenset({"external_id", "id"})


@dataclass(frozen=True)
class AgentSpec:
    """The agent section, resolved: prompt files read, ``${VAR}`` substituted."""

    external_id: str | None
    id: str | None
    name: str
    fields: Mapping[str, Any]  # AgentRequest fields to send (snake_case); no external_id
    line: int
    field_lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RunSettings:
    """``run:``: seconds, seconds, count, fraction 0..1."""

    timeout: float = 1800.0
    poll_interval: float = 10.0
    max_parallel: int = 10
    allow_incomplete: float = 0.0
    repeat: int = 1
    max_repeats: int | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class SimulationSpec:
    """One entry of ``simulations:``."""

    id: str | None
    name: str | None
    digital_human_ids: tuple[str, ...] | None
    thresholds: Mapping[str, tuple[Check, ...]]  # this simulation's own, before merging
    queue_options: Mapping[str, Any]  # other queue-simulation-run fields given in the spec
    line: int
    repeat: int = 1  # conversations per digital human in the first look
    max_repeats: int | None = None  # early stopping: at most this many per digital human

    @property
    def label(self) -> str:
        """The report label: the spec's name, else ``simulation <id>``."""
        return self.name if self.name is not None else f"simulation {self.id}"


@dataclass(frozen=True)
class Spec:
    """A validated spec file."""

    path: Path
    agent: AgentSpec
    run: RunSettings
    simulations: tuple[SimulationSpec, ...]
    thresholds: Mapping[str, tuple[Check, ...]]  # global

    def checks_for(self, sim: SimulationSpec) -> tuple[Check, ...]:
        """Global checks merged with ``sim``'s: a metric the simulation lists replaces every
        global check on that metric. Order: global metrics, then the simulation's own."""
        merged: list[Check] = []
        for metric, checks in self.thresholds.items():
            merged.extend(sim.thresholds.get(metric, checks))
        for metric, checks in sim.thresholds.items():
            if metric not in self.thresholds:
                merged.extend(checks)
        return tuple(merged)


def load_spec(path: str | Path, env: Mapping[str, str] | None = None) -> Spec:
    """Read and validate the spec at ``path``. Raises ``SpecError`` (file, line, key)."""
    spec_path = Path(path)
    file = _one_line(str(path))
    environ: Mapping[str, str] = os.environ if env is None else env
    located = _parse(spec_path, file)
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
    spec = _build(model, located, spec_path, problems)
    _raise_first(problems, file)
    return spec


def spec_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the spec file, generated from the pydantic models."""
    body = SpecModel.model_json_schema()
    body.pop("title", None)
    description = body.pop("description", "")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "bluejay-gate spec",
        "description": (
            f"{description} The YAML file that tells bluejay-gate which agent to create or "
            "update, which Bluejay simulations to run, and which thresholds the results must "
            "meet. ${VAR} in any string value is read from the environment ($${ for a "
            "literal ${). The API key never goes in this file: set BLUEJAY_API_KEY."
        ).strip(),
        **body,
        "patternProperties": {
            "^x-": {
                "description": (
                    "Ignored by bluejay-gate: a place for YAML anchors shared by other keys."
                ),
                "examples": [{"runs_per_digital_human": 2}],
            }
        },
    }


# --- reading -------------------------------------------------------------------------


def _parse(spec_path: Path, file: str) -> Located:
    try:
        raw = spec_path.read_bytes()
    except FileNotFoundError:
        raise SpecError("spec file not found: create it or pass --spec PATH", file=file) from None
    except IsADirectoryError:
        raise SpecError(
            "is a folder, not a spec file: pass --spec PATH/bluejay-gate.yml", file=file
        ) from None
    except OSError as exc:
        raise SpecError(f"cannot read the spec: {exc.strerror}", file=file) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError(
            f"not UTF-8 text (byte {exc.start}): save the spec as UTF-8", file=file, line=line
        ) from None
    try:
        located = load_located(text)
    except YamlError as exc:
        raise SpecError(_one_line(exc.message), file=file, line=exc.line) from None
    if located is None:
        raise SpecError(
            "the spec is empty: start with `version: 1`, then `agent:`, `simulations:` and "
            "`thresholds:`",
            file=file,
            line=1,
        )
    if not isinstance(located.value, dict):
        kind = "a list" if isinstance(located.value, list) else "a single value"
        raise SpecError(
            f"the spec must be a mapping with `version`, `agent`, `simulations` and "
            f"`thresholds`, found {kind}",
            file=file,
            line=1,
        )
    return located


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


# --- building ------------------------------------------------------------------------


def _build(model: SpecModel, located: Located, spec_path: Path, problems: list[Problem]) -> Spec:
    agent_data = model.agent.model_dump(exclude_unset=True)
    agent = AgentSpec(
        external_id=_as_str(model.agent.external_id),
        id=_as_str(model.agent.id),
        name=model.agent.name,
        fields={k: v for k, v in agent_data.items() if k not in _AGENT_NOT_SENT},
        line=located.line_of(("agent",)),
        field_lines={k: located.line_of(("agent", k)) for k in agent_data},
    )
    run = RunSettings(
        timeout=float(model.run.timeout),
        poll_interval=float(model.run.poll_interval),
        max_parallel=model.run.max_parallel,
        allow_incomplete=float(model.run.allow_incomplete),
        repeat=model.run.repeat,
        max_repeats=model.run.max_repeats,
        confidence=None if model.run.confidence is None else float(model.run.confidence),
    )
    level = run.confidence
    global_checks = _thresholds(model.thresholds, ("thresholds",), located, problems, level)
    sims: list[SimulationSpec] = []
    seen: dict[tuple[str, str], tuple[int, str]] = {}
    for index, sim_model in enumerate(model.simulations):
        path: KeyPath = ("simulations", index)
        line = located.line_of(path)
        sim_id = _as_str(sim_model.id)
        # Ids compare as Bluejay's integers: 4821 and "04821" are one simulation.
        identity = (
            ("id", _same_id(sim_id)) if sim_id is not None else ("name", sim_model.name or "")
        )
        spelled = f"{sim_model.id!r}" if sim_id is not None else f"{sim_model.name!r}"
        if identity in seen:
            first_line, first_spelled = seen[identity]
            what = (
                f"simulation id {_same_id(sim_id)}"
                if sim_id is not None
                else f"simulation name {sim_model.name!r}"
            )
            problems.append(
                Problem(
                    line,
                    1,
                    path,
                    f"{what} is listed twice: line {first_line} ({first_spelled}) and line "
                    f"{line} ({spelled}) would queue the same simulation twice; remove one "
                    "(use repeat to run it more often)",
                )
            )
        seen.setdefault(identity, (line, spelled))
        options = sim_model.model_dump(
            exclude_unset=True,
            exclude={"id", "name", "digital_human_ids", "thresholds", "repeat", "max_repeats"},
        )
        dh = sim_model.digital_human_ids
        sim = SimulationSpec(
            id=sim_id,
            name=sim_model.name,
            digital_human_ids=None if dh is None else tuple(str(d) for d in dh),
            thresholds=_thresholds(
                sim_model.thresholds, (*path, "thresholds"), located, problems, level
            ),
            queue_options=options,
            line=line,
            repeat=sim_model.repeat or run.repeat,
            max_repeats=sim_model.max_repeats or run.max_repeats,
        )
        sims.append(sim)
    spec = Spec(
        path=spec_path,
        agent=agent,
        run=run,
        simulations=tuple(sims),
        thresholds=global_checks,
    )
    if problems:  # a dropped bad check must not also read as "nothing to check"
        return spec
    for index, (sim, sim_model) in enumerate(zip(spec.simulations, model.simulations, strict=True)):
        _check_repeats(spec, sim, sim_model, ("simulations", index), located, problems)
    problems.extend(
        Problem(
            sim.line,
            1,
            ("simulations", index),
            f"{sim.label} has nothing to check: add `thresholds:` at the top level or under "
            "the simulation — a gate with no checks would pass without looking",
        )
        for index, sim in enumerate(spec.simulations)
        if not spec.checks_for(sim)
    )
    return spec


def _check_repeats(  # noqa: PLR0917 - private helper, one call
    spec: Spec,
    sim: SimulationSpec,
    sim_model: Any,
    path: KeyPath,
    located: Located,
    problems: list[Problem],
) -> None:
    """repeat vs runs_per_digital_human, max_repeats vs repeat, and early stopping that
    has nothing to stop on."""
    if "runs_per_digital_human" in sim.queue_options and sim.repeat > 1:
        where = (*path, "repeat") if sim_model.repeat else ("run", "repeat")
        problems.append(
            Problem(
                located.line_of(where),
                1,
                where,
                f"{sim.label} sets runs_per_digital_human and repeat > 1: both ask for "
                "conversations per digital human; keep only `repeat`",
            )
        )
        return
    if sim.max_repeats is None:
        return
    where = (*path, "max_repeats") if sim_model.max_repeats else ("run", "max_repeats")
    if sim.max_repeats < sim.repeat:
        problems.append(
            Problem(
                located.line_of(where),
                1,
                where,
                f"max_repeats {sim.max_repeats} is less than repeat {sim.repeat} for "
                f"{sim.label}: max_repeats is the most conversations per digital human, "
                "so raise it to at least repeat (or remove it)",
            )
        )
    elif sim.max_repeats > sim.repeat and not any(
        c.confidence is not None for c in spec.checks_for(sim)
    ):
        problems.append(
            Problem(
                located.line_of(where),
                1,
                where,
                f"max_repeats stops early only on checks with `confidence`, and no check of "
                f"{sim.label} has one: add `confidence: 0.95` under run: (or to a check), "
                "or remove max_repeats",
            )
        )


def _thresholds(
    raw: Mapping[str, Any],
    base: KeyPath,
    located: Located,
    problems: list[Problem],
    level: float | None = None,
) -> dict[str, tuple[Check, ...]]:
    result: dict[str, tuple[Check, ...]] = {}
    for metric, value in raw.items():
        path: KeyPath = (*base, metric)
        if not metric.strip():
            problems.append(
                Problem(located.line_of(path), 1, path, "a metric name must not be empty")
            )
            continue
        items: list[tuple[str | CheckModel, KeyPath]]
        if isinstance(value, list):
            if not value:
                problems.append(
                    Problem(
                        located.line_of(path),
                        1,
                        path,
                        "an empty list checks nothing: give at least one expression",
                    )
                )
                continue
            items = [(item, (*path, i)) for i, item in enumerate(value)]
        else:
            items = [(value, path)]
        checks = []
        for item, item_path in items:
            check = _make_check(metric, item, item_path, located, problems, level)
            if check is not None:
                checks.append(check)
        result[metric] = tuple(checks)
    return result


def _make_check(  # noqa: PLR0917 - private helper, one call
    metric: str,
    item: str | CheckModel,
    path: KeyPath,
    located: Located,
    problems: list[Problem],
    level: float | None = None,
) -> Check | None:
    line = located.line_of(path)
    own_level: float | None = None
    each = False
    if isinstance(item, CheckModel):
        severity, min_samples = Severity(item.severity), item.min_samples
        own_level = None if item.confidence is None else float(item.confidence)
        each = item.each_digital_human is not None
        text = item.each_digital_human if item.each_digital_human is not None else item.check
        assert text is not None  # the model requires one of them
    else:
        text, severity, min_samples = item, Severity.ERROR, None
    # already validated by the model
    parsed = parse_each(text) if each else parse_expression(text)
    message = _rule_violation(metric, parsed.aggregate, parsed.threshold, parsed.percent, text)
    if message is None and own_level is not None:
        message = _confidence_violation(parsed, text, each=each)
        if message:
            path = (*path, "confidence")
            line = located.line_of(path)
    if message:
        problems.append(Problem(line, 1, path, message))
        return None
    confidence = own_level
    if confidence is None and not each and _supports_confidence(parsed):
        confidence = level
    return Check(
        metric=metric,
        aggregate=parsed.aggregate,
        op=parsed.op,
        threshold=parsed.threshold,
        expression=parsed.text,
        percent=parsed.percent,
        percentile=parsed.percentile,
        share_value=parsed.share_value,
        severity=severity,
        min_samples=min_samples,
        line=line,
        confidence=confidence,
        per_digital_human=each,
        exact=parsed.exact,
    )


def _supports_confidence(parsed: ParsedExpression) -> bool:
    return parsed.aggregate in CONFIDENCE_AGGREGATES and parsed.op not in (Op.EQ, Op.NE)


def _confidence_violation(parsed: ParsedExpression, text: str, *, each: bool) -> str | None:
    if each:
        return (
            f"confidence does not apply to an each_digital_human rule ({text!r}): it judges "
            "each digital human's own few conversations exactly; remove confidence here"
        )
    if parsed.aggregate not in CONFIDENCE_AGGREGATES:
        return (
            f"confidence does not apply to {text!r}: only {CONFIDENCE_WORDS} checks have a "
            "confidence interval; remove confidence here or gate on one of those"
        )
    if parsed.op in (Op.EQ, Op.NE):
        return (
            f"confidence does not apply to {text!r}: an interval can settle >=, >, <= or <, "
            "never == or !="
        )
    return None


def _rule_violation(
    metric: str, aggregate: Aggregate, threshold: float, percent: bool, text: str
) -> str | None:
    """Expressions that parse but cannot mean what they say (and could pass by accident)."""
    if metric == "score" and aggregate is not Aggregate.VALUE:
        return (
            f"`score` is Bluejay's one run-level number (0-100): check it with `value`, "
            f"e.g. `value >= 80`, not {text!r}"
        )
    if aggregate is Aggregate.VALUE and metric != "score":
        return (
            f"`value` applies only to the run-level `score`; for {metric!r} use mean, median, "
            "min, max, pNN, rate, fail_rate, count, fail_count or share(VALUE)"
        )
    if aggregate is Aggregate.VALUE and percent:
        return (
            f"`score` runs from 0 to 100, so {text!r} compares it with "
            f"{threshold:g}: write it without %, e.g. `value >= 80`"
        )
    if aggregate in {Aggregate.RATE, Aggregate.FAIL_RATE, Aggregate.SHARE} and not (
        0 <= threshold <= 1
    ):
        return (
            f"{text!r}: a rate is a share from 0% to 100%, so {threshold:g} is out of range "
            "(the check would always pass or always fail): write a percentage, e.g. 90%"
        )
    if aggregate in {Aggregate.COUNT, Aggregate.FAIL_COUNT} and percent:
        return f"{text!r}: `{aggregate.value}` is a number of conversations; % does not apply"
    return None


# --- helpers -------------------------------------------------------------------------


def _raise_first(problems: list[Problem], file: str) -> None:
    if not problems:
        return
    first = min(problems, key=lambda p: (p.line, p.priority))
    raise SpecError(_one_line(first.message), file=file, line=first.line, key=key_path(first.path))


def _same_id(value: str) -> str:
    text = value.strip()
    return str(int(text)) if text.isascii() and text.isdigit() else text


def _as_str(value: int | str | None) -> str | None:
    return None if value is None else str(value)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


def schema_text() -> str:
    """The committed ``bluejay-gate.schema.json``, byte for byte."""
    return json.dumps(spec_json_schema(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":  # python -m bluejay_gate.spec.load > bluejay-gate.schema.json
    import sys

    sys.stdout.write(schema_text())
