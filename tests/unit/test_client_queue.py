"""queue_run and add_agent never create two of a thing for one intent (fake Bluejay)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import RetryPolicy
from bluejay_gate.errors import AuthError, ServerError, TransportError

KEY = "sk-canary-QUEUE-0123456789"
NOW = datetime(2026, 4, 1, 12, 0, 0, tzinfo=UTC)
SIM = "4821"


def iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


class FakeBluejay:
    """The few endpoints reconciliation needs, with faults on the non-idempotent POSTs.

    A fault is ``(when, kind)``: ``before`` fails without creating anything, ``after``
    creates the run/agent and then fails. Kinds: 503, 500, 429, connect, drop, timeout,
    garbage (a 200 whose body is not JSON).
    """

    def __init__(self) -> None:
        self.runs: list[dict[str, Any]] = []
        self.agents: list[dict[str, Any]] = []
        self.queue_faults: list[tuple[str, str]] = []
        self.agent_faults: list[tuple[str, str]] = []
        self.list_runs_failures = 0
        self.unreachable_after_queue = False  # listing runs fails once a POST was seen
        self.next_id = 100
        self.log: list[tuple[str, str]] = []

    def add_run(self, created_at: datetime = NOW, run_id: int | None = None) -> str:
        self.next_id += 1
        rid = run_id if run_id is not None else self.next_id
        self.runs.append(
            {
                "id": rid,
                "experiment_id": int(SIM),
                "created_at": iso(created_at),
                "status": "INITIALIZING",
            }
        )
        return str(rid)

    def add_agent(self, name: str, external: str | None, created_at: datetime = NOW) -> str:
        self.next_id += 1
        self.agents.append(
            {
                "id": self.next_id,
                "name": name,
                "external_agent_id": external,
                "created_at": iso(created_at),
            }
        )
        return str(self.next_id)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.log.append((request.method, path))
        if path == f"/v1/get-simulation-runs/{SIM}":
            if self.unreachable_after_queue and self.count("POST", "/v1/queue-simulation-run"):
                raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
            if self.list_runs_failures:
                self.list_runs_failures -= 1
                return httpx.Response(500)
            return httpx.Response(200, json={"simulation_runs": self.runs})
        if path == "/v1/queue-simulation-run":
            body = json.loads(request.content)
            assert body["simulation_id"] == SIM
            return self._faulty(request, self.queue_faults, self._queue)
        if path.startswith("/v1/retrieve-simulation-results/"):
            run_id = path.rsplit("/", 1)[1]
            return httpx.Response(
                200,
                json={
                    "simulation_run": {"id": run_id, "simulation_id": SIM, "created_at": iso(NOW)},
                    "simulation_results": [
                        {"id": int(run_id) * 10 + 1, "digital_human_id": 12},
                        {"id": int(run_id) * 10 + 2, "digital_human_id": 13},
                    ],
                },
            )
        if path == "/v1/add-agent":
            return self._faulty(request, self.agent_faults, self._create_agent)
        if path.startswith("/v1/agent-by-external-id/"):
            external = path.rsplit("/", 1)[1]
            for agent in self.agents:
                if agent["external_agent_id"] == external:
                    return httpx.Response(200, json=agent)
            return httpx.Response(404, json={"detail": "Agent not found"})
        if path == "/v1/all-agents":
            return httpx.Response(200, json=self.agents)
        return httpx.Response(404, json={"detail": "no route"})

    def _faulty(
        self, request: httpx.Request, faults: list[tuple[str, str]], handler: Any
    ) -> httpx.Response:
        when, kind = faults.pop(0) if faults else ("", "")
        if kind == "connect":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if kind == "429" and when == "before":
            return httpx.Response(429, headers={"retry-after": "2"})
        if when == "before":
            return self._fail(request, kind)
        response = handler(request)
        return self._fail(request, kind) if kind else response

    @staticmethod
    def _fail(request: httpx.Request, kind: str) -> httpx.Response:
        if kind == "drop":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if kind == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if kind == "garbage":
            return httpx.Response(
                200, text="<html>oops</html>", headers={"content-type": "text/html"}
            )
        return httpx.Response(int(kind), json={"detail": "boom"})

    def _queue(self, request: httpx.Request) -> httpx.Response:
        run_id = self.add_run()
        return httpx.Response(
            200,
            json={
                "simulation_run_id": run_id,
                "simulation_result_ids": [f"{run_id}1", f"{run_id}2"],
                "agent_id": "5",
                "status": "success",
            },
        )

    def _create_agent(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        agent_id = self.add_agent(body["name"], body.get("external_agent_id"))
        return httpx.Response(200, json={"agent_id": int(agent_id), "status": "200"})

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p in self.log if m == method and p == path)


class Clock:
    def __init__(self) -> None:
        self.now = 50.0
        self.sleeps: list[float] = []
        self.on_sleep: list[Any] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        while self.on_sleep:
            self.on_sleep.pop(0)()


def client_for(
    fake: FakeBluejay, logs: list[str], clock: Clock | None = None, attempts: int = 4
) -> BluejayClient:
    clock = clock or Clock()
    return BluejayClient(
        KEY,
        "https://api.example.test",
        transport=httpx.MockTransport(fake),
        retry=RetryPolicy(max_attempts=attempts, jitter=0.0),
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        now=lambda: NOW,
        log=logs.append,
    )


QUEUE = ("POST", "/v1/queue-simulation-run")
LIST = ("GET", f"/v1/get-simulation-runs/{SIM}")


def test_plain_success_takes_snapshot_first() -> None:
    """Runs are listed before the POST; one run, the server's result ids."""
    fake, logs = FakeBluejay(), list[str]()
    with client_for(fake, logs) as client:
        queued = client.queue_run(SIM)
    assert fake.log == [LIST, QUEUE]
    assert len(fake.runs) == 1
    assert queued.simulation_run_id == str(fake.runs[0]["id"])
    assert queued.simulation_result_ids == [
        f"{queued.simulation_run_id}1",
        f"{queued.simulation_run_id}2",
    ]
    assert logs == []


def test_surely_not_sent_is_resent() -> None:
    """Connect errors resend the POST without looking for a run."""
    fake, logs = FakeBluejay(), list[str]()
    fake.queue_faults = [("before", "connect"), ("before", "connect")]
    clock = Clock()
    with client_for(fake, logs, clock) as client:
        queued = client.queue_run(SIM)
    assert fake.count(*QUEUE) == 3
    assert fake.count(*LIST) == 1
    assert [r["id"] for r in fake.runs] == [int(queued.simulation_run_id)]
    assert clock.sleeps == [0.5, 1.0]


def test_429_looks_before_resending() -> None:
    """A 429 (a proxy may send it after Bluejay queued the run) is looked up first:
    nothing new, so it is sent again after Retry-After; never two runs."""
    fake, logs = FakeBluejay(), list[str]()
    fake.queue_faults = [("before", "429"), ("before", "429")]
    clock = Clock()
    with client_for(fake, logs, clock) as client:
        queued = client.queue_run(SIM)
    assert fake.count(*QUEUE) == 3
    assert fake.count(*LIST) == 3
    assert [r["id"] for r in fake.runs] == [int(queued.simulation_run_id)]
    assert clock.sleeps == [2.0, 2.0]


@pytest.mark.parametrize(
    ("kind", "cause"),
    [
        ("503", "503 Service Unavailable"),
        ("500", "500 Internal Server Error"),
        ("429", "429 Too Many Requests"),
        ("drop", "dropped connection (RemoteProtocolError)"),
        ("timeout", "read timeout"),
    ],
)
def test_ambiguous_failure_after_creation_adopts(kind: str, cause: str) -> None:
    """The run was created but the answer lost: it is adopted, never queued twice."""
    fake, logs = FakeBluejay(), list[str]()
    fake.add_run(NOW - timedelta(hours=1), run_id=7)  # an older run of the simulation
    fake.queue_faults = [("after", kind)]
    with client_for(fake, logs) as client:
        queued = client.queue_run(SIM)
    assert fake.count(*QUEUE) == 1
    assert len(fake.runs) == 2
    new_id = str(fake.runs[1]["id"])
    assert queued.simulation_run_id == new_id
    assert queued.simulation_result_ids == [f"{new_id}1", f"{new_id}2"]
    assert logs == [f"POST /v1/queue-simulation-run: adopted run {new_id} after {cause}"]


def test_ambiguous_failure_without_creation_queues_again() -> None:
    """A 503 that created nothing: look, find nothing, queue again; one run in the end."""
    fake, logs = FakeBluejay(), list[str]()
    fake.queue_faults = [("before", "503")]
    with client_for(fake, logs) as client:
        queued = client.queue_run(SIM)
    assert fake.log == [LIST, QUEUE, LIST, QUEUE]
    assert [str(r["id"]) for r in fake.runs] == [queued.simulation_run_id]
    assert logs == [
        "POST /v1/queue-simulation-run: 503 Service Unavailable and no run was created; "
        "sending again (attempt 2 of 4)"
    ]


def test_run_appearing_during_backoff_is_adopted() -> None:
    """A slow server that creates the run after the timeout: the wait lets it show up."""
    fake, logs = FakeBluejay(), list[str]()
    fake.queue_faults = [("before", "timeout")]
    clock = Clock()
    clock.on_sleep.append(fake.add_run)
    with client_for(fake, logs, clock) as client:
        queued = client.queue_run(SIM)
    assert fake.count(*QUEUE) == 1
    assert len(fake.runs) == 1
    assert queued.simulation_run_id == str(fake.runs[0]["id"])
    assert clock.sleeps == [0.5]


def test_garbage_200_adopts_created_run() -> None:
    """A 2xx with an unreadable body: the run exists, so it is adopted."""
    fake, logs = FakeBluejay(), list[str]()
    fake.queue_faults = [("after", "garbage")]
    with client_for(fake, logs) as client:
        queued = client.queue_run(SIM)
    assert fake.count(*QUEUE) == 1
    assert queued.simulation_run_id == str(fake.runs[0]["id"])
    assert logs[0].startswith(
        f"POST /v1/queue-simulation-run: adopted run {queued.simulation_run_id} after "
        "returned a body that is not JSON (text/html, 17 bytes)"
    )


def test_snapshot_failure_falls_back_to_creation_time() -> None:
    """Without a snapshot, only a run created since the request minus 60 s is adopted."""
    fake, logs = FakeBluejay(), list[str]()
    fake.add_run(NOW - timedelta(seconds=61), run_id=5)  # too old: not ours
    fake.list_runs_failures = 4  # the whole snapshot budget
    fake.queue_faults = [("after", "503")]
    with client_for(fake, logs) as client:
        queued = client.queue_run(SIM)
    assert fake.count(*QUEUE) == 1
    assert queued.simulation_run_id == str(fake.runs[1]["id"])
    assert "matched by creation time instead" in logs[-2]
    assert logs[-1].startswith("POST /v1/queue-simulation-run: adopted run")


def test_snapshot_failure_skew_margin_accepts_slightly_early_clock() -> None:
    """A run stamped up to 60 s before our clock's request time still counts as new."""
    fake, logs = FakeBluejay(), list[str]()
    fake.list_runs_failures = 4
    fake.queue_faults = [("before", "503")]
    clock = Clock()
    clock.on_sleep.append(lambda: fake.add_run(NOW - timedelta(seconds=59), run_id=9))
    with client_for(fake, logs, clock) as client:
        queued = client.queue_run(SIM)
    assert queued.simulation_run_id == "9"
    assert fake.count(*QUEUE) == 1


def test_several_new_runs_adopts_newest_and_logs() -> None:
    """Two new runs (another job?): the newest is adopted and the choice logged."""
    fake, logs = FakeBluejay(), list[str]()
    fake.queue_faults = [("before", "503")]
    clock = Clock()
    clock.on_sleep.append(
        lambda: (
            fake.add_run(NOW, run_id=300),
            fake.add_run(NOW + timedelta(seconds=1), run_id=200),
        )
    )
    with client_for(fake, logs, clock) as client:
        queued = client.queue_run(SIM)
    assert queued.simulation_run_id == "200"
    assert logs[0] == (
        f"simulation {SIM}: 2 new runs appeared while queueing (another job queueing it too?); "
        "adopting the newest, 200, not 300"
    )
    assert fake.count(*QUEUE) == 1


def test_persistent_ambiguous_failure_without_run_gives_up() -> None:
    """Every attempt fails and no run exists: ServerError saying nothing was created."""
    fake, logs = FakeBluejay(), list[str]()
    fake.queue_faults = [("before", "502")] * 10
    with client_for(fake, logs, attempts=3) as client, pytest.raises(ServerError) as info:
        client.queue_run(SIM)
    assert fake.count(*QUEUE) == 3
    assert fake.runs == []
    assert str(info.value).endswith("(gave up after 3 attempts; no run was created)")


def test_last_attempt_still_reconciles() -> None:
    """Even when the budget is spent, a run created by the last attempt is adopted."""
    fake, logs = FakeBluejay(), list[str]()
    fake.queue_faults = [("before", "503"), ("after", "503")]
    with client_for(fake, logs, attempts=2) as client:
        queued = client.queue_run(SIM)
    assert fake.count(*QUEUE) == 2
    assert [str(r["id"]) for r in fake.runs] == [queued.simulation_run_id]


def test_reconciliation_lookup_failure_is_reported() -> None:
    """If runs cannot be listed after an ambiguous failure, nothing is re-sent."""
    fake, logs = FakeBluejay(), list[str]()
    fake.queue_faults = [("after", "503")]
    fake.unreachable_after_queue = True
    with client_for(fake, logs, attempts=2) as client:
        with pytest.raises(TransportError) as info:
            client.queue_run(SIM)
    assert fake.count(*QUEUE) == 1
    assert "checking whether the run was created failed too" in str(info.value)
    assert str(info.value).startswith("POST /v1/queue-simulation-run: 503 Service Unavailable")


def test_auth_error_on_snapshot_stops_before_queueing() -> None:
    """A rejected key on the snapshot is raised; nothing is queued."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"detail": "bad key"})

    with BluejayClient(
        KEY, "https://api.example.test", transport=httpx.MockTransport(handler)
    ) as client:
        with pytest.raises(AuthError, match="check BLUEJAY_API_KEY"):
            client.queue_run(SIM)
        assert client.request_count == 1


# -- add_agent ---------------------------------------------------------------------------

AGENT = {"name": "Support Bot v2", "system_prompt": "p", "knowledge_base": "k", "goals": ["g"]}


def test_add_agent_adopts_by_external_id() -> None:
    """A lost add-agent answer: the agent is found by external id, not created twice."""
    fake, logs = FakeBluejay(), list[str]()
    fake.agent_faults = [("after", "drop")]
    with client_for(fake, logs) as client:
        agent_id = client.add_agent({**AGENT, "external_agent_id": "support-bot"})
    assert len(fake.agents) == 1
    assert agent_id == str(fake.agents[0]["id"])
    assert fake.count("POST", "/v1/add-agent") == 1
    assert logs == [
        f"POST /v1/add-agent: adopted agent {agent_id} "
        "after dropped connection (RemoteProtocolError)"
    ]


def test_add_agent_adopts_by_name_preferring_recent() -> None:
    """Without an external id, an exact-name match created after the attempt is adopted."""
    fake, logs = FakeBluejay(), list[str]()
    fake.add_agent("Support Bot v2", None, NOW - timedelta(days=3))
    fake.add_agent("Support Bot v2 (old)", None, NOW)
    fake.agent_faults = [("after", "504")]
    with client_for(fake, logs) as client:
        agent_id = client.add_agent(AGENT)
    assert fake.count("POST", "/v1/add-agent") == 1
    assert agent_id == str(fake.agents[-1]["id"])
    assert fake.agents[-1]["name"] == "Support Bot v2"


def test_add_agent_creates_again_when_nothing_was_made() -> None:
    """An ambiguous failure that created nothing is followed by one more create."""
    fake, logs = FakeBluejay(), list[str]()
    fake.agent_faults = [("before", "timeout")]
    with client_for(fake, logs) as client:
        agent_id = client.add_agent({**AGENT, "external_agent_id": "support-bot"})
    assert fake.count("POST", "/v1/add-agent") == 2
    assert [str(a["id"]) for a in fake.agents] == [agent_id]


def test_parallel_queues_of_one_simulation_do_not_interleave() -> None:
    """Two threads queueing the same simulation take turns, so neither adopts the other's run."""
    import threading
    import time

    fake, logs = FakeBluejay(), list[str]()
    fake.queue_faults = [("after", "503")]  # the first POST loses its answer
    order: list[tuple[str, str]] = []
    inner = fake.__call__

    def handler(request: httpx.Request) -> httpx.Response:
        order.append((threading.current_thread().name, request.method))
        if request.method == "POST":
            time.sleep(0.05)  # give the other thread every chance to interleave
        return inner(request)

    with BluejayClient(
        KEY,
        "https://api.example.test",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(jitter=0.0),
        sleep=lambda _: None,
        log=logs.append,
    ) as client:
        got: dict[str, str] = {}

        def queue(name: str) -> None:
            got[name] = client.queue_run(SIM).simulation_run_id

        threads = [threading.Thread(target=queue, args=(n,), name=n) for n in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(fake.runs) == 2
    assert sorted(got.values()) == sorted(str(r["id"]) for r in fake.runs)
    names = [name for name, _ in order]
    switches = sum(1 for x, y in itertools.pairwise(names) if x != y)
    assert switches == 1, order
