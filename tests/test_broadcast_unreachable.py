"""`cityline broadcast` when LINE cannot be reached or fails on its side.

Such a send or resume exits 3, as a crawl of a site that is down does, with a
short cause, and leaves the broadcast stored for `resume` or `cancel`.
"""

from __future__ import annotations

import functools
import json
import socket
from pathlib import Path

import pytest

from cityline.fake_line_api import FakeLineApi
from tests.console import run_console
from tests.subscribers import data_dir_with_subscribers
from webhook.broadcasts import cli as broadcast_cli
from webhook.line_client import LineClient

MULTICAST = "/v2/bot/message/multicast"


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def closed_url() -> str:
    """Return the URL of a loopback port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """Return a data dir with 20 safety subscribers."""
    return data_dir_with_subscribers(tmp_path)


@pytest.fixture
def invoke(capsys, monkeypatch, data_dir):
    """Run `cityline broadcast ARGS` against the LINE API at ``api_url``.

    The client's retries do not wait, so a failing call takes no seconds.
    """
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "test-token")
    monkeypatch.delenv("CITYLINE_DATABASE_URL", raising=False)
    no_wait = functools.partial(LineClient, sleep=lambda _seconds: None)
    monkeypatch.setattr(broadcast_cli, "LineClient", no_wait)

    def run(api_url: str, *args: str) -> tuple[int, str, list[str]]:
        monkeypatch.setenv("CITYLINE_LINE_API_URL", api_url)
        argv = ["cityline", "--data-dir", str(data_dir), "broadcast", *args]
        result = run_console(argv, monkeypatch, capsys)
        errors = [
            line for line in result.stderr.splitlines() if line.startswith("error: ")
        ]
        return result.returncode, result.stdout, errors

    return run


def only_broadcast(invoke, api_url: str) -> dict:
    """Return the one broadcast of `broadcast log --json`."""
    code, out, errors = invoke(api_url, "log", "--json")
    assert code == 0, errors
    [record] = json.loads(out)
    return record


def test_unreachable_send_exits_3(invoke, closed_url):
    code, out, errors = invoke(
        closed_url, "send", "--category", "bosai", "--text", "訓練"
    )

    assert code == 3
    assert out == ""
    assert len(errors) == 1
    [error] = errors
    assert f"the LINE API at {closed_url} was not reached" in error
    assert "(NewConnectionError: connection refused)" in error
    assert "HTTPConnection" not in error
    assert "check CITYLINE_LINE_API_URL and the network" in error
    record = only_broadcast(invoke, closed_url)
    assert error.endswith(f"`cityline broadcast resume {record['broadcast_id']}`")


def test_unreachable_send_keeps_chunks(invoke, closed_url):
    invoke(closed_url, "send", "--category", "bosai", "--text", "訓練")

    record = only_broadcast(invoke, closed_url)

    assert record["status"] == "sending"
    [chunk] = record["chunks"]
    assert chunk["status"] == "pending"
    assert chunk["recipients"] == 20
    assert chunk["last_error"] == (
        f"{closed_url} not reached: NewConnectionError: connection refused"
    )


def test_unreachable_resume_exits_3(invoke, closed_url, fake):
    invoke(closed_url, "send", "--category", "bosai", "--text", "訓練")
    broadcast_id = only_broadcast(invoke, closed_url)["broadcast_id"]

    code, _out, errors = invoke(closed_url, "resume", broadcast_id)

    assert code == 3
    assert len(errors) == 1
    assert "(NewConnectionError: connection refused)" in errors[0]
    code, out, errors = invoke(fake.base_url, "resume", broadcast_id)
    assert code == 0, errors
    assert "1 sent now" in out
    assert len(fake.requests_to(MULTICAST)) == 1
    assert only_broadcast(invoke, fake.base_url)["status"] == "finished"


def test_unreachable_send_can_be_cancelled(invoke, closed_url):
    invoke(closed_url, "send", "--category", "bosai", "--text", "訓練")
    broadcast_id = only_broadcast(invoke, closed_url)["broadcast_id"]

    code, out, errors = invoke(closed_url, "cancel", broadcast_id)

    assert code == 0, errors
    assert out.startswith(f"broadcast {broadcast_id}: cancelled")
    record = only_broadcast(invoke, closed_url)
    assert record["status"] == "cancelled"


@pytest.mark.parametrize(("status", "code"), [(503, 3), (429, 3), (401, 2), (400, 2)])
def test_line_status_sets_exit_code(invoke, fake, status, code):
    fake.fail_next(MULTICAST, status, times=100)

    exit_code, _out, errors = invoke(
        fake.base_url, "send", "--category", "bosai", "--text", "訓練"
    )

    assert exit_code == code
    assert len(errors) == 1
    assert f"LINE responded with status {status}" in errors[0]
