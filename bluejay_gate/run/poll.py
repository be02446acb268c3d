"""The Poller: queue the runs and poll them until every conversation is final and scored.

Runs are queued with at most ``max_parallel`` in flight and polled concurrently, one
request per unfinished run per tick; a finished run is never polled again. Each answer
is applied to its ``Tracker`` by ``answers`` (the last answer counts; an unchanged
``fingerprint`` is not read again). When a run is done, ``COMPLETED`` results that lack
custom metrics (bulk results can under-report them) are re-read one by one, for at most
a short settle window, before they count as unscored. Clock, wait and the cancel signal
are parameters, so tests run at full speed. Ending what still runs is ``ending``'s.

With an ``inbox`` (``run.wait: webhook``) the loop waits on it instead of sleeping: a
pushed conversation is applied like a polled one (``answers.apply_pushed``; runs this
gate did not queue, results not among a run's and runs already done are ignored), and
once every conversation of a run is final the run is read at once (the confirming read,
which wins). Meanwhile each run is polled only every ``safety_interval``.

Worker threads only fetch; the main thread applies every answer to the trackers and
waits on the requests in short slices, so a cancel is noticed at once: requests still
out are abandoned (their answers are never applied, so they can never change what is
judged), and a queue call still out gets ``QUEUE_GRACE_SECONDS`` before its simulation
is reported as possibly queued.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any, Protocol, TypeVar

from bluejay_gate import events
from bluejay_gate.bluejay.models import QueuedRun, RunResults, SimulationResult
from bluejay_gate.bluejay.retry import RETRY_STATUSES
from bluejay_gate.errors import (
    ApiError,
    AuthError,
    GateError,
    RequestRejected,
    ServerError,
    TransportError,
)
from bluejay_gate.model import links, statuses
from bluejay_gate.run.answers import (
    Digest,
    Known,
    all_final,
    apply_digest,
    apply_pushed,
    apply_reread,
    digest,
    is_done,
    known,
    note_lacking,
)
from bluejay_gate.run.listener import Inbox
from bluejay_gate.run.tracking import Job, PollOutcome, Tracker

T = TypeVar("T")

# The main thread checks for cancel this often while requests are out.
AWAIT_SLICE = 0.05
# After cancel, a queue call still out gets this long to answer (its run is then ended).
QUEUE_GRACE_SECONDS = 1.0
NOT_QUEUED_DECIDED = "not queued: the verdict was already decided (run.stop_when_decided)"
NOT_QUEUED_TIMED_OUT = (
    "not queued: the run's budget ran out while it waited for room (run.max_parallel)"
)


class PollApi(Protocol):
    def queue_run(
        self,
        simulation_id: str,
        *,
        digital_human_ids: Sequence[str] | None = None,
        runs_per_digital_human: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> QueuedRun: ...
    def get_run_results(self, run_id: str) -> RunResults: ...
    def get_result(self, result_id: str) -> SimulationResult: ...


def passing(exc: ApiError) -> bool:
    """A failure that may pass (network, 429, 5xx worth a retry), as opposed to one that
    will not (auth, 404, an unreadable answer): only the first is polled through."""
    if isinstance(exc, TransportError):
        return "certificate" not in exc.message
    return isinstance(exc, ServerError | RequestRejected) and exc.status in RETRY_STATUSES


def _sleep_uncancelled(seconds: float) -> bool:
    time.sleep(seconds)
    return False


def _fetch_and_read(api: PollApi, snapshot: Known) -> Callable[[str], Digest]:
    """A worker's poll: fetch the run's answer and read it there, so the raw answer (a big
    run's are megabytes each) is dropped at once instead of waiting for the main thread."""

    def poll(run_id: str) -> Digest:
        return digest(snapshot, api.get_run_results(run_id))

    return poll


class Poller:
    def __init__(
        self,
        api: PollApi,
        jobs: Sequence[Job],
        *,
        poll_interval: float,
        max_parallel: int,
        deadline: float,
        emit: events.Emit = events.discard,
        monotonic: Callable[[], float] = time.monotonic,
        wait: Callable[[float], bool] | None = None,
        settle_window: float | None = None,
        dashboard: str = links.DASHBOARD,
        on_round: Callable[[Poller], bool] | None = None,
        inbox: Inbox | None = None,
        safety_interval: float = 60.0,
    ) -> None:
        self.api = api
        self.dashboard = dashboard
        self.pending = list(jobs)
        self.poll_interval = poll_interval
        self.max_parallel = max(1, max_parallel)
        self.deadline = deadline
        self.emit = emit
        self.monotonic = monotonic
        self.wait = wait or _sleep_uncancelled
        self.settle_window = (
            settle_window if settle_window is not None else min(30.0, max(1.0, 2 * poll_interval))
        )
        # after each poll round: True stops polling (the verdict is decided), queueing
        # nothing more (``run.stop_when_decided``)
        self.on_round = on_round
        self.inbox = inbox
        self.safety_interval = safety_interval
        self.pushed_ignored = 0  # pushed conversations of other runs, or too late
        self.trackers: list[Tracker] = []
        self.unqueued: list[tuple[Job, str]] = []
        self._unknown_seen: set[str] = set()
        self._answered: dict[Future[Any], float] = {}  # when each request was answered
        self._pool = ThreadPoolExecutor(max_workers=min(16, self.max_parallel, max(1, len(jobs))))

    # -- one step each -------------------------------------------------------------
    def _queue(self, job: Job) -> Tracker:
        queued = self.api.queue_run(
            job.simulation_id,
            digital_human_ids=job.digital_human_ids,
            runs_per_digital_human=job.runs_per_digital_human,
            extra=job.queue_options,
        )
        tracker = Tracker(job, queued.simulation_run_id, tuple(queued.simulation_result_ids))
        tracker.queued_at = self.monotonic()
        return tracker

    def _cancelled(self) -> bool:
        return self.wait(0)

    def _await(
        self,
        futures: Iterable[Future[Any]],
        on_done: Callable[[Future[Any]], None] | None = None,
    ) -> bool:
        """Wait for every future, in short slices, handing each to ``on_done`` (on this
        thread) as soon as it is answered, so a big run's answers are read and dropped one
        at a time, never all held at once; True as soon as cancel is set (the requests
        still out are abandoned: their answers are never applied)."""
        pending = set(futures)
        while pending:
            if self._cancelled():
                return True
            done, pending = wait_futures(pending, timeout=AWAIT_SLICE, return_when=FIRST_COMPLETED)
            if on_done is not None:
                for future in done:
                    on_done(future)
        return False

    def _fill(self) -> bool:
        """Queue what there is room for; True when cancel came while queueing."""
        in_flight = sum(1 for t in self.trackers if not t.settled)
        room = self.max_parallel - in_flight
        batch, self.pending = self.pending[:room], self.pending[room:]
        if not batch:
            return False
        futures = [(job, self._pool.submit(self._queue, job)) for job in batch]
        cancelled = self._await(f for _, f in futures)
        if cancelled:  # a queue call may be creating a run right now: give it a moment
            wait_futures([f for _, f in futures], timeout=QUEUE_GRACE_SECONDS)
        # Every outcome first: a run another call queued must never be dropped because
        # one call of the batch was refused.
        refused: AuthError | None = None
        for job, future in futures:
            if not future.done():
                why = (
                    f"cancelled while queueing a run of simulation {job.simulation_id}: a run "
                    "may have been created; check the simulation's runs in the Bluejay "
                    "dashboard and end it there"
                )
                self.unqueued.append((job, why))
                self.emit(events.Warning(f"{job.label}: {why}"))
                continue
            try:
                tracker = future.result()
            except AuthError as exc:
                refused = refused or exc
                self.unqueued.append((job, f"could not queue: {exc}"))
                continue
            except GateError as exc:
                self.unqueued.append((job, f"could not queue: {exc}"))
                self.emit(events.Warning(f"{job.label}: could not queue a run: {exc}"))
                continue
            self.trackers.append(tracker)
            self.emit(
                events.RunQueued(
                    job.label,
                    job.simulation_id,
                    tracker.run_id,
                    len(tracker.expected_results),
                    links.run_url(job.simulation_id, tracker.run_id, self.dashboard),
                )
            )
        if refused is not None:
            raise refused
        return cancelled

    def _note_unknown(self, tracker: Tracker) -> None:
        found = {statuses.normalise(tracker.run.status if tracker.run else None)} - {""}
        found -= statuses.KNOWN_RUN
        for r in tracker.results.values():
            s = statuses.normalise(r.status)
            if s and s not in statuses.KNOWN_RESULT:
                found.add(s)
        for status in sorted(found - self._unknown_seen):
            self._unknown_seen.add(status)
            self.emit(
                events.Warning(f"unknown status {status!r}: treated as in progress until final")
            )

    def _progress(self, tracker: Tracker) -> None:
        status = statuses.normalise(tracker.run.status if tracker.run else None) or "UNKNOWN"
        key = (status, tracker.final_count, tracker.total)
        if key == tracker.last_progress:
            return
        tracker.last_progress = key
        if tracker.settled:
            self.emit(
                events.RunFinished(
                    tracker.job.label, tracker.run_id, status, tracker.final_count, tracker.total
                )
            )
        else:
            self.emit(
                events.RunProgress(
                    tracker.job.label, tracker.run_id, status, tracker.final_count, tracker.total
                )
            )

    def _submit(self, fn: Callable[[str], T], arg: str) -> Future[T]:
        """``fn(arg)`` on a worker; the moment it is answered (or fails) is noted."""
        future = self._pool.submit(fn, arg)
        future.add_done_callback(self._note_answered)
        return future

    def _note_answered(self, future: Future[Any]) -> None:
        self._answered[future] = self.monotonic()

    def _answered_now(self, tracker: Tracker, future: Future[Any]) -> None:
        """The run's next poll: one interval after this answer at the earliest, however
        long the answer took (its retries have their own backoff)."""
        answered = self._answered.pop(future, None)
        if answered is None:
            answered = self.monotonic()
        interval = self.poll_interval
        if self.inbox is not None and not tracker.confirming:
            interval = self.safety_interval  # webhooks tell: the poll is a safety net
        tracker.next_poll_at = max(tracker.next_poll_at, answered + interval)

    def _take_pushed(self) -> None:
        """Apply what Bluejay pushed since the last look; a run whose conversations are
        now all final is read at once (the confirming read)."""
        if self.inbox is None:
            return
        by_run = {t.run_id: t for t in self.trackers}
        for pushed in self.inbox.take():
            t = by_run.get(pushed.run_id)
            if t is None or t.done or pushed.result.id not in t.expected_results:
                self.pushed_ignored += 1  # not this gate's run, or decided already
                continue
            if apply_pushed(t, pushed.result) and not t.confirming:
                t.confirming = True
                t.next_poll_at = self.monotonic()

    def _pause(self, seconds: float) -> bool:
        """Wait ``seconds``, or less when something is pushed; True when cancelled."""
        if self.inbox is None:
            return self.wait(seconds)
        end = self.monotonic() + seconds
        while not self.wait(0):
            left = end - self.monotonic()
            if left <= 0 or self.inbox.wait(min(AWAIT_SLICE, left)):
                return False
        return True

    def _tick(self) -> bool:
        """One poll of every unfinished run (and re-reads); True when cancelled."""
        self._take_pushed()
        now = self.monotonic()
        due = [t for t in self.trackers if t.next_poll_at <= now]
        polling = [t for t in due if not t.done]
        rereads = [
            (t, rid)
            for t in due
            if t.done and not t.settled and t.error is None
            for rid in t.lacking
        ]
        api = self.api
        polls = {self._submit(_fetch_and_read(api, known(t)), t.run_id): t for t in polling}
        reads = {self._submit(api.get_result, rid): (t, rid) for t, rid in rereads}
        refused: list[AuthError] = []

        def on_poll(future: Future[Digest]) -> None:
            t = polls.pop(future)
            try:
                got = future.result()
            except AuthError as exc:
                self._answered_now(t, future)
                refused.append(exc)
                return
            except ApiError as exc:
                self._answered_now(t, future)
                if passing(exc):  # retries ran out, but the run is queued: keep polling
                    self.emit(
                        events.Warning(
                            f"{t.job.label}: polling run {t.run_id} failed ({exc}); "
                            "trying again at the next poll, until the timeout"
                        )
                    )
                    return
                t.error = f"polling run {t.run_id} failed: {exc}"
                t.done = t.settled = True
                t.done_at = now
                return
            apply_digest(t, got)
            t.confirming = self.inbox is not None and all_final(t)
            self._answered_now(t, future)  # after the answer: it may change the interval
            self._note_unknown(t)
            if is_done(t):
                t.done = True
                t.done_at = now
                t.settle_until = now + self.settle_window
                note_lacking(t)
                # Re-read at once what the bulk answer lacks.
                later.update((self._submit(api.get_result, rid), (t, rid)) for rid in t.lacking)

        def on_read(future: Future[SimulationResult]) -> None:
            t, rid = reads.pop(future) if future in reads else later.pop(future)
            self._answered_now(t, future)
            try:
                apply_reread(t, rid, future.result())
            except AuthError as exc:
                refused.append(exc)
            except ApiError as exc:
                self.emit(events.Warning(f"{t.job.label}: re-reading a result failed: {exc}"))

        def on_done(future: Future[Any]) -> None:
            (on_poll if future in polls else on_read)(future)

        later: dict[Future[SimulationResult], tuple[Tracker, str]] = {}
        if self._await([*polls, *reads], on_done):
            return True
        if self._await(list(later), on_read):
            return True
        if refused:
            raise refused[0]
        for t in self.trackers:
            if t.done and not t.settled:
                lacking = t.lacking
                aborted = statuses.normalise(t.run.status if t.run else None) in (
                    statuses.RUN_ABORTED
                )
                if not lacking or aborted or (t.settle_until or 0) <= self.monotonic():
                    t.settled = True
            self._progress(t)
        return False

    def run(self) -> PollOutcome:
        """Poll until everything is settled, the deadline passes, or ``wait`` says cancel.
        On timeout or cancel the caller ends what still runs with ``end_unfinished``."""
        outcome = PollOutcome(self.trackers, self.unqueued)
        try:
            while True:
                tick_start = self.monotonic()
                if tick_start >= self.deadline:
                    outcome.timed_out = True
                    self.unqueued += [(job, NOT_QUEUED_TIMED_OUT) for job in self.pending]
                    self.pending = []
                    break
                if self.pending and self.wait(0):  # cancelled: queue nothing more
                    outcome.cancelled = True
                    self.unqueued += [(job, "not queued: cancelled") for job in self.pending]
                    self.pending = []
                    break
                if self._fill():
                    outcome.cancelled = True
                    self.unqueued += [(job, "not queued: cancelled") for job in self.pending]
                    self.pending = []
                    break
                if not self.trackers and not self.pending:
                    break
                if self._tick():
                    outcome.cancelled = True
                    break
                if not self.pending and all(t.settled for t in self.trackers):
                    break
                if self.on_round is not None and self.on_round(self):
                    outcome.decided = True
                    self.unqueued += [(job, NOT_QUEUED_DECIDED) for job in self.pending]
                    self.pending = []
                    break
                unsettled = sum(1 for t in self.trackers if not t.settled)
                if self.pending and unsettled < self.max_parallel:
                    continue  # room for the next runs: queue them now, not a tick later
                if unsettled:
                    due = min(t.next_poll_at for t in self.trackers if not t.settled)
                    pause = min(due, self.deadline) - self.monotonic()
                    if self._pause(max(0.0, pause)):
                        outcome.cancelled = True
                        break
        finally:
            # On cancel, requests still out are abandoned (never waited for, never applied).
            self._pool.shutdown(wait=not outcome.cancelled, cancel_futures=True)
        return outcome
