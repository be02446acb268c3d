"""The look-ups before queueing, run concurrently: ``fetch_all`` calls one read per key on
a bounded pool of threads (within ``run.max_parallel``, at most ``MAX_WORKERS``) and hands
back every answer or exception by key, so the caller reads them in spec order: messages,
warnings and the error raised are the same, and in the same order, as one after another.

Only GET look-ups go through here (nothing that queues or changes anything); the client
is shared across threads as the poller's workers share it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

MAX_WORKERS = 16  # as the poller's pool


def workers_for(max_parallel: int, count: int) -> int:
    return max(1, min(MAX_WORKERS, max_parallel, count))


def fetch_all(fn: Callable[[K], R], keys: Iterable[K], max_parallel: int) -> dict[K, R | Exception]:
    """``fn(key)`` for every distinct key, concurrently; each answer or the exception it
    raised. One key (or ``max_parallel`` 1) runs on this thread."""
    wanted = list(dict.fromkeys(keys))

    def one(key: K) -> R | Exception:
        try:
            return fn(key)
        except Exception as exc:  # noqa: BLE001 - handed back, raised in spec order
            return exc

    workers = workers_for(max_parallel, len(wanted))
    if workers == 1:
        return {key: one(key) for key in wanted}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lookup") as pool:
        return dict(zip(wanted, pool.map(one, wanted), strict=True))


def answer(got: R | Exception) -> R:
    """The answer, or its exception raised (here, in the caller's order)."""
    if isinstance(got, Exception):
        raise got
    return got
