"""The Bluejay API client, ``BluejayClient``: the one object the rest of the gate talks to
Bluejay through. It composes the request plumbing and the endpoint families:

* ``session`` - the connection, the API key, shared state, the cancel, 429 holds, one
  attempt of a request;
* ``calls`` - the retry loops (and the once-only POST that reconciles), reading answers
  into the lenient wire models of ``models``;
* ``agents``, ``runs``, ``queueing``, ``definitions``, ``call_logs`` and ``setup_calls``
  (Bluejay as code: custom metrics, simulations, digital humans) - the endpoints, each
  request body one the OpenAPI document allows (ids as the document types them, only documented
  fields, ``None`` fields left out; see ``bodies``).

Failures become the ``errors.ApiError`` family (classified in ``failures``), each
message naming the endpoint and what to do; the API key never appears in one.
"""

from __future__ import annotations

from bluejay_gate.bluejay.agents import AgentCalls
from bluejay_gate.bluejay.call_logs import CallLogCalls
from bluejay_gate.bluejay.definitions import DefinitionCalls
from bluejay_gate.bluejay.queueing import QueueCalls
from bluejay_gate.bluejay.setup_calls import SetupCalls


class BluejayClient(SetupCalls, AgentCalls, QueueCalls, DefinitionCalls, CallLogCalls):
    """A thread-safe client for the parts of the Bluejay API the gate uses."""

    def ping(self) -> None:
        """Check the key and the base URL (``GET /v1/ping``)."""
        reply = self._call("GET", "/v1/ping")
        self._json(reply, "GET /v1/ping")
