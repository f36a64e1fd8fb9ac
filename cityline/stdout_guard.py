"""Standard output that a closed pipe cannot stop halfway.

``cityline crawl URL | head -1`` closes the pipe after the first line. Python then
raises BrokenPipeError at the next print, and a command that prints before its
last step (the crawl prints its summary, then builds the index) would stop with
its work half done. Once the reader has gone, what is left to print goes to the
null device instead, and the command finishes and exits with its own code.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from typing import TextIO

logger = logging.getLogger(__name__)


class ClosedPipeTolerantStream:
    """A text stream that writes to ``stream`` until its reader goes away.

    On BrokenPipeError the file descriptor under ``stream`` is pointed at the null
    device, so this write, later ones, and the flush at exit all succeed without
    output. Other attributes are those of ``stream``.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._silence()
            return self._stream.write(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._silence()
            self._stream.flush()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

    def _silence(self) -> None:
        if not self.reader_gone:
            logger.debug("standard output was closed; the rest goes to %s", os.devnull)
        self.reader_gone = True
        null_fd = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null_fd, self._stream.fileno())
        finally:
            os.close(null_fd)


@contextlib.contextmanager
def guarded_stdout() -> Iterator[None]:
    """Replace ``sys.stdout`` with a ClosedPipeTolerantStream over it for the block.

    Standard output without a file descriptor (a test runner's capture) is left
    as it is. The original stream is restored after the block.
    """
    stream = sys.stdout
    try:
        stream.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stdout = ClosedPipeTolerantStream(stream)
    try:
        yield
    finally:
        sys.stdout = stream
