"""The lock that keeps `cityline demo` from deleting a live server's data dir."""

from __future__ import annotations

import os

import pytest

from cityline.demo.run import DEMO_MARKER, _reset_demo_dir
from cityline.errors import DataDirError
from cityline.serve_lock import hold_serve_lock, no_server


def test_lock_held_while_serving(tmp_path):
    with hold_serve_lock(tmp_path):
        with pytest.raises(
            DataDirError, match=r"a cityline serve \(process \d+\) is running"
        ):
            with no_server(tmp_path):
                pass
    with no_server(tmp_path):
        pass


def test_second_server_is_rejected(tmp_path):
    with hold_serve_lock(tmp_path):
        with pytest.raises(DataDirError, match="another cityline serve is running"):
            with hold_serve_lock(tmp_path):
                pass
        with pytest.raises(
            DataDirError, match=r"a cityline serve \(process \d+\) is running"
        ):
            with no_server(tmp_path):
                pass
    with hold_serve_lock(tmp_path):
        pass


def test_demo_keeps_folder_of_running_server(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / DEMO_MARKER).write_text("")
    (folder / "cityline.db").write_text("")
    with hold_serve_lock(folder):
        with pytest.raises(
            DataDirError, match=r"cityline serve \(process \d+\) is running"
        ):
            _reset_demo_dir(folder)
    assert (folder / "cityline.db").exists()


def test_demo_empties_folder_after_server_stops(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / DEMO_MARKER).write_text("")
    with hold_serve_lock(folder):
        pass
    _reset_demo_dir(folder)
    assert not folder.exists()


def test_lock_file_as_folder_names_it(tmp_path):
    (tmp_path / "serve.lock").mkdir()
    with pytest.raises(DataDirError, match="serve.lock.*cannot be opened"):
        with hold_serve_lock(tmp_path):
            pass


def test_busy_message_names_the_server_process(tmp_path):
    with hold_serve_lock(tmp_path):
        with pytest.raises(DataDirError) as caught:
            with no_server(tmp_path):
                pass
    assert f"kill {os.getpid()}" in str(caught.value)
