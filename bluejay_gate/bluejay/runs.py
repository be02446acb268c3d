"""Simulation, run and result endpoints: read a simulation, list an agent's simulations and
a simulation's runs, read a run's results (in bulk) or one result, and end conversations
(``end-conversations``, integer ids; a partial failure is logged, never raised)."""

from __future__ import annotations

from collections.abc import Sequence

from bluejay_gate.bluejay.bodies import integer_id, segment
from bluejay_gate.bluejay.calls import Calls
from bluejay_gate.bluejay.models import (
    EndConversationsOutcome,
    RunList,
    RunResults,
    RunStatus,
    Simulation,
    SimulationList,
    SimulationResult,
    SingleResult,
)
from bluejay_gate.errors import ResponseError


class RunCalls(Calls):
    """Simulations, their runs and results, and ending conversations."""

    def get_simulation(self, simulation_id: str) -> Simulation:
        """``GET /v1/simulation/{simulation_id}``."""
        ident = integer_id(simulation_id, "simulation", "GET /v1/simulation/{simulation_id}")
        return self._get_model(f"/v1/simulation/{ident}", Simulation, ("simulation", ident))

    def list_agent_simulations(self, agent_id: str) -> list[Simulation]:
        """``GET /v1/get-simulations-by-agent/{agent_id}``."""
        path = f"/v1/get-simulations-by-agent/{segment(agent_id)}"
        reply = self._call("GET", path, what=("agent", str(agent_id)))
        payload = self._json(reply, f"GET {path}")
        if isinstance(payload, list):
            payload = {"simulations": payload}
        return list(self._model(SimulationList, payload, f"GET {path}", reply.status).simulations)

    def list_runs(self, simulation_id: str) -> list[RunStatus]:
        """``GET /v1/get-simulation-runs/{simulation_id}``."""
        path = f"/v1/get-simulation-runs/{segment(simulation_id)}"
        reply = self._call("GET", path, what=("simulation", str(simulation_id)))
        payload = self._json(reply, f"GET {path}")
        if isinstance(payload, list):
            payload = {"simulation_runs": payload}
        return list(self._model(RunList, payload, f"GET {path}", reply.status).simulation_runs)

    def get_run_results(self, run_id: str) -> RunResults:
        """``GET /v1/retrieve-simulation-results/{simulation_run_id}``."""
        path = f"/v1/retrieve-simulation-results/{segment(run_id)}"
        return self._get_model(path, RunResults, ("simulation run", str(run_id)))

    def get_result(self, result_id: str) -> SimulationResult:
        """``GET /v1/retrieve-simulation-result/{test_result_id}``."""
        path = f"/v1/retrieve-simulation-result/{segment(result_id)}"
        what = ("simulation result", str(result_id))
        return self._get_one(path, SimulationResult, SingleResult, "simulation_result", what)

    def end_conversations(self, result_ids: Sequence[str]) -> None:
        """``POST /v1/end-conversations`` with integer ids; no call when there are none."""
        endpoint = "POST /v1/end-conversations"
        ids = [integer_id(i, "simulation result", endpoint) for i in result_ids]
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
