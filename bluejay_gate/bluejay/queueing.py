"""Queueing a simulation run (``POST /v1/queue-simulation-run``), which costs money: one
run per call, never two.

``queue_run`` lists the simulation's runs (``get-simulation-runs``) *before* queueing.
It resends the POST only when the request surely never reached Bluejay (connect error).
After an ambiguous failure (read timeout, dropped connection, 429 or 5xx, which a proxy
may send after Bluejay handled the request, or a 2xx with an unreadable body) it waits
the backoff delay, lists the runs again and adopts a run whose id was not in the snapshot
(the newest if several; logged). If the snapshot itself failed, it adopts a run created
since the first POST minus 60 s of clock skew. Only when no such run exists does it queue
again, counting the attempt.

Within one client, queue calls for the same simulation are serialised (a lock per
simulation), so threads of one gate never mistake each other's runs for their own.

Known limit: Bluejay has no idempotency keys, so two CI jobs queueing the same
simulation at the same instant cannot be told apart. If one of them loses its queue
response, it may adopt the other job's run. Give concurrent jobs different simulations,
or serialise them (e.g. a CI concurrency group), when that matters.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bluejay_gate.bluejay.adoption import CLOCK_SKEW, created_since, newest_key
from bluejay_gate.bluejay.bodies import documented_body
from bluejay_gate.bluejay.fields import QUEUE_RUN_FIELDS
from bluejay_gate.bluejay.models import QueuedRun
from bluejay_gate.bluejay.runs import RunCalls
from bluejay_gate.bluejay.session import Reply
from bluejay_gate.errors import ApiError, AuthError, NotFoundError, RequestRejected


class QueueCalls(RunCalls):
    """``queue_run`` and its reconciliation (it reads runs and results: ``RunCalls``)."""

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
        body = documented_body(
            dict(extra or {}), QUEUE_RUN_FIELDS - fixed, "SimulationRunRequest", endpoint
        )
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

            def parse(reply: Reply) -> QueuedRun:
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
            new = [run for run in runs if created_since(run.created_at, since - CLOCK_SKEW)]
        if not new:
            return None
        new.sort(key=lambda run: newest_key(run.created_at, run.id))
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
