"""The scenario's records in the API's own terms: a digital human takes every field of the
document's ``DigitalHumanRequestData``, and a simulation's ``settings`` every field of
``SimulationRequest`` and ``UpdateSimulationRequest`` (but ``agent_id`` and ``name``),
validated by the same request models the endpoints use, so a scenario can hold the
setup an account would have. Read by ``scenario``; stores nothing.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ConfigDict, ValidationError

from bluejay_gate.emulator import bodies as b
from bluejay_gate.emulator.human_bodies import DigitalHumanRequestData

_CREATE = frozenset(b.SimulationRequest.model_fields) - {"agent_id", "name"}
_UPDATE = frozenset(b.UpdateSimulationRequest.model_fields) - {"name"}
SETTING_KEYS = _CREATE | _UPDATE


class DigitalHumanDef(DigitalHumanRequestData):
    """A scenario digital human: an optional fixed ``id``, a ``name`` and any field of
    ``DigitalHumanRequestData``; it is stored with exactly the keys given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int | None = None
    name: str


def check_settings(value: dict[str, Any]) -> dict[str, Any]:
    """A simulation's scenario ``settings``: known keys, values the API would accept;
    returned as the API would store them (JSON values, only the keys given)."""
    unknown = sorted(set(value) - SETTING_KEYS)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(SETTING_KEYS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"{unknown[0]!r} is not a simulation setting{hint}; settings take the fields "
            "of SimulationRequest and UpdateSimulationRequest but agent_id and name"
        )
    out: dict[str, Any] = {}
    create = {k: v for k, v in value.items() if k in _CREATE}
    update = {k: v for k, v in value.items() if k in _UPDATE}
    for model, given, extra in (
        (b.SimulationRequest, create, {"agent_id": "0"}),
        (b.UpdateSimulationRequest, update, {}),
    ):
        try:
            parsed = model.model_validate({**extra, **given})
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in err["loc"])
            raise ValueError(f"{where}: {err['msg']}") from None
        out.update(parsed.model_dump(mode="json", include=set(given)))
    return out
