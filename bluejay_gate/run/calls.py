"""Recorded calls: send each golden call for evaluation and poll its call log until final.

Each call is sent once (``evaluate_call`` with its own trace id: never twice, see
``bluejay.call_logs``; when the gate attempt is the CI's, calls an earlier try of the same
attempt sent are looked up by trace id first and adopted), at most ``max_parallel``
requests at a time, then polled with
``GET /v1/retrieve-call-log/{call_id}`` one interval after its last answer until it is
final (``COMPLETED``; ``INCOMPLETED`` is final and not completed). The last answer counts:
each answer is read again with the simulation results' rules (``bluejay.results``). A
``COMPLETED`` call without custom metrics is polled for a short settle window more before
it counts as unscored. Clock, wait and the cancel signal are parameters (as ``poll``).

Bluejay has no endpoint that stops a call's evaluation: on timeout or cancel, calls not
yet sent are not sent, a send still out gets ``QUEUE_GRACE_SECONDS``, and every call
still evaluating is reported unfinished (Bluejay finishes scoring it; nothing else runs).
Worker threads only fetch; the main thread applies every answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from typing import Any, Protocol

from bluejay_gate import events
from bluejay_gate.bluejay.models import CallLog
from bluejay_gate.bluejay.results import lacks_custom_metrics, read_result
from bluejay_gate.errors import ApiError, AuthError, GateError
from bluejay_gate.model import statuses
from bluejay_gate.model.results import ReadResult
from bluejay_gate.run.pacing import Pacing
from bluejay_gate.run.poll import AWAIT_SLICE, QUEUE_GRACE_SECONDS, passing


class CallApi(Protocol):
    def evaluate_call(self, body: Mapping[str, Any], *, agent_id: str, trace_id: str) -> str: ...
    def get_call_log(self, call_id: str) -> CallLog: ...
    def traced_calls(self, agent_id: str, trace_ids: set[str]) -> dict[str, CallLog]: ...


@dataclass(frozen=True, slots=True)
class CallJob:
    """One golden call to send."""

    set_index: int
    label: str  # the call set's name
    file: str  # relative to the spec
    body: Mapping[str, Any]
    trace_id: str
    needs_custom_metrics: bool = True


@dataclass(slots=True)
class CallTracker:
    """What the gate knows about one sent call."""

    job: CallJob
    call_id: str
    result: ReadResult | None = None  # the last answer, read
    done: bool = False
    next_poll_at: float = 0.0
    settle_until: float | None = None
    error: str | None = None

    @property
    def status(self) -> str | None:
        return self.result.status if self.result is not None else None


@dataclass(slots=True)
class CallOutcome:
    trackers: list[CallTracker] = field(default_factory=list)
    unsent: list[tuple[CallJob, str]] = field(default_factory=list)  # with the reason
    timed_out: bool = False
    cancelled: bool = False
    errors: list[str] = field(default_factory=list)  # gate-level (a rejected key, ...)


class CallRunner:
    def __init__(
        self,
        api: CallApi,
        jobs: Sequence[CallJob],
        *,
        agent_id: str,
        pacing: Pacing,
        settle_window: float | None = None,
        look_first: bool = False,
    ) -> None:
        self.api = api
        self.jobs = list(jobs)
        self.agent_id = agent_id
        self.poll_interval = pacing.poll_interval
        self.deadline = pacing.deadline
        self.emit = pacing.emit
        self.monotonic = pacing.monotonic
        self.wait = pacing.wait
        self.settle_window = pacing.settle_window(settle_window)
        self.outcome = CallOutcome()
        workers = min(16, max(1, pacing.max_parallel), max(1, len(jobs)))
        self._pool = ThreadPoolExecutor(max_workers=workers)
        self._unknown_seen: set[str] = set()
        self._abandon = False
        # the gate attempt's id is the CI's: an earlier try of this attempt may have sent
        # these calls already, so look their trace ids up before the first send
        self.look_first = look_first

    def _await(
        self, futures: Iterable[Future[Any]], on_done: Callable[[Future[Any]], None]
    ) -> bool:
        """Every future handed to ``on_done`` as it is answered; True on cancel."""
        pending = set(futures)
        while pending:
            if self.wait(0):
                return True
            if self.monotonic() >= self.deadline:
                return False
            done, pending = wait_futures(pending, timeout=AWAIT_SLICE, return_when=FIRST_COMPLETED)
            for future in done:
                on_done(future)
        return False

    def _adopt_sent(self) -> None:
        """Calls an earlier try of this gate attempt sent (same trace ids): adopted, never
        sent again. A failed look-up is a warning: the send still reconciles on failure."""
        wanted = {job.trace_id: job for job in self.jobs}
        try:
            found = self.api.traced_calls(self.agent_id, set(wanted))
        except AuthError:
            raise
        except GateError as exc:
            self.emit(events.Warning(f"could not look for calls this attempt sent already: {exc}"))
            return
        for trace, got in found.items():
            job = wanted[trace]
            self.jobs.remove(job)
            self.outcome.trackers.append(CallTracker(job, got.id))
            self.emit(
                events.Info(
                    f"{job.label}: {job.file} was sent by an earlier try of this gate attempt "
                    f"(call {got.id}); reading it instead of sending it again"
                )
            )

    def _send_all(self) -> bool:
        """Send every call (the pool bounds how many at once); True when cancelled."""
        sends = {
            self._pool.submit(
                self.api.evaluate_call, job.body, agent_id=self.agent_id, trace_id=job.trace_id
            ): job
            for job in self.jobs
        }
        refused: list[AuthError] = []

        def on_sent(future: Future[Any]) -> None:
            job = sends.pop(future)
            try:
                call_id = future.result()
            except AuthError as exc:
                refused.append(exc)
                self.outcome.unsent.append((job, f"not sent: {exc}"))
                return
            except GateError as exc:
                self.outcome.unsent.append((job, f"could not send {job.file}: {exc}"))
                self.emit(events.Warning(f"{job.label}: could not send {job.file}: {exc}"))
                return
            self.outcome.trackers.append(CallTracker(job, call_id))
            self.emit(events.Info(f"{job.label}: sent {job.file} for evaluation (call {call_id})"))

        cancelled = self._await(list(sends), on_sent)
        if cancelled or sends:
            self._abandon = True  # requests still out are never waited for
            self.outcome.timed_out = not cancelled
            if cancelled:
                done, _ = wait_futures(list(sends), timeout=QUEUE_GRACE_SECONDS)
                for future in done:
                    on_sent(future)
            for future, job in list(sends.items()):
                future.cancel()
                self.outcome.unsent.append(
                    (
                        job,
                        f"{'cancelled' if cancelled else 'timed out'} while sending {job.file}: "
                        f"it may have been sent (trace id {job.trace_id}); check the agent's "
                        "call logs in the Bluejay dashboard",
                    )
                )
        if refused:
            self.outcome.errors.append(str(refused[0]))
        return cancelled

    def _apply(self, tracker: CallTracker, got: CallLog, now: float) -> None:
        if got.id != tracker.call_id:  # another call's scores must never stand in for it
            tracker.error = (
                f"reading call {tracker.call_id} ({tracker.job.file}) answered with call "
                f"{got.id}: no verdict on it"
            )
            tracker.done = True
            return
        tracker.result = read_result(got)
        status = statuses.normalise(got.status)
        if status and status not in statuses.KNOWN_CALL and status not in self._unknown_seen:
            self._unknown_seen.add(status)
            self.emit(
                events.Warning(
                    f"unknown call status {status!r}: treated as in progress until final"
                )
            )
        if not statuses.call_is_final(got.status):
            return
        lacking = tracker.job.needs_custom_metrics and lacks_custom_metrics(tracker.result)
        if not lacking:
            tracker.done = True
            return
        if tracker.settle_until is None:
            tracker.settle_until = now + self.settle_window
        if now >= tracker.settle_until:
            tracker.done = True  # counts as unscored

    def _tick(self) -> bool:
        now = self.monotonic()
        due = [t for t in self.outcome.trackers if not t.done and t.next_poll_at <= now]
        polls = {self._pool.submit(self.api.get_call_log, t.call_id): t for t in due}
        refused: list[AuthError] = []

        def on_poll(future: Future[Any]) -> None:
            tracker = polls.pop(future)
            answered = self.monotonic()
            tracker.next_poll_at = answered + self.poll_interval
            try:
                got = future.result()
            except AuthError as exc:
                refused.append(exc)
                return
            except ApiError as exc:
                if passing(exc):
                    self.emit(
                        events.Warning(
                            f"{tracker.job.label}: reading call {tracker.call_id} failed "
                            f"({exc}); trying again at the next poll, until the timeout"
                        )
                    )
                    return
                tracker.error = f"reading call {tracker.call_id} ({tracker.job.file}) failed: {exc}"
                tracker.done = True
                return
            self._apply(tracker, got, answered)
            if tracker.done:
                self.emit(
                    events.Info(
                        f"{tracker.job.label}: call {tracker.call_id} ({tracker.job.file}) "
                        f"{statuses.normalise(tracker.status) or 'UNKNOWN'}"
                    )
                )

        cancelled = self._await(list(polls), on_poll)
        if refused:
            self.outcome.errors.append(str(refused[0]))
            for t in self.outcome.trackers:
                if not t.done:
                    t.error = t.error or f"stopped reading call {t.call_id}: {refused[0]}"
                    t.done = True
        return cancelled

    def run(self) -> CallOutcome:
        """Send, then poll until every call is final, the deadline passes or cancel."""
        outcome = self.outcome
        try:
            if not self.jobs:
                return outcome
            if self.wait(0):
                outcome.cancelled = True
                outcome.unsent += [(job, "not sent: cancelled") for job in self.jobs]
                return outcome
            if self.look_first:
                try:
                    self._adopt_sent()
                except AuthError as exc:
                    outcome.errors.append(str(exc))
                    outcome.unsent += [(job, f"not sent: {exc}") for job in self.jobs]
                    return outcome
            if self._send_all():
                outcome.cancelled = True
                return outcome
            while True:
                if all(t.done for t in outcome.trackers):
                    break
                if self.monotonic() >= self.deadline:
                    outcome.timed_out = True
                    break
                if self._tick():
                    outcome.cancelled = True
                    break
                waiting = [t.next_poll_at for t in outcome.trackers if not t.done]
                if not waiting:
                    break
                pause = min(*waiting, self.deadline) - self.monotonic()
                if self.wait(max(0.0, pause)):
                    outcome.cancelled = True
                    break
            if self.monotonic() >= self.deadline and not all(t.done for t in outcome.trackers):
                outcome.timed_out = True
        finally:
            self._pool.shutdown(wait=not (outcome.cancelled or self._abandon), cancel_futures=True)
        return outcome


class CallsInBackground:
    """A ``CallRunner`` on its own thread, side by side with the simulations' polling
    under the same deadline and cancel; ``join`` hands back its outcome."""

    JOIN_GRACE_SECONDS = 5.0

    def __init__(self, runner: CallRunner) -> None:
        self.runner = runner
        self._failure: str | None = None
        self._thread = threading.Thread(target=self._run, name="bluejay-gate-calls", daemon=True)
        if runner.jobs:
            self._thread.start()

    def _run(self) -> None:
        try:
            self.runner.run()
        except Exception as exc:  # noqa: BLE001 - reports must still be written
            self._failure = (
                f"internal error while evaluating recorded calls ({type(exc).__name__}): {exc}; "
                "please report it with the spec you ran"
            )

    def join(self, gate_errors: list[str]) -> CallOutcome:
        """Wait for the calls (until the deadline, plus a grace); their gate-level errors
        go to ``gate_errors``."""
        outcome = self.runner.outcome
        if self._thread.is_alive():
            left = self.runner.deadline - self.runner.monotonic()
            self._thread.join(max(0.0, left) + self.JOIN_GRACE_SECONDS)
        if self._thread.is_alive():
            gate_errors.append(
                "recorded calls were still being read when the gate stopped waiting; "
                "their calls are reported unfinished"
            )
            outcome.timed_out = True
        if self._failure is not None:
            gate_errors.append(self._failure)
        gate_errors.extend(outcome.errors)
        return outcome
