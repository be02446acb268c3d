"""Creating a custom metric, a simulation or a digital human is once only: after an
ambiguous failure (502/503, read timeout, dropped connection, a 2xx without the id) the
client looks the record up by name, adopting one created since the attempt, and sends
the create again only when nothing was created (a fake Bluejay over MockTransport)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import RetryPolicy
from bluejay_gate.errors import ResponseError, ServerError
from tests.helpers.mock_api import KEY, NOW, Clock

AGENT = "101"
SIM = "4821"
OLD = NOW - timedelta(hours=2)

#: kind -> (create path, list path, noun in the log)
KINDS = {
    "metric": ("/v1/create-custom-metric", "/v1/custom-metrics", "custom metric"),
    "simulation": ("/v1/create-simulation", f"/v1/get-simulations-by-agent/{AGENT}", "simulation"),
    "human": (
        "/v1/create-digital-human",
        f"/v1/digital-humans-by-simulation/{SIM}",
        "digital human",
    ),
}


def iso(when: Any) -> str:
    return str(when.isoformat()).replace("+00:00", "Z")


class FakeSetup:
    """The create and list endpoints of metrics, simulations and digital humans, with
    faults on the creates: ``(when, kind)``, ``before`` creating nothing, ``after``
    creating the record and then failing. Kinds: 502, 503, drop, timeout, connect,
    garbage (a 200 that is not JSON), noid (a 200 without the id)."""

    def __init__(self) -> None:
        self.records: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
        self.faults: list[tuple[str, str]] = []
        self.list_failures = 0
        self.next_id = 500
        self.log: list[tuple[str, str]] = []

    def add(self, kind: str, name: str, created: Any = NOW) -> str:
        self.next_id += 1
        ident = f"3f1c2d4e-0000-4000-8000-{self.next_id:012d}" if kind == "metric" else self.next_id
        record: dict[str, Any] = {"id": ident, "name": name, "created_at": iso(created)}
        if kind == "metric":
            record.update(description="d", response_type="pass_fail", agent_ids=[int(AGENT)])
        if kind == "simulation":
            record["agent_id"] = int(AGENT)
        if kind == "human":
            record.update(intent="", success_criteria="")
        self.records[kind].append(record)
        return str(ident)

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p in self.log if (m, p) == (method, path))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.log.append((request.method, path))
        for kind, (create, listing, _noun) in KINDS.items():
            if request.method == "GET" and path == listing:
                if self.list_failures:
                    self.list_failures -= 1
                    return httpx.Response(500)
                return self._listed(kind)
            if request.method == "POST" and path == create:
                return self._create(request, kind)
        return httpx.Response(404, json={"detail": "no route"})

    def _listed(self, kind: str) -> httpx.Response:
        records = self.records[kind]
        if kind == "metric":
            return httpx.Response(200, json={"metrics": records, "total_pages": 1})
        if kind == "simulation":
            return httpx.Response(200, json={"simulations": records})
        return httpx.Response(200, json={"digital_humans": records, "total": len(records)})

    def _create(self, request: httpx.Request, kind: str) -> httpx.Response:
        when, fault = self.faults.pop(0) if self.faults else ("", "")
        if fault == "connect":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if when == "before":
            return self._fail(request, fault)
        body = json.loads(request.content)
        name = body["digital_human"]["name"] if kind == "human" else body["name"]
        ident = self.add(kind, name)
        if fault:
            return self._fail(request, fault)
        record = self.records[kind][-1]
        if kind == "metric":
            return httpx.Response(200, json=record)
        if kind == "simulation":
            return httpx.Response(200, json={"simulation_id": int(ident), "status": "200"})
        return httpx.Response(200, json={"digital_human": record, "simulation_ids": [int(SIM)]})

    @staticmethod
    def _fail(request: httpx.Request, fault: str) -> httpx.Response:
        if fault == "drop":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "garbage":
            return httpx.Response(
                200, text="<html>oops</html>", headers={"content-type": "text/html"}
            )
        if fault == "noid":
            return httpx.Response(200, json={"status": "200"})
        return httpx.Response(int(fault), json={"detail": "boom"})


def client_for(fake: FakeSetup, logs: list[str], attempts: int = 4) -> BluejayClient:
    clock = Clock()
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


def create(client: BluejayClient, kind: str, name: str = "Empathy") -> str:
    """Create one record of ``kind`` named ``name``; its id."""
    if kind == "metric":
        fields = {"name": name, "description": "d", "response_type": "pass_fail"}
        return client.create_metric(AGENT, fields).id
    if kind == "simulation":
        return client.create_simulation(AGENT, name, {"max_concurrent": None})
    return client.create_human(SIM, {"name": name, "intent": "Refund"})


def names(fake: FakeSetup, kind: str) -> list[str]:
    return [str(r["name"]) for r in fake.records[kind]]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("fault", ["502", "503", "drop", "timeout", "garbage", "noid"])
def test_created_then_failed_is_adopted(kind: str, fault: str) -> None:
    """The server created the record, the answer was lost: no second create, the record
    found by name adopted and logged."""
    fake, logs = FakeSetup(), list[str]()
    fake.faults = [("after", fault)]
    with client_for(fake, logs) as client:
        got = create(client, kind)
    create_path, list_path, noun = KINDS[kind]
    assert names(fake, kind) == ["Empathy"]
    assert got == str(fake.records[kind][0]["id"])
    assert fake.count("POST", create_path) == 1
    assert fake.count("GET", list_path) == 1
    assert len(logs) == 1
    assert logs[0].startswith(f"POST {create_path}: adopted {noun} {got} (Empathy) after ")


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("fault", ["502", "drop", "timeout"])
def test_nothing_created_is_sent_again_once(kind: str, fault: str) -> None:
    """The failure came before anything was created: looked up, then sent again once."""
    fake, logs = FakeSetup(), list[str]()
    fake.faults = [("before", fault)]
    with client_for(fake, logs) as client:
        got = create(client, kind)
    create_path, list_path, noun = KINDS[kind]
    assert names(fake, kind) == ["Empathy"]
    assert got == str(fake.records[kind][0]["id"])
    assert fake.log == [("POST", create_path), ("GET", list_path), ("POST", create_path)]
    assert len(logs) == 1
    assert f"no {noun} was created; sending again (attempt 2 of 4)" in logs[0]


@pytest.mark.parametrize("kind", list(KINDS))
def test_connect_error_is_resent_without_a_look_up(kind: str) -> None:
    """A connect error never reached Bluejay: sent again at once, nothing looked up."""
    fake, logs = FakeSetup(), list[str]()
    fake.faults = [("before", "connect")]
    with client_for(fake, logs) as client:
        create(client, kind)
    create_path, _list_path, _noun = KINDS[kind]
    assert fake.log == [("POST", create_path), ("POST", create_path)]
    assert names(fake, kind) == ["Empathy"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_of_several_by_name_the_newest_created_since_is_adopted(kind: str) -> None:
    """An older record of the same name (and another name) is not mistaken for the lost
    one: the one created since the attempt is adopted."""
    fake, logs = FakeSetup(), list[str]()
    fake.add(kind, "Empathy", created=OLD)
    fake.add(kind, "Tone")
    fake.faults = [("after", "503")]
    with client_for(fake, logs) as client:
        got = create(client, kind)
    assert names(fake, kind) == ["Empathy", "Tone", "Empathy"]
    assert got == str(fake.records[kind][2]["id"])
    assert got in logs[0]


@pytest.mark.parametrize("kind", list(KINDS))
def test_only_older_ones_by_name_means_not_created(kind: str) -> None:
    """Two older records of that name and none since: nothing was created, sent again."""
    fake, logs = FakeSetup(), list[str]()
    fake.add(kind, "Empathy", created=OLD)
    fake.add(kind, "Empathy", created=OLD - timedelta(minutes=5))
    fake.faults = [("before", "503")]
    with client_for(fake, logs) as client:
        got = create(client, kind)
    assert names(fake, kind) == ["Empathy", "Empathy", "Empathy"]
    assert got == str(fake.records[kind][2]["id"])
    assert fake.count("POST", KINDS[kind][0]) == 2


@pytest.mark.parametrize("kind", list(KINDS))
def test_gives_up_without_a_duplicate(kind: str) -> None:
    """Every attempt fails before creating: the error says nothing was created."""
    fake, logs = FakeSetup(), list[str]()
    fake.faults = [("before", "503")] * 3
    with client_for(fake, logs, attempts=3) as client, pytest.raises(ServerError) as info:
        create(client, kind)
    create_path, _list_path, noun = KINDS[kind]
    assert fake.count("POST", create_path) == 3
    assert names(fake, kind) == []
    assert f"no {noun} was created" in str(info.value)
    assert str(info.value).startswith(f"POST {create_path}: ")


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_failed_look_up_says_it_may_exist(kind: str) -> None:
    """The look-up after a lost answer fails too: the error says to check the dashboard,
    and nothing is sent again."""
    fake, logs = FakeSetup(), list[str]()
    fake.faults = [("after", "timeout")]
    fake.list_failures = 10
    with client_for(fake, logs, attempts=2) as client, pytest.raises(ServerError) as info:
        create(client, kind)
    create_path, _list_path, noun = KINDS[kind]
    assert fake.count("POST", create_path) == 1
    message = str(info.value)
    assert message.startswith(f"POST {create_path}: read timeout, and checking whether the ")
    assert f"checking whether the {noun} was created failed too" in message
    assert "check the Bluejay dashboard" in message
    assert KEY not in message


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_2xx_without_the_id_and_nothing_found_is_a_response_error(kind: str) -> None:
    """A 200 without the id, and no record of that name: a ResponseError naming the
    endpoint, not a second create (Bluejay said it succeeded)."""
    fake, logs = FakeSetup(), list[str]()
    fake.faults = [("before", "noid")]
    with client_for(fake, logs) as client, pytest.raises(ResponseError) as info:
        create(client, kind)
    create_path, list_path, _noun = KINDS[kind]
    assert info.value.endpoint == f"POST {create_path}"
    assert "without the documented" in str(info.value)
    assert fake.log == [("POST", create_path), ("GET", list_path)]
    assert names(fake, kind) == []
