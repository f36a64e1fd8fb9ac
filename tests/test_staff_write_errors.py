"""Staff commands that write, on a data dir or an app database file that this
process cannot write: one error line that names the path and what to do."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityline.db import check_sqlite_writable, sqlite_url
from cityline.errors import DataDirError
from tests.test_staff_read_only import fill_app_database


def write_commands(receipt_no: str) -> list[list[str]]:
    return [
        ["reports", "set-status", receipt_no, "accepted", "--note", "確認中"],
        ["reports", "set-category", receipt_no, "park", "--note", "公園内の通路"],
        ["reports", "remove", receipt_no, "--reason", "重複した通報"],
        ["broadcast", "cancel", "20260101-000000-abcdef"],
    ]


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_writable(path: Path) -> bool:
    """Tell whether this process can write ``path``, a file or a folder."""
    try:
        if path.is_dir():
            probe = path / ".probe"
            probe.write_bytes(b"")
            probe.unlink()
        else:
            os.close(os.open(path, os.O_RDWR))
    except OSError:
        return False
    return True


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """Make ``path`` unwritable for this process, and writable again at the end.

    Root ignores permission bits, so as root the immutable attribute is set
    with chattr. The test is skipped where neither works, as on a filesystem
    without that attribute.
    """
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None:
            pytest.skip("running as root without chattr, so no file is read-only")
        locked = subprocess.run([chattr, "+i", str(path)], capture_output=True)
        restore = [chattr, "-i", str(path)]
    else:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        locked = subprocess.CompletedProcess([], 0)
        restore = None
    try:
        if locked.returncode != 0:
            reason = locked.stderr.decode(errors="replace").strip()
            pytest.skip(f"chattr +i failed on {path}: {reason}")
        if is_writable(path):
            pytest.skip(f"{path} is still writable after removing write access")
        yield
    finally:
        if restore is not None:
            subprocess.run(restore, check=False)
        else:
            path.chmod(mode)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error")]


def run_while_locked(invoke, data_dir, locked, receipt_no) -> list:
    """Run every staff write command while ``locked`` cannot be written."""
    with unwritable(locked):
        return [
            (command, invoke(data_dir, *command))
            for command in write_commands(receipt_no)
        ]


def test_read_only_database_is_named(invoke, data_dir):
    receipt_no = fill_app_database(data_dir)
    database = data_dir / "cityline.db"
    before = file_hash(database)

    for command, result in run_while_locked(invoke, data_dir, database, receipt_no):
        errors = error_lines(result.stderr)
        assert result.returncode == 2, command
        assert len(errors) == 1, (command, result.stderr)
        assert errors[0].startswith(
            f"error: database {str(database.resolve())!r} is not writable ("
        ), command
        assert "run the command as the user that owns the data dir" in errors[0]
    assert file_hash(database) == before


def test_read_only_data_dir_is_named(invoke, data_dir):
    receipt_no = fill_app_database(data_dir)
    before = file_hash(data_dir / "cityline.db")

    for command, result in run_while_locked(invoke, data_dir, data_dir, receipt_no):
        errors = error_lines(result.stderr)
        assert result.returncode == 2, command
        assert len(errors) == 1, (command, result.stderr)
        assert errors[0].startswith(
            f"error: data dir {str(data_dir)!r} is not writable ("
        ), command
        assert "pass a writable folder" in errors[0]
    assert file_hash(data_dir / "cityline.db") == before


def test_read_only_wal_file_is_named(tmp_path):
    database = tmp_path / "app.db"
    database.write_bytes(b"")
    wal = tmp_path / "app.db-wal"
    wal.write_bytes(b"")

    with unwritable(wal), pytest.raises(DataDirError) as raised:
        check_sqlite_writable(sqlite_url(database))

    assert f"database {str(wal)!r} is not writable" in str(raised.value)


def test_writable_check_passes_missing_files(tmp_path):
    check_sqlite_writable(sqlite_url(tmp_path / "missing.db"))
    check_sqlite_writable("postgresql+psycopg://cityline@127.0.0.1/cityline")
    assert not (tmp_path / "missing.db").exists()
