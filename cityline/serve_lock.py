"""A lock file that marks a data dir as used by a running webhook server.

``cityline serve`` holds an exclusive lock on ``serve.lock`` in its data dir
from before it opens the database until it stops. A second server on the same
data dir would queue the events the first one is still handling and reply to them
twice, so it stops at once. ``cityline demo`` empties its data dir at the start
of each run, so it takes the lock for the delete: deleting the database under a
live server would leave the server writing reports to a file that no longer
exists. The operating system releases a lock when its process ends, however it
ends.

NOTE: the lock is a file in the data dir, so it does not stop two servers with
different data dirs that share one database through CITYLINE_DATABASE_URL.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from cityline.errors import DataDirError
from cityline.locks import exclusive_lock

logger = logging.getLogger(__name__)

SERVE_LOCK = "serve.lock"


def hold_serve_lock(data_dir: Path) -> contextlib.AbstractContextManager[None]:
    """Hold the data dir's ``serve.lock`` exclusively while the block runs.

    Raises DataDirError when another ``cityline serve`` (or a ``cityline demo``
    emptying the folder) holds it, or when the lock file cannot be opened.
    """
    busy = DataDirError(
        f"another cityline serve is running with the data dir "
        f"{str(data_dir)!r} (or a cityline demo is emptying it), and two "
        "servers would answer the same events twice; stop it first, or "
        "give this server its own data dir"
    )
    return exclusive_lock(data_dir / SERVE_LOCK, busy, _open_error)


def no_server(data_dir: Path) -> contextlib.AbstractContextManager[None]:
    """Hold ``data_dir``'s lock exclusively while the block runs, so that no
    server starts meanwhile.

    Raises DataDirError when a ``cityline serve`` holds the lock, or when the
    lock file cannot be opened.
    """

    def busy(pid: int | None) -> DataDirError:
        process = "" if pid is None else f" (process {pid})"
        stop = "Ctrl-C in its terminal" if pid is None else f"Ctrl-C, or kill {pid}"
        return DataDirError(
            f"a cityline serve{process} is running with the data dir "
            f"{str(data_dir)!r}; stop it first ({stop})"
        )

    return exclusive_lock(data_dir / SERVE_LOCK, busy, _open_error)


def _open_error(exc: OSError) -> DataDirError:
    return DataDirError(
        f"lock file {exc.filename!r} cannot be opened ({exc.strerror}); "
        "remove it or fix its permissions"
    )
