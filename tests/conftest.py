"""Fixtures shared by the test modules."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.console import run_console

# The real city data for accuracy checks, kept outside the repository: the
# folder that CITYLINE_EVAL_DATA names, else shared/data/musashino beside it.
SHARED_DATA = Path(
    os.environ.get("CITYLINE_EVAL_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data" / "musashino"
)
# What a skip message adds, so that a green run is not misread.
SHARED_DATA_HINT = "place it there or set CITYLINE_EVAL_DATA to its folder"


def pytest_configure(config):
    """Let the commands that tests start react to SIGINT, as in a terminal.

    A shell starts a background job (``make test &``) with SIGINT ignored, and a
    child process keeps an ignored signal, so a crawl or server that a test
    interrupts would run on. Python's own handler is not inherited: children get
    the default action, for which Python installs KeyboardInterrupt.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def shared_data() -> Path:
    """Return the folder of the real city data, skipping when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"real city data not found at {SHARED_DATA}; these checks need it "
            f"({SHARED_DATA_HINT})"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def classifier():
    """Return one trained intent classifier for all tests, which only read it."""
    from answerer.intents import IntentClassifier

    return IntentClassifier.load()


@pytest.fixture(scope="session")
def postgres_url():
    """Yield the URL of a throwaway PostgreSQL server, skipping when none can start."""
    from postgres import PostgresUnavailable, temporary_postgres

    try:
        with temporary_postgres() as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.skip(f"no PostgreSQL server for this test: {exc}")


@pytest.fixture
def invoke(capsys, monkeypatch):
    """Run ``cityline.cli.main`` in this process, like the console command."""

    def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
        argv = ["cityline", "--data-dir", str(data_dir), *args]
        return run_console(argv, monkeypatch, capsys)

    return run
