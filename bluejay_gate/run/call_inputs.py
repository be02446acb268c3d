"""Recorded calls for the verdict: the jobs a spec's ``calls:`` sets send
(``build_call_jobs``) and, once polling stops, each set as a ``SimulationInput`` of kind
``CALL_SET`` (``build_call_inputs``): its calls as read, and every reason one did not
finish (not sent, unreadable, still evaluating at a timeout or cancel). Judged by the
simulations' rules from there on. Pure: sends nothing.
"""

from __future__ import annotations

from bluejay_gate.model import statuses
from bluejay_gate.model.metric_names import NOT_CUSTOM
from bluejay_gate.model.results import ReadResult, ResultMetrics
from bluejay_gate.run.call_traces import trace_id_for
from bluejay_gate.run.calls import CallJob, CallOutcome, CallTracker
from bluejay_gate.spec.resolved import Spec
from bluejay_gate.verdict.inputs import SimulationInput
from bluejay_gate.verdict.model import CALL_SET

# The status of a call sent whose call log was never read.
UNREAD = "SENT"


def build_call_jobs(spec: Spec, gate_run: str) -> list[CallJob]:
    jobs: list[CallJob] = []
    for index, call_set in enumerate(spec.calls):
        checks = spec.checks_for(call_set)
        custom = any(c.metric not in NOT_CUSTOM for c in checks)
        jobs.extend(
            CallJob(
                set_index=index,
                label=call_set.name,
                file=f.shown,
                body=f.body,
                trace_id=trace_id_for(gate_run, call_set.name, f.shown),
                needs_custom_metrics=custom,
            )
            for f in call_set.files
        )
    return jobs


def _read(t: CallTracker) -> ReadResult:
    if t.result is not None:
        return t.result
    return ReadResult(t.call_id, None, UNREAD, None, None, None, ResultMetrics({}, False, False))


def _errors(t: CallTracker, outcome: CallOutcome) -> list[str]:
    if t.error:
        return [t.error]
    if t.done or not (outcome.timed_out or outcome.cancelled):
        return []
    reason = "timed out" if outcome.timed_out else "cancelled"
    status = statuses.normalise(t.status) or UNREAD
    return [
        f"{reason} with call {t.call_id} ({t.job.file}) still {status}: Bluejay has no "
        "endpoint to stop a call's evaluation, it finishes on its own; run the gate again "
        "or raise run.timeout"
    ]


def build_call_inputs(spec: Spec, outcome: CallOutcome) -> list[SimulationInput]:
    inputs = []
    for index, call_set in enumerate(spec.calls):
        trackers = [t for t in outcome.trackers if t.job.set_index == index]
        order = {f.shown: n for n, f in enumerate(call_set.files)}
        trackers.sort(key=lambda t: order.get(t.job.file, len(order)))
        errors = [why for job, why in outcome.unsent if job.set_index == index]
        for t in trackers:
            errors += _errors(t, outcome)
        inputs.append(
            SimulationInput(
                label=call_set.name,
                simulation_id="",
                checks=spec.checks_for(call_set),
                runs=(),
                results=tuple(_read(t) for t in trackers),
                errors=tuple(errors),
                kind=CALL_SET,
                files=tuple(f.shown for f in call_set.files),
                result_files={t.call_id: t.job.file for t in trackers},
            )
        )
    return inputs
