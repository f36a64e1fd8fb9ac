"""The fake LINE API itself: what it accepts, rejects and records."""

from __future__ import annotations

import json
import socket

import httpx
import pytest

from cityline.fake_line_api import FakeLineApi

AUTH = {"Authorization": "Bearer t", "Content-Type": "application/json"}


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


def send(fake, path, payload, headers=AUTH):
    return httpx.post(
        fake.base_url + path, content=json.dumps(payload), headers=headers
    )


def text(value: str) -> dict:
    return {"type": "text", "text": value}


def test_rejects_missing_bearer_token(fake):
    response = send(
        fake, "/v2/bot/message/push", {"to": "U", "messages": [text("a")]}, {}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"to": "U", "messages": 5},
        {"to": "U", "messages": [{**text("a"), "quickReply": [1]}]},
    ]
    + [{"to": "U", "messages": [{"type": "flex", "altText": "a", "contents": "x"}]}],
)
def test_malformed_body_gets_400(fake, payload):
    response = send(fake, "/v2/bot/message/push", payload)
    assert response.status_code == 400


def test_invalid_content_length_gets_400(fake):
    address = httpx.URL(fake.base_url)
    request = (
        "POST /v2/bot/message/push HTTP/1.1\r\n"
        f"Host: {address.host}\r\nAuthorization: Bearer t\r\n"
        "Content-Length: abc\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((address.host, address.port), timeout=5) as sock:
        sock.sendall(request.encode())
        status_line = sock.makefile("rb").readline()
    assert status_line.split()[1] == b"400"


def test_reply_token_works_once(fake):
    payload = {"replyToken": "r1", "messages": [text("a")]}
    assert send(fake, "/v2/bot/message/reply", payload).status_code == 200
    assert send(fake, "/v2/bot/message/reply", payload).status_code == 400


def test_expired_reply_token_rejected(fake):
    fake.expire_reply_token("r2")
    payload = {"replyToken": "r2", "messages": [text("a")]}
    response = send(fake, "/v2/bot/message/reply", payload)
    assert response.status_code == 400
    assert response.headers["x-line-request-id"]


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [text("a")] * 6,
        [text("😀" * 2501)],
        [text("")],
        [{"type": "flex", "altText": "a" * 401, "contents": {"type": "bubble"}}],
        [
            {
                "type": "flex",
                "altText": "a",
                "contents": {"type": "carousel", "contents": [{"type": "bubble"}] * 13},
            }
        ],
        [
            {
                "type": "text",
                "text": "a",
                "quickReply": {
                    "items": [
                        {"type": "action", "action": {"type": "message", "text": "x"}}
                    ]
                    * 14
                },
            }
        ],
        [
            {
                "type": "flex",
                "altText": "a",
                "contents": {
                    "type": "bubble",
                    "footer": {
                        "type": "box",
                        "layout": "vertical",
                        "contents": [
                            {
                                "type": "button",
                                "action": {
                                    "type": "uri",
                                    "uri": "https://x/" + "a" * 991,
                                },
                            }
                        ],
                    },
                },
            }
        ],
    ],
)
def test_rejects_messages_over_limits(fake, messages):
    response = send(fake, "/v2/bot/message/push", {"to": "U", "messages": messages})
    assert response.status_code == 400


def test_accepts_text_at_limit(fake):
    payload = {"to": "U", "messages": [text("😀" * 2500)]}
    assert send(fake, "/v2/bot/message/push", payload).status_code == 200


def test_fail_next_then_normal(fake):
    fake.fail_next("/v2/bot/message/push", 429, times=2, headers={"Retry-After": "1"})
    payload = {"to": "U", "messages": [text("a")]}
    first = send(fake, "/v2/bot/message/push", payload)
    second = send(fake, "/v2/bot/message/push", payload)
    third = send(fake, "/v2/bot/message/push", payload)
    assert [first.status_code, second.status_code, third.status_code] == [429, 429, 200]
    assert first.headers["retry-after"] == "1"


def test_retry_key_conflict_after_success(fake):
    headers = {**AUTH, "X-Line-Retry-Key": "k1"}
    payload = {"to": "U", "messages": [text("a")]}
    assert send(fake, "/v2/bot/message/push", payload, headers).status_code == 200
    assert send(fake, "/v2/bot/message/push", payload, headers).status_code == 409


def test_records_requests_and_sent_messages(fake):
    send(
        fake, "/v2/bot/message/push", {"to": "U", "messages": [text("一"), text("二")]}
    )
    send(fake, "/v2/bot/message/push", {"to": "U", "messages": []})
    assert [r.status for r in fake.requests_to("/v2/bot/message/push")] == [200, 400]
    assert fake.sent_messages("/v2/bot/message/push") == [text("一"), text("二")]


def test_content_served_and_missing_is_404(fake):
    fake.add_content("m1", b"png", "image/png")
    found = httpx.get(fake.base_url + "/v2/bot/message/m1/content", headers=AUTH)
    missing = httpx.get(fake.base_url + "/v2/bot/message/m2/content", headers=AUTH)
    assert found.content == b"png"
    assert found.headers["content-type"] == "image/png"
    assert missing.status_code == 404


def test_wait_for_times_out_with_counts(fake):
    with pytest.raises(TimeoutError, match="0 of 1 requests"):
        fake.wait_for("/v2/bot/message/reply", timeout_s=0.1)
