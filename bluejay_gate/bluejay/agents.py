"""Agent endpoints: read one (by id or external id), list them, create one (once only:
after an ambiguous failure the agent is looked up by ``external_agent_id``, or by exact
name in ``all-agents`` preferring one created after the attempt, before it is created
again) and update one, checking Bluejay answered with the updated agent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bluejay_gate.bluejay.adoption import adopted
from bluejay_gate.bluejay.bodies import documented_body, integer_id, require, segment
from bluejay_gate.bluejay.calls import Calls
from bluejay_gate.bluejay.fields import (
    AGENT_REQUEST_FIELDS,
    AGENT_REQUEST_REQUIRED,
    AGENT_UPDATE_BY_EXTERNAL_ID_FIELDS,
    AGENT_UPDATE_FIELDS,
)
from bluejay_gate.bluejay.models import Agent, AgentCreated
from bluejay_gate.bluejay.session import Reply
from bluejay_gate.errors import NotFoundError, ResponseError


class AgentCalls(Calls):
    """``get-agent``, ``agent-by-external-id``, ``all-agents``, ``add-agent`` and updates."""

    def get_agent(self, agent_id: str) -> Agent:
        """``GET /v1/agents/{agent_id}``."""
        ident = integer_id(agent_id, "agent", "GET /v1/agents/{agent_id}")
        agent = self._get_model(f"/v1/agents/{ident}", Agent, ("agent", ident))
        return _with_id(agent, f"GET /v1/agents/{ident}")

    def find_agent_by_external_id(self, external_id: str) -> Agent | None:
        """``GET /v1/agent-by-external-id/{external_id}``; ``None`` when there is none."""
        path = f"/v1/agent-by-external-id/{segment(external_id)}"
        try:
            reply = self._call("GET", path, what=("agent with external id", external_id))
        except NotFoundError:
            return None
        payload = self._json(reply, f"GET {path}")
        if payload is None:
            return None
        return _with_id(self._model(Agent, payload, f"GET {path}", reply.status), f"GET {path}")

    def list_agents(self) -> list[Agent]:
        """``GET /v1/all-agents``."""
        path = "/v1/all-agents"
        reply = self._call("GET", path)
        payload = self._json(reply, f"GET {path}")
        if isinstance(payload, dict) and isinstance(payload.get("agents"), list):
            payload = payload["agents"]  # liberal: a wrapped list
        if not isinstance(payload, list):
            raise ResponseError(
                f"returned {type(payload).__name__}, not a list of agents",
                endpoint=f"GET {path}",
                status=reply.status,
            )
        return [self._model(Agent, item, f"GET {path}", reply.status) for item in payload]

    def add_agent(self, fields: dict[str, Any]) -> str:
        """Create an agent (``POST /v1/add-agent``, an ``AgentRequest``); returns its id."""
        endpoint = "POST /v1/add-agent"
        body = documented_body(fields, AGENT_REQUEST_FIELDS, "AgentRequest", endpoint)
        require(body, AGENT_REQUEST_REQUIRED, "AgentRequest", endpoint, "the spec's agent")
        started = self._now()

        def parse(reply: Reply) -> str:
            payload = self._json(reply, endpoint)
            return self._model(AgentCreated, payload, endpoint, reply.status).agent_id

        def reconcile(cause: str) -> str | None:
            return self._find_created_agent(body, started, cause)

        return self._post_once_only("/v1/add-agent", body, parse, reconcile, "agent")

    def _find_created_agent(
        self, body: Mapping[str, Any], since: datetime, cause: str
    ) -> str | None:
        external_id = body.get("external_agent_id")
        if external_id:
            agent = self.find_agent_by_external_id(str(external_id))
            candidates = [agent] if agent is not None and agent.id else []
        else:
            candidates = [a for a in self.list_agents() if a.name == body["name"] and a.id]
        chosen = adopted(candidates, since, lambda a: a.created_at, lambda a: a.id)
        if chosen is None:
            return None
        self._log(f"POST /v1/add-agent: adopted agent {chosen.id} after {cause}")
        return chosen.id

    def update_agent(self, agent_id: str, fields: dict[str, Any]) -> None:
        """``POST /v1/update-agent`` (``AgentUpdateRequest``, ``agent_id`` as a string)."""
        endpoint = "POST /v1/update-agent"
        body = documented_body(
            fields, AGENT_UPDATE_FIELDS - {"agent_id"}, "AgentUpdateRequest", endpoint
        )
        reply = self._call(
            "POST",
            "/v1/update-agent",
            {"agent_id": str(agent_id), **body},
            what=("agent", str(agent_id)),
        )
        self._check_updated(reply, endpoint)

    def update_agent_by_external_id(self, external_id: str, fields: dict[str, Any]) -> None:
        """``PUT /v1/update-agent-by-external-id`` (``AgentUpdateWithExternalIdRequest``)."""
        endpoint = "PUT /v1/update-agent-by-external-id"
        allowed = AGENT_UPDATE_BY_EXTERNAL_ID_FIELDS - {"external_agent_id"}
        body = documented_body(fields, allowed, "AgentUpdateWithExternalIdRequest", endpoint)
        reply = self._call(
            "PUT",
            "/v1/update-agent-by-external-id",
            {"external_agent_id": str(external_id), **body},
            what=("agent with external id", str(external_id)),
        )
        self._check_updated(reply, endpoint)

    def _check_updated(self, reply: Reply, endpoint: str) -> None:
        """An ``AgentUpdateResponse`` (an object with an ``agent`` object), or the update
        may not have happened (a proxy's page answered 200): no verdict on a stale agent."""
        payload = self._json(reply, endpoint)
        agent = payload.get("agent") if isinstance(payload, dict) else None
        if not isinstance(agent, dict):
            got = type(payload).__name__ if not isinstance(payload, dict) else "no agent object"
            raise ResponseError(
                f"returned {got}, not the documented AgentUpdateResponse with the updated "
                "agent; the update may not have been applied: check --base-url",
                endpoint=endpoint,
                status=reply.status,
            )


def _with_id(agent: Agent, endpoint: str) -> Agent:
    """An agent the gate will update and queue for must say which one it is."""
    if not agent.id:
        raise ResponseError(
            "returned an agent without an id: check --base-url points at the Bluejay API",
            endpoint=endpoint,
        )
    return agent
