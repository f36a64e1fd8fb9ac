"""Where numba caches the compiled ranking loops when its folders are read-only."""

from __future__ import annotations

import os
import tempfile

import numba
import pytest

from answerer import kernel


@pytest.fixture
def temp_root(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


@pytest.fixture
def no_locator(monkeypatch):
    """Make numba's cache probe fail as it does for a user who can write nothing."""

    def reject(**options):
        def decorate(function):
            raise RuntimeError("cannot cache function: no locator available")

        return decorate

    monkeypatch.setattr(numba, "njit", reject)
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")


def test_unwritable_cache_folders_get_a_private_one(temp_root, no_locator, caplog):
    caplog.set_level("INFO", logger="answerer.kernel")
    kernel.ensure_cache_location()
    folder = temp_root / f"cityline-numba-{os.getuid()}"
    assert numba.config.CACHE_DIR == str(folder)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert "caching compiled code in" in caplog.text


def test_folder_others_can_write_is_not_reused(temp_root, no_locator, caplog):
    shared = temp_root / f"cityline-numba-{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)
    kernel.ensure_cache_location()
    assert numba.config.CACHE_DIR not in ("", str(shared))
    assert os.stat(numba.config.CACHE_DIR).st_mode & 0o777 == 0o700
    assert "for this process only" in caplog.text


def test_writable_cache_leaves_numba_settings_alone(monkeypatch):
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    kernel.ensure_cache_location()
    assert numba.config.CACHE_DIR == ""
