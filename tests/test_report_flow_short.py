"""Short texts in the report flow: object names, the category step, text length."""

from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient

from answerer.intent_text import content_char_count
from answerer.intents import Intent
from cityline.db import create_db_engine
from cityline.fake_line_api import FakeLineApi
from cityline.settings import Settings
from tests.answerers import RecordingAnswerer
from webhook import texts
from webhook.app import create_app
from webhook.flow import IncomingEvent
from webhook.line_client import LineClient
from webhook.reports.comments import MAX_COMMENT_CHARS
from webhook.reports.flow import ReportFlow
from webhook.reports.report_intent import MIN_UNSURE_REPORT_CHARS
from webhook.testing import (
    TEST_CHANNEL_SECRET,
    loopback_settings,
    signed_headers,
    text_event,
    webhook_body,
)

USER = "U" + "c" * 32
OBJECT_QUESTIONS = [
    "街灯",
    "公園",
    "道路",
    "下水",
    "街路樹",
    "ごみ",
    "井の頭公園",
    "公園の場所",
    "公園はどこ",
]

_ids = itertools.count()


class FixedClassifier:
    """Labels every text a report of one category at one confidence."""

    def __init__(self, confidence: float) -> None:
        self.confidence = confidence
        self.texts: list[str] = []

    def classify(self, text: str) -> Intent:
        self.texts.append(text)
        return Intent("report", "road", False, self.confidence)

    def object_category(self, text: str) -> str | None:
        return None


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def make_flow(settings):
    engines = []

    def make(classifier) -> ReportFlow:
        engine = create_db_engine(settings.app_database_url)
        engines.append(engine)
        return ReportFlow(
            settings, engine, lambda message_id: b"", classifier=classifier
        )

    yield make
    for engine in engines:
        engine.dispose()


def send_text(flow: ReportFlow, text: str) -> list | None:
    event = IncomingEvent(
        event_id=f"e{next(_ids)}",
        event_type="message",
        user_id=USER,
        reply_token=f"r{next(_ids)}",
        timestamp_ms=0,
        message_type="text",
        text=text,
    )
    return flow.handle(event)


def draft_of(flow: ReportFlow):
    return flow.store.load_draft(flow.store.hash_user(USER))


@pytest.mark.parametrize("text", OBJECT_QUESTIONS)
def test_object_name_starts_no_report(make_flow, classifier, text):
    flow = make_flow(classifier)
    assert send_text(flow, text) is None
    assert draft_of(flow) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [("街灯切れ", "streetlight"), ("ベンチ壊れてる", "park"), ("倒木", "tree")],
)
def test_short_fault_text_starts_report(make_flow, classifier, text, category):
    flow = make_flow(classifier)
    replies = send_text(flow, text)
    assert replies is not None
    draft = draft_of(flow)
    assert draft.category == category
    assert draft.step == "photo"
    assert draft.description == text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("街灯", "streetlight"),
        ("ベンチ", "park"),
        ("マンホール", "sewer"),
        ("側溝", "road"),
        ("並木", "tree"),
    ],
)
def test_object_name_answers_category_step(make_flow, classifier, text, category):
    flow = make_flow(classifier)
    send_text(flow, "通報")
    assert draft_of(flow).step == "category"
    send_text(flow, text)
    draft = draft_of(flow)
    assert draft.category == category
    assert draft.step == "photo"


def test_unknown_word_asks_category_again(make_flow, classifier):
    flow = make_flow(classifier)
    send_text(flow, "通報")
    replies = send_text(flow, "わからない")
    assert replies[0].text == texts.REPORT_ASK_CATEGORY_AGAIN
    assert draft_of(flow).category is None


def test_content_char_count_skips_spaces_and_emoji():
    assert content_char_count("道に穴" + " " * 200) == 3
    assert content_char_count("\u3000" * 50 + "🙂" * 30 + "!?。") == 0
    assert content_char_count("東町1丁目") == 5


@pytest.mark.parametrize(
    "padding",
    [" " * 200, "\u3000" * 40, "🙂" * 30, "!" * 30, " 🙏 " * 20],
)
def test_unsure_short_text_with_padding_starts_no_report(make_flow, padding):
    flow = make_flow(FixedClassifier(confidence=0.6))
    assert send_text(flow, "道に" + padding + "穴") is None
    assert draft_of(flow) is None


def test_unsure_text_of_enough_letters_starts_report(make_flow):
    flow = make_flow(FixedClassifier(confidence=0.6))
    text = "家の前" * (MIN_UNSURE_REPORT_CHARS // 3 + 1)
    assert content_char_count(text) >= MIN_UNSURE_REPORT_CHARS
    assert send_text(flow, text) is not None
    assert draft_of(flow).category == "road"


def test_padding_does_not_push_words_out(make_flow):
    flow = make_flow(FixedClassifier(confidence=0.95))
    send_text(
        flow, "道に穴があります" + " " * (2 * MAX_COMMENT_CHARS) + "東町1丁目の角"
    )
    assert draft_of(flow).description == "道に穴があります 東町1丁目の角"


def test_blank_lines_dropped_from_description(make_flow):
    flow = make_flow(FixedClassifier(confidence=0.95))
    send_text(flow, "  道に穴があります\n\n\n \n東町1丁目  ")
    assert draft_of(flow).description == "道に穴があります\n東町1丁目"


def test_app_answers_place_question(tmp_path, classifier):
    answerer = RecordingAnswerer()
    with FakeLineApi() as fake:
        settings = loopback_settings(tmp_path / "data", fake.base_url)
        engine = create_db_engine(settings.app_database_url)
        line_client = LineClient(settings, backoff_base_s=0.01)
        flow = ReportFlow(
            settings, engine, line_client.get_content, classifier=classifier
        )
        app = create_app(
            settings,
            answerer=answerer,
            engine=engine,
            flows=[flow],
            line_client=line_client,
        )
        with TestClient(app) as client:
            body = webhook_body([text_event(USER, "公園はどこ")])
            response = client.post(
                "/callback",
                content=body,
                headers=signed_headers(body, TEST_CHANNEL_SECRET),
            )
            assert response.status_code == 200
            replies = fake.wait_for("/v2/bot/message/reply", 1)
        draft = flow.store.load_draft(flow.store.hash_user(USER))
        engine.dispose()

    assert answerer.questions == ["公園はどこ"]
    reply_texts = [message["text"] for message in replies[0].json["messages"]]
    assert not any("写真" in text for text in reply_texts), reply_texts
    assert draft is None
