"""The app served by uvicorn on a loopback port, as LINE reaches it, and the CLI."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from click.testing import CliRunner

from cityline.cli import cli
from cityline.fake_line_api import FakeLineApi
from webhook.app import MAX_BODY_BYTES, create_app
from webhook.testing import (
    TEST_CHANNEL_SECRET,
    ServerThread,
    loopback_settings,
    signed_headers,
    text_event,
    webhook_body,
)

REPLY = "/v2/bot/message/reply"


class FixedAnswerer:
    def ask(self, question, top_k=3):
        from types import SimpleNamespace

        page = SimpleNamespace(
            url="https://city.example/a.html", title="案内", snippet="要約", score=1.0
        )
        return SimpleNamespace(
            question=question, answers=[page], fallback=False, fallback_text=None
        )


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def server(tmp_path, fake):
    settings = loopback_settings(tmp_path, fake.base_url)
    app = create_app(settings, answerer=FixedAnswerer(), flows=[])
    with ServerThread(app) as running:
        yield running


def test_signed_events_over_socket_answered(server, fake):
    events = [text_event(f"U{i:032d}", f"質問{i}🙂") for i in range(20)]
    bodies = [webhook_body([event]) for event in events]
    with httpx.Client(base_url=server.url) as client, ThreadPoolExecutor(8) as pool:
        responses = list(
            pool.map(
                lambda body: client.post(
                    "/callback",
                    content=body,
                    headers=signed_headers(body, TEST_CHANNEL_SECRET),
                ),
                bodies,
            )
        )
    assert [response.status_code for response in responses] == [200] * 20
    replies = fake.wait_for(REPLY, 20)
    assert {r.json["replyToken"] for r in replies} == {e["replyToken"] for e in events}


def test_chunked_oversized_body_rejected(server, fake):
    chunk = b"x" * 65536

    def chunks():
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    with httpx.Client(base_url=server.url) as client:
        response = client.post(
            "/callback", content=chunks(), headers={"X-Line-Signature": "AAAA"}
        )
    assert response.status_code == 413
    assert fake.requests == []


def test_declared_oversized_body_rejected_before_reading(server):
    host, port = server.host, server.port
    request = (
        "POST /callback HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "Content-Type: application/json\r\n"
        "X-Line-Signature: AAAA\r\n"
        f"Content-Length: {MAX_BODY_BYTES * 50}\r\n"
        "\r\n"
    ).encode()
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(request + b"{")
        status_line = connection.recv(4096).split(b"\r\n", 1)[0]
    assert b" 413 " in status_line


def test_bad_signature_over_socket_is_400(server):
    body = webhook_body([text_event("Uaaa", "質問")])
    with httpx.Client(base_url=server.url) as client:
        response = client.post(
            "/callback", content=body, headers={"X-Line-Signature": "bm90IHZhbGlk"}
        )
    assert response.status_code == 400


def test_healthz_over_socket(server):
    response = httpx.get(server.url + "/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"LINE_CHANNEL_ACCESS_TOKEN": "t"}, "LINE_CHANNEL_SECRET"),
        ({"LINE_CHANNEL_SECRET": "s"}, "LINE_CHANNEL_ACCESS_TOKEN"),
    ],
)
def test_serve_without_credentials_stops_with_error(tmp_path, env, missing):
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(tmp_path), "serve", "--port", "1"],
        env={"LINE_CHANNEL_SECRET": "", "LINE_CHANNEL_ACCESS_TOKEN": "", **env},
        standalone_mode=False,
    )
    assert result.exception is not None
    assert f"{missing} is not set" in str(result.exception)
    assert type(result.exception).__name__ == "ConfigError"


def test_serve_names_both_missing_credentials(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(tmp_path), "serve", "--port", "1"],
        env={"LINE_CHANNEL_SECRET": "", "LINE_CHANNEL_ACCESS_TOKEN": ""},
        standalone_mode=False,
    )
    message = str(result.exception)
    assert "LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN are not set" in message


def serve_env(data_dir) -> dict[str, str]:
    """Return the environment of a ``cityline serve`` child process on loopback."""
    return {
        **os.environ,
        "CITYLINE_DATA_DIR": str(data_dir),
        "LINE_CHANNEL_SECRET": TEST_CHANNEL_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": "test-access-token",
        "CITYLINE_LINE_API_URL": "http://127.0.0.1:9",
        "CITYLINE_LINE_DATA_API_URL": "http://127.0.0.1:9",
    }


def run_cityline(*args: str, env: dict[str, str], timeout_s: float = 60.0):
    return subprocess.run(
        [sys.executable, "-m", "cityline.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


@pytest.mark.parametrize("port", ["99999", "65536", "-5"])
def test_serve_port_out_of_range_rejected(tmp_path, port):
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(tmp_path), "serve", "--port", port],
        env=serve_env(tmp_path),
    )
    assert result.exit_code == 2
    assert "--port" in result.output
    assert port in result.output
    assert "0<=x<=65535" in result.output
    assert "serving the webhook" not in result.output


def test_serve_busy_port_one_error_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cityline("serve", "--port", str(port), env=serve_env(tmp_path))

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [lines[-1]], result.stderr
    assert lines[0].startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert "pass another --port" in lines[0]


def test_serve_unknown_host_one_error_line(tmp_path):
    # A label of 64 characters is invalid in a host name, so no resolver is asked.
    host = "a" * 64 + ".invalid"
    result = run_cityline("serve", "--host", host, env=serve_env(tmp_path))

    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines == [lines[-1]], result.stderr
    assert lines[0].startswith(f"error: cannot listen on {host}:8000: ")
    assert "--host" in lines[0]


def wait_for_serving_port(lines: queue.Queue, timeout_s: float = 60.0) -> int:
    """Return the port in the child's "serving the webhook" log line."""
    deadline = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        match = re.search(r"serving the webhook on http://127\.0\.0\.1:(\d+)", line)
        if match:
            return int(match.group(1))
    raise AssertionError(f"no serving line with a port in: {''.join(seen)!r}")


def test_serve_port_zero_serves_healthz(tmp_path):
    child = subprocess.Popen(
        [sys.executable, "-m", "cityline.cli", "serve", "--port", "0"],
        env=serve_env(tmp_path),
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()

    def read_stderr() -> None:
        for line in child.stderr:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        port = wait_for_serving_port(lines)
        response = httpx.get(
            f"http://127.0.0.1:{port}/healthz", timeout=30.0, trust_env=False
        )
        assert response.json()["index_loaded"] is False
    finally:
        child.send_signal(signal.SIGINT)
        child.wait(timeout=60)
        reader.join(timeout=10)
    assert child.returncode == 0


def test_serve_bad_services_file_stops(tmp_path, monkeypatch):
    def bind_fails(host, port):
        raise AssertionError("serve went on to bind a port")

    # Were the check gone, the test fails here instead of serving on port 1.
    monkeypatch.setattr("webhook.cli.bind_listeners", bind_fails)
    services = tmp_path / "services.txt"
    services.write_text("パスポート 旅券\n", "utf-8")
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(tmp_path / "data"), "serve", "--port", "1"],
        env={
            **serve_env(tmp_path / "data"),
            "CITYLINE_OUTSIDE_SERVICES_FILE": str(services),
        },
        standalone_mode=False,
    )
    assert type(result.exception).__name__ == "OutsideServiceError"
    assert "line 1" in str(result.exception)
    assert not (tmp_path / "data").exists()


def test_serve_missing_data_dir_stops_with_error(tmp_path):
    missing = tmp_path / "typo-dir"
    result = run_cityline(
        "--data-dir", str(missing), "serve", "--port", "1", env=serve_env(missing)
    )
    assert result.returncode == 2
    assert str(missing) in result.stderr
    assert "does not exist" in result.stderr
    assert not missing.exists()


def test_key_inside_the_data_dir_is_warned_of(tmp_path, caplog):
    from cityline.settings import Settings
    from webhook.cli import _warn_of_key_in_data_dir

    data_dir = tmp_path / "data"
    _warn_of_key_in_data_dir(Settings(data_dir=data_dir))
    _warn_of_key_in_data_dir(
        Settings(data_dir=data_dir, user_hash_key_path=tmp_path / "k.key")
    )
    _warn_of_key_in_data_dir(
        Settings(data_dir=data_dir, user_hash_key_path=data_dir / "keys" / "k.key")
    )

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2
    assert str(data_dir / "user-hash.key") in warnings[0]
    assert "set CITYLINE_USER_HASH_KEY_FILE" in warnings[0]
    assert str(data_dir / "keys" / "k.key") in warnings[1]
