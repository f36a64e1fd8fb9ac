"""The staff export file: private while it is written, and written whole."""

from __future__ import annotations

import os
import stat

import pytest

from webhook.reports.cli import _write_export

CONTENT = "受付番号,コメント\r\nR2026-000001,家の前の街灯が消えています\r\n"


@pytest.fixture
def umask_022():
    """Set the umask to 022, under which a new file is world-readable, and
    restore it after the test."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def watch_temporary_files(folder, monkeypatch) -> list[tuple[int, int]]:
    """Record (mode, size) of each temporary file in ``folder`` whenever the
    export changes a mode or moves a file into place; return the records."""
    seen: list[tuple[int, int]] = []

    def record_then(real):
        def wrapper(*args, **kwargs):
            for path in folder.glob(".*.tmp"):
                status = path.stat()
                seen.append((stat.S_IMODE(status.st_mode), status.st_size))
            return real(*args, **kwargs)

        return wrapper

    for name in ("chmod", "fchmod", "replace"):
        monkeypatch.setattr(os, name, record_then(getattr(os, name)))
    return seen


def test_export_temporary_file_is_private(tmp_path, monkeypatch, umask_022):
    out = tmp_path / "reports.csv"
    seen = watch_temporary_files(tmp_path, monkeypatch)

    _write_export(out, CONTENT, "utf-8-sig")

    written = [mode for mode, size in seen if size > 0]
    assert written, "no temporary file with content was seen"
    assert all(mode == 0o600 for mode in written), oct(written[0])
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8-sig") == CONTENT.replace("\r\n", "\n")
    assert sorted(os.listdir(tmp_path)) == ["reports.csv"]


def test_export_keeps_replaced_file_mode(tmp_path, umask_022):
    out = tmp_path / "reports.csv"
    out.write_text("old", encoding="utf-8")
    os.chmod(out, 0o640)

    _write_export(out, CONTENT, "utf-8-sig")

    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert CONTENT.split("\r\n")[1] in out.read_text(encoding="utf-8-sig")


def test_export_not_written_through_planted_link(tmp_path):
    out = tmp_path / "reports.csv"
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("someone else's file", encoding="utf-8")
    # A link at the name an export used to write to first.
    (tmp_path / ".reports.csv.tmp").symlink_to(elsewhere)

    _write_export(out, CONTENT, "utf-8-sig")

    assert elsewhere.read_text(encoding="utf-8") == "someone else's file"
    assert not out.is_symlink()
    assert CONTENT.split("\r\n")[1] in out.read_text(encoding="utf-8-sig")
