"""Which conversations of a simulation count and why the others did not complete: each
result becomes a ``Conversation``; ``COMPLETED``, the agent spoke and scored, or the reason
it is not (its status, "agent never spoke", "COMPLETED without metrics"). Also the
simulation-level errors that follow (no conversations, INSUFFICIENT_FUNDS, more not
completed than ``allow_incomplete``). Pure.
"""

from __future__ import annotations

from collections import Counter

from bluejay_gate.model import statuses
from bluejay_gate.model.links import result_url
from bluejay_gate.model.results import ReadResult
from bluejay_gate.verdict.inputs import SimulationInput
from bluejay_gate.verdict.model import CALL_SET, Conversation
from bluejay_gate.verdict.stability import result_sort_key
from bluejay_gate.verdict.texts import percent_text

NEVER_SPOKE = "agent never spoke"
UNSCORED = "COMPLETED without metrics"


def read_conversations(sim: SimulationInput) -> tuple[list[Conversation], Counter[str]]:
    """Conversations in id order, and why each not-completed one did not complete."""
    latest: dict[str, ReadResult] = {}
    for result in sim.results:
        latest[result.id] = result  # a later copy of the same result replaces the earlier
    ordered = sorted(latest.values(), key=lambda r: result_sort_key(r.id))
    default_run = sim.runs[0].id if len(sim.runs) == 1 else ""
    scored = [statuses.normalise(r.status) in statuses.RESULT_SCORED for r in ordered]
    any_custom = any(r.found.has_custom for r, done in zip(ordered, scored, strict=True) if done)
    reasons: Counter[str] = Counter()
    conversations: list[Conversation] = []
    for result, done in zip(ordered, scored, strict=True):
        found = result.found
        status = statuses.normalise(result.status)
        silent = done and found.never_spoke
        unscored = done and not silent and not found.has_custom and any_custom
        completed = done and not silent and not unscored
        if not completed:
            reasons[_not_completed_reason(status, silent=silent, unscored=unscored)] += 1
        run_id = sim.result_runs.get(result.id, default_run)
        conversations.append(
            Conversation(
                result_id=result.id,
                run_id=run_id,
                digital_human_id=result.digital_human_id,
                status=status or "UNKNOWN",
                completed=completed,
                never_spoke=silent,
                metrics=found.metrics,
                transcript_url=result.transcript_url,
                audio_url=result.audio_url,
                dashboard_url=result_url(sim.simulation_id, run_id, result.id) if run_id else None,
                duration_ms=result.duration,
                unscored=unscored,
                file=sim.result_files.get(result.id),
                status_as_sent=result.status,
                has_custom=found.has_custom,
            )
        )
    return conversations, reasons


def _not_completed_reason(status: str, *, silent: bool, unscored: bool) -> str:
    if silent:
        return NEVER_SPOKE
    if unscored:
        return UNSCORED
    if not status:
        return "without a status"
    if status in statuses.RESULT_NOT_COMPLETED:
        return status
    return f"still {status}"


def _incomplete_error(
    reasons: Counter[str], total: int, allow_incomplete: float, noun: str = "conversations"
) -> str | None:
    missing = sum(reasons.values())
    if total == 0 or missing == 0 or missing <= allow_incomplete * total + 1e-9:
        return None
    breakdown = ", ".join(
        f"{count} {reason}"
        for reason, count in sorted(reasons.items(), key=lambda i: (-i[1], i[0]))
    )
    return (
        f"{missing} of {total} {noun} did not complete "
        f"({percent_text(missing / total, decimals=1)}, allowed "
        f"{percent_text(allow_incomplete, decimals=1)}): {breakdown}"
    )


def simulation_errors(
    sim: SimulationInput, total: int, reasons: Counter[str], allow_incomplete: float
) -> tuple[str, ...]:
    errors = list(sim.errors)
    if total == 0 and not sim.errors:
        if sim.runs:
            noun = "run" if len(sim.runs) == 1 else "runs"
            errors.append(f"{noun} {', '.join(r.id for r in sim.runs)} produced no conversations")
        elif sim.kind == CALL_SET:
            errors.append("no call of this set was evaluated")
        else:
            errors.append("no run of this simulation produced conversations")
    errors.extend(
        f"run {run.id} ended INSUFFICIENT_FUNDS: add credit to the Bluejay organisation and re-run"
        for run in sim.runs
        if statuses.normalise(run.status) == "INSUFFICIENT_FUNDS"
    )
    noun = "recorded calls" if sim.kind == CALL_SET else "conversations"
    if incomplete := _incomplete_error(reasons, total, allow_incomplete, noun):
        errors.append(incomplete)
    return tuple(dict.fromkeys(errors))
