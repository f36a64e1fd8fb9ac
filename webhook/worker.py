"""A thread pool that runs jobs in submission order per key, and keys in parallel.

The webhook submits each stored event under its hashed source id, so one resident's
events are handled one after another (a photo after the report it belongs to) while
different residents are served at the same time.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_THREADS = 8


class KeyedWorker(Generic[T]):
    """Run ``handle(item)`` for submitted items: in order per key, keys in parallel.

    ``handle`` must not raise; an exception is logged and the next item runs. After
    :meth:`stop`, items not started yet are dropped (the caller keeps them, as the
    inbox does, and submits them again after a restart).
    """

    def __init__(
        self,
        handle: Callable[[T], None],
        *,
        threads: int = DEFAULT_THREADS,
        name: str = "worker",
    ) -> None:
        if threads < 1:
            raise ValueError(f"threads={threads!r}; use 1 or more")
        self._handle = handle
        self._executor = ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix=name
        )
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queues: dict[Hashable, deque[T]] = {}
        self._running: set[Hashable] = set()
        self._stopping = False

    def submit(self, key: Hashable, item: T) -> bool:
        """Queue ``item`` after the earlier items of ``key``; False once stopping."""
        with self._lock:
            if self._stopping:
                return False
            queue = self._queues.get(key)
            if queue is not None:
                queue.append(item)
                return True
            self._queues[key] = deque([item])
            # Submitting under the lock keeps stop() from shutting the executor
            # down between the check above and this call.
            try:
                self._executor.submit(self._drain, key)
            except RuntimeError as exc:
                # The executor also rejects jobs once the interpreter starts to exit.
                del self._queues[key]
                logger.warning(
                    "queueing an item failed, so it waits for a restart: %s", exc
                )
                return False
        return True

    def wait_idle(self, timeout_s: float | None = None) -> bool:
        """Wait until no item is queued or running; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._queues, timeout=timeout_s)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop taking items, drop the queued rest, and wait up to ``timeout_s``
        for the running ones to finish.

        An item still running after that is left to its thread, while the
        caller goes on to close what the item may use. The inbox then keeps
        such an event pending, since it cannot mark it handled, and the next
        start handles it.
        """
        with self._lock:
            self._stopping = True
            dropped = 0
            for key in list(self._queues):
                queue = self._queues[key]
                if key in self._running:
                    dropped += len(queue) - 1
                else:
                    dropped += len(queue)
                    del self._queues[key]
            self._idle.notify_all()
        if dropped:
            logger.info("worker stopping; %d queued items left for later", dropped)
        self._executor.shutdown(wait=False, cancel_futures=True)
        with self._idle:
            if not self._idle.wait_for(lambda: not self._queues, timeout=timeout_s):
                logger.warning(
                    "worker still busy after %.0f s with %d keys running; not waiting",
                    timeout_s,
                    len(self._running),
                )

    def _drain(self, key: Hashable) -> None:
        while True:
            with self._lock:
                queue = self._queues.get(key)
                if queue is None:
                    return
                if self._stopping or not queue:
                    del self._queues[key]
                    self._running.discard(key)
                    self._idle.notify_all()
                    return
                self._running.add(key)
                item = queue[0]
            try:
                self._handle(item)
            except Exception:
                logger.exception("worker job failed; continuing with the next one")
            with self._lock:
                queue.popleft()
