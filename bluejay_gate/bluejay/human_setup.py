"""Digital human calls of Bluejay as code: a simulation's digital humans in full, creating
one in a simulation (once only: after an ambiguous failure the simulation's digital human
of that name is looked up, preferring one created since the attempt, before it is created
again), updating one and unlinking some from a simulation (both idempotent: retried),
checking Bluejay answered with what was asked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bluejay_gate.bluejay.adoption import adopted
from bluejay_gate.bluejay.bodies import documented_body, integer_id, integer_ids
from bluejay_gate.bluejay.definitions import DefinitionCalls
from bluejay_gate.bluejay.fields import HUMAN_CREATE_FIELDS, HUMAN_UPDATE_FIELDS
from bluejay_gate.bluejay.session import Reply
from bluejay_gate.bluejay.setup_models import (
    DigitalHumanResponse,
    HumanRecord,
    HumanRecordList,
    RemoveDigitalHumansResponse,
)
from bluejay_gate.errors import RequestRejected, ResponseError

CREATE = "POST /v1/create-digital-human"
UPDATE = "PUT /v1/update-digital-human/{digital_human_id}"
REMOVE = "POST /v1/simulation/{simulation_id}/remove-digital-humans"


class HumanSetupCalls(DefinitionCalls):
    """``digital-humans-by-simulation`` (full records), ``create-digital-human``,
    ``update-digital-human`` and ``remove-digital-humans``."""

    def simulation_humans(self, simulation_id: str) -> list[HumanRecord]:
        """``GET /v1/digital-humans-by-simulation/{simulation_id}``, full records, each id
        once; one without an id is a ResponseError (it could not be updated)."""
        payload, endpoint, status = self._listed_humans(simulation_id)
        found: dict[str, HumanRecord] = {}
        for human in self._model(HumanRecordList, payload, endpoint, status).digital_humans:
            found.setdefault(human.id, human)
        return list(found.values())

    def create_human(self, simulation_id: str, fields: Mapping[str, Any]) -> str:
        """``POST /v1/create-digital-human`` (``simulation_ids: [simulation_id]`` as an
        integer, ``digital_human: fields``); the new id. Once only."""
        sim = integer_id(simulation_id, "simulation", CREATE)
        human = documented_body(fields, HUMAN_CREATE_FIELDS, "DigitalHumanRequestData", CREATE)
        name = human.get("name")
        if not isinstance(name, str) or not name.strip():
            raise RequestRejected(
                "not sent: a digital human of a managed simulation needs a name (the gate "
                "finds it by name); give it a name in the spec",
                endpoint=CREATE,
            )
        body = {"simulation_ids": [int(sim)], "digital_human": human}
        started = self._now()

        def parse(reply: Reply) -> str:
            return self._human_answer(reply, CREATE, None).id

        def reconcile(cause: str) -> str | None:
            return self._find_created_human(sim, name, started, cause)

        return self._post_once_only(
            "/v1/create-digital-human", body, parse, reconcile, "digital human"
        )

    def _find_created_human(
        self, simulation_id: str, name: str, since: datetime, cause: str
    ) -> str | None:
        candidates = [h for h in self.simulation_humans(simulation_id) if h.name == name]
        chosen = adopted(candidates, since, lambda h: h.created_at, lambda h: h.id)
        if chosen is None:
            return None
        self._log(f"{CREATE}: adopted digital human {chosen.id} ({name}) after {cause}")
        return chosen.id

    def update_human(self, human_id: str, fields: Mapping[str, Any]) -> None:
        """``PUT /v1/update-digital-human/{digital_human_id}`` with only ``fields`` (never
        ``simulation_ids``: it would replace every link); Bluejay must answer with that
        digital human (``DigitalHumanResponse``)."""
        ident = integer_id(human_id, "digital human", UPDATE)
        body = documented_body(fields, HUMAN_UPDATE_FIELDS, "UpdateDigitalHumanRequest", UPDATE)
        path = f"/v1/update-digital-human/{ident}"
        reply = self._call("PUT", path, body, what=("digital human", ident))
        self._human_answer(reply, f"PUT {path}", ident)

    def remove_humans(self, simulation_id: str, human_ids: Sequence[str]) -> None:
        """``POST /v1/simulation/{simulation_id}/remove-digital-humans`` (integer ids):
        unlinks them from the simulation; the digital humans stay. No call for none."""
        sim = integer_id(simulation_id, "simulation", REMOVE)
        ids = integer_ids(human_ids, "digital human", REMOVE)
        if not ids:
            return
        path = f"/v1/simulation/{sim}/remove-digital-humans"
        endpoint = f"POST {path}"
        reply = self._call("POST", path, {"digital_human_ids": ids}, what=("simulation", sim))
        payload = self._json(reply, endpoint)
        self._model(RemoveDigitalHumansResponse, payload, endpoint, reply.status)

    def _human_answer(self, reply: Reply, endpoint: str, ident: str | None) -> HumanRecord:
        """The digital human of a ``DigitalHumanResponse`` (or, liberally, the bare record).
        Updating ``ident``: its optional id is taken as ``ident`` when absent, and another
        one's is a ResponseError; creating, a record without an id is one."""
        payload = self._json(reply, endpoint)
        if isinstance(payload, dict) and "digital_human" not in payload and "id" in payload:
            payload = {"digital_human": payload}  # liberal: the bare record
        if ident is not None and isinstance(payload, dict):
            inner = payload.get("digital_human")
            if isinstance(inner, dict) and inner.get("id") is None:
                payload = {**payload, "digital_human": {**inner, "id": ident}}
        human = self._model(DigitalHumanResponse, payload, endpoint, reply.status).digital_human
        if ident is not None and human.id != ident:
            raise ResponseError(
                f"answered with digital human {human.id}, not {ident}; check --base-url "
                "points at the Bluejay API",
                endpoint=endpoint,
                status=reply.status,
            )
        return human
