"""Bad input to `cityline crawl` and `cityline pages`: one error line each."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cityline.cli import main


@pytest.fixture
def invoke(capsys, monkeypatch):
    """Run ``cityline.cli.main`` in this process, like the console command."""

    def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
        argv = ["cityline", "--data-dir", str(data_dir), *args]
        monkeypatch.setattr(sys, "argv", argv)
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(argv, code, captured.out, captured.err)

    return run


def error_lines(stderr: str) -> list[str]:
    """Return the stderr lines that are not log lines."""
    return [line for line in stderr.splitlines() if " INFO " not in line]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://[::1", "'http://[::1' is invalid"),
        ("http://127.0.0.1:0/", "invalid port"),
        ("http://user:secret@127.0.0.1:1/", "contains a user name or password"),
        ("http://" + "a" * 3000 + ".example/", "characters long"),
    ],
)
def test_crawl_rejects_bad_start_url(invoke, tmp_path, url, expected):
    data_dir = tmp_path / "data"

    result = invoke(data_dir, "crawl", "--no-index", url)

    lines = error_lines(result.stderr)
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: start URL")
    assert expected in lines[0]
    assert not data_dir.exists()


def test_crawl_error_hides_password(invoke, tmp_path):
    result = invoke(tmp_path / "data", "crawl", "http://user:secret@127.0.0.1:1/")

    assert "secret" not in result.stderr


def test_crawl_error_shortens_huge_url(invoke, tmp_path):
    result = invoke(tmp_path / "data", "crawl", "http://" + "b" * 5000 + ".example/")

    assert len(result.stderr) < 400
