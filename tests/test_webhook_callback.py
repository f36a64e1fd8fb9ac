"""The webhook app end to end: signed bodies in, replies out at the fake LINE API."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cityline.db import create_db_engine
from cityline.fake_line_api import FakeLineApi
from cityline.settings import Settings
from webhook import handler as handler_module
from webhook import texts
from webhook.app import MAX_BODY_BYTES, create_app
from webhook.contact_route import contact_text
from webhook.inbox import inbox_events
from webhook.limits import ELLIPSIS, utf16_length
from webhook.line_client import LineClient
from webhook.replies import text_message, welcome_text
from webhook.testing import (
    TEST_CHANNEL_SECRET,
    base_event,
    follow_event,
    image_event,
    loopback_settings,
    message_event,
    postback_event,
    signed_headers,
    sticker_event,
    text_event,
    unfollow_event,
    webhook_body,
)

REPLY = "/v2/bot/message/reply"
PUSH = "/v2/bot/message/push"


@dataclass
class Page:
    url: str
    title: str
    snippet: str
    score: float = 1.0


@dataclass
class Result:
    question: str
    answers: list[Page]
    fallback: bool = False
    fallback_text: str | None = None
    tentative: bool = False


class RecordingAnswerer:
    """An answerer with the real signature that returns fixed pages."""

    def __init__(self, pages: list[Page] | None = None, fallback: bool = False):
        self.pages = pages if pages is not None else default_pages()
        self.fallback = fallback
        self.questions: list[str] = []
        self._lock = threading.Lock()

    def ask(self, question: str, top_k: int = 3) -> Result:
        with self._lock:
            self.questions.append(question)
        if self.fallback:
            return Result(question, [], True, "該当なし。電話 0422-51-5131 へ。")
        return Result(question, self.pages[:top_k])


def default_pages() -> list[Page]:
    return [
        Page(
            "https://city.example/gomi/sodai.html", "粗大ごみの出し方", "申込制です。"
        ),
        Page("https://city.example/gomi/bunbetsu.html", "ごみの分け方", "分別表。"),
        Page("https://city.example/gomi/shushu.html", "収集日カレンダー", "地域別。"),
        Page("https://city.example/gomi/extra.html", "4番目", "表示されない"),
    ]


@dataclass
class RecordingFlow:
    """A flow that takes postbacks for itself and records every call."""

    name: str = "test"
    takes: str = "flow=test"
    handled: list[str] = field(default_factory=list)
    followed: list[str] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)
    reply_text: str = "テストフローの返事"

    def handle(self, event):
        self.handled.append(event.event_id)
        if event.postback_data and event.postback_data.startswith(self.takes):
            return [text_message(self.reply_text)]
        return None

    def on_follow(self, user_id):
        self.followed.append(user_id)

    def forget_user(self, user_id):
        self.forgotten.append(user_id)


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, fake: FakeLineApi):
    return loopback_settings(tmp_path, fake.base_url)


@pytest.fixture
def answerer() -> RecordingAnswerer:
    return RecordingAnswerer()


def fast_client(settings) -> LineClient:
    return LineClient(settings, backoff_base_s=0.01)


@pytest.fixture
def app(settings, answerer):
    return create_app(
        settings, answerer=answerer, flows=[], line_client=fast_client(settings)
    )


def post(client: TestClient, events: list[dict], secret: str = TEST_CHANNEL_SECRET):
    body = webhook_body(events)
    return client.post("/callback", content=body, headers=signed_headers(body, secret))


def stored_rows(settings):
    engine = create_db_engine(settings.app_database_url)
    with engine.connect() as connection:
        rows = connection.execute(select(inbox_events)).mappings().all()
    engine.dispose()
    return rows


# --- Verification ----------------------------------------------------------------


def test_question_answered_with_carousel(app, fake, answerer):
    with TestClient(app) as client:
        response = post(client, [text_event("Uaaa", "粗大ごみの出し方は？")])
        [request] = fake.wait_for(REPLY)
    assert response.status_code == 200
    [message] = request.json["messages"]
    assert message["type"] == "flex"
    bubbles = message["contents"]["contents"]
    assert len(bubbles) == 3
    assert message["altText"].count(" / ") == 2
    assert "粗大ごみの出し方" in message["altText"]
    first_button = bubbles[0]["footer"]["contents"][0]["action"]
    assert first_button == {
        "type": "uri",
        "label": texts.OPEN_PAGE_LABEL,
        "uri": "https://city.example/gomi/sodai.html",
    }
    items = [item["action"] for item in message["quickReply"]["items"]]
    assert items[0]["data"] == "flow=report&action=start"
    assert items[1]["data"] == "flow=settings&action=show"
    assert items[2] == {"type": "message", "label": "使い方", "text": "使い方"}
    assert answerer.questions == ["粗大ごみの出し方は？"]


def test_japanese_and_emoji_text_reach_answerer(app, fake, answerer):
    text = "図書館の🕐開館時間👨‍👩‍👧を教えて🙏"
    with TestClient(app) as client:
        assert post(client, [text_event("Uaaa", text)]).status_code == 200
        fake.wait_for(REPLY)
    assert answerer.questions == [text]


def test_escaped_lone_surrogate_replaced(app, fake, answerer, settings):
    # json.dumps escapes the surrogate as \\ud800, as a sender's JSON could.
    body = json.dumps({"events": [text_event("Uaaa", "粗大\ud800ごみ")]}).encode()
    headers = signed_headers(body, TEST_CHANNEL_SECRET)
    with TestClient(app) as client:
        response = client.post("/callback", content=body, headers=headers)
        fake.wait_for(REPLY)
    assert response.status_code == 200
    assert answerer.questions == ["粗大\ufffdごみ"]
    assert len(stored_rows(settings)) == 1


def test_bad_signature_rejected_and_nothing_stored(app, fake, settings):
    with TestClient(app) as client:
        response = post(client, [text_event("Uaaa", "質問")], secret="wrong-secret")
    assert response.status_code == 400
    assert stored_rows(settings) == []
    assert fake.requests == []


def test_missing_signature_rejected(app, fake, settings):
    body = webhook_body([text_event("Uaaa", "質問")])
    with TestClient(app) as client:
        response = client.post("/callback", content=body)
    assert response.status_code == 400
    assert "X-Line-Signature" in response.json()["error"]
    assert stored_rows(settings) == []


def test_signature_over_other_bytes_rejected(app, settings):
    body = webhook_body([text_event("Uaaa", "質問")])
    headers = signed_headers(body, TEST_CHANNEL_SECRET)
    tampered = body.replace("質問".encode(), "改竄".encode())
    with TestClient(app) as client:
        response = client.post("/callback", content=tampered, headers=headers)
    assert response.status_code == 400
    assert stored_rows(settings) == []


def test_signed_body_not_json_rejected(app):
    body = b"events=not-json"
    with TestClient(app) as client:
        response = client.post(
            "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
        )
    assert response.status_code == 400
    assert response.json()["error"] == "body is not JSON"


@pytest.mark.parametrize(
    "nested",
    [
        '{"events": [' + "[" * 5000 + "]" * 5000 + "]}",
        '{"a":' * 2000 + "1" + "}" * 2000,
    ],
)
def test_signed_json_nested_too_deep_rejected(app, nested):
    body = nested.encode()
    with TestClient(app) as client:
        response = client.post(
            "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
        )
    assert response.status_code == 400
    assert response.json()["error"] == "body is not JSON"


def test_signed_json_without_events_rejected(app):
    body = json.dumps({"destination": "U0"}).encode()
    with TestClient(app) as client:
        response = client.post(
            "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
        )
    assert response.status_code == 400


def test_body_not_utf8_rejected(app):
    body = b'{"events": ["\xff\xfe"]}'
    with TestClient(app) as client:
        response = client.post(
            "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
        )
    assert response.status_code == 400


def test_oversized_body_rejected(app, settings):
    events = [text_event("Uaaa", "あ" * 1000) for _ in range(400)]
    body = webhook_body(events)
    assert len(body) > MAX_BODY_BYTES
    with TestClient(app) as client:
        response = client.post(
            "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
        )
    assert response.status_code == 413
    assert stored_rows(settings) == []


def test_empty_events_verify_call_ok(app, fake, settings):
    with TestClient(app) as client:
        response = post(client, [])
    assert response.status_code == 200
    assert stored_rows(settings) == []
    assert fake.requests == []


# --- Inbox -------------------------------------------------------------------------


def test_several_events_in_one_body_all_answered(app, fake, answerer):
    events = [
        text_event("Uaaa", "最初の質問"),
        text_event("Ubbb", "別の人の質問"),
        text_event("Uaaa", "二つ目の質問"),
    ]
    with TestClient(app) as client:
        assert post(client, events).status_code == 200
        requests = fake.wait_for(REPLY, 3)
    tokens = {request.json["replyToken"] for request in requests}
    assert tokens == {event["replyToken"] for event in events}
    first = answerer.questions.index("最初の質問")
    second = answerer.questions.index("二つ目の質問")
    assert first < second


def test_redelivered_event_handled_once(app, fake, answerer, settings):
    event = text_event("Uaaa", "住民票の取り方")
    again = {**event, "deliveryContext": {"isRedelivery": True}}
    with TestClient(app) as client:
        assert post(client, [event]).status_code == 200
        fake.wait_for(REPLY)
        assert post(client, [again]).status_code == 200
        assert post(client, [event, event]).status_code == 200
        app.state.service.worker.wait_idle(10)
    assert answerer.questions == ["住民票の取り方"]
    assert len(fake.requests_to(REPLY)) == 1
    assert len(stored_rows(settings)) == 1


def test_handled_event_keeps_only_id_and_time(app, fake, settings):
    event = text_event("Uprivate", "秘密の相談内容")
    with TestClient(app) as client:
        post(client, [event])
        fake.wait_for(REPLY)
        app.state.service.worker.wait_idle(10)
    [row] = stored_rows(settings)
    assert row["event_id"] == event["webhookEventId"]
    assert row["handled_at"] is not None
    assert row["body"] is None
    assert row["source_hash"] is None


def test_restart_handles_events_left_in_inbox(settings, fake, answerer):
    events = [text_event("Uaaa", "一つ目"), text_event("Uaaa", "二つ目")]
    stopped = create_app(
        settings,
        answerer=answerer,
        flows=[],
        line_client=fast_client(settings),
        handle_events=False,
    )
    with TestClient(stopped) as client:
        assert post(client, events).status_code == 200
    assert fake.requests == []
    assert [row["handled_at"] for row in stored_rows(settings)] == [None, None]

    restarted = create_app(
        settings, answerer=answerer, flows=[], line_client=fast_client(settings)
    )
    with TestClient(restarted):
        fake.wait_for(REPLY, 2)
        restarted.state.service.worker.wait_idle(10)
    assert answerer.questions == ["一つ目", "二つ目"]
    assert all(row["body"] is None for row in stored_rows(settings))


# --- Sending -------------------------------------------------------------------------


def test_expired_reply_token_falls_back_to_push(app, fake, caplog):
    event = text_event("Uexpired", "質問です")
    fake.expire_reply_token(event["replyToken"])
    caplog.set_level(logging.INFO, logger="webhook")
    with TestClient(app) as client:
        post(client, [event])
        [push] = fake.wait_for(PUSH)
    assert push.json["to"] == "Uexpired"
    assert push.headers.get("x-line-retry-key")
    assert fake.requests_to(REPLY)[0].status == 400
    assert any("pushing instead" in record.getMessage() for record in caplog.records)


def test_old_event_pushed_without_trying_reply(app, fake):
    ten_minutes_ago = int((time.time() - 600) * 1000)
    event = text_event("Uold", "質問です", timestamp_ms=ten_minutes_ago)
    with TestClient(app) as client:
        post(client, [event])
        fake.wait_for(PUSH)
    assert fake.requests_to(REPLY) == []


@pytest.mark.parametrize("timestamp", ["missing", "float"])
def test_event_time_missing_or_float_gets_reply(app, fake, timestamp):
    event = text_event("Unotime", "質問です")
    if timestamp == "missing":
        del event["timestamp"]
    else:
        event["timestamp"] = time.time() * 1000
    with TestClient(app) as client:
        post(client, [event])
        fake.wait_for(REPLY)
    assert fake.requests_to(PUSH) == []


def test_event_older_than_kept_ids_is_ignored(app, settings, fake, caplog):
    eight_days_ago = int((time.time() - 8 * 86400) * 1000)
    event = text_event("Ureplay", "質問です", timestamp_ms=eight_days_ago)
    with TestClient(app) as client:
        response = post(client, [event])
    assert response.status_code == 200
    assert stored_rows(settings) == []
    assert "ignored 1 events sent over 7 days ago" in caplog.text


@pytest.mark.parametrize("status", [429, 500])
def test_reply_retried_after_transient_error(app, fake, status):
    fake.fail_next(REPLY, status, headers={"Retry-After": "0"})
    with TestClient(app) as client:
        post(client, [text_event("Uaaa", "質問です")])
        [accepted] = fake.wait_for(REPLY)
    statuses = [request.status for request in fake.requests_to(REPLY)]
    assert statuses == [status, 200]
    assert accepted.json["messages"][0]["type"] == "flex"


def test_reply_that_keeps_failing_is_pushed(app, fake):
    fake.fail_next(REPLY, 503, times=10, headers={"Retry-After": "0"})
    with TestClient(app) as client:
        post(client, [text_event("Uoutage", "質問です")])
        [pushed] = fake.wait_for(PUSH)
    assert pushed.json["to"] == "Uoutage"
    assert pushed.json["messages"][0]["type"] == "flex"
    assert all(request.status == 503 for request in fake.requests_to(REPLY))


def test_long_flow_text_cut_to_limit(settings, fake):
    long_text = "あ" * 4998 + "😀😀"
    flow = RecordingFlow(reply_text=long_text)
    app = create_app(
        settings,
        answerer=RecordingAnswerer(),
        flows=[flow],
        line_client=fast_client(settings),
    )
    with TestClient(app) as client:
        post(client, [postback_event("Uaaa", "flow=test&x=1")])
        [request] = fake.wait_for(REPLY)
    text = request.json["messages"][0]["text"]
    assert utf16_length(text) <= 5000
    assert text.endswith(ELLIPSIS)
    assert "\ud83d" not in text
    assert text == "あ" * 4998 + ELLIPSIS


# --- Event kinds -------------------------------------------------------------------


def test_follow_sends_welcome_and_calls_flows(settings, fake):
    flows = [RecordingFlow(name="one"), RecordingFlow(name="two")]
    app = create_app(settings, answerer=RecordingAnswerer(), flows=flows)
    with TestClient(app) as client:
        post(client, [follow_event("Unew")])
        [request] = fake.wait_for(REPLY)
    [message] = request.json["messages"]
    assert message["text"] == welcome_text(settings)
    assert len(message["quickReply"]["items"]) == 3
    assert [flow.followed for flow in flows] == [["Unew"], ["Unew"]]


def test_unfollow_forgets_user_everywhere(settings, fake):
    flows = [RecordingFlow(name="one"), RecordingFlow(name="two")]
    app = create_app(settings, answerer=RecordingAnswerer(), flows=flows)
    with TestClient(app) as client:
        post(client, [text_event("Ugone", "質問"), unfollow_event("Ugone")])
        fake.wait_for(REPLY)
        app.state.service.worker.wait_idle(10)
    assert [flow.forgotten for flow in flows] == [["Ugone"], ["Ugone"]]
    assert len(fake.requests) == 1
    assert all(row["source_hash"] is None for row in stored_rows(settings))


@dataclass
class FailingEraseFlow(RecordingFlow):
    """A flow whose erasure fails ``failures`` times, as on a locked database."""

    failures: int = 0

    def forget_user(self, user_id):
        if self.failures > 0:
            self.failures -= 1
            self.forgotten.append("failed")
            raise RuntimeError("database is locked")
        self.forgotten.append(user_id)


def test_failed_erasure_is_tried_again_at_once(settings, fake, monkeypatch, caplog):
    monkeypatch.setattr(handler_module, "ERASE_RETRY_S", 0.0)
    caplog.set_level(logging.INFO, logger="webhook.handler")
    flow = FailingEraseFlow(name="settings", failures=1)
    app = create_app(settings, answerer=RecordingAnswerer(), flows=[flow])
    with TestClient(app) as client:
        post(client, [unfollow_event("Ugone")])
        app.state.service.worker.wait_idle(10)
    assert flow.forgotten == ["failed", "Ugone"]
    assert "the user's data was deleted" in caplog.text
    assert all(row["handled_at"] is not None for row in stored_rows(settings))


def test_erasure_that_keeps_failing_waits_for_restart(
    settings, fake, monkeypatch, caplog
):
    monkeypatch.setattr(handler_module, "ERASE_RETRY_S", 0.0)
    caplog.set_level(logging.INFO, logger="webhook.handler")
    flow = FailingEraseFlow(name="settings", failures=handler_module.ERASE_ATTEMPTS)
    app = create_app(settings, answerer=RecordingAnswerer(), flows=[flow])
    with TestClient(app) as client:
        post(client, [unfollow_event("Ugone")])
        app.state.service.worker.wait_idle(10)
    assert "the user's data was deleted" not in caplog.text
    assert [row["handled_at"] for row in stored_rows(settings)] == [None]

    restarted = create_app(settings, answerer=RecordingAnswerer(), flows=[flow])
    with TestClient(restarted):
        restarted.state.service.worker.wait_idle(10)
    assert flow.forgotten == ["failed"] * handler_module.ERASE_ATTEMPTS + ["Ugone"]
    assert "the user's data was deleted" in caplog.text
    assert all(row["handled_at"] is not None for row in stored_rows(settings))


def test_first_flow_that_takes_event_wins(settings, fake):
    first = RecordingFlow(name="first", takes="flow=first", reply_text="一番目")
    second = RecordingFlow(name="second", takes="flow=", reply_text="二番目")
    app = create_app(settings, answerer=RecordingAnswerer(), flows=[first, second])
    with TestClient(app) as client:
        post(client, [postback_event("Uaaa", "flow=first&action=go")])
        post(client, [postback_event("Ubbb", "flow=second&action=go")])
        requests = fake.wait_for(REPLY, 2)
    texts_sent = sorted(request.json["messages"][0]["text"] for request in requests)
    assert texts_sent == ["一番目", "二番目"]
    assert len(first.handled) == 2
    assert len(second.handled) == 1


def test_failing_flow_gets_apology_not_error(settings, fake):
    class BrokenFlow(RecordingFlow):
        def handle(self, event):
            raise RuntimeError("flow bug")

    app = create_app(settings, answerer=RecordingAnswerer(), flows=[BrokenFlow()])
    with TestClient(app) as client:
        assert post(client, [text_event("Uaaa", "質問")]).status_code == 200
        [request] = fake.wait_for(REPLY)
    reply = request.json["messages"][0]["text"]
    assert reply == contact_text(texts.HANDLING_FAILED, settings)
    assert settings.city_hall_phone in reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("こんにちは！", texts.GREETING_REPLY),
        ("ありがとうございました😊", texts.THANKS_REPLY),
        ("おやすみなさい", texts.FAREWELL_REPLY),
        ("がんばってください", texts.CHAT_REPLY),
        ("使い方", texts.HELP_TEXT),
        ("受信設定", texts.RECEIVE_SETTINGS_UNAVAILABLE),
    ],
)
def test_small_talk_gets_fixed_reply(app, fake, answerer, text, expected):
    with TestClient(app) as client:
        post(client, [text_event("Uaaa", text)])
        [request] = fake.wait_for(REPLY)
    assert request.json["messages"][0]["text"] == expected
    assert answerer.questions == []


def test_unanswerable_question_gets_fallback(settings, fake):
    answerer = RecordingAnswerer(fallback=True)
    app = create_app(settings, answerer=answerer, flows=[])
    with TestClient(app) as client:
        post(client, [text_event("Uaaa", "宇宙の果ては？")])
        [request] = fake.wait_for(REPLY)
    [message] = request.json["messages"]
    assert message["text"] == "該当なし。電話 0422-51-5131 へ。"
    assert message["quickReply"]["items"]


def test_weak_match_gets_note_first(settings, fake):
    class WeakAnswerer(RecordingAnswerer):
        def ask(self, question: str, top_k: int = 3) -> Result:
            return Result(question, self.pages[:top_k], tentative=True)

    app = create_app(settings, answerer=WeakAnswerer(), flows=[])
    with TestClient(app) as client:
        post(client, [text_event("Uaaa", "ソファの引き取り")])
        [request] = fake.wait_for(REPLY)
    note, carousel = request.json["messages"]
    assert note["text"] == contact_text(texts.TENTATIVE_ANSWER_TEMPLATE, settings)
    assert settings.city_hall_phone in note["text"]
    assert "quickReply" not in note
    assert carousel["type"] == "flex"
    assert carousel["quickReply"]["items"]


def test_failing_answerer_gets_contact_route(settings, fake):
    class BrokenAnswerer:
        def ask(self, question, top_k=3):
            raise RuntimeError("index corrupt")

    app = create_app(settings, answerer=BrokenAnswerer(), flows=[])
    with TestClient(app) as client:
        post(client, [text_event("Uaaa", "質問です")])
        [request] = fake.wait_for(REPLY)
    text = request.json["messages"][0]["text"]
    assert settings.city_hall_phone in text


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (lambda: sticker_event("Uaaa"), texts.STICKER_REPLY),
        (lambda: message_event("Uaaa", {"type": "video"}), texts.UNSUPPORTED_MESSAGE),
        (lambda: message_event("Uaaa", {"type": "audio"}), texts.UNSUPPORTED_MESSAGE),
        (lambda: message_event("Uaaa", {"type": "file"}), texts.UNSUPPORTED_MESSAGE),
        (
            lambda: message_event("Uaaa", {"type": "hologram"}),
            texts.UNKNOWN_MESSAGE,
        ),
        (lambda: image_event("Uaaa", "m1"), texts.IMAGE_WITHOUT_REPORT),
        (
            lambda: postback_event("Uaaa", "flow=report&action=start"),
            contact_text(texts.REPORTS_UNAVAILABLE_TEMPLATE, Settings()),
        ),
        (
            lambda: postback_event("Uaaa", "flow=settings&action=show"),
            texts.RECEIVE_SETTINGS_UNAVAILABLE,
        ),
    ],
)
def test_non_text_message_gets_short_reply(app, fake, event, expected):
    with TestClient(app) as client:
        assert post(client, [event()]).status_code == 200
        [request] = fake.wait_for(REPLY)
    assert request.json["messages"][0]["text"] == expected


def test_unknown_event_type_ignored(app, fake, settings):
    odd = base_event("teleport", "Uaaa")
    silent = base_event("join", "Uaaa")
    with TestClient(app) as client:
        assert post(client, [odd, silent]).status_code == 200
        app.state.service.worker.wait_idle(10)
    assert fake.requests == []
    assert all(row["handled_at"] is not None for row in stored_rows(settings))


def test_event_without_id_skipped(app, fake, settings):
    event = text_event("Uaaa", "質問")
    del event["webhookEventId"]
    with TestClient(app) as client:
        assert post(client, [event, "not an object"]).status_code == 200
    assert stored_rows(settings) == []


# --- Health and logs -------------------------------------------------------------


def test_healthz_ok_with_answerer(app):
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "index_loaded": True,
        "answers": "ok",
        "database_writable": True,
        "replies": "none yet",
    }


def test_healthz_unhealthy_without_index(settings):
    app = create_app(settings, flows=[])
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["index_loaded"] is False
    assert response.json()["database_writable"] is True


def test_info_logs_carry_no_user_id_or_text(app, fake, caplog):
    user_id = "U4af4980629abcdef0123456789abcdef"
    secret_text = "私の住所は中町一丁目です"
    events = [
        follow_event(user_id),
        text_event(user_id, secret_text),
        text_event(user_id, "こんにちは"),
        sticker_event(user_id),
        unfollow_event(user_id),
    ]
    fake.expire_reply_token(events[1]["replyToken"])
    caplog.set_level(logging.INFO)
    with TestClient(app) as client:
        post(client, events)
        fake.wait_for(REPLY, 3)
        fake.wait_for(PUSH)
        app.state.service.worker.wait_idle(10)
    info_lines = [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.INFO
    ]
    assert info_lines
    assert not [line for line in info_lines if user_id in line]
    assert not [line for line in info_lines if secret_text in line]


def test_healthz_unhealthy_when_database_read_only(settings, answerer):
    create_app(settings, answerer=answerer, flows=[])  # creates the schema
    path = settings.data_dir / "cityline.db"
    read_only = create_db_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    app = create_app(settings, answerer=answerer, flows=[], engine=read_only)
    with TestClient(app) as client:
        response = client.get("/healthz")
    read_only.dispose()
    assert response.status_code == 503
    assert response.json()["database_writable"] is False
    assert response.json()["index_loaded"] is True


def test_info_logs_private_with_default_flows(settings, fake, answerer, caplog):
    user_id = "U0123456789abcdef0123456789abcdef"
    private_texts = ["家の前の道路に穴があいています", "中町一丁目の街灯が消えています"]
    events = [
        follow_event(user_id),
        text_event(user_id, private_texts[0]),
        text_event(user_id, private_texts[1]),
        postback_event(user_id, "flow=settings&action=show"),
        unfollow_event(user_id),
    ]
    app = create_app(settings, answerer=answerer, line_client=fast_client(settings))
    caplog.set_level(logging.INFO)
    with TestClient(app) as client:
        assert post(client, events).status_code == 200
        fake.wait_for(REPLY, 4)
        app.state.service.worker.wait_idle(10)
    info_lines = [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.INFO
    ]
    assert not [line for line in info_lines if user_id in line]
    for text in private_texts:
        assert not [line for line in info_lines if text in line]


def test_event_without_reply_token_pushed(app, fake):
    with TestClient(app) as client:
        post(client, [text_event("Unotoken", "質問です", reply_token=None)])
        [push] = fake.wait_for(PUSH)
    assert push.json["to"] == "Unotoken"
    assert fake.requests_to(REPLY) == []


def test_repeated_rejections_logged_once(app, caplog):
    caplog.set_level(logging.WARNING, logger="webhook.app")
    with TestClient(app) as client:
        for _ in range(5):
            response = post(client, [text_event("Uaaa", "質問")], secret="wrong")
            assert response.status_code == 400
    lines = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert lines == [
        "webhook call rejected: invalid X-Line-Signature (if every call fails, "
        "check that LINE_CHANNEL_SECRET is this channel's secret) "
        "(0 more since the last such line)"
    ]
