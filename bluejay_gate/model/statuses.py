"""Bluejay run and result statuses, as data, in one place."""

from __future__ import annotations

RUN_IN_PROGRESS = frozenset({"INITIALIZING", "RUNNING"})
RUN_FINAL = frozenset({"COMPLETED", "INCOMPLETED", "INSUFFICIENT_FUNDS"})
# A run in one of these ends the wait at once, whatever its results say.
RUN_ABORTED = frozenset({"INCOMPLETED", "INSUFFICIENT_FUNDS"})

RESULT_IN_PROGRESS = frozenset(
    {
        "INITIALIZING",
        "QUEUED",
        "READY",
        "DISPATCHED",
        "RUNNING",
        "CONVERSATION_ENDED",
        "EVALUATION_PENDING",
        "EVALUATING",
        "EVALUATED",
    }
)
RESULT_SCORED = frozenset({"COMPLETED"})
RESULT_NOT_COMPLETED = frozenset(
    {
        "INCOMPLETED",
        "REJECTED",
        "INSUFFICIENT_FUNDS",
        "NO_CONNECTION",
        "NO_ANSWER",
        "CALL_DROPPED",
        "SYSTEM_ERROR",
        "CANCELLED",
        "FAILED",
        "ERROR",
    }
)
RESULT_FINAL = RESULT_SCORED | RESULT_NOT_COMPLETED
# Conversations past talking: end-conversations has nothing to stop there. On timeout or
# cancel it is sent for every result neither final nor in this set (unknown ones included).
RESULT_PAST_CONVERSATION = frozenset(
    {"CONVERSATION_ENDED", "EVALUATION_PENDING", "EVALUATING", "EVALUATED"}
)

KNOWN_RUN = RUN_IN_PROGRESS | RUN_FINAL
KNOWN_RESULT = RESULT_IN_PROGRESS | RESULT_FINAL


def normalise(status: str | None) -> str:
    """Upper-case and strip a status; ``None`` becomes the empty string (unknown)."""
    return (status or "").strip().upper()


def result_is_final(status: str | None) -> bool:
    """True when a conversation will not change any more. Unknown means in progress."""
    return normalise(status) in RESULT_FINAL


def run_is_done(run_status: str | None, result_statuses: list[str | None]) -> bool:
    """The gate is done with a run when it is aborted, or when it is not in progress
    and every result is final (a run in an unknown status whose results are all final
    is done; ``COMPLETED`` with results still ``EVALUATING`` is not)."""
    run = normalise(run_status)
    if run in RUN_ABORTED:
        return True
    if run in RUN_IN_PROGRESS:
        return False
    return all(result_is_final(s) for s in result_statuses)


# Recorded calls (``CallStatus`` of a call log): in progress, final and scored, final and
# not completed. An unknown status is in progress, as for results.
CALL_IN_PROGRESS = frozenset({"INITIALIZING", "QUEUED", "EVALUATING"})
CALL_SCORED = frozenset({"COMPLETED"})
CALL_NOT_COMPLETED = frozenset({"INCOMPLETED"})
CALL_FINAL = CALL_SCORED | CALL_NOT_COMPLETED
KNOWN_CALL = CALL_IN_PROGRESS | CALL_FINAL


def call_is_final(status: str | None) -> bool:
    """True when an evaluated call will not change any more. Unknown means in progress."""
    return normalise(status) in CALL_FINAL
