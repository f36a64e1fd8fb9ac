"""Creating the user-hash key: a process that crashes, or two that race.

Each race is made deterministic by a hook that runs the second process's
``user_hash_key`` (here a second Settings in the same process) at the moment
the first one is between two steps.
"""

from __future__ import annotations

import errno
import os
import secrets
import subprocess
import sys

import pytest

from cityline.errors import DataDirError
from cityline.settings import Settings

KEY_NAME = "user-hash.key"

# Runs user_hash_key in a process that dies, as on a power loss or a kill -9,
# while it writes the key's bytes.
CRASH_WHILE_WRITING = """
import os, sys
from cityline.settings import Settings

real_fdopen = os.fdopen

class DiesOnWrite:
    def __init__(self, handle):
        self.handle = handle
    def __enter__(self):
        return self
    def __exit__(self, *exc_info):
        self.handle.close()
    def write(self, data):
        os._exit(3)

os.fdopen = lambda *args, **kwargs: DiesOnWrite(real_fdopen(*args, **kwargs))
Settings(data_dir=sys.argv[1]).user_hash_key()
"""


def test_key_crash_leaves_no_empty_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", CRASH_WHILE_WRITING, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 3, result.stderr
    assert not (tmp_path / KEY_NAME).exists()
    key = Settings(data_dir=tmp_path).user_hash_key()
    assert len(key) == 32
    assert (tmp_path / KEY_NAME).read_bytes() == key


def test_key_race_never_reads_empty_key(tmp_path, monkeypatch):
    real_token_bytes = secrets.token_bytes
    hooked: list[bool] = []
    other_keys: list[bytes] = []

    def other_process_first(nbytes=None):
        if nbytes == 32 and not hooked:
            hooked.append(True)
            # Another process requests the key while this one creates it.
            other_keys.append(Settings(data_dir=tmp_path).user_hash_key())
        return real_token_bytes(nbytes)

    monkeypatch.setattr(secrets, "token_bytes", other_process_first)
    key = Settings(data_dir=tmp_path).user_hash_key()

    assert other_keys == [key]
    assert (tmp_path / KEY_NAME).read_bytes() == key


def test_key_race_before_link_keeps_winner(tmp_path, monkeypatch):
    real_link = os.link
    hooked: list[bool] = []
    other_keys: list[bytes] = []

    def other_process_links_first(source, target):
        if not hooked:
            hooked.append(True)
            # Another process creates the key after this one wrote its own.
            other_keys.append(Settings(data_dir=tmp_path).user_hash_key())
        real_link(source, target)

    monkeypatch.setattr(os, "link", other_process_links_first)
    key = Settings(data_dir=tmp_path).user_hash_key()

    assert other_keys == [key]
    assert (tmp_path / KEY_NAME).read_bytes() == key
    assert (tmp_path / KEY_NAME).stat().st_mode & 0o777 == 0o600
    assert sorted(os.listdir(tmp_path)) == [KEY_NAME]


def test_key_creation_failure_names_file(tmp_path, monkeypatch):
    def link_fails(source, target):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "link", link_fails)
    with pytest.raises(DataDirError, match=r"user-hash.key.*Input/output error"):
        Settings(data_dir=tmp_path).user_hash_key()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("code", [errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS])
def test_key_without_hard_links_names_fix(tmp_path, monkeypatch, code):
    def link_not_supported(source, target):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "link", link_not_supported)
    with pytest.raises(DataDirError) as raised:
        Settings(data_dir=tmp_path).user_hash_key()

    message = str(raised.value)
    assert "user-hash.key" in message
    assert "does not support hard links" in message
    assert "local filesystem" in message
    assert os.listdir(tmp_path) == []
