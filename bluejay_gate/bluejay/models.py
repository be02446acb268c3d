"""Typed views of the Bluejay responses the gate reads.

Lenient on purpose: unknown fields are ignored, ids are kept as strings whatever type
the endpoint uses (``agent_id`` is an int in one place and a str in another), and
statuses stay plain strings (an unknown one is "in progress", see ``statuses``).
Only what the gate needs is modelled; fields it cannot do without are required, so a
body without them is a ``ResponseError`` naming the endpoint.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

MAX_ID_CHARS = 64  # Bluejay ids are integers or short strings; longer is not an id


def _id_to_str(value: Any) -> Any:
    if isinstance(value, bool):
        return value  # let pydantic reject it
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and (len(value) > MAX_ID_CHARS or not value.isprintable()):
        # Never echo it: it may be megabytes long.
        raise ValueError(
            f"not an id (an unprintable or {len(value)}-character string; "
            f"ids are at most {MAX_ID_CHARS} printable characters)"
        )
    return value


def _optional_number(value: Any) -> Any:
    """Numbers where the API may send a number, a numeric string, or junk; junk is None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


Id = Annotated[str, BeforeValidator(_id_to_str)]
LenientNumber = Annotated[float | None, BeforeValidator(_optional_number)]


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class Agent(ApiModel):
    """``AgentPydantic``. Extra fields are kept so the gate can diff any spec field."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    id: Id | None = None
    name: str | None = None
    external_agent_id: str | None = None
    created_at: str | None = None


class Simulation(ApiModel):
    """``SimulationPydantic`` / ``SimulationRes``. ``selected_custom_metrics`` is not in
    either schema (only in ``SimulationRequest``): read when present, at the top level or
    in ``settings``; anything unreadable is "unknown", never an error."""

    id: Id
    name: str | None = None
    agent_id: Id | None = None
    created_at: str | None = None
    settings: Any = None
    selected_custom_metrics: Any = None

    @property
    def selected_metric_ids(self) -> frozenset[str] | None:
        """The custom metric ids the simulation scores; ``None`` when not known (null,
        absent, empty or unreadable)."""
        for raw in (
            self.selected_custom_metrics,
            _setting(self.settings, "selected_custom_metrics"),
        ):
            if (
                isinstance(raw, list)
                and raw
                and all(isinstance(i, str | int) and not isinstance(i, bool) for i in raw)
            ):
                return frozenset(str(i) for i in raw)
        return None

    @property
    def runs_per_digital_human(self) -> int | None:
        """The simulation's own conversations per digital human, when its settings say."""
        raw = _setting(self.settings, "runs_per_digital_human")
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 1:
            return raw
        return None


def _setting(settings: Any, key: str) -> Any:
    return settings.get(key) if isinstance(settings, dict) else None


class RunStatus(ApiModel):
    """A simulation run: ``SimulationRunRes`` (``experiment_id``) or
    ``SimulationRunResultResponse`` (``simulation_id``)."""

    id: Id
    simulation_id: Id | None = Field(default=None, validation_alias="simulation_id")
    experiment_id: Id | None = None
    status: str | None = None
    total_tests: int | None = None
    tests_passed: int | None = None
    tests_failed: int | None = None
    tests_completed: int | None = None
    tests_incompleted: int | None = None
    created_at: str | None = None

    @property
    def sim_id(self) -> str | None:
        return self.simulation_id or self.experiment_id

    @property
    def score(self) -> float | None:
        """tests_passed / total_tests × 100: the number Bluejay's own action gates on."""
        if not self.total_tests or self.tests_passed is None:
            return None
        return self.tests_passed / self.total_tests * 100.0


class QueuedRun(ApiModel):
    """``SimulationRunResponse`` from ``queue-simulation-run``."""

    simulation_run_id: Id
    simulation_result_ids: list[Id] = Field(default_factory=list)
    agent_id: Id | None = None


class SimulationResult(ApiModel):
    """One conversation (``SimulationResultResponse``). Metric-bearing fields stay raw
    JSON: ``results.read`` reads every historical shape of them."""

    id: Id
    digital_human_id: Id | None = None
    status: str | None = None
    duration: LenientNumber = None
    start_time: str | None = None
    end_time: str | None = None
    transcript_url: str | None = None
    audio_url: str | None = None
    evaluations: list[dict[str, Any]] | None = None
    custom_metrics: dict[str, Any] | list[Any] | None = None
    latency: dict[str, Any] | list[Any] | None = None


class RunResults(ApiModel):
    """``SimulationResultsResponse`` from ``retrieve-simulation-results``."""

    simulation_run: RunStatus
    simulation_results: list[SimulationResult] | None = None

    @property
    def results(self) -> list[SimulationResult]:
        return list(self.simulation_results or [])


class AgentCreated(ApiModel):
    """``AgentResponse`` from ``add-agent``."""

    agent_id: Id


class SimulationList(ApiModel):
    """``GetSimulationsResponse`` from ``get-simulations-by-agent``."""

    simulations: list[Simulation] = Field(default_factory=list)


class RunList(ApiModel):
    """``GetSimulationRunsResponse`` from ``get-simulation-runs``."""

    simulation_runs: list[RunStatus] = Field(default_factory=list)


class SingleResult(ApiModel):
    """``SingleSimulationResultResponse`` from ``retrieve-simulation-result``."""

    simulation_result: SimulationResult


class EndConversationsOutcome(ApiModel):
    """``EndConversationsResponse``; everything optional, the gate only logs it."""

    success: bool | None = None
    ended_count: int | None = None
    failed_ids: list[Id] | None = None
    message: str | None = None


class CustomMetric(ApiModel):
    """``CustomMetricResponse``: what the gate checks thresholds against before paying.
    Only ``name`` is required; an unknown ``response_type`` is kept as written."""

    id: Id | None = None
    name: str
    response_type: str | None = None
    min_value: LenientNumber = None
    max_value: LenientNumber = None
    enum_options: list[str] | None = None
    agent_ids: list[Id] | None = None


class Page(ApiModel):
    """What one page of a paginated list says about the others (``paging`` reads it)."""

    total_count: int | None = None
    page: int | None = None
    page_size: int | None = None
    items_in_page: int | None = None
    total_pages: int | None = None


class CustomMetricPage(Page):
    """``CustomMetricsListResponse`` from ``GET /v1/custom-metrics`` (one page)."""

    metrics: list[CustomMetric]


class DigitalHumanList(ApiModel):
    """``DigitalHumansListResponse`` from ``digital-humans-by-simulation``; each digital
    human stays raw (the gate counts them and reads their names)."""

    digital_humans: list[dict[str, Any]]
    total: int | None = None

    @property
    def names(self) -> dict[str, str]:
        """Digital human id -> name, for the reports. One without a usable name or id,
        or whose name another of the list shares, is left out (the reports show its id)."""
        return digital_human_names(self.digital_humans)

    @property
    def count(self) -> int:
        """How many a run of the simulation talks to: the list, or ``total`` when larger
        (a list cut short must not make the plan look cheaper than it is)."""
        listed = len(self.digital_humans)
        return max(listed, self.total) if self.total is not None and self.total >= 0 else listed


class EvaluateAnswer(ApiModel):
    """``EvaluateCallResponse`` from ``POST /v1/evaluate``: the new call's id."""

    call_id: Id
    status: str | None = None
    message: str | None = None


class CallLog(ApiModel):
    """``CallLog`` from ``retrieve-call-log`` / ``retrieve-call-logs``: one evaluated call.
    Metric-bearing fields stay raw JSON, read by the same code as a simulation result
    (``results.read``: it reads a ``Scored``; the properties below fill the result's
    names). ``trace_id`` is not in the document's ``CallLog``: read when present."""

    id: Id
    agent_id: Id | None = None
    status: str | None = None
    start_time_utc: str | None = None
    created_at: str | None = None
    recording_url: str | None = None
    transcript_url: str | None = None
    duration_ms: LenientNumber = None
    evaluations: list[dict[str, Any]] | None = None
    custom_metrics: dict[str, Any] | list[Any] | None = None
    metadata: dict[str, Any] | None = None
    trace_id: str | None = None
    participants: list[dict[str, Any]] | None = None
    call_direction: str | None = None
    interface: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    events: list[dict[str, Any]] | None = None
    tags: list[str] | None = None
    conversation_ended_by: str | None = None

    @property
    def duration(self) -> float | None:
        return self.duration_ms

    @property
    def latency(self) -> None:
        return None  # a call log's latency is in its evaluations

    @property
    def digital_human_id(self) -> None:
        return None

    @property
    def audio_url(self) -> str | None:
        return self.recording_url


class OneCallLog(ApiModel):
    """``RetrieveCallLogResponse``."""

    call_log: CallLog


class CallLogPage(ApiModel):
    """``RetrieveCallLogsResponse`` (one page of an agent's call logs)."""

    call_logs: list[CallLog] = Field(default_factory=list)
    total_count: int | None = None
    page: int | None = None
    page_size: int | None = None
    total_pages: int | None = None


NAME_LIMIT = 80  # characters of a digital human's name shown in the reports


def digital_human_names(listed: list[dict[str, Any]]) -> dict[str, str]:
    """Id -> name of the digital humans in ``listed`` whose name is a non-empty string
    no other one of them shares (by case-folded text); ids as text, names on one line
    and at most ``NAME_LIMIT`` characters."""
    named: dict[str, str] = {}
    for entry in listed:
        if not isinstance(entry, dict):
            continue
        ident, name = entry.get("id"), entry.get("name")
        if isinstance(ident, bool) or not isinstance(ident, (int, str)) or str(ident) == "":
            continue
        if isinstance(name, str) and " ".join(name.split()):
            text = " ".join(name.split())
            if len(text) > NAME_LIMIT:
                text = text[: NAME_LIMIT - 1] + "…"
            named.setdefault(str(ident), text)
    folded: dict[str, int] = {}
    for name in named.values():
        folded[name.casefold()] = folded.get(name.casefold(), 0) + 1
    return {i: n for i, n in named.items() if folded[n.casefold()] == 1}
