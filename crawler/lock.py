"""The page store's writer lock, so that one process at a time writes to the store."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from cityline.errors import CitylineError, DataDirError


class StoreBusyError(CitylineError):
    """Raised when another crawl is writing to the same page store.

    Its exit code is 3, as for a site that cannot be crawled now: a scheduled
    crawl that overlaps a long earlier one should simply run again later.
    """

    exit_code = 3


@contextlib.contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Hold the page store's writer lock (a ``.lock`` file beside it) or raise.

    Raises StoreBusyError when another process holds it and DataDirError when the
    lock file cannot be created. The operating system releases the lock when the
    process ends, so a killed crawl leaves no stale lock.
    """
    lock_path = Path(path).with_name(Path(path).name + ".lock")
    try:
        handle = open(lock_path, "a+b")  # noqa: SIM115 - closed in the finally
    except OSError as exc:
        raise DataDirError(
            f"cannot create the lock file {str(lock_path)!r} ({exc.strerror}); "
            "choose a writable data dir"
        ) from exc
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreBusyError(
                f"another crawl is writing to {str(path)!r}; wait for it to finish "
                "or use another data dir"
            ) from exc
        yield
    finally:
        handle.close()
