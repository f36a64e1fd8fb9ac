"""Crawl progress: a bar on a terminal, log lines elsewhere."""

from __future__ import annotations

import io
import logging

from crawler.progress import Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_a_bar_on_a_terminal():
    stream = FakeTerminal()
    progress = Progress(stream=stream)
    progress.update(5, 15, 1, force=True)
    progress.close()
    output = stream.getvalue()
    assert output.startswith("\r[#######")
    assert "5/20 URLs, 1 failed" in output
    assert output.endswith("\n")


def test_progress_logs_lines_when_not_on_a_terminal(caplog):
    stream = io.StringIO()
    progress = Progress(stream=stream, log_interval=0)
    with caplog.at_level(logging.INFO, logger="crawler.progress"):
        progress.update(3, 7, 0)
        progress.update(4, 6, 0)
    progress.close()
    assert stream.getvalue() == ""
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        "crawl progress: 3 of 10 URLs handled, 0 failed",
        "crawl progress: 4 of 10 URLs handled, 0 failed",
    ]
