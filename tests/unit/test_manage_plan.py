"""The setup planner's decisions on given records: create, update only what differs,
no-op, drift, prune, refusals (a type change, a change the API cannot make, two records
with one name) and that planning reads only. The records come from an in-memory
``SetupApi`` that counts what is asked of it; the planner over HTTP is tested against
the emulator in tests/integration/test_managed_setup.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from bluejay_gate.bluejay.setup_models import HumanRecord, MetricRecord, SimulationRecord
from bluejay_gate.errors import ResolveError, SpecError, UsageError
from bluejay_gate.manage.apply import apply_setup, refuse_unsynced_setup
from bluejay_gate.manage.diff import changed_fields, same
from bluejay_gate.manage.plan import CREATE, UNCHANGED, UNLINK, UPDATE
from bluejay_gate.manage.planning import plan_setup
from bluejay_gate.spec.resolved import (
    AgentSpec,
    HumanSpec,
    ManagedSimulation,
    MetricSpec,
    RunSettings,
    SimulationSpec,
    Spec,
)


class Books:
    """Bluejay's records for one agent (id 7), and every call made."""

    def __init__(self) -> None:
        self.metrics: list[dict[str, Any]] = []
        self.simulations: dict[str, dict[str, Any]] = {}
        self.humans: dict[str, list[dict[str, Any]]] = {}
        self.calls: list[tuple[Any, ...]] = []
        self._next = 100

    def _id(self) -> str:
        self._next += 1
        return str(self._next)

    # reads
    def agent_metrics(self, agent_id: str) -> list[MetricRecord]:
        self.calls.append(("agent_metrics", agent_id))
        return [MetricRecord.model_validate(m) for m in self.metrics]

    def agent_simulation_ids(self, agent_id: str) -> list[tuple[str, str | None]]:
        self.calls.append(("agent_simulation_ids", agent_id))
        return [(i, s.get("name")) for i, s in self.simulations.items()]

    def simulation_record(self, simulation_id: str) -> SimulationRecord:
        self.calls.append(("simulation_record", simulation_id))
        return SimulationRecord.model_validate(
            {"id": simulation_id, **self.simulations[simulation_id]}
        )

    def simulation_humans(self, simulation_id: str) -> list[HumanRecord]:
        self.calls.append(("simulation_humans", simulation_id))
        return [HumanRecord.model_validate(h) for h in self.humans.get(simulation_id, [])]

    # writes
    def create_metric(self, agent_id: str, fields: Mapping[str, Any]) -> MetricRecord:
        self.calls.append(("create_metric", dict(fields)))
        record = {"id": f"m-{self._id()}", "agent_ids": [agent_id], **fields}
        self.metrics.append(record)
        return MetricRecord.model_validate(record)

    def update_metric(self, metric_id: str, fields: Mapping[str, Any]) -> MetricRecord:
        self.calls.append(("update_metric", metric_id, dict(fields)))
        record = next(m for m in self.metrics if m["id"] == metric_id)
        record.update(fields)
        return MetricRecord.model_validate(record)

    def create_simulation(self, agent_id: str, name: str, fields: Mapping[str, Any]) -> str:
        self.calls.append(("create_simulation", name, dict(fields)))
        ident = self._id()
        self.simulations[ident] = {"name": name, "settings": dict(fields)}
        return ident

    def update_simulation(self, simulation_id: str, fields: Mapping[str, Any]) -> None:
        self.calls.append(("update_simulation", simulation_id, dict(fields)))
        self.simulations[simulation_id]["settings"].update(fields)

    def create_human(self, simulation_id: str, fields: Mapping[str, Any]) -> str:
        self.calls.append(("create_human", simulation_id, dict(fields)))
        ident = self._id()
        self.humans.setdefault(simulation_id, []).append({"id": ident, **fields})
        return ident

    def update_human(self, human_id: str, fields: Mapping[str, Any]) -> None:
        self.calls.append(("update_human", human_id, dict(fields)))
        for humans in self.humans.values():
            for h in humans:
                if h["id"] == human_id:
                    h.update(fields)

    def remove_humans(self, simulation_id: str, human_ids: Sequence[str]) -> None:
        self.calls.append(("remove_humans", simulation_id, list(human_ids)))
        self.humans[simulation_id] = [
            h for h in self.humans[simulation_id] if h["id"] not in human_ids
        ]

    @property
    def writes(self) -> list[tuple[Any, ...]]:
        reads = {"agent_metrics", "agent_simulation_ids", "simulation_record", "simulation_humans"}
        return [c for c in self.calls if c[0] not in reads]


RESOLUTION = {"name": "Resolution", "response_type": "pass_fail", "description": "Solved?"}
ALICE = {"name": "Alice", "intent": "Wants a refund", "success_criteria": "Refund confirmed"}


def _spec(
    metrics: list[dict[str, Any]] | None,
    humans: list[dict[str, Any]] | None = None,
    *,
    sim_fields: dict[str, Any] | None = None,
    prune_metrics: bool = False,
    prune_humans: bool = False,
    references: tuple[SimulationSpec, ...] = (),
) -> Spec:
    managed = (
        ()
        if humans is None
        else (
            SimulationSpec(
                id=None,
                name="Billing",
                digital_human_ids=None,
                thresholds={},
                queue_options={},
                line=20,
                managed=ManagedSimulation(
                    fields=sim_fields or {},
                    digital_humans=tuple(
                        HumanSpec(h["name"], h, 30 + i, {"intent": 31 + i})
                        for i, h in enumerate(humans)
                    ),
                    prune=prune_humans,
                    field_lines={"sequential_calling": 22},
                ),
            ),
        )
    )
    return Spec(
        path=Path("bluejay-gate.yml"),
        agent=AgentSpec(external_id="bot", id=None, name="Bot", fields={}, line=2),
        run=RunSettings(),
        simulations=(*references, *managed),
        thresholds={},
        custom_metrics=None
        if metrics is None
        else tuple(
            MetricSpec(m["name"], m, 10 + i, {"response_type": 11 + i})
            for i, m in enumerate(metrics)
        ),
        prune_metrics=prune_metrics,
    )


def _apply(books: Books, spec: Spec) -> list[str]:
    lines: list[str] = []
    apply_setup(books, plan_setup(books, spec, "7"), "7", lines.append)
    return lines


def test_everything_missing_is_created_in_order_with_metric_ids() -> None:
    books = Books()
    spec = _spec(
        [RESOLUTION],
        [ALICE],
        sim_fields={"selected_custom_metrics": ["Resolution"], "max_turns": 12},
    )
    planned = plan_setup(books, spec, "7")
    assert [(c.kind, c.action) for c in planned.plan.changes] == [
        ("custom metric", CREATE),
        ("simulation", CREATE),
        ("digital human", CREATE),
    ]
    assert books.writes == []  # planning reads only
    lines = _apply(books, spec)
    metric_id = books.metrics[0]["id"]
    kinds = [c[0] for c in books.writes]
    assert kinds == ["create_metric", "create_simulation", "update_simulation", "create_human"]
    # max_turns is not a SimulationRequest field: written by the update right after
    assert books.writes[1][2] == {"selected_custom_metrics": [metric_id]}
    assert books.writes[2][2] == {"max_turns": 12}
    assert lines[0] == f"custom metric 'Resolution' (id {metric_id}): created"
    assert lines[-1].startswith("digital human 'Alice' of simulation 'Billing' (id ")


def test_second_plan_is_a_no_op() -> None:
    books = Books()
    spec = _spec([RESOLUTION], [ALICE], sim_fields={"selected_custom_metrics": ["Resolution"]})
    _apply(books, spec)
    before = len(books.writes)
    planned = plan_setup(books, spec, "7")
    assert {c.action for c in planned.plan.changes} == {UNCHANGED}
    assert planned.plan.lines(done=False) == ["3 other records of the setup unchanged"]
    refuse_unsynced_setup(planned.plan)  # nothing to write: --no-sync may go on
    assert len(books.writes) == before


def test_update_writes_only_the_fields_that_differ() -> None:
    books = Books()
    _apply(books, _spec([RESOLUTION], [ALICE]))
    changed = {**RESOLUTION, "description": "Was it solved?", "tags": ["billing"]}
    alice = {**ALICE, "success_criteria": "Refund confirmed  \n"}  # whitespace only: same
    planned = plan_setup(books, _spec([changed], [alice]), "7")
    updates = [c for c in planned.plan.changes if c.action == UPDATE]
    assert [(c.name, c.changed, dict(c.payload)) for c in updates] == [
        (
            "Resolution",
            ("description", "tags"),
            {"description": "Was it solved?", "tags": ["billing"]},
        )
    ]
    with pytest.raises(
        UsageError, match=r"--no-sync: the Bluejay setup differs.*would update description, tags"
    ):
        refuse_unsynced_setup(planned.plan)


def test_drift_is_reported_and_prune_unlinks() -> None:
    books = Books()
    books.metrics.append(
        {"id": "m-old", "name": "Old", "response_type": "yes_no", "agent_ids": ["7", "9"]}
    )
    _apply(books, _spec([RESOLUTION], [ALICE, {"name": "Bob", "intent": "x"}]))
    planned = plan_setup(books, _spec([RESOLUTION], [ALICE]), "7")
    texts = [d.describe() for d in planned.plan.drift]
    assert texts[0].startswith(
        "drift: custom metric 'Old' (id m-old) is in Bluejay but not in the spec"
    )
    assert "set prune: true" in texts[0]
    assert texts[1].startswith("drift: digital human 'Bob' (id ")
    assert not planned.plan.writes
    pruned = plan_setup(
        books, _spec([RESOLUTION], [ALICE], prune_metrics=True, prune_humans=True), "7"
    )
    assert [(c.kind, c.name, c.action) for c in pruned.plan.writes] == [
        ("custom metric", "Old", UNLINK),
        ("digital human", "Bob", UNLINK),
    ]
    apply_setup(books, pruned, "7", lambda _: None)
    assert ("update_metric", "m-old", {"agent_ids": [9]}) in books.calls  # the other agent kept
    assert [h["name"] for h in books.humans[next(iter(books.humans))]] == ["Alice"]


def test_a_type_change_is_refused_at_its_line() -> None:
    books = Books()
    _apply(books, _spec([RESOLUTION]))
    with pytest.raises(SpecError) as caught:
        plan_setup(books, _spec([{**RESOLUTION, "response_type": "quantitative"}]), "7")
    assert str(caught.value).startswith(
        "bluejay-gate.yml:11: response_type: custom metric 'Resolution' is pass_fail in Bluejay"
    )
    assert "would re-score its history" in str(caught.value)


def test_a_change_the_api_cannot_make_is_refused() -> None:
    books = Books()
    _apply(books, _spec(None, [ALICE], sim_fields={"sequential_calling": False}))
    with pytest.raises(
        SpecError, match=r"^bluejay-gate.yml:22: sequential_calling: simulation 'Billing'"
    ):
        plan_setup(books, _spec(None, [ALICE], sim_fields={"sequential_calling": True}), "7")


def test_two_records_with_one_name_are_an_error() -> None:
    books = Books()
    books.metrics += [
        {"id": "m-1", "name": "Resolution", "response_type": "pass_fail"},
        {"id": "m-2", "name": "Resolution", "response_type": "pass_fail"},
    ]
    with pytest.raises(
        ResolveError, match=r"2 custom metrics of agent 7 are named 'Resolution' \(ids m-1, m-2\)"
    ):
        plan_setup(books, _spec([RESOLUTION]), "7")


def test_unknown_selected_metric_is_refused_with_a_suggestion() -> None:
    books = Books()
    spec = _spec([RESOLUTION], [ALICE], sim_fields={"selected_custom_metrics": ["Resolutoin"]})
    with pytest.raises(
        SpecError, match=r"selects custom metric 'Resolutoin'.*did you mean 'Resolution'\?"
    ):
        plan_setup(books, spec, "7")


def test_no_agent_yet_means_every_record_is_created_without_reading() -> None:
    books = Books()
    planned = plan_setup(books, _spec([RESOLUTION], [ALICE]), None)
    assert {c.action for c in planned.plan.changes} == {CREATE}
    assert books.calls == []


def test_simulation_drift_only_when_simulations_are_managed() -> None:
    books = Books()
    books.simulations["55"] = {"name": "Legacy", "settings": {}}
    assert plan_setup(books, _spec([RESOLUTION]), "7").plan.drift == ()
    drift = plan_setup(books, _spec([RESOLUTION], [ALICE]), "7").plan.drift
    assert [d.describe() for d in drift] == [
        "drift: simulation 'Legacy' (id 55) is in Bluejay but not in the spec: add it to "
        "simulations: (by id or name), or leave it: the gate never deletes or unlinks a simulation"
    ]


@pytest.mark.parametrize(
    ("stored", "wanted", "equal"),
    [
        ("a\n", "a", True),
        (5, 5.0, True),
        (None, "", True),
        ([], None, True),
        ("a", "b", False),
        (1, True, False),
    ],
)
def test_same(stored: Any, wanted: Any, equal: bool) -> None:
    assert same(stored, wanted) is equal


def test_a_field_bluejay_does_not_return_counts_as_changed() -> None:
    record = SimulationRecord.model_validate({"id": "1", "settings": {"max_turns": 3}})
    assert changed_fields(record.stored, {"max_turns": 3, "pinned": True, "tags": None}) == (
        "pinned",
    )
