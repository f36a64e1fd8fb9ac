"""Run the ``cityline`` console command inside the test process."""

from __future__ import annotations

import subprocess
import sys

from cityline.cli import main


def run_console(argv: list[str], monkeypatch, capsys) -> subprocess.CompletedProcess:
    """Run ``cityline.cli.main`` with ``argv`` as ``sys.argv``; return its result.

    The exit code is 0 when ``main`` returns, else the code of its SystemExit (1
    when that code is not a number); stdout and stderr are what it printed.
    """
    monkeypatch.setattr(sys, "argv", argv)
    capsys.readouterr()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(argv, code, captured.out, captured.err)
