"""The run and result endpoints: queue a run, list a simulation's runs, read a run's
results (bulk) or one result, end conversations.
"""

from __future__ import annotations

import json
from typing import Any

from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator import queueing
from bluejay_gate.emulator.endpoints.registry import int_id, ok, route
from bluejay_gate.emulator.endpoints.render import queued_body, run_body
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.store import Store
from bluejay_gate.model.statuses import RESULT_FINAL, RUN_FINAL


def queue_reply(store: Store, sim_id: int, dh_ids: list[str] | None, reps: int | None) -> Reply:
    wanted = [int_id(d, "Digital human") for d in dh_ids] if dh_ids else None
    run = queueing.queue_run(store, sim_id, wanted, reps)
    return ok(queued_body(store, run.id))


@route("POST", "/v1/queue-simulation-run", body=b.SimulationRunRequest)
def queue_simulation_run(store: Store, call: Call) -> Reply:
    req: b.SimulationRunRequest = call.body
    sim_id = int_id(req.simulation_id, "Simulation")
    return queue_reply(store, sim_id, req.digital_human_ids, req.runs_per_digital_human)


@route("GET", "/v1/get-simulation-runs/{simulation_id}")
def get_simulation_runs(store: Store, call: Call) -> Reply:
    sim_id = int_id(call.params["simulation_id"], "Simulation")
    with store.lock:
        store.simulation(sim_id)
        now = store.clock()
        runs = [r for r in store.runs.values() if r.simulation_id == sim_id]
        body = [run_body(r, now, as_int=True) for r in reversed(runs)]
    return ok({"simulation_runs": body})


@route("GET", "/v1/retrieve-simulation-results/{simulation_run_id}")
def retrieve_simulation_results(store: Store, call: Call) -> Reply:
    run_id = int_id(call.params["simulation_run_id"], "Simulation run")
    with store.lock:
        run = store.run(run_id)
        if run.final_results is not None:
            return ok(run.final_results)
        now = store.clock()
        body: dict[str, Any] = {
            "simulation_run": run_body(run, now, as_int=False),
            "simulation_results": [c.render(now, bulk=True) for c in run.conversations],
            "status": "200",
        }
        done = body["simulation_run"]["status"] in RUN_FINAL and all(
            r["status"] in RESULT_FINAL for r in body["simulation_results"]
        )
        if not done:
            return ok(body)
        # Final: encode once; every later poll of this run is a cache hit.
        run.final_results = json.dumps(body, separators=(",", ":")).encode()
        return ok(run.final_results)


@route("GET", "/v1/retrieve-simulation-result/{test_result_id}")
def retrieve_simulation_result(store: Store, call: Call) -> Reply:
    result_id = int_id(call.params["test_result_id"], "Simulation result")
    with store.lock:
        conv = store.conversation(result_id)
        return ok({"simulation_result": conv.render(store.clock(), bulk=False), "status": "200"})


@route("POST", "/v1/end-conversations", body=b.EndConversationsRequest)
def end_conversations(store: Store, call: Call) -> Reply:
    ended, failed = queueing.end_conversations(store, call.body.test_result_ids)
    return ok(
        {
            "success": not failed,
            "ended_count": len(ended),
            "test_result_ids": ended,
            "failed_ids": failed,
            "message": f"Ended {len(ended)} conversations"
            + (f"; {len(failed)} were unknown or no longer active" if failed else ""),
        }
    )
