"""The emulator's scenario file: what exists at start-up and how conversations behave.

A scenario is YAML (or a dict) validated by the pydantic models below; unknown keys are
errors. Every key is documented in ``bluejay_gate/emulator/README.md``.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bluejay_gate.emulator.scenario_records import DigitalHumanDef, check_settings
from bluejay_gate.errors import UsageError
from bluejay_gate.model.statuses import RESULT_NOT_COMPLETED

RunOutcome = Literal["COMPLETED", "INCOMPLETED", "INSUFFICIENT_FUNDS"]
ResponseType = Literal["pass_fail", "yes_no", "qualitative", "quantitative", "json", "enum"]
FaultKind = Literal["429", "500", "502", "503", "slow", "drop"]

# Bluejay's own evaluation fields a scenario can shape with ``scores``.
BUILTIN_SCORES = frozenset(
    {
        "goal_success",
        "hallucination",
        "redundancy",
        "latency",
        "num_turns",
        "agent_speak_percentage",
        "sentiment_score",
        "pronunciation_score",
        "custom_evals_success_rate",
        "duration",
    }
)


class ScenarioError(UsageError):
    """The scenario file (or a fault given on the command line) is invalid."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Timing(_Model):
    """Seconds each stage of a conversation lasts (before ``speed`` divides them)."""

    queued: float = Field(default=0.2, ge=0)
    running: float = Field(default=1.0, ge=0)
    conversation_ended: float = Field(default=0.1, ge=0)
    evaluating: float = Field(default=0.5, ge=0)
    jitter: float = Field(default=0.0, ge=0, le=1)  # ± share of running/evaluating per result


class Quirks(_Model):
    """Real-API oddities the gate must survive."""

    stuck_evaluating: float = Field(default=0.0, ge=0)
    bulk_missing_metrics: float = Field(default=0.0, ge=0, le=1)
    legacy_metrics_dict: bool = False
    legacy_metrics_list: bool = False
    stale_evaluation: bool = False
    reasoning_length: int = Field(default=0, ge=0)


class ScoreSpec(_Model):
    """How one metric's value is generated. Which keys matter depends on the metric."""

    value: str | float | bool | None = None  # fixed value (always this)
    rate: float | None = Field(default=None, ge=0, le=1)  # share of true / pass / yes
    pass_rate: float | None = Field(default=None, ge=0, le=1)  # alias of rate
    mean: float | None = None
    spread: float | None = Field(default=None, ge=0)
    min: float | None = None
    max: float | None = None
    decimals: int | None = Field(default=None, ge=0, le=6)
    weights: dict[str, float] | None = None  # enum option -> weight
    not_applicable: float | None = Field(default=None, ge=0, le=1)
    text: str | None = None  # qualitative / json
    avg_agent_latency: float | None = Field(default=None, ge=0)
    p95_agent_latency: float | None = Field(default=None, ge=0)

    @property
    def true_rate(self) -> float | None:
        return self.rate if self.rate is not None else self.pass_rate


class AgentDef(_Model):
    id: int | None = None
    name: str
    external_agent_id: str | None = None
    system_prompt: str = ""
    knowledge_base: str = ""
    goals: list[str] = Field(default_factory=list)
    type: Literal["INBOUND", "OUTBOUND"] = "INBOUND"
    mode: Literal["VOICE", "TEXT"] = "VOICE"
    phone_number: str | None = None


class MetricDef(_Model):
    id: str | None = None
    name: str
    description: str = ""
    response_type: ResponseType
    min_value: float | None = None
    max_value: float | None = None
    enum_options: list[str] | None = None
    allow_not_applicable: bool = False
    agent_ids: list[int] = Field(default_factory=list)  # empty: every agent's metric


class SimulationDef(_Model):
    id: int | None = None
    name: str
    agent: str | int
    digital_humans: list[DigitalHumanDef] = Field(default_factory=list)
    metrics: list[str] | None = None  # subset of custom metric names; default: all
    # GET /v1/simulation/{id} reports the ids of the metrics it scores as
    # ``selected_custom_metrics``, at the top level or in ``settings``; default: not at all
    report_selected_metrics: Literal["top", "settings"] | None = None
    scores: dict[str, ScoreSpec] = Field(default_factory=dict)
    digital_human_scores: dict[int, dict[str, ScoreSpec]] = Field(default_factory=dict)
    run_outcome: RunOutcome | None = None
    result_statuses: dict[int, str] = Field(default_factory=dict)
    never_speaks: list[int] = Field(default_factory=list)
    runs_per_digital_human: int = Field(default=1, gt=0)
    quirks: Quirks | None = None
    timing: Timing | None = None
    # stored as if created through the API: GET /v1/simulation/{id} shows them
    settings: dict[str, Any] = Field(default_factory=dict)

    @field_validator("settings")
    @classmethod
    def _api_settings(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_settings(value)

    @field_validator("result_statuses")
    @classmethod
    def _known_statuses(cls, value: dict[int, str]) -> dict[int, str]:
        for dh, status in value.items():
            if status not in RESULT_NOT_COMPLETED:
                allowed = ", ".join(sorted(RESULT_NOT_COMPLETED))
                raise ValueError(f"digital human {dh}: {status!r} is not one of {allowed}")
        return value


class CreatedSimulationDef(_Model):
    """How a simulation created later through the API behaves, matched by its name when it
    is created (and by its agent, when given): the scenario shapes the runs of a setup the
    gate creates. Metric names in ``scores`` may be metrics that do not exist yet."""

    name: str
    agent: str | int | None = None  # an agent's external_agent_id, name or id; default: any
    scores: dict[str, ScoreSpec] = Field(default_factory=dict)
    # by digital human *name* (their ids are not known before they are created)
    digital_human_scores: dict[str, dict[str, ScoreSpec]] = Field(default_factory=dict)
    run_outcome: RunOutcome | None = None
    quirks: Quirks | None = None
    timing: Timing | None = None


class CallRuleDef(_Model):
    """How calls sent to ``POST /v1/evaluate`` are scored: the first rule whose ``match``
    fits the call wins (``transcript_contains``: a text any utterance holds, any case;
    ``metadata``: keys the call's metadata must have with these values); a call no rule
    matches is scored with the defaults. ``outcome: INCOMPLETED`` ends it unscored."""

    transcript_contains: str | None = None
    metadata: dict[str, Any] | None = None
    scores: dict[str, ScoreSpec] = Field(default_factory=dict)
    outcome: Literal["COMPLETED", "INCOMPLETED"] = "COMPLETED"
    metrics: list[str] | None = None  # subset of custom metric names; default: all

    def matches(self, transcript_text: str, metadata: dict[str, Any]) -> bool:
        if self.transcript_contains is not None and (
            self.transcript_contains.lower() not in transcript_text.lower()
        ):
            return False
        return all(metadata.get(k) == v for k, v in (self.metadata or {}).items())


class FaultDef(_Model):
    """One injected fault. ``endpoint``: ``*``, ``"METHOD /path"`` or ``"/path"``; the
    path may end in ``*`` (prefix match)."""

    endpoint: str = "*"
    kind: FaultKind
    rate: float = Field(default=1.0, ge=0, le=1)
    when: Literal["before", "after"] = "before"
    retry_after: float = Field(default=1.0, ge=0)
    delay: float = Field(default=0.5, ge=0)
    times: int | None = Field(default=None, ge=0)  # inject at most this many times

    @field_validator("kind", mode="before")
    @classmethod
    def _kind_as_text(cls, value: Any) -> Any:
        return str(value).lower() if isinstance(value, int | str) else value


class WebhookFaultDef(_Model):
    """Webhook faults, drawn per event from the scenario's seed: ``loss`` (share never
    sent), ``duplicate`` (share sent twice with one delivery id), ``delay`` (seconds
    every event waits before it is sent; ``delay_share`` of them, default all)."""

    loss: float = Field(default=0.0, ge=0, le=1)
    duplicate: float = Field(default=0.0, ge=0, le=1)
    delay: float = Field(default=0.0, ge=0)
    delay_share: float = Field(default=1.0, ge=0, le=1)


class WebhookDef(_Model):
    url: str
    secret: str = ""
    faults: WebhookFaultDef = Field(default_factory=WebhookFaultDef)


class Scenario(_Model):
    """Everything the emulator starts with. ``Scenario()`` is an empty world."""

    seed: int = 0
    timing: Timing = Field(default_factory=Timing)
    agents: list[AgentDef] = Field(default_factory=list)
    custom_metrics: list[MetricDef] = Field(default_factory=list)
    simulations: list[SimulationDef] = Field(default_factory=list)
    created_simulations: list[CreatedSimulationDef] = Field(default_factory=list)
    quirks: Quirks = Field(default_factory=Quirks)
    faults: list[FaultDef] = Field(default_factory=list)
    webhook: WebhookDef | None = None
    call_rules: list[CallRuleDef] = Field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, *, source: str = "scenario") -> Scenario:
        """Validate a scenario mapping; errors name the key and how to fix it."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ScenarioError(
                f"{source}: a scenario must be a mapping, got {type(data).__name__}"
            )
        try:
            scenario = cls.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(_describe(exc, source)) from None
        scenario.check_references(source)
        return scenario

    @classmethod
    def from_file(cls, path: str | Path) -> Scenario:
        """Load a YAML scenario file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(
                f"{path}: cannot read the scenario file ({exc.strerror}); check --scenario"
            ) from None
        return cls.from_yaml(text, source=str(path))

    @classmethod
    def from_yaml(cls, text: str, *, source: str = "scenario") -> Scenario:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ScenarioError(f"{source}: not valid YAML: {exc}") from None
        return cls.from_dict(data, source=source)

    def check_references(self, source: str = "scenario") -> None:
        """Cross-checks pydantic cannot do: agent references, metric names, digital humans."""
        agent_keys: set[str] = set()
        for agent in self.agents:
            agent_keys.update({agent.name, str(agent.id)} - {"None"})
            if agent.external_agent_id:
                agent_keys.add(agent.external_agent_id)
        metrics = {m.name: m for m in self.custom_metrics}
        for m in self.custom_metrics:
            if m.response_type == "enum" and not m.enum_options:
                raise ScenarioError(
                    f"{source}: custom_metrics: {m.name!r} is an enum metric without "
                    "enum_options; list its options, e.g. enum_options: [resolved, escalated]"
                )
        for i, rule in enumerate(self.call_rules):
            for name in [*(rule.metrics or []), *rule.scores]:
                if name not in metrics and name not in BUILTIN_SCORES:
                    raise ScenarioError(
                        f"{source}: call_rules[{i}]: {name!r} is neither a custom metric nor "
                        f"a built-in field{_suggest(name, set(metrics) | BUILTIN_SCORES)}"
                    )
        for i, sim in enumerate(self.simulations):
            where = f"{source}: simulations[{i}] ({sim.name!r})"
            if str(sim.agent) not in agent_keys:
                raise ScenarioError(
                    f"{where}: agent {sim.agent!r} is not defined under agents"
                    f"{_suggest(str(sim.agent), agent_keys)}; use an agent's "
                    "external_agent_id, name or id"
                )
            known = set(metrics) | BUILTIN_SCORES
            for name in sim.metrics or []:
                if name not in metrics:
                    raise ScenarioError(
                        f"{where}: metrics: {name!r} is not a custom metric"
                        f"{_suggest(name, set(metrics))}"
                    )
            dh_ids = {dh.id for dh in sim.digital_humans if dh.id is not None}
            overrides = [("scores", sim.scores)] + [
                (f"digital_human_scores.{dh}", s) for dh, s in sim.digital_human_scores.items()
            ]
            for key, scores in overrides:
                for name, spec in scores.items():
                    if name not in known:
                        raise ScenarioError(
                            f"{where}: {key}: {name!r} is neither a custom metric nor a "
                            f"built-in field{_suggest(name, known)}"
                        )
                    metric = metrics.get(name)
                    if spec.not_applicable and metric and not metric.allow_not_applicable:
                        raise ScenarioError(
                            f"{where}: {key}: {name!r} sets not_applicable but the metric "
                            "does not allow it; add allow_not_applicable: true to the metric"
                        )
            for key, ids in (
                ("digital_human_scores", sim.digital_human_scores.keys()),
                ("result_statuses", sim.result_statuses.keys()),
                ("never_speaks", sim.never_speaks),
            ):
                for dh in ids:
                    if dh not in dh_ids:
                        raise ScenarioError(
                            f"{where}: {key}: digital human {dh} is not in this simulation's "
                            f"digital_humans (ids: {sorted(dh_ids)})"
                        )


def _suggest(name: str, choices: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _describe(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key; see the scenario reference in bluejay_gate/emulator/README.md"
        elif err["type"] == "value_error" and "error" in err.get("ctx", {}):
            msg = str(err["ctx"]["error"])
        lines.append(f"{source}: {loc}: {msg}")
    return "\n".join(lines)
