"""`cityline broadcast` when LINE takes a request but its response never comes.

LINE may have delivered such a request. The send says so and points to
`resume`, whose retry key LINE accepts once. `cancel` names the chunk, and the
same send is rejected for an hour unless --again is given, so that no resident
gets the message twice.
"""

from __future__ import annotations

import functools
import json
import socket
from pathlib import Path

import pytest

from cityline.fake_line_api import FakeLineApi
from tests.console import run_console
from tests.silent_line_api import SilentLineApi, short_read_timeout  # noqa: F401
from tests.subscribers import data_dir_with_subscribers
from webhook.broadcasts import cli as broadcast_cli
from webhook.line_client import MAX_ATTEMPTS, LineClient

MULTICAST = "/v2/bot/message/multicast"
TEXT = "断水のお知らせ"


@pytest.fixture
def silent():
    """Return a fake LINE API that responds to no request of the first send."""
    server = SilentLineApi(MULTICAST, times=MAX_ATTEMPTS)
    yield server.start()
    server.stop()


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """Return a data dir with 20 safety subscribers."""
    return data_dir_with_subscribers(tmp_path)


@pytest.fixture
def invoke(capsys, monkeypatch, data_dir, short_read_timeout):  # noqa: F811
    """Run `cityline broadcast ARGS` against the LINE API at ``api_url``;
    return the exit code, stdout and the lines of stderr that are errors."""
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


def send(invoke, api_url: str, *options: str) -> tuple[int, str, list[str]]:
    return invoke(api_url, "send", "--category", "bosai", "--text", TEXT, *options)


def only_broadcast(invoke, api_url: str) -> dict:
    code, out, errors = invoke(api_url, "log", "--json")
    assert code == 0, errors
    [record] = json.loads(out)
    return record


def test_no_answer_says_may_be_delivered(invoke, silent):
    code, out, errors = send(invoke, silent.base_url)

    assert code == 3
    assert out == ""
    [error] = errors
    broadcast_id = only_broadcast(invoke, silent.base_url)["broadcast_id"]
    assert f"the LINE API at {silent.base_url} did not answer" in error
    assert "(ReadTimeoutError: no response within 0.2 s)" in error
    assert "was not reached" not in error
    assert "the message may have been delivered" in error
    assert "Do not send it again" in error
    assert f"`cityline broadcast resume {broadcast_id}`" in error
    assert "retry key" in error
    assert len(silent.requests_to(MULTICAST)) == MAX_ATTEMPTS


def test_no_answer_is_logged_as_tried(invoke, silent):
    send(invoke, silent.base_url)

    record = only_broadcast(invoke, silent.base_url)

    [chunk] = record["chunks"]
    assert chunk["status"] == "pending"
    assert chunk["first_attempt_at"] is not None
    assert chunk["last_error"].startswith(f"no answer from {silent.base_url}: ")


def test_log_shows_tried_pending_chunk_as_unconfirmed(invoke, silent):
    send(invoke, silent.base_url)

    _code, log_text, _errors = invoke(silent.base_url, "log")

    assert "chunk 1: pending (sent, not confirmed: may have been delivered)" in (
        log_text
    )


def test_resume_after_no_answer_delivers_once(invoke, silent):
    send(invoke, silent.base_url)
    broadcast_id = only_broadcast(invoke, silent.base_url)["broadcast_id"]

    code, out, errors = invoke(silent.base_url, "resume", broadcast_id)

    assert code == 0, errors
    assert "0 sent now, 1 accepted before" in out
    assert len(silent.requests_to(MULTICAST, accepted_only=True)) == 1


def test_cancel_names_unconfirmed_chunk(invoke, silent):
    send(invoke, silent.base_url)
    broadcast_id = only_broadcast(invoke, silent.base_url)["broadcast_id"]

    code, out, errors = invoke(silent.base_url, "cancel", broadcast_id)
    _code, log_text, _errors = invoke(silent.base_url, "log")

    assert code == 0, errors
    lines = out.splitlines()
    assert lines[0] == f"broadcast {broadcast_id}: cancelled"
    assert lines[-1].startswith("chunk 1 was sent to LINE at ")
    assert "not confirmed, so its recipients may have the message" in lines[-1]
    assert "--again" in lines[-1]
    assert "chunk 1: cancelled (sent, not confirmed: may have been delivered)" in (
        log_text
    )


def test_same_send_after_cancel_rejected(invoke, silent):
    send(invoke, silent.base_url)
    broadcast_id = only_broadcast(invoke, silent.base_url)["broadcast_id"]
    invoke(silent.base_url, "cancel", broadcast_id)
    requests_before = len(silent.requests_to(MULTICAST))

    code, out, errors = send(invoke, silent.base_url)

    assert code == 2
    assert out == ""
    [error] = errors
    assert f"broadcast {broadcast_id} sent a request with the same text" in error
    assert "which LINE did not confirm" in error
    assert "may get it twice; nothing was sent" in error
    assert "pass --again" in error
    assert len(silent.requests_to(MULTICAST)) == requests_before


def test_again_sends_after_unconfirmed(invoke, silent):
    send(invoke, silent.base_url)
    broadcast_id = only_broadcast(invoke, silent.base_url)["broadcast_id"]
    invoke(silent.base_url, "cancel", broadcast_id)

    code, out, errors = send(invoke, silent.base_url, "--again")

    assert code == 0, errors
    assert "1 sent now" in out


@pytest.fixture
def closed_url() -> str:
    """Return the URL of a loopback port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_refused_send_is_no_repeat(invoke, closed_url):
    send(invoke, closed_url)
    record = only_broadcast(invoke, closed_url)
    code, out, errors = invoke(closed_url, "cancel", record["broadcast_id"])
    assert code == 0, errors

    with FakeLineApi() as fake:
        code, sent, errors = send(invoke, fake.base_url)

    assert record["chunks"][0]["first_attempt_at"] is None
    assert "not confirmed" not in out
    assert code == 0, errors
    assert "1 sent now" in sent
