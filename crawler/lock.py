"""The page store's writer lock, so that one process at a time writes to the store."""

from __future__ import annotations

import contextlib
from pathlib import Path

from cityline.errors import CitylineError, DataDirError
from cityline.locks import exclusive_lock


class StoreBusyError(CitylineError):
    """Raised when another crawl is writing to the same page store.

    Its exit code is 3, as for a site that cannot be crawled now: a scheduled
    crawl that overlaps a long earlier one should simply run again later.
    """

    exit_code = 3


def writer_lock(path: Path) -> contextlib.AbstractContextManager[None]:
    """Hold the page store's writer lock (a ``.lock`` file beside it) or raise.

    Raises StoreBusyError when another process holds it and DataDirError when the
    lock file cannot be created. The operating system releases the lock when the
    process ends, so a killed crawl leaves no stale lock.
    """
    lock_path = Path(path).with_name(Path(path).name + ".lock")
    busy = StoreBusyError(
        f"another crawl is writing to {str(path)!r}; wait for it to finish "
        "or use another data dir"
    )
    return exclusive_lock(lock_path, busy, _open_error)


def _open_error(exc: OSError) -> DataDirError:
    return DataDirError(
        f"cannot create the lock file {exc.filename!r} ({exc.strerror}); "
        "choose a writable data dir"
    )
