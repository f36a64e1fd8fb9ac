"""A lock file that marks a data dir as used by a running webhook server.

``cityline serve`` holds a shared lock on ``serve.lock`` in its data dir for as
long as it runs. ``cityline demo`` empties its data dir at the start of each run,
so it first checks the lock: deleting the database under a live server would
leave the server writing reports to a file that no longer exists. The operating
system releases the lock when the server process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

SERVE_LOCK = "serve.lock"


@contextlib.contextmanager
def hold_serve_lock(data_dir: Path) -> Iterator[None]:
    """Hold a shared lock on the data dir's ``serve.lock`` while the block runs.

    Shared, so that two servers on one data dir do not stop each other.
    """
    with open(data_dir / SERVE_LOCK, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        yield


def serve_running(data_dir: Path) -> bool:
    """Tell whether a ``cityline serve`` process holds the lock of ``data_dir``."""
    path = data_dir / SERVE_LOCK
    if not path.is_file():
        return False
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False
