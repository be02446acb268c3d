"""One call to Bluejay: the retry loop around its attempts, the once-only POST that
reconciles instead of blindly resending, and reading a 2xx answer's JSON into a wire
model. Failures become the ``errors.ApiError`` family, each message naming the endpoint
and what to do. It knows no endpoint (the families in ``agents``, ``runs``, ``queueing``
and ``definitions`` do).

Retries (see ``retry``): GET requests, agent updates, ``end-conversations`` and ``ping``
are retried on connect/read errors, dropped connections, 429 and 500/502/503/504, within
the retry budget and the ``deadline``. The first attempt of a call always goes out.

A POST that is not idempotent (it costs money or leaves duplicates) is resent only when
the request surely never reached Bluejay (connect error). After an ambiguous failure
(read timeout, dropped connection, 429 or 5xx, which a proxy may send after Bluejay
handled the request, or a 2xx with an unreadable body) it waits the backoff delay, then
looks for what the lost attempt may have created; only when nothing is found does it
send again, counting the attempt.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pydantic

from bluejay_gate.bluejay.failures import Failure
from bluejay_gate.bluejay.limits import MAX_LISTED_PROBLEMS
from bluejay_gate.bluejay.retry import RetryBudget
from bluejay_gate.bluejay.session import Reply, Session
from bluejay_gate.errors import ApiError, ResponseError

CANCELLED = "because the gate was cancelled"

M = TypeVar("M", bound=pydantic.BaseModel)
T = TypeVar("T")


class Calls(Session):
    """Retrying calls and reading their answers, on top of one attempt (``Session``)."""

    # -- retry loops --------------------------------------------------------------------

    def _budget(self) -> RetryBudget:
        return RetryBudget(self.retry, self._monotonic, self.deadline, self._rand)

    def _call(
        self, method: str, path: str, body: Any = None, *, what: tuple[str, str] | None = None
    ) -> Reply:
        """Send an idempotent request, retrying transient failures within the budget."""
        budget = self._budget()
        wake = self._wake
        waited = 0.0
        while True:
            budget.attempt_started()
            outcome = self._attempt(method, path, body, what, waited)
            if isinstance(outcome, Reply):
                return outcome
            if not outcome.transient:
                raise outcome.error()
            delay = budget.next_delay(outcome.retry_after)
            waited = self._hold(outcome, delay)
            if delay is None:
                raise outcome.error(budget.gave_up_because)
            self._log_retry(outcome, budget, delay)
            if self._pause(delay, wake):
                raise outcome.error(CANCELLED)

    def _log_retry(self, failure: Failure, budget: RetryBudget, delay: float) -> None:
        self._log(
            f"{failure.endpoint}: {failure.summary}; retrying in {delay:.1f} s "
            f"(attempt {budget.attempts + 1} of {self.retry.max_attempts})"
        )

    def _post_once_only(
        self,
        path: str,
        body: Mapping[str, Any],
        parse: Callable[[Reply], T],
        reconcile: Callable[[str], T | None],
        noun: str,
    ) -> T:
        """POST something that is not idempotent; after an ambiguous failure look for
        what it may have created (``reconcile``) before sending it again."""
        budget = self._budget()
        wake = self._wake
        waited = 0.0
        while True:
            budget.attempt_started()
            outcome = self._attempt("POST", path, body, None, waited)
            if isinstance(outcome, Reply):
                try:
                    return parse(outcome)
                except ResponseError as exc:
                    # A 2xx: it was created, only the answer is unreadable.
                    found = self._reconciled(reconcile, _bare(exc), exc.endpoint, noun)
                    if found is not None:
                        return found
                    raise
            if not outcome.transient:
                raise outcome.error()
            delay = budget.next_delay(outcome.retry_after)
            waited = self._hold(outcome, delay)
            if not outcome.reached:
                if delay is None:
                    raise outcome.error(budget.gave_up_because)
                self._log_retry(outcome, budget, delay)
                if self._pause(delay, wake):
                    raise outcome.error(f"{CANCELLED}; no {noun} was created")
                continue
            # let a slow server finish before looking (cut short by a cancel: look at once)
            interrupted = delay is not None and self._pause(delay, wake)
            found = self._reconciled(reconcile, outcome.summary, outcome.endpoint, noun)
            if found is not None:
                return found
            if delay is None:
                raise outcome.error(f"{budget.gave_up_because}; no {noun} was created")
            if interrupted:
                raise outcome.error(f"{CANCELLED}; no {noun} was created")
            self._log(
                f"{outcome.endpoint}: {outcome.summary} and no {noun} was created; sending "
                f"again (attempt {budget.attempts + 1} of {self.retry.max_attempts})"
            )

    def _reconciled(
        self, reconcile: Callable[[str], T | None], cause: str, endpoint: str, noun: str
    ) -> T | None:
        try:
            return reconcile(cause)
        except ApiError as exc:
            raise type(exc)(
                f"{cause}, and checking whether the {noun} was created failed too "
                f"({exc.message}); it may exist: check the Bluejay dashboard before running "
                "again",
                endpoint=endpoint,
                status=exc.status,
            ) from None

    # -- parsing ------------------------------------------------------------------------

    def _json(self, reply: Reply, endpoint: str) -> Any:
        try:
            return json.loads(reply.body)
        except RecursionError:
            raise ResponseError(
                f"returned JSON nested too deeply to read ({len(reply.body)} bytes); "
                "check --base-url points at the Bluejay API",
                endpoint=endpoint,
                status=reply.status,
            ) from None
        except ValueError:
            kind = reply.content_type or "no content type"
            excerpt = self._excerpt(reply.body[:4096].decode("utf-8", errors="replace"))
            shown = f": {excerpt}" if excerpt else ""
            raise ResponseError(
                f"returned a body that is not JSON ({kind}, {len(reply.body)} bytes){shown}; "
                "check --base-url points at the Bluejay API (not a proxy or login page)",
                endpoint=endpoint,
                status=reply.status,
            ) from None

    def _model(self, model: type[M], payload: Any, endpoint: str, status: int) -> M:
        try:
            return model.model_validate(payload)
        except pydantic.ValidationError as exc:
            problems = [
                f"{'.'.join(str(p) for p in err['loc']) or '(body)'}: {err['msg']}"
                for err in exc.errors()
            ]
            shown = "; ".join(self._excerpt(p) for p in problems[:MAX_LISTED_PROBLEMS])
            more = len(problems) - MAX_LISTED_PROBLEMS
            if more > 0:
                shown += f"; and {more} more"
            raise ResponseError(
                f"returned a body without the documented {model.__name__} shape: {shown}",
                endpoint=endpoint,
                status=status,
            ) from None

    def _get_one(
        self,
        path: str,
        model: type[M],
        wrapper: type[pydantic.BaseModel],
        key: str,
        what: tuple[str, str],
    ) -> M:
        """One record that Bluejay wraps (``{key: {...}}``, the ``wrapper`` model) or, in
        older answers, sends bare (``{"id": ...}``)."""
        endpoint = f"GET {path}"
        reply = self._call("GET", path, what=what)
        payload = self._json(reply, endpoint)
        if isinstance(payload, dict) and key not in payload and "id" in payload:
            return self._model(model, payload, endpoint, reply.status)
        found = getattr(self._model(wrapper, payload, endpoint, reply.status), key)
        assert isinstance(found, model)
        return found

    def _get_model(self, path: str, model: type[M], what: tuple[str, str] | None = None) -> M:
        endpoint = f"GET {path}"
        reply = self._call("GET", path, what=what)
        return self._model(model, self._json(reply, endpoint), endpoint, reply.status)


def _bare(exc: ApiError) -> str:
    """The message without its ``METHOD /path: `` prefix."""
    prefix = f"{exc.endpoint}: "
    return exc.message[len(prefix) :] if exc.message.startswith(prefix) else exc.message
