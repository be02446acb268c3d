"""Applying Bluejay's answers to a ``Tracker``: a poll of the whole run, a re-read of one
result, whether the run is done, which scored results still lack custom metrics.

Pure (no requests, no clock): the poller's main thread calls these with answers its
workers fetched. The last answer counts; a result whose ``fingerprint`` did not change
keeps its reading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bluejay_gate.bluejay.models import RunResults, RunStatus, SimulationResult
from bluejay_gate.bluejay.results import lacks_custom_metrics, read_result
from bluejay_gate.model import statuses
from bluejay_gate.model.results import ReadResult
from bluejay_gate.run.fingerprint import fingerprint
from bluejay_gate.run.tracking import Tracker


def duplicate_text(
    run_id: str, result_id: str, listed: Sequence[tuple[SimulationResult, int | None]]
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


def note_lacking(tracker: Tracker) -> None:
    """When a run is done: its scored results the bulk answer left without custom metrics."""
    tracker.lacking = (
        [rid for rid, r in tracker.results.items() if lacks_custom_metrics(r)]
        if tracker.job.needs_custom_metrics
        else []
    )


@dataclass(frozen=True, slots=True)
class Known:
    """What reading an answer needs of its run, copied on the main thread when the poll is
    sent (the tracker itself is only ever changed there)."""

    run_id: str
    expected: tuple[str, ...]
    statuses: dict[str, str | None]  # result id -> status as last read
    prints: dict[str, int]  # result id -> fingerprint of the answer it was read from


@dataclass(slots=True)
class Digest:
    """One answer read: what ``apply_digest`` puts into the tracker. The raw answer is not
    kept, so a worker can read it and drop it at once (a big run's answers are megabytes)."""

    run: RunStatus
    adopted: tuple[str, ...] | None  # the queue answer listed none: this answer's ids
    ignored: list[str]
    duplicates: dict[str, str]
    # result id, its fingerprint (None: never compared again), its reading (None: keep)
    readings: list[tuple[str, int | None, ReadResult | None]]


def _read_statuses(tracker: Tracker) -> dict[str, str | None]:
    """Result id -> status, of the results a read has listed (not only a webhook)."""
    pushed = tracker.pushed
    return {rid: r.status for rid, r in tracker.results.items() if rid not in pushed}


def known(tracker: Tracker) -> Known:
    return Known(
        tracker.run_id,
        tracker.expected_results,
        _read_statuses(tracker),
        dict(tracker.fingerprints),
    )


def _done(
    run_status: str | None, expected: Sequence[str], results: Mapping[str, str | None]
) -> bool:
    """The gate is done with a run: it was aborted, or every expected result is there and
    ``statuses.run_is_done`` says so (``results``: result id -> status)."""
    if statuses.normalise(run_status) in statuses.RUN_ABORTED:
        return True
    if any(rid not in results for rid in expected):
        return False
    return statuses.run_is_done(run_status, list(results.values()))


def digest(known: Known, got: RunResults) -> Digest:
    """Read one answer of the run: the last answer counts, so a result whose fingerprint
    changed (a re-evaluation, new values, a new status) is read again and an unchanged one
    keeps its reading. In the answer that finishes the run, results read for the first
    time get no fingerprint (none would ever be compared: the run is not polled again).
    Pure; the costly part of a poll, so the poller's workers run it."""
    adopted = None
    expected = known.expected
    if not expected and got.results:
        # adopted after a lost queue answer, its results unlisted: the first answer's
        adopted = expected = tuple(dict.fromkeys(r.id for r in got.results))
    wanted = set(expected)
    mine: list[SimulationResult] = []
    ignored: list[str] = []
    for result in got.results:
        if result.id in wanted:  # only this run's conversations are judged
            mine.append(result)
        else:
            ignored.append(result.id)
    listed_once = len({r.id for r in mine}) == len(mine)
    # Done once this answer is in (``is_done``, worked out before): a done run is never
    # polled again, so its results need no fingerprints.
    merged = {**known.statuses, **{r.id: r.status for r in mine}}
    last = listed_once and _done(got.simulation_run.status, expected, merged)
    copies: dict[str, list[tuple[SimulationResult, int | None]]] = {}
    for result in mine:
        mark = None if last and result.id not in known.statuses else fingerprint(result)
        copies.setdefault(result.id, []).append((result, mark))
    duplicates: dict[str, str] = {}
    readings: list[tuple[str, int | None, ReadResult | None]] = []
    for rid, listed in copies.items():
        result, mark = listed[0]
        if len(listed) > 1 and any(m != mark for _, m in listed[1:]):
            duplicates[rid] = duplicate_text(known.run_id, rid, listed)
            # never the list order: a copy still in progress keeps the run polled
            result, mark = next(
                (c for c in listed if not statuses.result_is_final(c[0].status)), listed[0]
            )
        unchanged = mark is not None and rid in known.statuses and known.prints.get(rid) == mark
        readings.append((rid, mark, None if unchanged else read_result(result)))
    return Digest(got.simulation_run, adopted, ignored, duplicates, readings)


def apply_digest(tracker: Tracker, read: Digest) -> None:
    """Put one read answer into its run's tracker (the poller's main thread)."""
    tracker.run = read.run
    if read.adopted is not None and not tracker.expected_results:
        tracker.expected_results = read.adopted
        tracker.notes.append(
            f"run {tracker.run_id}'s conversations could not be listed when it was "
            f"queued; took the {len(read.adopted)} of its first answer"
        )
    for rid in read.ignored:
        tracker.ignored[rid] = None
    tracker.duplicates = read.duplicates  # the last answer counts: a clean one clears them
    results, prints = tracker.results, tracker.fingerprints
    for rid, mark, reading in read.readings:
        tracker.pushed.discard(rid)  # listed by a read: its reading is the read's
        if reading is None:
            continue  # unchanged: the reading kept holds
        results[rid] = reading
        if mark is None:
            prints.pop(rid, None)
        else:
            prints[rid] = mark


def apply_reread(tracker: Tracker, result_id: str, got: SimulationResult) -> None:
    """A re-read of one result of a done run (its bulk answer lacked the metrics)."""
    result = read_result(got)
    tracker.results[result_id] = result
    if not lacks_custom_metrics(result) and result_id in tracker.lacking:
        tracker.lacking.remove(result_id)


def apply_pushed(tracker: Tracker, result: SimulationResult) -> bool:
    """A conversation Bluejay pushed (a verified webhook), read by the same rules as a
    polled one. Its fingerprint is dropped, so the run's next read reads it again and the
    read wins; until a read lists it, it counts for nothing in ``is_done``. True when every
    queued conversation of the run is now final."""
    tracker.results[result.id] = read_result(result)
    tracker.fingerprints.pop(result.id, None)
    tracker.pushed.add(result.id)
    return all_final(tracker)


def all_final(tracker: Tracker) -> bool:
    """Every queued conversation of the run is known and final (the run may lag)."""
    results = tracker.results
    return bool(tracker.expected_results) and all(
        rid in results and statuses.result_is_final(results[rid].status)
        for rid in tracker.expected_results
    )


def is_done(tracker: Tracker) -> bool:
    run_status = tracker.run.status if tracker.run else None
    return _done(run_status, tracker.expected_results, _read_statuses(tracker))
