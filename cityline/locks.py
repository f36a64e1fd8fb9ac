"""Exclusive file locks that fail at once when another process holds them.

The lock is a ``flock`` on an open file, so the operating system releases it when
the process ends, however it ends, and a killed process leaves no stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def exclusive_lock(
    path: Path,
    busy_error: Exception | Callable[[int | None], Exception],
    open_error: Callable[[OSError], Exception] | None = None,
) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` while the block runs, or raise.

    The file is created when missing, with mode 0644 less the umask. It is
    opened for writing when the user may, since NFS emulates flock with byte
    range locks that need a writable file, and read-only otherwise, which a
    local flock accepts. The holder writes its process id into the file when
    it may. Raises ``busy_error`` when another open file holds the lock, or
    ``busy_error(pid)`` when it is a callable, with the holder's process id
    or None when the file names none. When ``path`` cannot be opened, raises
    ``open_error(exc)``, or the OSError itself when ``open_error`` is None. Both
    errors are chained to the OSError.
    """
    try:
        descriptor = _open_lock_file(path)
    except OSError as exc:
        if open_error is None:
            raise
        raise open_error(exc) from exc
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            if isinstance(busy_error, Exception):
                raise busy_error from exc
            raise busy_error(_holder(descriptor)) from exc
        _record_holder(descriptor)
        yield
    finally:
        os.close(descriptor)


def _open_lock_file(path: Path) -> int:
    """Open (and create) ``path`` for writing, or read-only when it is not
    writable by this user."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        return os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)


def _record_holder(descriptor: int) -> None:
    """Write this process's id into the lock file, when it is open for writing."""
    try:
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
    except OSError:
        pass  # Opened read-only: the lock holds all the same.


def _holder(descriptor: int) -> int | None:
    """Return the process id that the holder wrote into the lock file, or None."""
    try:
        return int(os.pread(descriptor, 32, 0).decode().strip())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
