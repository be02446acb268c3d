"""Recorded calls: sending one for evaluation (``POST /v1/evaluate``, not idempotent:
never twice), reading one call log (``GET /v1/retrieve-call-log/{call_id}``) and paging
through an agent's (``GET /v1/retrieve-call-logs/{agent_id}``, ``page``/``page_size``
and the ``last`` window).

``evaluate_call`` sends each call with a ``trace_id`` the caller chose (unique per gate
attempt and call file), also kept in ``metadata`` under ``TRACE_KEY`` because the
document's ``CallLog`` does not return ``trace_id``. It resends only when the request
surely never reached Bluejay (connect error); after an ambiguous failure (read timeout,
dropped connection, 429 or 5xx, or a 2xx with an unreadable body) it looks the trace up
among the agent's call logs of the last day and adopts the call found; only when there is
none does it send again. Bodies are the document's ``CallRequestUsingAgentId`` fields
only, ``None`` fields left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from bluejay_gate.bluejay.bodies import documented_body, segment
from bluejay_gate.bluejay.calls import Calls
from bluejay_gate.bluejay.fields import CALL_REQUEST_FIELDS
from bluejay_gate.bluejay.models import CallLog, CallLogPage, EvaluateAnswer, OneCallLog
from bluejay_gate.bluejay.session import Reply
from bluejay_gate.errors import NotFoundError

# The metadata key that carries the gate's trace id back in a call log.
TRACE_KEY = "bluejay_gate_trace_id"
# Pages of ``retrieve-call-logs`` read at most when looking for a lost call.
LOOKUP_PAGES = 20
LOOKUP_PAGE_SIZE = 100
LOOKUP_WINDOW = "1day"
CALL_LOG_WINDOWS = ("1day", "3days", "7days", "30days", "90days", "all")


def trace_of(call: CallLog) -> str | None:
    """The gate's trace id of a call log: its ``trace_id``, else its metadata's."""
    if call.trace_id:
        return call.trace_id
    value = (call.metadata or {}).get(TRACE_KEY)
    return value if isinstance(value, str) else None


class CallLogCalls(Calls):
    """``evaluate_call`` and its reconciliation; reading call logs."""

    def evaluate_call(self, body: Mapping[str, Any], *, agent_id: str, trace_id: str) -> str:
        """Send one call for evaluation as agent ``agent_id``; its ``call_id``. Never
        twice (module docstring)."""
        endpoint = "POST /v1/evaluate"
        fields = dict(body)
        fields.pop("agent_id", None)
        fields.pop("external_agent_id", None)
        metadata = dict(fields.get("metadata") or {})
        metadata[TRACE_KEY] = trace_id
        fields.update(agent_id=str(agent_id), trace_id=trace_id, metadata=metadata)
        sent = documented_body(fields, CALL_REQUEST_FIELDS, "CallRequestUsingAgentId", endpoint)

        def parse(reply: Reply) -> str:
            answer = self._model(EvaluateAnswer, self._json(reply, endpoint), endpoint, 200)
            return answer.call_id

        def reconcile(cause: str) -> str | None:
            found = self.find_traced_call(agent_id, trace_id)
            if found is not None:
                self._log(f"{endpoint}: adopted call {found.id} (trace {trace_id}) after {cause}")
                return found.id
            return None

        return self._post_once_only("/v1/evaluate", sent, parse, reconcile, "call evaluation")

    def get_call_log(self, call_id: str) -> CallLog:
        """``GET /v1/retrieve-call-log/{call_id}``."""
        path = f"/v1/retrieve-call-log/{segment(call_id)}"
        return self._get_one(path, CallLog, OneCallLog, "call_log", ("call", str(call_id)))

    def list_call_logs(
        self,
        agent_id: str,
        *,
        page: int = 1,
        page_size: int = LOOKUP_PAGE_SIZE,
        last: str = LOOKUP_WINDOW,
    ) -> CallLogPage:
        """One page of ``GET /v1/retrieve-call-logs/{agent_id}``."""
        query = urlencode({"page": page, "page_size": page_size, "last": last})
        path = f"/v1/retrieve-call-logs/{segment(agent_id)}?{query}"
        return self._get_model(path, CallLogPage, ("agent", str(agent_id)))

    def find_traced_call(self, agent_id: str, trace_id: str) -> CallLog | None:
        """The agent's call log carrying ``trace_id`` (newest first, the last day)."""
        return self.traced_calls(agent_id, {trace_id}).get(trace_id)

    def traced_calls(self, agent_id: str, trace_ids: set[str]) -> dict[str, CallLog]:
        """The agent's call logs of the last day that carry one of ``trace_ids``, by
        trace (newest first; at most ``LOOKUP_PAGES`` pages)."""
        found: dict[str, CallLog] = {}
        for page in range(1, LOOKUP_PAGES + 1):
            try:
                got = self.list_call_logs(agent_id, page=page)
            except NotFoundError:
                return found
            for call in got.call_logs:
                trace = trace_of(call)
                if trace in trace_ids and trace not in found:
                    found[trace] = call
            last_page = got.total_pages if got.total_pages is not None else page
            if len(found) == len(trace_ids) or not got.call_logs or page >= last_page:
                return found
        return found
