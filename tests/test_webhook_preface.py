"""A flow can send a notice before the core replies to an event it leaves."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cityline.db import create_db_engine
from cityline.fake_line_api import FakeLineApi
from tests.answerers import RecordingAnswerer
from webhook.app import create_app
from webhook.flow import IncomingEvent, Preface
from webhook.line_client import LineClient
from webhook.replies import text_message
from webhook.testing import (
    TEST_CHANNEL_SECRET,
    loopback_settings,
    signed_headers,
    text_event,
    webhook_body,
)

REPLY = "/v2/bot/message/reply"
ALICE = "U" + "a" * 32


class NoticeFlow:
    """Leaves every text to the core, with a notice in front of the reply."""

    name = "notice"

    def handle(self, event: IncomingEvent):
        if event.event_type == "message" and event.message_type == "text":
            return Preface([text_message("NOTICE")])
        return None

    def on_follow(self, user_id: str) -> None:
        pass

    def forget_user(self, user_id: str) -> None:
        pass


def test_preface_comes_before_the_core_answer(tmp_path):
    with FakeLineApi() as fake:
        settings = loopback_settings(tmp_path / "data", fake.base_url)
        answerer = RecordingAnswerer()
        engine = create_db_engine(settings.app_database_url)
        app = create_app(
            settings,
            answerer=answerer,
            engine=engine,
            flows=[NoticeFlow()],
            line_client=LineClient(settings, backoff_base_s=0.01),
        )
        body = webhook_body([text_event(ALICE, "粗大ごみの出し方")])
        with TestClient(app) as client:
            response = client.post(
                "/callback",
                content=body,
                headers=signed_headers(body, TEST_CHANNEL_SECRET),
            )
            assert response.status_code == 200
            messages = fake.wait_for(REPLY, 1)[0].json["messages"]
        engine.dispose()

    assert [message["text"] for message in messages] == ["NOTICE", "FALLBACK"]
    assert answerer.questions == ["粗大ごみの出し方"]
