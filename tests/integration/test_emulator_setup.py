"""Bluejay as code against the emulator over real HTTP: metrics, simulations and digital
humans made through the API score and run as the gate expects; unlinking, removing,
faults after a create, and the errors of the new endpoints."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bluejay_gate.emulator import Emulator, ManualClock
from tests.helpers.typed import as_list, as_object

KEY = {"X-API-Key": "k"}
SCENARIO_METRICS = {"Greeting compliance", "Empathy", "Resolution", "Notes"}
FULL_RUN = 6.0  # seconds of the billing scenario's stages, with a margin


class Api:
    """The few calls these tests make; each asserts the status it expects."""

    def __init__(self, emu: Emulator) -> None:
        self.http = httpx.Client(base_url=emu.base_url, headers=KEY, timeout=5)

    def send(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        r = self.http.request(method, path, json=body)
        assert r.status_code == status, (method, path, r.status_code, r.text)
        return r.json() if r.headers.get("content-type") == "application/json" else r.text

    def metric(self, name: str, response_type: str = "pass_fail", **fields: Any) -> str:
        body = {"name": name, "description": f"{name}?", "response_type": response_type}
        made = self.send("POST", "/v1/create-custom-metric", {**body, **fields})
        return str(made["id"])

    def simulation(self, name: str, **fields: Any) -> int:
        made = self.send(
            "POST", "/v1/create-simulation", {"agent_id": "101", "name": name, **fields}
        )
        return int(made["simulation_id"])

    def human(self, sim_id: int, name: str, **fields: Any) -> int:
        body = {"simulation_ids": [sim_id], "digital_human": {"name": name, **fields}}
        return int(self.send("POST", "/v1/create-digital-human", body)["digital_human"]["id"])

    def queue(self, sim_id: int, **extra: Any) -> dict[str, Any]:
        body = {"simulation_id": str(sim_id), **extra}
        return as_object(self.send("POST", "/v1/queue-simulation-run", body), "queued")

    def results(self, run_id: str) -> list[dict[str, Any]]:
        body = self.send("GET", f"/v1/retrieve-simulation-results/{run_id}")
        return as_list(as_object(body)["simulation_results"], "simulation_results")


def scored(result: dict[str, Any]) -> dict[str, str]:
    """A completed result's custom metrics: name -> response_value."""
    metrics = result["evaluations"][-1]["custom_metrics"]
    return {m["name"]: m["response_value"] for m in metrics}


def test_metrics_a_simulation_selects_score_its_runs(emulator, billing_scenario):
    """A metric created through the API and selected by a simulation created through the API
    scores the conversations of its digital human (added through the API), by the default
    generators; nothing else is scored; runs and results read as for any simulation."""
    clock = ManualClock()
    api = Api(emulator(billing_scenario, clock=clock))
    refund = api.metric("Refund offered")
    clarity = api.metric("Clarity", "quantitative", min_value=1, max_value=5)
    api.metric("Unselected", agent_ids=[101])
    sim_id = api.simulation("Managed", selected_custom_metrics=[refund, clarity, "gone"])
    dh_id = api.human(sim_id, "Caller", intent="wants a refund")
    queued = api.queue(sim_id)
    assert len(queued["simulation_result_ids"]) == 1
    clock.advance(FULL_RUN)
    runs = api.send("GET", f"/v1/get-simulation-runs/{sim_id}")["simulation_runs"]
    assert [(r["id"], r["status"]) for r in runs] == [
        (int(queued["simulation_run_id"]), "COMPLETED")
    ]
    [result] = api.results(queued["simulation_run_id"])
    assert (result["status"], result["digital_human_id"]) == ("COMPLETED", dh_id)
    values = scored(result)
    assert list(values) == ["Refund offered", "Clarity"]  # the selection's order
    assert values["Refund offered"] in {"pass", "fail"}
    assert 1 <= float(values["Clarity"]) <= 5
    single = api.send("GET", f"/v1/retrieve-simulation-result/{result['id']}")
    assert scored(single["simulation_result"]) == values


def test_without_a_selection_the_agents_metrics_score_until_unlinked(emulator, billing_scenario):
    """No selection: the agent's metrics score (the scenario's, linked to no agent, score every
    agent's runs). A metric whose agent_ids are set to [] through the API, or created with an
    explicit [], scores nothing and is no longer listed for the agent."""
    clock = ManualClock()
    api = Api(emulator(billing_scenario, clock=clock))
    linked = api.metric("Linked", agent_ids=[101])
    api.metric("Never linked", agent_ids=[])
    sim_id = api.simulation("Unselected")
    api.human(sim_id, "Caller")
    first = api.queue(sim_id)
    clock.advance(FULL_RUN)
    assert set(scored(api.results(first["simulation_run_id"])[0])) == SCENARIO_METRICS | {"Linked"}
    listed = api.send("GET", "/v1/custom-metrics?agent_id=101")["metrics"]
    assert [m["name"] for m in listed] == ["Linked"]

    unlinked = api.send("PUT", f"/v1/update-custom-metric/{linked}", {"agent_ids": []})
    assert unlinked["agent_ids"] == []
    second = api.queue(sim_id)
    clock.advance(FULL_RUN)
    assert set(scored(api.results(second["simulation_run_id"])[0])) == SCENARIO_METRICS
    assert api.send("GET", "/v1/custom-metrics?agent_id=101")["metrics"] == []
    assert api.send("GET", "/v1/custom-metrics-by-agent/101")["total_count"] == 0
    # the first run was scored when it was queued: its metrics stay
    assert "Linked" in scored(api.results(first["simulation_run_id"])[0])


def test_selection_and_report_selected_metrics_agree(emulator, billing_scenario):
    """A scenario simulation that reports its scored metrics in settings reports, and scores,
    the selection an update stores; with the selection cleared it is back to the default."""
    billing_scenario["simulations"][0]["report_selected_metrics"] = "settings"
    clock = ManualClock()
    api = Api(emulator(billing_scenario, clock=clock))
    listed = api.send("GET", "/v1/custom-metrics")["metrics"]
    by_name = {m["name"]: m["id"] for m in listed}
    before = api.send("GET", "/v1/simulation/4821")["settings"]["selected_custom_metrics"]
    assert before == list(by_name.values())
    api.send("PUT", "/v1/simulation/4821", {"selected_custom_metrics": [by_name["Empathy"]]})
    after = api.send("GET", "/v1/simulation/4821")["settings"]["selected_custom_metrics"]
    assert after == [by_name["Empathy"]]
    run = api.queue(4821)
    clock.advance(FULL_RUN)
    assert [set(scored(r)) for r in api.results(run["simulation_run_id"])] == [{"Empathy"}] * 2
    api.send("PUT", "/v1/simulation/4821", {"selected_custom_metrics": []})
    cleared = api.send("GET", "/v1/simulation/4821")["settings"]["selected_custom_metrics"]
    assert cleared == list(by_name.values())


def test_runs_have_conversations_for_the_current_digital_humans(emulator, billing_scenario):
    """Removed digital humans get no conversations and cannot be asked for; added ones do;
    update-digital-human's simulation_ids replaces its links."""
    api = Api(emulator(billing_scenario, clock=ManualClock()))
    sim_id = api.simulation("Humans")
    first, second = api.human(sim_id, "First"), api.human(sim_id, "Second")

    def conversation_humans() -> list[int]:
        run = api.queue(sim_id)
        return [r["digital_human_id"] for r in api.results(run["simulation_run_id"])]

    assert conversation_humans() == [first, second]
    path = f"/v1/simulation/{sim_id}/remove-digital-humans"
    removed = api.send("POST", path, {"digital_human_ids": [first]})
    assert removed == {"message": f"Removed 1 digital humans from simulation {sim_id}"}
    assert conversation_humans() == [second]
    body = {"simulation_id": str(sim_id), "digital_human_ids": [str(first)]}
    api.send("POST", "/v1/queue-simulation-run", body, status=404)
    again = api.send("POST", path, {"digital_human_ids": [first]})
    assert again["message"].startswith("Removed 0 ")  # idempotent for missing links
    api.send("POST", f"/v1/simulation/{sim_id}/add-digital-humans", {"digital_human_ids": [first]})
    assert conversation_humans() == [second, first]

    moved = api.send("PUT", f"/v1/update-digital-human/{second}", {"simulation_ids": [4821]})
    assert (moved["simulation_ids"], moved["simulation_id"]) == ([4821], 4821)
    assert conversation_humans() == [first]
    listed = api.send("GET", "/v1/digital-humans-by-simulation/4821")["digital_humans"]
    assert [d["id"] for d in listed] == [12, 13, second]


def test_digital_human_endpoints_refuse_unknown_ids_and_bad_bodies(emulator, billing_scenario):
    """404 for an unknown digital human or simulation (nothing changes); 422 with the field's
    location for bad values; undocumented fields are ignored, as FastAPI does."""
    api = Api(emulator(billing_scenario))
    dh = api.send("GET", "/v1/digital-human/999", status=404)
    assert dh == {"detail": "Digital human 999 not found"}
    api.send("PUT", "/v1/update-digital-human/999", {"tag": "x"}, status=404)
    bad_sim = api.send("PUT", "/v1/update-digital-human/12", {"simulation_ids": [4821, 5]}, 404)
    assert bad_sim == {"detail": "Simulation 5 not found"}
    assert api.send("GET", "/v1/digital-human/12")["simulation_ids"] == [4821]
    unknown = api.send(
        "POST", "/v1/simulation/4821/remove-digital-humans", {"digital_human_ids": [12, 77]}, 404
    )
    assert unknown == {"detail": "Digital humans [77] not found"}
    assert api.send("GET", "/v1/digital-humans-by-simulation/4821")["total"] == 2

    def error(method: str, path: str, body: Any) -> tuple[list[Any], str]:
        detail = api.send(method, path, body, status=422)["detail"]
        assert len(detail) == 1, detail
        return detail[0]["loc"], detail[0]["type"]

    assert error("POST", "/v1/simulation/4821/remove-digital-humans", {}) == (
        ["body", "digital_human_ids"],
        "missing",
    )
    assert error("PUT", "/v1/update-digital-human/12", {"language": "xx"}) == (
        ["body", "language"],
        "literal_error",
    )
    assert error("POST", "/v1/create-digital-human", {"digital_human": {"silence_timeout": 5}}) == (
        ["body", "digital_human", "silence_timeout"],
        "greater_than_equal",
    )
    assert error(
        "POST", "/v1/create-simulation", {"agent_id": "101", "prompt_id": "not-a-uuid"}
    ) == (["body", "prompt_id"], "uuid_parsing")
    assert error("GET", "/v1/custom-metrics?agent_id=abc", None) == (
        ["query", "agent_id"],
        "int_parsing",
    )
    api.send("GET", "/v1/custom-metrics-by-agent/7", status=404)
    ignored = api.send("PUT", "/v1/update-digital-human/12", {"tag": "t", "undocumented": 1})
    assert "undocumented" not in ignored["digital_human"]
    assert ignored["digital_human"]["tag"] == "t"


@pytest.mark.parametrize(
    ("endpoint", "body", "listing"),
    [
        (
            "/v1/create-custom-metric",
            {"name": "Once", "description": "", "response_type": "yes_no", "agent_ids": [101]},
            "/v1/custom-metrics?agent_id=101",
        ),
        (
            "/v1/create-simulation",
            {"agent_id": "101", "name": "Once"},
            "/v1/get-simulations-by-agent/101",
        ),
        (
            "/v1/create-digital-human",
            {"simulation_ids": [4821], "digital_human": {"name": "Once"}},
            "/v1/digital-humans-by-simulation/4821",
        ),
    ],
)
def test_a_502_after_a_create_leaves_the_record_for_a_look_up(
    emulator, billing_scenario, endpoint, body, listing
):
    """A fault injected after a create answers 502 although the record was created: a
    look-up finds it, so a client that looks before creating again makes no duplicate."""
    emu = emulator(billing_scenario)
    emu.set_faults([f"POST {endpoint}:502:1:after:times=1"])
    api = Api(emu)
    api.send("POST", endpoint, body, status=502)
    found = api.send("GET", listing)
    records = next(v for k, v in found.items() if isinstance(v, list))
    assert [r["name"] for r in records].count("Once") == 1
    assert (emu.requests[0].status, emu.requests[0].took_effect) == (502, True)


def test_scenario_records_read_back_like_api_ones(emulator, billing_scenario):
    """A scenario simulation's settings and a scenario digital human's fields are stored as
    if created through the API: exactly the keys given, values as the API would keep them."""
    sim = billing_scenario["simulations"][0]
    sim["settings"] = {"description": "Nightly", "max_turns": 20, "tags": ["billing"]}
    sim["digital_humans"][0].update({"language": "es", "traits": [{"trait_name": "t"}]})
    api = Api(emulator(billing_scenario))
    body = api.send("GET", "/v1/simulation/4821")
    assert (body["description"], body["max_turns"], body["tags"]) == ("Nightly", 20, ["billing"])
    assert body["settings"] == {
        "name": "Billing regressions",
        "runs_per_digital_human": 1,
        "description": "Nightly",
        "max_turns": 20,
        "tags": ["billing"],
    }
    angry, polite = api.send("GET", "/v1/digital-humans-by-simulation/4821")["digital_humans"]
    assert (angry["language"], angry["traits"], angry["voice_speed"]) == (
        "es",
        [{"trait_name": "t"}],
        None,  # not given: not stored (an API create would store the default)
    )
    assert (polite["name"], polite["language"]) == ("Polite", None)


def test_created_simulations_shape_the_runs_of_a_setup_made_later(emulator, billing_scenario):
    """created_simulations gives a simulation created through the API, by name, its scores
    (per digital human by name, too) and outcome; other names get the defaults."""
    billing_scenario["created_simulations"] = [
        {
            "name": "Managed",
            "agent": "support-bot",
            "scores": {"Refund offered": {"value": "fail"}, "Clarity": {"value": "4"}},
            "digital_human_scores": {"Caller": {"Clarity": {"value": "2"}}},
            "run_outcome": "INCOMPLETED",
        },
        {"name": "Elsewhere", "agent": "no-such-agent", "run_outcome": "INCOMPLETED"},
    ]
    clock = ManualClock()
    api = Api(emulator(billing_scenario, clock=clock))
    refund = api.metric("Refund offered")
    clarity = api.metric("Clarity", "quantitative", min_value=1, max_value=5)
    selected = {"selected_custom_metrics": [refund, clarity]}
    managed = api.simulation("Managed", **selected)
    elsewhere = api.simulation("Elsewhere", **selected)
    caller, other = api.human(managed, "Caller"), api.human(managed, "Other")
    api.human(elsewhere, "Caller")
    runs = {sim: api.queue(sim)["simulation_run_id"] for sim in (managed, elsewhere)}
    clock.advance(FULL_RUN)
    by_human = {r["digital_human_id"]: scored(r) for r in api.results(runs[managed])}
    assert by_human == {
        caller: {"Refund offered": "fail", "Clarity": "2"},
        other: {"Refund offered": "fail", "Clarity": "4"},
    }

    def run_status(run_id: str) -> str:
        body = api.send("GET", f"/v1/retrieve-simulation-results/{run_id}")
        return str(body["simulation_run"]["status"])

    assert run_status(runs[managed]) == "INCOMPLETED"
    assert run_status(runs[elsewhere]) == "COMPLETED"  # its agent does not match: defaults
