"""The Bluejay API client: the one module that knows URLs, JSON bodies and retries.

Every request carries ``X-API-Key``, ``Accept: application/json`` and
``User-Agent: bluejay-gate/<version>``, and every body is one the OpenAPI document allows
(ids as the document types them, only documented fields, ``None`` fields left out).
Responses become the lenient models of ``apimodels``; failures become the
``errors.ApiError`` family, each message naming the endpoint and what to do.

Retries (see ``retry``): GET requests, agent updates, ``end-conversations`` and ``ping``
are retried on connect/read errors, dropped connections, 429 and 500/502/503/504.
``deadline`` (settable; the gate's budget) stops retries that would pass it, and near it
each attempt's timeout shrinks (never below 5 s) so a hanging request cannot hold the
gate long past its budget. The first attempt of a call always goes out.

Two calls are not idempotent and cost money or leave duplicates, so they reconcile
instead of blindly retrying:

* ``queue_run`` lists the simulation's runs (``get-simulation-runs``) *before* queueing.
  It resends the POST only when the request surely never reached Bluejay (connect
  error). After an ambiguous failure (read timeout, dropped connection, 429 or 5xx,
  which a proxy may send after Bluejay handled the request, or a 2xx with an
  unreadable body) it waits the backoff delay, lists the runs again and adopts a run
  whose id was not in the snapshot (the newest if several; logged). If the snapshot
  itself failed, it adopts a run created since the first POST minus 60 s of clock
  skew. Only when no such run exists does it queue again, counting the attempt.
* ``add_agent`` does the same with the agent: after an ambiguous failure it looks the
  agent up by ``external_agent_id`` (or by exact name in ``all-agents``, preferring one
  created after the attempt) before creating it again.

Within one client, queue calls for the same simulation are serialised (a lock per
simulation), so threads of one gate never mistake each other's runs for their own.

Known limit: Bluejay has no idempotency keys, so two CI jobs queueing the same
simulation at the same instant cannot be told apart. If one of them loses its queue
response, it may adopt the other job's run. Give concurrent jobs different simulations,
or serialise them (e.g. a CI concurrency group), when that matters.

The API key is only ever placed in the ``X-API-Key`` header of a request. It is not a
default header of the underlying ``httpx.Client``, ``repr(client)`` does not show it,
errors are raised without chaining the httpx exceptions (which hold the request), and
any body text echoed into a message is scrubbed of the key and cut to 200 characters.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import pydantic

from bluejay_gate import __version__
from bluejay_gate.bluejay.models import (
    AGENT_REQUEST_FIELDS,
    AGENT_REQUEST_REQUIRED,
    AGENT_UPDATE_BY_EXTERNAL_ID_FIELDS,
    AGENT_UPDATE_FIELDS,
    QUEUE_RUN_FIELDS,
    Agent,
    AgentCreated,
    CustomMetric,
    CustomMetricPage,
    DigitalHumanList,
    EndConversationsOutcome,
    QueuedRun,
    RunList,
    RunResults,
    RunStatus,
    Simulation,
    SimulationList,
    SimulationResult,
    SingleResult,
)
from bluejay_gate.bluejay.retry import (
    DEFAULT_BASE_URL,
    EXCERPT_CHARS,
    MAX_BODY_BYTES,
    MAX_LISTED_PROBLEMS,
    Failure,
    FailureReader,
    RetryBudget,
    RetryPolicy,
)
from bluejay_gate.bluejay.transport import Secret, scrub_answer, ssl_verify, validate_base_url
from bluejay_gate.errors import (
    ApiError,
    AuthError,
    NotFoundError,
    RequestRejected,
    ResponseError,
    UsageError,
)

__all__ = ["DEFAULT_BASE_URL", "BluejayClient", "RetryPolicy", "validate_base_url"]

_ERROR_BODY_BYTES = 64 * 1024  # of an error body only an excerpt is ever shown
CLOCK_SKEW = timedelta(seconds=60)
MIN_ATTEMPT_TIMEOUT = 5.0
METRIC_PAGE_SIZE = 100
MAX_METRIC_PAGES = 200  # 20 000 metrics: past that a server is not paginating
# After ``interrupt`` (cancel), each attempt gets at most this long: clean-up and the
# reports must be done within 5 s of the signal.
CLEANUP_ATTEMPT_TIMEOUT = 2.5
_CANCELLED = "because the gate was cancelled"

M = TypeVar("M", bound=pydantic.BaseModel)
T = TypeVar("T")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Reply:
    """A 2xx answer, its body read in full (and at most ``MAX_BODY_BYTES``)."""

    status: int
    content_type: str
    body: bytes


class BluejayClient:
    """A thread-safe client for the parts of the Bluejay API the gate uses."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen dataclass, safe default
        sleep: Callable[[float], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
        deadline: float | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        key = (api_key or "").strip()
        if not key:
            raise UsageError("BLUEJAY_API_KEY is empty: set it to an API key from Bluejay")
        if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
            raise UsageError(
                "BLUEJAY_API_KEY contains spaces, control or non-ASCII characters and "
                "cannot be sent in a header: copy the key again"
            )
        self._key = Secret(key)
        self.base_url = validate_base_url(base_url)
        self.retry = retry
        self.deadline = deadline
        self._sleep = sleep
        self._monotonic = monotonic
        self._now = now
        self._log_sink = log
        self._timeout = timeout
        self._lock = threading.Lock()
        # Set by ``interrupt``: every wait between attempts started before it ends at once.
        self._wake = threading.Event()
        self._interrupted = False
        # A 429 on an endpoint holds every later attempt to it, from any thread, until then.
        self._holds: dict[str, float] = {}
        self._request_count = 0
        self._queue_locks: dict[str, threading.Lock] = {}
        self._rng = random.Random()
        self._failures = FailureReader(secret=key, host="", timeout=timeout, now=now)
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout),
            verify=ssl_verify() if transport is None else True,
            follow_redirects=False,
            headers={
                "Accept": "application/json",
                "User-Agent": f"bluejay-gate/{__version__}",
            },
        )
        self._failures.host = self._http.base_url.host

    # -- plumbing ---------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"BluejayClient(base_url={self.base_url!r})"

    def __enter__(self) -> BluejayClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def interrupt(self) -> None:
        """Cancel (from a signal handler or another thread): every retry backoff or 429
        hold under way ends at once and its call gives up without another attempt.
        Calls made afterwards (the clean-up) still go out, with attempts of at most
        ``CLEANUP_ATTEMPT_TIMEOUT`` seconds, retried only within the deadline."""
        with self._lock:
            woken, self._wake = self._wake, threading.Event()
            self._interrupted = True
        woken.set()

    @property
    def interrupted(self) -> bool:
        return self._interrupted

    def _pause(self, delay: float, wake: threading.Event) -> bool:
        """Wait ``delay`` seconds before the next attempt; True when ``interrupt`` came."""
        if self._sleep is None:
            return wake.wait(delay)
        self._sleep(delay)
        return wake.is_set()

    @property
    def request_count(self) -> int:
        """HTTP attempts sent so far (retries and reconciliation look-ups included)."""
        with self._lock:
            return self._request_count

    def _log(self, line: str) -> None:
        if self._log_sink is not None:
            self._log_sink(self._scrub(line))

    def _scrub(self, text: str) -> str:
        return self._failures.scrub(text)

    def _excerpt(self, text: str) -> str:
        return self._failures.excerpt(text)

    def _rand(self) -> float:
        with self._lock:
            return self._rng.random()

    # -- one attempt ------------------------------------------------------------------

    def _wait_for_hold(self, route: str, waited_until: float) -> None:
        """Before an attempt: wait out a 429 another call of this endpoint met (bounded
        by the deadline, cut short by ``interrupt``); not again for the call that met it
        and has just waited (``waited_until``)."""
        with self._lock:
            until = self._holds.get(route, 0.0)
        if self.deadline is not None:
            until = min(until, self.deadline)
        now = self._monotonic()
        if until > now and until > waited_until:
            self._pause(until - now, self._wake)

    def _hold(self, failure: Failure, delay: float | None) -> float:
        """After a 429: every attempt to that endpoint waits until the returned time, the
        retry's own ``delay`` (else ``Retry-After``, else the first backoff, capped)."""
        if delay is None:
            wait = failure.retry_after
            delay = min(self.retry.backoff(1) if wait is None else wait, self.retry.max_delay)
        until = self._monotonic() + delay
        if failure.status == 429:
            route = _route(*failure.endpoint.split(" ", 1))
            with self._lock:
                self._holds[route] = max(self._holds.get(route, 0.0), until)
        return until

    def _attempt(
        self,
        method: str,
        path: str,
        body: Any,
        what: tuple[str, str] | None,
        waited_until: float = 0.0,
    ) -> _Reply | Failure:
        self._wait_for_hold(_route(method, path), waited_until)
        return self._send(method, path, body, what)

    def _send(
        self, method: str, path: str, body: Any, what: tuple[str, str] | None
    ) -> _Reply | Failure:
        endpoint = f"{method} {path}"
        with self._lock:
            self._request_count += 1
        headers = {"X-API-Key": self._key.reveal()}
        timeout = self._attempt_timeout()
        expires = self._monotonic() + timeout  # for the whole answer, not each read
        try:
            with self._http.stream(
                method, path, json=body, headers=headers, timeout=timeout
            ) as response:
                status = response.status_code
                ctype = response.headers.get("content-type", "").split(";")[0].strip()
                success = 200 <= status < 300
                limit = MAX_BODY_BYTES if success else _ERROR_BODY_BYTES
                declared = response.headers.get("content-length", "")
                if success and declared.isdigit() and int(declared) > limit:
                    return self._failures.too_big(endpoint, status, int(declared))
                chunks = _until(response.iter_bytes(), expires, self._monotonic, timeout)
                data, over = _read_capped(chunks, limit)
                if over and success:
                    return self._failures.too_big(endpoint, status, None)
                if success:
                    return _Reply(status, ctype, scrub_answer(data, headers["X-API-Key"]))
                return self._failures.status(endpoint, status, response.headers, data, what)
        except httpx.HTTPError as exc:
            return self._failures.transport(endpoint, exc, timeout)

    def _attempt_timeout(self) -> float:
        """The configured timeout, shortened near the deadline (to no less than
        ``MIN_ATTEMPT_TIMEOUT``) so a hanging request cannot hold the gate far past it."""
        deadline = self.deadline
        limit, floor = self._timeout, MIN_ATTEMPT_TIMEOUT
        if self._interrupted:  # cancelled: clean-up calls must not hang
            limit = floor = min(self._timeout, CLEANUP_ATTEMPT_TIMEOUT)
        if deadline is None:
            return limit
        left = deadline - self._monotonic()
        return min(limit, max(left, floor))

    # -- retry loops --------------------------------------------------------------------

    def _budget(self) -> RetryBudget:
        return RetryBudget(self.retry, self._monotonic, self.deadline, self._rand)

    def _call(
        self, method: str, path: str, body: Any = None, *, what: tuple[str, str] | None = None
    ) -> _Reply:
        """Send an idempotent request, retrying transient failures within the budget."""
        budget = self._budget()
        wake = self._wake
        waited = 0.0
        while True:
            budget.attempt_started()
            outcome = self._attempt(method, path, body, what, waited)
            if isinstance(outcome, _Reply):
                return outcome
            if not outcome.transient:
                raise outcome.error()
            delay = budget.next_delay(outcome.retry_after)
            waited = self._hold(outcome, delay)
            if delay is None:
                raise outcome.error(budget.gave_up_because)
            self._log_retry(outcome, budget, delay)
            if self._pause(delay, wake):
                raise outcome.error(_CANCELLED)

    def _log_retry(self, failure: Failure, budget: RetryBudget, delay: float) -> None:
        self._log(
            f"{failure.endpoint}: {failure.summary}; retrying in {delay:.1f} s "
            f"(attempt {budget.attempts + 1} of {self.retry.max_attempts})"
        )

    def _post_once_only(
        self,
        path: str,
        body: Mapping[str, Any],
        parse: Callable[[_Reply], T],
        reconcile: Callable[[str], T | None],
        noun: str,
    ) -> T:
        """POST something that is not idempotent; after an ambiguous failure look for
        what it may have created (``reconcile``) before sending it again."""
        budget = self._budget()
        wake = self._wake
        waited = 0.0
        while True:
            budget.attempt_started()
            outcome = self._attempt("POST", path, body, None, waited)
            if isinstance(outcome, _Reply):
                try:
                    return parse(outcome)
                except ResponseError as exc:
                    # A 2xx: it was created, only the answer is unreadable.
                    found = self._reconciled(reconcile, _bare(exc), exc.endpoint, noun)
                    if found is not None:
                        return found
                    raise
            if not outcome.transient:
                raise outcome.error()
            delay = budget.next_delay(outcome.retry_after)
            waited = self._hold(outcome, delay)
            if not outcome.reached:
                if delay is None:
                    raise outcome.error(budget.gave_up_because)
                self._log_retry(outcome, budget, delay)
                if self._pause(delay, wake):
                    raise outcome.error(f"{_CANCELLED}; no {noun} was created")
                continue
            # let a slow server finish before looking (cut short by a cancel: look at once)
            interrupted = delay is not None and self._pause(delay, wake)
            found = self._reconciled(reconcile, outcome.summary, outcome.endpoint, noun)
            if found is not None:
                return found
            if delay is None:
                raise outcome.error(f"{budget.gave_up_because}; no {noun} was created")
            if interrupted:
                raise outcome.error(f"{_CANCELLED}; no {noun} was created")
            self._log(
                f"{outcome.endpoint}: {outcome.summary} and no {noun} was created; sending "
                f"again (attempt {budget.attempts + 1} of {self.retry.max_attempts})"
            )

    def _reconciled(
        self, reconcile: Callable[[str], T | None], cause: str, endpoint: str, noun: str
    ) -> T | None:
        try:
            return reconcile(cause)
        except ApiError as exc:
            raise type(exc)(
                f"{cause}, and checking whether the {noun} was created failed too "
                f"({exc.message}); it may exist: check the Bluejay dashboard before running "
                "again",
                endpoint=endpoint,
                status=exc.status,
            ) from None

    # -- parsing ------------------------------------------------------------------------

    def _json(self, reply: _Reply, endpoint: str) -> Any:
        try:
            return json.loads(reply.body)
        except RecursionError:
            raise ResponseError(
                f"returned JSON nested too deeply to read ({len(reply.body)} bytes); "
                "check --base-url points at the Bluejay API",
                endpoint=endpoint,
                status=reply.status,
            ) from None
        except ValueError:
            kind = reply.content_type or "no content type"
            excerpt = self._excerpt(reply.body[:4096].decode("utf-8", errors="replace"))
            shown = f": {excerpt}" if excerpt else ""
            raise ResponseError(
                f"returned a body that is not JSON ({kind}, {len(reply.body)} bytes){shown}; "
                "check --base-url points at the Bluejay API (not a proxy or login page)",
                endpoint=endpoint,
                status=reply.status,
            ) from None

    def _model(self, model: type[M], payload: Any, endpoint: str, status: int) -> M:
        try:
            return model.model_validate(payload)
        except pydantic.ValidationError as exc:
            problems = [
                f"{'.'.join(str(p) for p in err['loc']) or '(body)'}: {err['msg']}"
                for err in exc.errors()
            ]
            shown = "; ".join(self._excerpt(p) for p in problems[:MAX_LISTED_PROBLEMS])
            more = len(problems) - MAX_LISTED_PROBLEMS
            if more > 0:
                shown += f"; and {more} more"
            raise ResponseError(
                f"returned a body without the documented {model.__name__} shape: {shown}",
                endpoint=endpoint,
                status=status,
            ) from None

    def _get_model(self, path: str, model: type[M], what: tuple[str, str] | None = None) -> M:
        endpoint = f"GET {path}"
        reply = self._call("GET", path, what=what)
        return self._model(model, self._json(reply, endpoint), endpoint, reply.status)

    # -- endpoints ------------------------------------------------------------------------

    def ping(self) -> None:
        """Check the key and the base URL (``GET /v1/ping``)."""
        reply = self._call("GET", "/v1/ping")
        self._json(reply, "GET /v1/ping")

    def get_agent(self, agent_id: str) -> Agent:
        """``GET /v1/agents/{agent_id}``."""
        ident = _integer_id(agent_id, "agent", "GET /v1/agents/{agent_id}")
        agent = self._get_model(f"/v1/agents/{ident}", Agent, ("agent", ident))
        return _with_id(agent, f"GET /v1/agents/{ident}")

    def find_agent_by_external_id(self, external_id: str) -> Agent | None:
        """``GET /v1/agent-by-external-id/{external_id}``; ``None`` when there is none."""
        path = f"/v1/agent-by-external-id/{_segment(external_id)}"
        try:
            reply = self._call("GET", path, what=("agent with external id", external_id))
        except NotFoundError:
            return None
        payload = self._json(reply, f"GET {path}")
        if payload is None:
            return None
        return _with_id(self._model(Agent, payload, f"GET {path}", reply.status), f"GET {path}")

    def list_agents(self) -> list[Agent]:
        """``GET /v1/all-agents``."""
        path = "/v1/all-agents"
        reply = self._call("GET", path)
        payload = self._json(reply, f"GET {path}")
        if isinstance(payload, dict) and isinstance(payload.get("agents"), list):
            payload = payload["agents"]  # liberal: a wrapped list
        if not isinstance(payload, list):
            raise ResponseError(
                f"returned {type(payload).__name__}, not a list of agents",
                endpoint=f"GET {path}",
                status=reply.status,
            )
        return [self._model(Agent, item, f"GET {path}", reply.status) for item in payload]

    def add_agent(self, fields: dict[str, Any]) -> str:
        """Create an agent (``POST /v1/add-agent``, an ``AgentRequest``); returns its id."""
        endpoint = "POST /v1/add-agent"
        body = _body(fields, AGENT_REQUEST_FIELDS, "AgentRequest", endpoint)
        missing = sorted(AGENT_REQUEST_REQUIRED - body.keys())
        if missing:
            raise RequestRejected(
                f"not sent: AgentRequest needs {', '.join(missing)}; add them to the spec's agent",
                endpoint=endpoint,
            )
        started = self._now()

        def parse(reply: _Reply) -> str:
            payload = self._json(reply, endpoint)
            return self._model(AgentCreated, payload, endpoint, reply.status).agent_id

        def reconcile(cause: str) -> str | None:
            return self._find_created_agent(body, started, cause)

        return self._post_once_only("/v1/add-agent", body, parse, reconcile, "agent")

    def _find_created_agent(
        self, body: Mapping[str, Any], since: datetime, cause: str
    ) -> str | None:
        external_id = body.get("external_agent_id")
        if external_id:
            agent = self.find_agent_by_external_id(str(external_id))
            candidates = [agent] if agent is not None and agent.id else []
        else:
            candidates = [a for a in self.list_agents() if a.name == body["name"] and a.id]
            if len(candidates) > 1:
                candidates = [
                    a for a in candidates if _created_since(a.created_at, since - CLOCK_SKEW)
                ]
        if not candidates:
            return None
        chosen = max(candidates, key=lambda a: _newest_key(a.created_at, a.id))
        self._log(f"POST /v1/add-agent: adopted agent {chosen.id} after {cause}")
        return chosen.id

    def update_agent(self, agent_id: str, fields: dict[str, Any]) -> None:
        """``POST /v1/update-agent`` (``AgentUpdateRequest``, ``agent_id`` as a string)."""
        endpoint = "POST /v1/update-agent"
        body = _body(fields, AGENT_UPDATE_FIELDS - {"agent_id"}, "AgentUpdateRequest", endpoint)
        reply = self._call(
            "POST",
            "/v1/update-agent",
            {"agent_id": str(agent_id), **body},
            what=("agent", str(agent_id)),
        )
        self._check_updated(reply, endpoint)

    def update_agent_by_external_id(self, external_id: str, fields: dict[str, Any]) -> None:
        """``PUT /v1/update-agent-by-external-id`` (``AgentUpdateWithExternalIdRequest``)."""
        endpoint = "PUT /v1/update-agent-by-external-id"
        allowed = AGENT_UPDATE_BY_EXTERNAL_ID_FIELDS - {"external_agent_id"}
        body = _body(fields, allowed, "AgentUpdateWithExternalIdRequest", endpoint)
        reply = self._call(
            "PUT",
            "/v1/update-agent-by-external-id",
            {"external_agent_id": str(external_id), **body},
            what=("agent with external id", str(external_id)),
        )
        self._check_updated(reply, endpoint)

    def _check_updated(self, reply: _Reply, endpoint: str) -> None:
        """An ``AgentUpdateResponse`` (an object with an ``agent`` object), or the update
        may not have happened (a proxy's page answered 200): no verdict on a stale agent."""
        payload = self._json(reply, endpoint)
        agent = payload.get("agent") if isinstance(payload, dict) else None
        if not isinstance(agent, dict):
            got = type(payload).__name__ if not isinstance(payload, dict) else "no agent object"
            raise ResponseError(
                f"returned {got}, not the documented AgentUpdateResponse with the updated "
                "agent; the update may not have been applied: check --base-url",
                endpoint=endpoint,
                status=reply.status,
            )

    def get_simulation(self, simulation_id: str) -> Simulation:
        """``GET /v1/simulation/{simulation_id}``."""
        ident = _integer_id(simulation_id, "simulation", "GET /v1/simulation/{simulation_id}")
        return self._get_model(f"/v1/simulation/{ident}", Simulation, ("simulation", ident))

    def list_agent_simulations(self, agent_id: str) -> list[Simulation]:
        """``GET /v1/get-simulations-by-agent/{agent_id}``."""
        path = f"/v1/get-simulations-by-agent/{_segment(agent_id)}"
        reply = self._call("GET", path, what=("agent", str(agent_id)))
        payload = self._json(reply, f"GET {path}")
        if isinstance(payload, list):
            payload = {"simulations": payload}
        return list(self._model(SimulationList, payload, f"GET {path}", reply.status).simulations)

    def list_runs(self, simulation_id: str) -> list[RunStatus]:
        """``GET /v1/get-simulation-runs/{simulation_id}``."""
        path = f"/v1/get-simulation-runs/{_segment(simulation_id)}"
        reply = self._call("GET", path, what=("simulation", str(simulation_id)))
        payload = self._json(reply, f"GET {path}")
        if isinstance(payload, list):
            payload = {"simulation_runs": payload}
        return list(self._model(RunList, payload, f"GET {path}", reply.status).simulation_runs)

    def queue_run(
        self,
        simulation_id: str,
        *,
        digital_human_ids: Sequence[str] | None = None,
        runs_per_digital_human: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> QueuedRun:
        """Queue one run (``POST /v1/queue-simulation-run``), never two (module docstring)."""
        endpoint = "POST /v1/queue-simulation-run"
        sim = str(simulation_id)
        fixed = {"simulation_id", "digital_human_ids", "runs_per_digital_human"}
        body = _body(dict(extra or {}), QUEUE_RUN_FIELDS - fixed, "SimulationRunRequest", endpoint)
        body["simulation_id"] = sim
        if digital_human_ids is not None:
            body["digital_human_ids"] = [str(i) for i in digital_human_ids]
        if runs_per_digital_human is not None:
            if (
                isinstance(runs_per_digital_human, bool)
                or not isinstance(runs_per_digital_human, int)
                or runs_per_digital_human < 1
            ):
                raise RequestRejected(
                    f"not sent: runs_per_digital_human must be a whole number >= 1, "
                    f"not {runs_per_digital_human!r}",
                    endpoint=endpoint,
                )
            body["runs_per_digital_human"] = runs_per_digital_human
        with self._queue_lock(sim):  # runs of one simulation: one queue call at a time
            snapshot = self._run_snapshot(sim)
            started = self._now()

            def parse(reply: _Reply) -> QueuedRun:
                payload = self._json(reply, endpoint)
                return self._model(QueuedRun, payload, endpoint, reply.status)

            def reconcile(cause: str) -> QueuedRun | None:
                return self._find_queued_run(sim, snapshot, started, cause)

            return self._post_once_only("/v1/queue-simulation-run", body, parse, reconcile, "run")

    def _queue_lock(self, simulation_id: str) -> threading.Lock:
        with self._lock:
            return self._queue_locks.setdefault(simulation_id, threading.Lock())

    def _run_snapshot(self, simulation_id: str) -> set[str] | None:
        try:
            return {run.id for run in self.list_runs(simulation_id)}
        except NotFoundError:
            return set()  # no runs yet (or no such simulation: the queue call will say)
        except AuthError:
            raise
        except ApiError as exc:
            self._log(
                f"could not list the runs of simulation {simulation_id} before queueing "
                f"({exc.message}); a lost answer will be matched by creation time instead"
            )
            return None

    def _find_queued_run(
        self, simulation_id: str, snapshot: set[str] | None, since: datetime, cause: str
    ) -> QueuedRun | None:
        try:
            runs = self.list_runs(simulation_id)
        except NotFoundError:
            runs = []
        if snapshot is not None:
            new = [run for run in runs if run.id not in snapshot]
        else:
            new = [run for run in runs if _created_since(run.created_at, since - CLOCK_SKEW)]
        if not new:
            return None
        new.sort(key=lambda run: _newest_key(run.created_at, run.id))
        chosen = new[-1]
        if len(new) > 1:
            others = ", ".join(run.id for run in new[:-1])
            self._log(
                f"simulation {simulation_id}: {len(new)} new runs appeared while queueing "
                f"(another job queueing it too?); adopting the newest, {chosen.id}, not {others}"
            )
        self._log(f"POST /v1/queue-simulation-run: adopted run {chosen.id} after {cause}")
        try:
            result_ids = [result.id for result in self.get_run_results(chosen.id).results]
        except ApiError as exc:
            self._log(f"run {chosen.id}: could not list its results yet ({exc.message})")
            result_ids = []
        return QueuedRun(simulation_run_id=chosen.id, simulation_result_ids=result_ids)

    def get_run_results(self, run_id: str) -> RunResults:
        """``GET /v1/retrieve-simulation-results/{simulation_run_id}``."""
        path = f"/v1/retrieve-simulation-results/{_segment(run_id)}"
        return self._get_model(path, RunResults, ("simulation run", str(run_id)))

    def get_result(self, result_id: str) -> SimulationResult:
        """``GET /v1/retrieve-simulation-result/{test_result_id}``."""
        path = f"/v1/retrieve-simulation-result/{_segment(result_id)}"
        endpoint = f"GET {path}"
        reply = self._call("GET", path, what=("simulation result", str(result_id)))
        payload = self._json(reply, endpoint)
        if isinstance(payload, dict) and "simulation_result" not in payload and "id" in payload:
            return self._model(SimulationResult, payload, endpoint, reply.status)
        return self._model(SingleResult, payload, endpoint, reply.status).simulation_result

    def end_conversations(self, result_ids: Sequence[str]) -> None:
        """``POST /v1/end-conversations`` with integer ids; no call when there are none."""
        endpoint = "POST /v1/end-conversations"
        ids = [_integer_id(i, "simulation result", endpoint) for i in result_ids]
        if not ids:
            return
        body = {"test_result_ids": [int(i) for i in ids]}
        reply = self._call("POST", "/v1/end-conversations", body)
        try:
            outcome = self._model(
                EndConversationsOutcome, self._json(reply, endpoint), endpoint, reply.status
            )
        except ResponseError as exc:
            self._log(f"{endpoint}: {exc.message}")
            return
        if outcome.success is False or outcome.failed_ids:
            failed = ", ".join(outcome.failed_ids or []) or "unknown"
            self._log(
                f"{endpoint}: Bluejay could not end every conversation (failed: {failed}); "
                f"{self._excerpt(outcome.message or '')}".rstrip("; ")
            )

    def list_custom_metrics(
        self, agent_id: str | None = None, *, max_pages: int = MAX_METRIC_PAGES
    ) -> list[CustomMetric]:
        """Every page of ``GET /v1/custom-metrics`` (the agent's metrics, or with no
        ``agent_id`` the organisation's). Stops at ``total_pages``, on an empty page, on a
        page with nothing new, and after ``max_pages``; a bare list is one page."""
        endpoint = "GET /v1/custom-metrics"
        agent = None if agent_id is None else _integer_id(agent_id, "agent", endpoint)
        found: dict[str, CustomMetric] = {}
        for page in range(1, max_pages + 1):
            query = f"page={page}&page_size={METRIC_PAGE_SIZE}"
            if agent is not None:
                query = f"agent_id={agent}&{query}"
            reply = self._call("GET", f"/v1/custom-metrics?{query}")
            payload = self._json(reply, endpoint)
            if isinstance(payload, list):  # liberal: a bare list is the whole list
                payload = {"metrics": payload, "total_pages": 1}
            listed = self._model(CustomMetricPage, payload, endpoint, reply.status)
            new = 0
            for metric in listed.metrics:
                key = metric.id if metric.id is not None else f"name:{metric.name}"
                if key not in found:
                    found[key] = metric
                    new += 1
            if not listed.metrics or new == 0:
                break
            if listed.total_pages is not None:
                if page >= listed.total_pages:
                    break
            elif len(listed.metrics) < (listed.page_size or METRIC_PAGE_SIZE):
                break
        else:
            self._log(
                f"{endpoint}: stopped after {max_pages} pages of {METRIC_PAGE_SIZE} "
                "metrics; later pages were not read"
            )
        return list(found.values())

    def count_digital_humans(self, simulation_id: str) -> int:
        """How many digital humans ``GET /v1/digital-humans-by-simulation/{id}`` lists."""
        ident = _integer_id(
            simulation_id, "simulation", "GET /v1/digital-humans-by-simulation/{simulation_id}"
        )
        path = f"/v1/digital-humans-by-simulation/{ident}"
        endpoint = f"GET {path}"
        reply = self._call("GET", path, what=("simulation", ident))
        payload = self._json(reply, endpoint)
        if isinstance(payload, list):  # liberal: a bare list
            payload = {"digital_humans": payload}
        return self._model(DigitalHumanList, payload, endpoint, reply.status).count


# -- helpers ----------------------------------------------------------------------------


def _with_id(agent: Agent, endpoint: str) -> Agent:
    """An agent the gate will update and queue for must say which one it is."""
    if not agent.id:
        raise ResponseError(
            "returned an agent without an id: check --base-url points at the Bluejay API",
            endpoint=endpoint,
        )
    return agent


def _route(method: str, path: str) -> str:
    """``GET /v1/retrieve-simulation-results/77`` -> ``GET /v1/retrieve-simulation-results``:
    the endpoint, whatever ids follow (rate limits are per endpoint)."""
    parts = path.split("?", 1)[0].split("/")
    return f"{method} {'/'.join(parts[:3])}"


def _bare(exc: ApiError) -> str:
    """The message without its ``METHOD /path: `` prefix."""
    prefix = f"{exc.endpoint}: "
    return exc.message[len(prefix) :] if exc.message.startswith(prefix) else exc.message


def _until(
    chunks: Iterator[bytes], expires: float, monotonic: Callable[[], float], timeout: float
) -> Iterator[bytes]:
    """The chunks, until ``expires``: a body that trickles in (each read well inside the
    read timeout) cannot hold an attempt past its timeout."""
    for chunk in chunks:
        if monotonic() > expires:
            raise httpx.ReadTimeout(f"the answer was still arriving after {timeout:g} s")
        yield chunk


def _read_capped(chunks: Iterator[bytes], limit: int) -> tuple[bytes, bool]:
    """Read at most ``limit`` bytes; the flag says whether there was more."""
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        if size + len(chunk) > limit:
            parts.append(chunk[: limit - size])
            return b"".join(parts), True
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts), False


def _segment(value: object) -> str:
    """A path segment: the id as text, percent-encoded (``/`` included)."""
    return quote(str(value), safe="")


def _integer_id(value: object, kind: str, endpoint: str) -> str:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not text.isascii():
        raise RequestRejected(
            f"not sent: {kind} id {str(value)[:EXCERPT_CHARS]!r} is not a whole number "
            f"(Bluejay {kind} ids are integers); check the id in the spec",
            endpoint=endpoint,
        )
    return str(int(text))


def _body(
    fields: Mapping[str, Any], allowed: frozenset[str], schema: str, endpoint: str
) -> dict[str, Any]:
    """Only documented fields, ``None`` values left out."""
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise RequestRejected(
            f"not sent: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not "
            f"field{'s' if len(unknown) > 1 else ''} of {schema} in the Bluejay API; "
            f"allowed: {', '.join(sorted(allowed))}",
            endpoint=endpoint,
        )
    return {key: value for key, value in fields.items() if value is not None}


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _created_since(created_at: str | None, since: datetime) -> bool:
    when = _parse_time(created_at)
    return when is not None and when >= since


def _newest_key(created_at: str | None, ident: str | None) -> tuple[datetime, int, str]:
    when = _parse_time(created_at) or datetime.min.replace(tzinfo=UTC)
    text = ident or ""
    return (when, int(text) if text.isdigit() else -1, text)
