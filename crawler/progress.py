"""Crawl progress: a one-line bar on a terminal, periodic log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

logger = logging.getLogger(__name__)

LOG_INTERVAL_SECONDS = 10.0
BAR_WIDTH = 30


class Progress:
    """Reports fetched and queued URL counts while a crawl runs.

    On a terminal the bar is redrawn at most 10 times a second. Elsewhere one INFO
    line is logged every ``log_interval`` seconds.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        log_interval: float = LOG_INTERVAL_SECONDS,
        enabled: bool = True,
    ) -> None:
        self.stream = stream or sys.stderr
        self.is_tty = (
            enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        )
        self.enabled = enabled
        self.log_interval = log_interval
        self._last = 0.0
        self._drawn = False

    def due(self) -> bool:
        """Return whether the next :meth:`update` would draw or log anything."""
        interval = 0.1 if self.is_tty else self.log_interval
        return self.enabled and time.monotonic() - self._last >= interval

    def update(self, done: int, queued: int, failed: int, force: bool = False) -> None:
        """Show ``done`` of ``done + queued`` URLs handled and ``failed`` failures."""
        if not force and not self.due():
            return
        if not self.enabled:
            return
        self._last = time.monotonic()
        total = done + queued
        if self.is_tty:
            filled = BAR_WIDTH * done // total if total else BAR_WIDTH
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r[{bar}] {done}/{total} URLs, {failed} failed ")
            self.stream.flush()
            self._drawn = True
        else:
            logger.info(
                "crawl progress: %d of %d URLs handled, %d failed", done, total, failed
            )

    def close(self) -> None:
        """End the bar's line so that later output starts on a new one."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
