"""Photo downloads from a content server that sends too much or too slowly."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhook.flow import ContentTooLarge
from webhook.line_client import LineApiError, LineClient
from webhook.testing import loopback_settings

BIG_BYTES = 300 * 1024


class ContentHandler(BaseHTTPRequestHandler):
    """Serve /v2/bot/message/{id}/content: ``big`` sends BIG_BYTES at once,
    ``drip`` sends 10 bytes every 0.1 s for 5 s, ``error`` a 500 with a
    BIG_BYTES body, anything else a small body. ``requests`` lists the ids asked
    for."""

    requests: list[str] = []

    def do_GET(self) -> None:
        message_id = self.path.split("/")[4]
        self.requests.append(message_id)
        if message_id == "error":
            self.send_response(500)
            self.send_header("Content-Length", str(BIG_BYTES))
            self.end_headers()
            self.wfile.write(b"x" * BIG_BYTES)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        if message_id == "drip":
            self.send_header("Content-Length", "500")
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"0123456789")
                self.wfile.flush()
                time.sleep(0.1)
            return
        body = b"\xff" * BIG_BYTES if message_id == "big" else b"\xff\xd8small"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def server():
    ContentHandler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ContentHandler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def client(server, tmp_path):
    line = LineClient(loopback_settings(tmp_path, server), sleep=lambda _: None)
    yield line
    line.close()


def test_small_content_is_returned(client):
    assert client.get_content("ok") == b"\xff\xd8small"


def test_content_over_the_limit_stops(client):
    with pytest.raises(ContentTooLarge, match="over 102400 bytes"):
        client.get_content("big", max_bytes=100 * 1024)


def test_trickling_content_stops_at_the_deadline(client):
    with pytest.raises(LineApiError, match="took over 0.5 s"):
        client.get_content("drip", deadline_s=0.5)
    # No time is left for another try.
    assert ContentHandler.requests == ["drip"]


def test_error_answer_is_read_only_in_part(client):
    with pytest.raises(LineApiError) as raised:
        client.get_content("error")
    assert raised.value.status == 500
    assert len(str(raised.value.body)) < BIG_BYTES
    assert ContentHandler.requests == ["error"] * 4
