"""A throwaway PostgreSQL server for tests of the app database on PostgreSQL.

It runs the PostgreSQL binaries found on PATH (``initdb`` and ``postgres``) in a
temporary folder, listening on a free loopback port. The server refuses to run as
root, so under root it runs as the ``postgres`` system user through ``runuser``.
Tests that need it skip with the reason when the binaries or that user are missing.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STARTUP_TIMEOUT_S = 30.0


class PostgresUnavailable(Exception):
    """Raised when no PostgreSQL server can be started here; the message says why."""


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """Start a PostgreSQL server and yield its SQLAlchemy URL; stop it on exit."""
    initdb = shutil.which("initdb")
    postgres = shutil.which("postgres")
    if not initdb or not postgres:
        raise PostgresUnavailable("initdb and postgres are not on PATH")

    prefix = _run_as_prefix()
    folder = Path(tempfile.mkdtemp(prefix="cityline-pg-"))
    data_dir = folder / "data"
    try:
        if prefix:
            shutil.chown(folder, user="postgres")
        _run([*prefix, initdb, "-D", str(data_dir), "-U", "cityline", "-A", "trust"])
        port = _free_port()
        server = subprocess.Popen(
            [
                *prefix,
                postgres,
                "-D",
                str(data_dir),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-k",
                str(folder),
                "-F",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_port(port, server)
            yield f"postgresql+psycopg://cityline@127.0.0.1:{port}/postgres"
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_as_prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise PostgresUnavailable("running as root and no 'postgres' user") from exc
    runuser = shutil.which("runuser")
    if not runuser:
        raise PostgresUnavailable("running as root and runuser is not on PATH")
    return [runuser, "-u", "postgres", "--"]


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise PostgresUnavailable(
            f"{command[-6:]} failed with exit {result.returncode}: "
            f"{result.stderr[-500:]}"
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise PostgresUnavailable(f"postgres exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(0.3)  # the port opens a moment before logins are accepted
                return
        except OSError:
            time.sleep(0.1)
    raise PostgresUnavailable(f"postgres did not listen on port {port} in time")
