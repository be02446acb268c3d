"""Queue the runs and poll them until every conversation is final and scored.

Runs are queued with at most ``max_parallel`` in flight and polled concurrently, one
request per unfinished run per tick; a finished run is never polled again. Each result
is kept read (``ReadResult``: metrics parsed, raw JSON dropped); the last answer received
for a result counts, but a result whose ``fingerprint`` did not change since it was read
is not read again. When a run
is done, ``COMPLETED`` results that lack custom metrics (bulk results can under-report
them) are re-read one by one, for at most a short settle window, before they count as
unscored. Clock, wait and the cancel signal are parameters, so tests run at full speed.

Worker threads only fetch; the main thread applies every answer to the trackers and
waits on the requests in short slices, so a cancel is noticed at once: requests still
out are abandoned (their answers are never applied), and a queue call still out gets
``QUEUE_GRACE_SECONDS`` before its simulation is reported as possibly queued.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from bluejay_gate import events
from bluejay_gate.bluejay.models import QueuedRun, RunResults, RunStatus, SimulationResult
from bluejay_gate.bluejay.results import lacks_custom_metrics, newest_evaluation, read_result
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
from bluejay_gate.model.results import ReadResult

T = TypeVar("T")

# The main thread checks for cancel this often while requests are out.
AWAIT_SLICE = 0.05
# After cancel, a queue call still out gets this long to answer (its run is then ended).
QUEUE_GRACE_SECONDS = 1.0


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
    def end_conversations(self, result_ids: Sequence[str]) -> None: ...


@dataclass(frozen=True, slots=True)
class Job:
    """One intended run of one spec simulation."""

    sim_index: int
    label: str
    simulation_id: str
    digital_human_ids: tuple[str, ...] | None = None
    runs_per_digital_human: int | None = None
    queue_options: Mapping[str, Any] = field(default_factory=dict)
    needs_custom_metrics: bool = True


@dataclass(slots=True)
class Tracker:
    """What the gate knows about one queued run."""

    job: Job
    run_id: str
    expected_results: tuple[str, ...]
    run: RunStatus | None = None
    # every result as last read (``ReadResult``: metrics parsed, raw JSON dropped)
    results: dict[str, ReadResult] = field(default_factory=dict)
    done: bool = False  # no more polling of the whole run
    settled: bool = False  # re-reads finished too: final
    settle_until: float | None = None
    # the earliest next poll (or re-read round): one poll interval after the last answer
    next_poll_at: float = 0.0
    error: str | None = None
    last_progress: tuple[str, int, int] | None = None
    # Scored results the bulk answer left without custom metrics: worked out once when
    # the run is done (parsing every metric is the costly part of a big run), then
    # updated per re-read.
    lacking: list[str] = field(default_factory=list)
    # per result: the fingerprint of the answer it was last read from (see ``fingerprint``)
    fingerprints: dict[str, Hashable] = field(default_factory=dict)
    # results an answer listed that are not among the run's queued conversations
    ignored: dict[str, None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # for the reports
    # result id -> what differs between its copies in the last answer (no verdict)
    duplicates: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return max(len(self.expected_results), len(self.results))

    @property
    def final_count(self) -> int:
        return sum(1 for r in self.results.values() if statuses.result_is_final(r.status))

    def unfinished_result_ids(self) -> list[str]:
        ids = [
            rid
            for rid, r in self.results.items()
            if not statuses.result_is_final(r.status)
            and statuses.normalise(r.status) not in statuses.RESULT_PAST_CONVERSATION
        ]
        ids += [rid for rid in self.expected_results if rid not in self.results]
        return ids


@dataclass(slots=True)
class PollOutcome:
    trackers: list[Tracker]
    unqueued: list[tuple[Job, str]]  # jobs that never got a run, with the reason
    timed_out: bool = False
    cancelled: bool = False
    ended: int = 0  # conversations stopped with end-conversations


# Long texts no verdict depends on: left out of a fingerprint (cheaper to build).
_UNJUDGED_KEYS = frozenset({"reasoning", "description", "explanation", "transcript", "summary"})


def _freeze(value: Any) -> Hashable:
    """JSON as nested tuples, without the texts in ``_UNJUDGED_KEYS``."""
    if isinstance(value, dict):
        return tuple((k, _freeze(v)) for k, v in value.items() if k not in _UNJUDGED_KEYS)
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value if isinstance(value, Hashable) else repr(value)


def fingerprint(result: SimulationResult) -> Hashable:
    """What the verdict on ``result`` depends on, cheaply: its status; each evaluation's
    id, created_at and custom metrics (names, values, N/A flags, types, ranges, options);
    the newest evaluation's built-in fields; the legacy top-level metrics, latency and
    duration. Equal fingerprints: the result read before still holds (reading the
    metrics again is the costly part of a big run); different: read it again."""
    evaluations = [e for e in result.evaluations or [] if isinstance(e, dict)]
    newest = newest_evaluation(result)
    return (
        result.status,
        tuple(
            (
                e.get("id"),
                e.get("created_at"),
                _freeze(e.get("custom_metrics")),
                _freeze(e.get("custom_evals")),
            )
            for e in evaluations
        ),
        _freeze(
            {k: v for k, v in newest.items() if k not in {"custom_metrics", "custom_evals"}}
            if newest is not None
            else None
        ),
        _freeze(result.custom_metrics),
        _freeze(result.latency),
        result.duration,
    )


def _duplicate_text(
    run_id: str, result_id: str, listed: Sequence[tuple[SimulationResult, Hashable]]
) -> str:
    """What differs between two copies of one result in one answer."""
    first = listed[0][0]
    other = next(r for r, m in listed[1:] if m != listed[0][1])
    head = f"run {run_id} listed result {result_id} twice in one answer"
    tail = "no verdict on it until an answer lists it once"
    if statuses.normalise(first.status) != statuses.normalise(other.status):
        return f"{head}, as {first.status} and as {other.status}: {tail}"
    a, b = read_result(first).metrics, read_result(other).metrics
    for name in sorted(set(a) | set(b)):
        left, right = a.get(name), b.get(name)
        shown = [m.raw if m is not None else "missing" for m in (left, right)]
        if shown[0] != shown[1]:
            return f"{head}, with {name} {shown[0]!r} and {shown[1]!r}: {tail}"
    return f"{head} with different content: {tail}"


def _note_lacking(tracker: Tracker) -> None:
    """When a run is done: its scored results the bulk answer left without custom metrics."""
    tracker.lacking = (
        [rid for rid, r in tracker.results.items() if lacks_custom_metrics(r)]
        if tracker.job.needs_custom_metrics
        else []
    )


def _passing(exc: ApiError) -> bool:
    """A failure that may pass (network, 429, 5xx worth a retry), as opposed to one that
    will not (auth, 404, an unreadable answer): only the first is polled through."""
    if isinstance(exc, TransportError):
        return "certificate" not in exc.message
    return isinstance(exc, ServerError | RequestRejected) and exc.status in RETRY_STATUSES


def _sleep_uncancelled(seconds: float) -> bool:
    time.sleep(seconds)
    return False


def end_unfinished(api: PollApi, trackers: Sequence[Tracker], emit: events.Emit) -> int:
    """Stop the still-running conversations of every run that did not settle normally
    (timeout, cancel, a run given up with an error), in one call; returns how many."""
    ids = [
        rid
        for t in trackers
        if not t.settled or t.error is not None
        for rid in t.unfinished_result_ids()
    ]
    ids = list(dict.fromkeys(ids))
    if not ids:
        return 0
    try:
        api.end_conversations(ids)
    except GateError as exc:
        emit(events.Warning(f"could not end {len(ids)} running conversations: {exc}"))
        return 0
    except Exception as exc:  # noqa: BLE001 - clean-up must not hide the reports
        emit(
            events.Warning(
                f"could not end {len(ids)} running conversations "
                f"(internal error {type(exc).__name__}: {exc})"
            )
        )
        return 0
    emit(events.Info(f"ended {len(ids)} still-running conversations"))
    return len(ids)


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
    ) -> None:
        self.api = api
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
        return Tracker(job, queued.simulation_run_id, tuple(queued.simulation_result_ids))

    def _cancelled(self) -> bool:
        return self.wait(0)

    def _await(self, futures: Iterable[Future[Any]]) -> bool:
        """Wait for every future, in short slices; True as soon as cancel is set (the
        requests still out are abandoned: their answers are never applied)."""
        pending = set(futures)
        while pending:
            if self._cancelled():
                return True
            _, pending = wait_futures(pending, timeout=AWAIT_SLICE, return_when=FIRST_COMPLETED)
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
                    links.run_url(job.simulation_id, tracker.run_id),
                )
            )
        if refused is not None:
            raise refused
        return cancelled

    # Worker threads only fetch; the main thread applies answers (below), so a request
    # abandoned on cancel can never change what is being judged.
    def _apply_poll(self, tracker: Tracker, got: RunResults) -> None:
        """The last answer counts: a result whose fingerprint changed (a re-evaluation,
        new values, a new status) is read again; an unchanged one keeps its reading."""
        tracker.run = got.simulation_run
        results, prints = tracker.results, tracker.fingerprints
        if not tracker.expected_results and got.results:
            # adopted after a lost queue answer, its results unlisted: the first answer's
            tracker.expected_results = tuple(dict.fromkeys(r.id for r in got.results))
            tracker.notes.append(
                f"run {tracker.run_id}'s conversations could not be listed when it was "
                f"queued; took the {len(tracker.expected_results)} of its first answer"
            )
        expected = set(tracker.expected_results)
        copies: dict[str, list[tuple[SimulationResult, Hashable]]] = {}
        for result in got.results:
            if result.id not in expected:  # only this run's conversations are judged
                tracker.ignored[result.id] = None
                continue
            copies.setdefault(result.id, []).append((result, fingerprint(result)))
        tracker.duplicates = {}  # the last answer counts: a clean one clears them
        for rid, listed in copies.items():
            result, mark = listed[0]
            if len(listed) > 1 and any(m != mark for _, m in listed[1:]):
                tracker.duplicates[rid] = _duplicate_text(tracker.run_id, rid, listed)
                # never the list order: a copy still in progress keeps the run polled
                result, mark = next(
                    (c for c in listed if not statuses.result_is_final(c[0].status)), listed[0]
                )
            if result.id in results and prints.get(result.id) == mark:
                continue
            results[result.id] = read_result(result)
            prints[result.id] = mark

    def _apply_reread(self, tracker: Tracker, result_id: str, got: SimulationResult) -> None:
        result = read_result(got)
        tracker.results[result_id] = result
        tracker.fingerprints[result_id] = fingerprint(got)
        if not lacks_custom_metrics(result) and result_id in tracker.lacking:
            tracker.lacking.remove(result_id)

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

    def _is_done(self, tracker: Tracker) -> bool:
        run_status = tracker.run.status if tracker.run else None
        if statuses.normalise(run_status) in statuses.RUN_ABORTED:
            return True
        expected_missing = any(rid not in tracker.results for rid in tracker.expected_results)
        if expected_missing:
            return False
        return statuses.run_is_done(run_status, [r.status for r in tracker.results.values()])

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
        tracker.next_poll_at = max(tracker.next_poll_at, answered + self.poll_interval)

    def _tick(self) -> bool:
        """One poll of every unfinished run (and re-reads); True when cancelled."""
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
        polls = [(t, self._submit(api.get_run_results, t.run_id)) for t in polling]
        reads = [(t, rid, self._submit(api.get_result, rid)) for t, rid in rereads]
        if self._await([f for _, f in polls] + [f for _, _, f in reads]):
            return True
        refused: AuthError | None = None
        later: list[tuple[Tracker, str, Future[SimulationResult]]] = []
        for t, poll_future in polls:
            self._answered_now(t, poll_future)
            try:
                got = poll_future.result()
            except AuthError as exc:
                refused = refused or exc
                continue
            except ApiError as exc:
                if _passing(exc):  # retries ran out, but the run is queued: keep polling
                    self.emit(
                        events.Warning(
                            f"{t.job.label}: polling run {t.run_id} failed ({exc}); "
                            "trying again at the next poll, until the timeout"
                        )
                    )
                    continue
                t.error = f"polling run {t.run_id} failed: {exc}"
                t.done = t.settled = True
                continue
            self._apply_poll(t, got)
            self._note_unknown(t)
            if self._is_done(t):
                t.done = True
                t.settle_until = now + self.settle_window
                _note_lacking(t)
                # Re-read at once what the bulk answer lacks.
                later.extend((t, rid, self._submit(api.get_result, rid)) for rid in t.lacking)
        if self._await(f for _, _, f in later):
            return True
        for t, rid, read_future in [*reads, *later]:
            self._answered_now(t, read_future)
            try:
                self._apply_reread(t, rid, read_future.result())
            except AuthError as exc:
                refused = refused or exc
            except ApiError as exc:
                self.emit(events.Warning(f"{t.job.label}: re-reading a result failed: {exc}"))
        if refused is not None:
            raise refused
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

    def end_unfinished(self) -> int:
        """Stop the conversations of runs that never settled (timeout, cancel, an error)."""
        return end_unfinished(self.api, self.trackers, self.emit)

    def run(self) -> PollOutcome:
        """Poll until everything is settled, the deadline passes, or ``wait`` says cancel.
        On timeout or cancel the caller ends what still runs with ``end_unfinished``."""
        outcome = PollOutcome(self.trackers, self.unqueued)
        try:
            while True:
                tick_start = self.monotonic()
                if tick_start >= self.deadline:
                    outcome.timed_out = True
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
                unsettled = sum(1 for t in self.trackers if not t.settled)
                if self.pending and unsettled < self.max_parallel:
                    continue  # room for the next runs: queue them now, not a tick later
                if unsettled:
                    due = min(t.next_poll_at for t in self.trackers if not t.settled)
                    pause = min(due, self.deadline) - self.monotonic()
                    if self.wait(max(0.0, pause)):
                        outcome.cancelled = True
                        break
        finally:
            # On cancel, requests still out are abandoned (never waited for, never applied).
            self._pool.shutdown(wait=not outcome.cancelled, cancel_futures=True)
        return outcome
