"""LineClient against the fake LINE API: retries, retry keys, errors, limits."""

from __future__ import annotations

import logging
from http.client import RemoteDisconnected

import pytest
from linebot.v3.messaging import TextMessage
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from cityline.errors import ConfigError
from cityline.fake_line_api import FakeLineApi
from cityline.settings import Settings
from tests.silent_line_api import SilentLineApi, short_read_timeout  # noqa: F401
from webhook.limits import utf16_length
from webhook.line_client import LineApiError, LineClient, describe_connection_error
from webhook.testing import loopback_settings

PUSH = "/v2/bot/message/push"
REPLY = "/v2/bot/message/reply"
MULTICAST = "/v2/bot/message/multicast"
BROADCAST = "/v2/bot/message/broadcast"


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def delays() -> list[float]:
    return []


@pytest.fixture
def client(fake, tmp_path, delays):
    line = LineClient(
        loopback_settings(tmp_path, fake.base_url),
        backoff_base_s=0.25,
        sleep=delays.append,
    )
    yield line
    line.close()


def hello() -> list[TextMessage]:
    return [TextMessage(text="こんにちは")]


def test_missing_access_token_rejected(tmp_path):
    with pytest.raises(ConfigError, match="LINE_CHANNEL_ACCESS_TOKEN"):
        LineClient(Settings(data_dir=tmp_path))


def test_reply_sends_token_and_bearer(client, fake):
    client.reply("token-1", hello())
    [request] = fake.requests_to(REPLY)
    assert request.status == 200
    assert request.json["replyToken"] == "token-1"
    assert request.json["messages"] == [{"type": "text", "text": "こんにちは"}]
    assert request.headers["authorization"] == "Bearer test-access-token"


def test_push_keeps_retry_key_across_retries(client, fake, delays):
    fake.fail_next(PUSH, 500, times=2)
    client.push("Uaaa", hello())
    requests = fake.requests_to(PUSH)
    assert [request.status for request in requests] == [500, 500, 200]
    keys = {request.headers["x-line-retry-key"] for request in requests}
    assert len(keys) == 1
    assert delays == [0.25, 0.5]


def test_push_uses_given_retry_key(client, fake):
    client.push("Uaaa", hello(), retry_key="5f2b4c1e-0000-4000-8000-000000000001")
    [request] = fake.requests_to(PUSH)
    assert request.headers["x-line-retry-key"] == "5f2b4c1e-0000-4000-8000-000000000001"


def test_push_again_with_same_key_not_resent(client, fake):
    key = "5f2b4c1e-0000-4000-8000-000000000002"
    client.push("Uaaa", hello(), retry_key=key)
    client.push("Uaaa", hello(), retry_key=key)
    assert [request.status for request in fake.requests_to(PUSH)] == [200, 409]


def test_429_honours_retry_after(client, fake, delays):
    fake.fail_next(REPLY, 429, headers={"Retry-After": "3"})
    client.reply("token-2", hello())
    assert delays == [3.0]
    assert [request.status for request in fake.requests_to(REPLY)] == [429, 200]


@pytest.mark.parametrize(("header", "delay"), [("-1", 0.0), ("nan", 0.25)])
def test_odd_retry_after_is_clamped(client, fake, delays, header, delay):
    fake.fail_next(REPLY, 429, headers={"Retry-After": header})
    client.reply("token-odd", hello())
    assert delays == [delay]


def test_persistent_5xx_raises_with_request_id(client, fake, caplog):
    fake.fail_next(REPLY, 503, times=4)
    caplog.set_level(logging.ERROR, logger="webhook.line_client")
    with pytest.raises(LineApiError) as raised:
        client.reply("token-3", hello())
    assert raised.value.status == 503
    assert raised.value.request_id
    assert len(fake.requests_to(REPLY)) == 4
    assert raised.value.request_id in caplog.text


def test_400_not_retried(client, fake, delays):
    fake.expire_reply_token("token-4")
    with pytest.raises(LineApiError) as raised:
        client.reply("token-4", hello())
    assert raised.value.status == 400
    assert delays == []
    assert len(fake.requests_to(REPLY)) == 1


def test_connection_error_retried_then_raised(tmp_path, delays):
    with FakeLineApi() as fake:
        url = fake.base_url
    line = LineClient(loopback_settings(tmp_path, url), sleep=delays.append)
    with pytest.raises(LineApiError, match="push failed"):
        line.push("Uaaa", hello())
    line.close()
    assert len(delays) == 3


def test_connection_error_is_not_retried_inside_urllib3(tmp_path, delays, caplog):
    with FakeLineApi() as fake:
        url = fake.base_url
    line = LineClient(loopback_settings(tmp_path, url), sleep=delays.append)
    caplog.set_level(logging.WARNING)
    with pytest.raises(LineApiError):
        line.push("Uaaa", hello())
    line.close()
    assert not [r for r in caplog.records if r.name.startswith("urllib3")]
    assert len([r for r in caplog.records if r.name == "webhook.line_client"]) == 4


def test_multicast_reports_conflict_as_false(client, fake):
    key = "5f2b4c1e-0000-4000-8000-000000000003"
    assert client.multicast(["Ua", "Ub"], hello(), retry_key=key) is True
    assert client.multicast(["Ua", "Ub"], hello(), retry_key=key) is False
    assert fake.requests_to(MULTICAST)[0].json["to"] == ["Ua", "Ub"]


def test_broadcast_sends_retry_key(client, fake):
    key = "5f2b4c1e-0000-4000-8000-000000000004"
    assert client.broadcast(hello(), retry_key=key) is True
    [request] = fake.requests_to(BROADCAST)
    assert request.headers["x-line-retry-key"] == key


def test_get_content_returns_bytes(client, fake):
    fake.add_content("m-1", b"\xff\xd8jpeg bytes")
    assert client.get_content("m-1") == b"\xff\xd8jpeg bytes"


def test_get_content_missing_raises(client):
    with pytest.raises(LineApiError) as raised:
        client.get_content("m-missing")
    assert raised.value.status == 404


def test_messages_fitted_before_sending(client, fake):
    client.push("Uaaa", [TextMessage(text="😀" * 2600)] * 7)
    [request] = fake.requests_to(PUSH)
    assert request.status == 200
    messages = request.json["messages"]
    assert len(messages) == 5
    assert all(utf16_length(message["text"]) <= 5000 for message in messages)


def test_nothing_sent_when_no_message_fits(client, fake):
    client.reply("token-5", [TextMessage(text=" ")])
    assert fake.requests == []


def test_connection_error_names_url_and_cause(tmp_path, delays):
    with FakeLineApi() as fake:
        url = fake.base_url
    line = LineClient(loopback_settings(tmp_path, url), sleep=delays.append)
    with pytest.raises(LineApiError) as raised:
        line.push("Uaaa", hello())
    line.close()
    assert raised.value.status is None
    assert raised.value.url == url
    assert raised.value.reason == "NewConnectionError: connection refused"
    assert str(raised.value) == (
        f"LINE API push failed: {url} was not reached "
        "(NewConnectionError: connection refused)"
    )


def test_refused_call_has_not_arrived(tmp_path):
    with FakeLineApi() as fake:
        url = fake.base_url
    line = LineClient(loopback_settings(tmp_path, url), sleep=lambda _seconds: None)
    with pytest.raises(LineApiError) as raised:
        line.multicast(["Uaaa"], hello(), "key-1")
    line.close()
    assert raised.value.no_answer is False
    assert raised.value.may_have_arrived is False


def test_read_timeout_may_have_arrived(tmp_path, short_read_timeout):  # noqa: F811
    server = SilentLineApi(MULTICAST, times=4)
    fake = server.start()
    line = LineClient(
        loopback_settings(tmp_path, fake.base_url), sleep=lambda _seconds: None
    )
    try:
        with pytest.raises(LineApiError) as raised:
            line.multicast(["Uaaa"], hello(), "key-1")
    finally:
        line.close()
        server.stop()
    assert raised.value.status is None
    assert raised.value.no_answer is True
    assert raised.value.may_have_arrived is True
    assert str(raised.value) == (
        f"LINE API multicast failed: {fake.base_url} did not answer "
        "(ReadTimeoutError: no response within 0.2 s)"
    )


def test_retry_after_timeout_gets_409(tmp_path, short_read_timeout):  # noqa: F811
    server = SilentLineApi(MULTICAST, times=1)
    fake = server.start()
    line = LineClient(
        loopback_settings(tmp_path, fake.base_url), sleep=lambda _seconds: None
    )
    try:
        accepted_now = line.multicast(["Uaaa"], hello(), "key-1")
    finally:
        line.close()
        server.stop()
    assert accepted_now is False
    assert [request.status for request in fake.requests_to(MULTICAST)] == [200, 409]


@pytest.mark.parametrize(
    ("status", "may_have_arrived"),
    [(500, True), (503, True), (429, False), (400, False)],
)
def test_status_tells_if_call_arrived(client, fake, status, may_have_arrived):
    fake.fail_next(MULTICAST, status, times=4)
    with pytest.raises(LineApiError) as raised:
        client.multicast(["Uaaa"], hello(), "key-1")
    assert raised.value.status == status
    assert raised.value.no_answer is False
    assert raised.value.may_have_arrived is may_have_arrived


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            ProtocolError(
                "Connection aborted.",
                RemoteDisconnected("Remote end closed connection without response"),
            ),
            "ProtocolError: remote end closed connection without response",
        ),
        (
            ReadTimeoutError(None, "/v2/bot/message/push", "Read timed out."),
            "ReadTimeoutError: no response within 20 s",
        ),
        (
            MaxRetryError(None, "/v2", ConnectTimeoutError(None, "timed out")),
            "ConnectTimeoutError: no connection within 5 s",
        ),
        (
            MaxRetryError(None, "/v2", SSLError("[SSL] " + "certificate word " * 20)),
            "SSLError: [SSL]" + " certificate word" * 5 + "…",
        ),
    ],
)
def test_connection_cause_is_short(error, expected):
    assert describe_connection_error(error) == expected
