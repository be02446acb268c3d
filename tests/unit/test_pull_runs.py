"""pull's choice of the run its suggestions come from: the newest completed one."""

from __future__ import annotations

from bluejay_gate.bluejay.models import RunStatus
from bluejay_gate.manage.pull import latest_completed


def run(ident: str, status: str, created_at: str | None) -> RunStatus:
    return RunStatus.model_validate({"id": ident, "status": status, "created_at": created_at})


def test_the_newest_completed_run_by_time() -> None:
    runs = [
        run("70003", "RUNNING", "2026-12-02T10:00:00Z"),
        run("70001", "COMPLETED", "2026-12-01T09:00:00Z"),
        run("70002", "completed", "2026-12-01T12:00:00+01:00"),
        run("70004", "INCOMPLETED", "2026-12-02T11:00:00Z"),
    ]
    found = latest_completed(runs)
    assert found is not None
    assert found.id == "70002"


def test_same_time_the_higher_id_wins_and_no_time_is_oldest() -> None:
    runs = [
        run("9", "COMPLETED", "2026-12-01T09:00:00Z"),
        run("10", "COMPLETED", "2026-12-01T09:00:00Z"),
        run("11", "COMPLETED", None),
    ]
    found = latest_completed(runs)
    assert found is not None
    assert found.id == "10"


def test_none_completed() -> None:
    assert latest_completed([run("1", "INSUFFICIENT_FUNDS", "2026-12-01T09:00:00Z")]) is None
    assert latest_completed([]) is None
