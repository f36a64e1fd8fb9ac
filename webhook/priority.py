"""Priority for acknowledging webhooks over computing replies, inside one process.

The event loop that returns LINE's 200s and the worker threads that compute replies
share CPython's interpreter lock. When several workers compute at once, the loop
gets the lock only a fraction of the time and every 200 waits. :class:`RequestGate`
lets one worker at a time answer a question, the CPU-heavy step, and has that worker
first wait briefly while webhook requests are open. Flows and sending, which mostly
wait on the database and the network, stay concurrent.
Under a load the process cannot keep up with, replies fall behind while the 200s,
and with them the inbox, keep up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

MAX_WAIT_S = 0.05
"""Maximum time a worker waits for open requests before it computes a reply."""


class RequestGate:
    """Counts open webhook requests and hands out the single compute slot."""

    def __init__(self, max_wait_s: float = MAX_WAIT_S) -> None:
        self._max_wait_s = max_wait_s
        self._quiet = threading.Condition()
        self._open = 0
        self._compute = threading.Lock()

    def request_started(self) -> None:
        """Count a webhook request as open."""
        with self._quiet:
            self._open += 1

    def request_finished(self) -> None:
        """Count a webhook request as finished and wake waiting workers at zero."""
        with self._quiet:
            self._open -= 1
            if self._open == 0:
                self._quiet.notify_all()

    @contextmanager
    def compute_slot(self) -> Iterator[None]:
        """Hold the compute slot, after up to ``max_wait_s`` for open requests."""
        with self._compute:
            with self._quiet:
                self._quiet.wait_for(lambda: self._open == 0, timeout=self._max_wait_s)
            yield
