"""Arguments with bytes that are not UTF-8 are refused before any command runs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "command",
    [
        ["reports", "show"],
        ["ask"],
        ["broadcast", "send", "--dry-run", "--category", "bosai", "--text"],
    ],
)
def test_argument_not_utf8_exits_2(tmp_path, command):
    argument = b"caf\xe9"
    result = subprocess.run(
        [sys.executable, "-m", "cityline.cli", "--data-dir", str(tmp_path), *command]
        + [argument],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONUTF8": "1"},
    )

    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "not UTF-8" in lines[0]
    assert "\\udce9" in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_data_dir_not_utf8_is_a_path(tmp_path):
    data_dir = os.fsencode(tmp_path) + b"/d\xff"
    result = subprocess.run(
        [sys.executable, "-m", "cityline.cli", "--data-dir", data_dir, "pages"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONUTF8": "1"},
    )

    assert "argument" not in result.stderr, result.stderr
    assert "not UTF-8" not in result.stderr
