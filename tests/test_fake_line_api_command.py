"""`cityline dev fake-line-api` as a process, and the request lines it prints."""

from __future__ import annotations

import io
import json
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from PIL import Image

from cityline.fake_line_api import FakeLineApi, RecordedRequest

AUTH = {"Authorization": "Bearer local-token", "Content-Type": "application/json"}
REPLY = "/v2/bot/message/reply"
LINE_TIMEOUT_S = 30.0


class FakeProcess:
    """The command in a child process, with its stdout read line by line."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cityline.cli", "dev", "fake-line-api", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self) -> str:
        """Return the next stdout line; fail when the process ends without one."""
        try:
            line = self.lines.get(timeout=LINE_TIMEOUT_S)
        except queue.Empty:
            pytest.fail(f"no output line within {LINE_TIMEOUT_S} s")
        if line is None:
            pytest.fail(f"the command ended: {self.process.stderr.read()}")
        return line

    def wait_for_url(self) -> str:
        """Read up to the 'Requests received' line and return the URL printed."""
        url = None
        while True:
            line = self.next_line()
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)$", line)
            if found:
                url = found.group(1)
            if line.startswith("Requests received"):
                assert url is not None
                return url

    def stop(self, signal_number: int = signal.SIGINT) -> tuple[int, str]:
        """Send a signal (Ctrl-C by default), then return the exit code and stdout."""
        self.process.send_signal(signal_number)
        code = self.process.wait(timeout=LINE_TIMEOUT_S)
        rest = []
        while (line := self.lines.get(timeout=LINE_TIMEOUT_S)) is not None:
            rest.append(line)
        return code, "\n".join(rest)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def start_fake():
    started: list[FakeProcess] = []

    def start(*args: str) -> FakeProcess:
        process = FakeProcess(*args)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def reply_payload(text: str) -> dict:
    return {
        "replyToken": "r1",
        "messages": [
            {
                "type": "text",
                "text": text,
                "quickReply": {
                    "items": [
                        {
                            "type": "action",
                            "action": {
                                "type": "postback",
                                "label": "次へ",
                                "data": "flow=report&action=photos_done",
                            },
                        }
                    ]
                },
            }
        ],
    }


def test_command_prints_settings_for_serve(start_fake):
    fake = start_fake("--port", "0")
    lines = []
    while not (line := fake.next_line()).startswith("Requests received"):
        lines.append(line)
    url = re.search(r"http://127\.0\.0\.1:\d+", lines[0]).group(0)
    assert f"  export CITYLINE_LINE_API_URL={url}" in lines
    assert f"  export CITYLINE_LINE_DATA_API_URL={url}" in lines


def test_command_prints_and_records_request(start_fake, tmp_path):
    record = tmp_path / "requests.jsonl"
    fake = start_fake("--port", "0", "--record", str(record))
    url = fake.wait_for_url()

    payload = reply_payload("こんにちは\n二行目")
    response = httpx.post(url + REPLY, content=json.dumps(payload), headers=AUTH)
    assert response.status_code == 200

    line = fake.next_line()
    assert line.startswith("POST /v2/bot/message/reply 200 text ")
    assert '"こんにちは\\n二行目"' in line
    assert '[次へ] postback "flow=report&action=photos_done"' in line

    code, rest = fake.stop()
    assert code == 0
    assert "fake LINE API stopped" in rest
    records = [json.loads(text) for text in record.read_text("utf-8").splitlines()]
    assert len(records) == 1
    assert records[0]["path"] == REPLY
    assert records[0]["status"] == 200
    assert records[0]["body"] == payload
    assert "authorization" not in records[0]["headers"]


def test_command_stops_on_sigterm(start_fake):
    fake = start_fake("--port", "0")
    fake.wait_for_url()
    code, rest = fake.stop(signal.SIGTERM)
    assert code == 0
    assert rest == "fake LINE API stopped"


def test_command_serves_photo_for_any_id(start_fake):
    fake = start_fake("--port", "0")
    url = fake.wait_for_url()
    response = httpx.get(url + "/v2/bot/message/12345/content", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.format == "JPEG"
    assert fake.next_line() == "GET /v2/bot/message/12345/content 200"


def test_command_serves_given_photo(start_fake, tmp_path):
    photo = tmp_path / "pothole.png"
    Image.new("RGB", (8, 6), "red").save(photo, format="PNG")
    fake = start_fake("--port", "0", "--photo", str(photo))
    url = fake.wait_for_url()
    response = httpx.get(url + "/v2/bot/message/9/content", headers=AUTH)
    assert response.content == photo.read_bytes()
    assert response.headers["content-type"] == "image/png"


def test_command_busy_port_is_one_error_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "cityline.cli", "dev", "fake-line-api"]
            + ["--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert "--port 0" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_on_request_sees_each_request():
    seen: list[RecordedRequest] = []
    with FakeLineApi(on_request=seen.append) as fake:
        httpx.post(
            fake.base_url + REPLY,
            content=json.dumps(reply_payload("a")),
            headers=AUTH,
        )
    assert [(r.path, r.status) for r in seen] == [(REPLY, 200)]


def test_on_request_error_keeps_response():
    def broken(request: RecordedRequest) -> None:
        raise RuntimeError("printer failed")

    with FakeLineApi(on_request=broken) as fake:
        response = httpx.post(
            fake.base_url + REPLY,
            content=json.dumps(reply_payload("a")),
            headers=AUTH,
        )
    assert response.status_code == 200


def test_default_content_yields_to_added_content():
    with FakeLineApi() as fake:
        fake.set_default_content(b"default", "image/gif")
        fake.add_content("m1", b"added", "image/png")
        added = httpx.get(fake.base_url + "/v2/bot/message/m1/content", headers=AUTH)
        other = httpx.get(fake.base_url + "/v2/bot/message/m2/content", headers=AUTH)
    assert added.content == b"added"
    assert other.content == b"default"
    assert other.headers["content-type"] == "image/gif"


def recorded(payload: object, method: str = "POST") -> RecordedRequest:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"authorization": "Bearer secret-token", "x-line-retry-key": "k"}
    return RecordedRequest(method, REPLY, headers, body, 200)


def test_summary_lists_flex_and_template_actions():
    flex = {
        "type": "flex",
        "altText": "関係しそうなページ",
        "contents": {
            "type": "carousel",
            "contents": [
                {
                    "type": "bubble",
                    "footer": {
                        "type": "box",
                        "contents": [
                            {
                                "type": "button",
                                "action": {
                                    "type": "uri",
                                    "label": "開く",
                                    "uri": "https://city.example/a.html",
                                },
                            }
                        ],
                    },
                }
            ],
        },
    }
    template = {
        "type": "template",
        "altText": "確認",
        "template": {
            "type": "confirm",
            "actions": [
                {"type": "message", "label": "はい", "text": "はい"},
                {"type": "postback", "label": "いいえ", "data": "a=no"},
            ],
        },
    }
    line = recorded({"messages": [flex, template]}).summary()
    assert line == (
        'POST /v2/bot/message/reply 200 flex "関係しそうなページ" buttons: '
        "[開く] uri https://city.example/a.html | "
        'template "確認" buttons: [はい] text "はい", [いいえ] postback "a=no"'
    )


def test_summary_of_request_without_messages():
    assert recorded({}).summary() == "POST /v2/bot/message/reply 200"
    assert recorded(None, "GET").summary() == "GET /v2/bot/message/reply 200"


def test_record_drops_authorization_only():
    record = recorded({"messages": []}).as_record()
    assert record["headers"] == {"x-line-retry-key": "k"}
    assert record["body"] == {"messages": []}
    assert record["received_at"].endswith("+00:00")


def test_record_keeps_non_json_body_as_text():
    request = RecordedRequest("POST", REPLY, {}, b"not json", 400)
    assert request.as_record()["body"] == "not json"


def test_record_of_empty_body_is_none():
    request = RecordedRequest("GET", "/v2/bot/message/1/content", {}, b"", 200)
    assert request.as_record()["body"] is None


def test_record_in_missing_folder_rejected(tmp_path: Path):
    record = tmp_path / "new" / "requests.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "cityline.cli", "dev", "fake-line-api"]
        + ["--port", "0", "--record", str(record)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "cannot open --record file" in result.stderr
    assert str(record) in result.stderr
