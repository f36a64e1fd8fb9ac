"""`cityline dev send` against the real app, served by uvicorn on loopback."""

from __future__ import annotations

import socket
from urllib.parse import parse_qs

import pytest

from cityline.fake_line_api import FakeLineApi
from tests.answerers import RecordingAnswerer
from webhook.app import create_app
from webhook.testing import (
    TEST_CHANNEL_SECRET,
    ServerThread,
    loopback_settings,
    sample_jpeg,
)

REPLY = "/v2/bot/message/reply"
RESIDENT = "U" + "c" * 32
KICHIJOJI = ("35.7031", "139.5798")


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        server.set_default_content(sample_jpeg())
        yield server


@pytest.fixture
def answerer() -> RecordingAnswerer:
    return RecordingAnswerer()


@pytest.fixture
def server(tmp_path, fake, answerer):
    settings = loopback_settings(tmp_path / "data", fake.base_url)
    with ServerThread(create_app(settings, answerer=answerer)) as running:
        yield running


@pytest.fixture
def send(invoke, tmp_path, server, monkeypatch):
    """Run `cityline dev send ARGS` with the app's secret and webhook URL."""
    monkeypatch.setenv("LINE_CHANNEL_SECRET", TEST_CHANNEL_SECRET)

    def run(*args: str, url: str = server.url + "/callback"):
        return invoke(tmp_path / "cli", "dev", "send", *args, "--url", url)

    return run


@pytest.fixture
def unused_url() -> str:
    """Return a loopback URL where nothing listens (a port just freed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/callback"


class Replies:
    """The replies at the fake, read one by one as the events cause them."""

    def __init__(self, fake: FakeLineApi) -> None:
        self.fake = fake
        self.seen = 0

    def next(self) -> list[dict]:
        self.seen += 1
        return self.fake.wait_for(REPLY, self.seen)[-1].json["messages"]


def button_data(messages: list[dict], action: str) -> str:
    """Return the postback data of the quick reply whose action is ``action``."""
    for item in messages[-1].get("quickReply", {}).get("items", []):
        data = item["action"].get("data", "")
        if parse_qs(data).get("action") == [action]:
            return data
    raise AssertionError(f"no quick reply with action {action!r} in {messages[-1]}")


def test_text_reaches_answerer_and_reply(send, fake, answerer):
    result = send("text", "粗大ごみの出し方", "--user", RESIDENT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sent text message event 01")
    assert f"from {RESIDENT}: HTTP 200" in result.stdout
    fake.wait_for(REPLY)
    assert answerer.questions == ["粗大ごみの出し方"]


def test_report_conversation_by_hand(send, fake):
    replies = Replies(fake)
    user = ("--user", RESIDENT)

    assert send("follow", *user).returncode == 0
    assert replies.next()[0]["type"] == "text"

    assert send("text", "家の前の道路に穴があいていて危ないです", *user).returncode == 0
    photo_prompt = replies.next()
    assert "写真" in photo_prompt[-1]["text"]

    assert send("image", "--message-id", "photo-1", *user).returncode == 0
    got_photo = replies.next()
    assert fake.requests_to("/v2/bot/message/photo-1/content", accepted_only=True)

    photos_done = button_data(got_photo, "photos_done")
    assert send("postback", photos_done, *user).returncode == 0
    place_prompt = replies.next()
    assert button_data(place_prompt, "cancel")

    result = send("location", *KICHIJOJI, "--address", "吉祥寺本町1丁目", *user)
    assert result.returncode == 0, result.stderr
    assert "sent location message event" in result.stdout
    assert button_data(replies.next(), "skip_comment")


def test_unfollow_is_accepted(send, fake):
    result = send("unfollow", "--user", RESIDENT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sent unfollow event 01")


def test_wrong_secret_names_setting(send, monkeypatch, fake):
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "not-the-secret")
    result = send("text", "こんにちは")
    assert result.returncode == 2
    assert "returned HTTP 400" in result.stderr
    assert "LINE_CHANNEL_SECRET" in result.stderr
    assert fake.requests_to(REPLY) == []


def test_missing_secret_rejected(send, monkeypatch):
    monkeypatch.delenv("LINE_CHANNEL_SECRET")
    result = send("follow")
    assert result.returncode == 2
    assert result.stderr.startswith("error: LINE_CHANNEL_SECRET is not set")


def test_wrong_path_names_callback(send, server):
    result = send("follow", url=server.url + "/webhook")
    assert result.returncode == 2
    assert "returned HTTP 404" in result.stderr
    assert "/callback" in result.stderr


def test_no_server_is_one_error_line(send, unused_url):
    result = send("follow", url=unused_url)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: cannot post to {unused_url!r}")
    assert "cityline serve" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_bad_url_scheme_rejected(send):
    result = send("follow", url="ftp://127.0.0.1/callback")
    assert result.returncode == 2
    assert result.stderr.startswith("error: invalid --url 'ftp://127.0.0.1/callback'")


def test_latitude_out_of_range_rejected(send, fake):
    result = send("location", "91", "139.5")
    assert result.returncode == 2
    assert "LATITUDE" in result.stderr
    assert fake.requests == []


@pytest.mark.parametrize("latitude, longitude", [("nan", "139.5"), ("35.7", "nan")])
def test_nan_coordinate_rejected(send, fake, latitude, longitude):
    result = send("location", latitude, longitude)
    assert result.returncode == 2
    assert "nan is not a number; give decimal degrees" in result.stderr
    assert fake.requests == []


def test_photos_sent_together_get_one_reply(send, fake):
    replies = Replies(fake)
    user = ("--user", RESIDENT)
    assert send("text", "家の前の道路に穴があいていて危ないです", *user).returncode == 0
    replies.next()

    result = send("image", "--count", "3", *user)
    assert result.returncode == 0, result.stderr
    got = replies.next()
    assert "3" in got[-1]["text"]
    image_gets = [
        request
        for request in fake.requests
        if request.path.endswith("/content") and request.status == 200
    ]
    assert len(image_gets) == 3
    assert len(fake.requests_to("/v2/bot/message/reply", accepted_only=True)) == 2
