"""Texts that look like no fault report reach the answerer through the real app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cityline.db import create_db_engine
from cityline.fake_line_api import FakeLineApi
from tests.answerers import RecordingAnswerer
from webhook import texts
from webhook.app import create_app
from webhook.contact_route import contact_text
from webhook.line_client import LineClient
from webhook.reports.store import ReportStore
from webhook.testing import (
    TEST_CHANNEL_SECRET,
    loopback_settings,
    signed_headers,
    text_event,
    webhook_body,
)

REPLY = "/v2/bot/message/reply"
ALICE = "U" + "a" * 32


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def settings(tmp_path, fake):
    return loopback_settings(tmp_path / "data", fake.base_url)


def send_text(settings, fake, engine, text: str) -> tuple[RecordingAnswerer, list]:
    """Post one signed text event to the real app; return the answerer used
    and the messages of the reply that reached the fake LINE API."""
    answerer = RecordingAnswerer()
    line_client = LineClient(settings, backoff_base_s=0.01)
    app = create_app(
        settings, answerer=answerer, engine=engine, line_client=line_client
    )
    body = webhook_body([text_event(ALICE, text)])
    with TestClient(app) as client:
        response = client.post(
            "/callback",
            content=body,
            headers=signed_headers(body, TEST_CHANNEL_SECRET),
        )
        assert response.status_code == 200
        reply = fake.wait_for(REPLY, 1)[0].json["messages"]
    return answerer, reply


@pytest.mark.parametrize(
    "text",
    [
        "https://www.city.example.lg.jp/gomi/",
        "https://example.com/",
        "www.city.example.lg.jp/kurashi/ https://example.com/a?b=1",
        "粗大ごみ" * 100,
        "公園、公園、公園、公園、公園、公園、公園、公園、公園、公園",
    ],
)
def test_link_or_repeated_word_is_question(settings, fake, text):
    engine = create_db_engine(settings.app_database_url)
    answerer, reply = send_text(settings, fake, engine, text)

    assert answerer.questions == [text]
    assert reply[0]["text"] == "FALLBACK"
    store = ReportStore(engine, settings.user_hash_key())
    assert store.load_draft(store.hash_user(ALICE)) is None
    engine.dispose()


@pytest.mark.parametrize(
    "text", ["やめる", "キャンセル。", "取り消してください", "Please cancel"]
)
def test_cancel_without_report_says_nothing_to_cancel(settings, fake, text):
    engine = create_db_engine(settings.app_database_url)
    answerer, reply = send_text(settings, fake, engine, text)

    assert answerer.questions == []
    assert reply[0]["text"] == texts.NOTHING_TO_CANCEL
    engine.dispose()


@pytest.mark.parametrize(
    "text",
    [
        "直ってました、ありがとう",
        "早速直していただきありがとうございました",
        "対応ありがとうございました",
        "返信ありがとうございます",
        "Thank you very much",
        "拝啓　先日は拙宅前の街灯を早速修理していただき、誠にありがとうございました。"
        "おかげさまで夜道も安心して歩けるようになりました。敬具",
    ],
)
def test_thanks_for_a_repair_gets_thanks_reply(settings, fake, text):
    engine = create_db_engine(settings.app_database_url)
    answerer, reply = send_text(settings, fake, engine, text)

    assert answerer.questions == []
    assert reply[0]["text"] == texts.THANKS_REPLY
    store = ReportStore(engine, settings.user_hash_key())
    assert store.load_draft(store.hash_user(ALICE)) is None
    engine.dispose()


def test_thanks_with_a_new_fault_starts_report(settings, fake):
    engine = create_db_engine(settings.app_database_url)
    text = "いつもありがとうございます。家の前の街灯が消えています"
    answerer, reply = send_text(settings, fake, engine, text)

    assert answerer.questions == []
    assert reply[0]["text"] != texts.THANKS_REPLY
    store = ReportStore(engine, settings.user_hash_key())
    draft = store.load_draft(store.hash_user(ALICE))
    assert draft is not None
    assert draft.category == "streetlight"
    engine.dispose()


@pytest.mark.parametrize(
    "text",
    [
        "先週送った街灯の件どうなりました?",
        "通報したのに連絡がありません",
        "通報したのに何の連絡もないんですが",
        "先週LINEで送った件、どうなってますか？",
        "受付番号 2026-000002 の状況を教えてください",
    ],
)
def test_follow_up_gets_status_reply(settings, fake, text):
    engine = create_db_engine(settings.app_database_url)
    answerer, reply = send_text(settings, fake, engine, text)

    assert answerer.questions == []
    assert reply[0]["text"] == contact_text(texts.REPORT_STATUS_TEMPLATE, settings)
    store = ReportStore(engine, settings.user_hash_key())
    assert store.load_draft(store.hash_user(ALICE)) is None
    engine.dispose()


def test_fault_still_there_starts_report(settings, fake):
    engine = create_db_engine(settings.app_database_url)
    answerer, reply = send_text(settings, fake, engine, "街灯がまだ消えたままです")

    assert reply[0]["text"] != contact_text(texts.REPORT_STATUS_TEMPLATE, settings)
    store = ReportStore(engine, settings.user_hash_key())
    assert store.load_draft(store.hash_user(ALICE)) is not None
    engine.dispose()
