"""Fault reports through the real app: signed events in, replies at the fake API."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from cityline.db import create_db_engine
from cityline.fake_line_api import FakeLineApi
from tests.answerers import RecordingAnswerer
from webhook import texts
from webhook.app import create_app
from webhook.line_client import LineClient
from webhook.reports.flow import ReportFlow
from webhook.reports.store import ReportStore
from webhook.testing import (
    TEST_CHANNEL_SECRET,
    image_event,
    location_event,
    loopback_settings,
    postback_event,
    signed_headers,
    text_event,
    unfollow_event,
    webhook_body,
)

OUTSIDE_CITY = texts.REPORT_OUTSIDE_CITY.format(city_name="武蔵野市")

REPLY = "/v2/bot/message/reply"
ALICE = "U" + "a" * 32
BOB = "U" + "b" * 32
KICHIJOJI = (35.7031, 139.5798, "東京都武蔵野市吉祥寺本町1丁目")


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def settings(tmp_path, fake):
    return loopback_settings(tmp_path / "data", fake.base_url)


@pytest.fixture
def answerer() -> RecordingAnswerer:
    return RecordingAnswerer()


@pytest.fixture
def clock() -> Clock:
    return Clock()


class Chat:
    """Posts signed events to the app and returns the replies they caused."""

    def __init__(self, client: TestClient, fake: FakeLineApi) -> None:
        self.client = client
        self.fake = fake
        self.replies_seen = len(fake.requests_to(REPLY, accepted_only=True))

    def post(self, *events: dict) -> None:
        body = webhook_body(list(events))
        response = self.client.post(
            "/callback",
            content=body,
            headers=signed_headers(body, TEST_CHANNEL_SECRET),
        )
        assert response.status_code == 200

    def replies(self, count: int = 1) -> list[list[dict]]:
        """Wait for the next ``count`` replies and return their messages."""
        target = self.replies_seen + count
        found = self.fake.wait_for(REPLY, target)
        self.replies_seen = target
        return [request.json["messages"] for request in found[target - count : target]]

    def send(self, event: dict) -> list[dict]:
        self.post(event)
        return self.replies(1)[0]


def draft_button(messages: list[dict], label: str) -> str:
    """Return the postback data of the quick reply ``label`` in the last message."""
    for item in messages[-1]["quickReply"]["items"]:
        if item["action"].get("label") == label:
            return item["action"]["data"]
    raise AssertionError(f"no quick reply {label!r} in {messages[-1]}")


@pytest.fixture
def app_factory(settings, answerer, classifier, clock):
    """Build apps on one database, with the report flow's clock under test control."""
    engines = []

    def build(*, default_flows: bool = False):
        engine = create_db_engine(settings.app_database_url)
        engines.append(engine)
        line_client = LineClient(settings, backoff_base_s=0.01)
        flows = None
        if not default_flows:
            flows = [
                ReportFlow(
                    settings,
                    engine,
                    line_client.get_content,
                    classifier=classifier,
                    clock=clock,
                )
            ]
        return create_app(
            settings,
            answerer=answerer,
            engine=engine,
            flows=flows,
            line_client=line_client,
        )

    yield build
    for engine in engines:
        engine.dispose()


@pytest.fixture
def chat(app_factory, fake):
    with TestClient(app_factory()) as client:
        yield Chat(client, fake)


@pytest.fixture
def store(settings) -> ReportStore:
    engine = create_db_engine(settings.app_database_url)
    yield ReportStore(engine, settings.user_hash_key())
    engine.dispose()


def test_whole_report_through_the_app(app_factory, fake, settings, store):
    fake.add_content("img1", jpeg_with_exif())
    with TestClient(app_factory(default_flows=True)) as client:
        chat = Chat(client, fake)
        asked = chat.send(text_event(ALICE, "歩道の街灯が消えています"))
        assert "街路灯" in asked[0]["text"]
        types = [item["action"]["type"] for item in asked[0]["quickReply"]["items"]]
        assert types[:2] == ["camera", "cameraRoll"]

        received = chat.send(image_event(ALICE, "img1"))
        assert "1/3" in received[0]["text"]
        downloads = fake.requests_to("/v2/bot/message/img1/content")
        assert len(downloads) == 1

        location = chat.send(postback_event(ALICE, draft_button(received, "次へ")))
        assert location[0]["quickReply"]["items"][0]["action"]["type"] == "location"
        comment = chat.send(location_event(ALICE, *KICHIJOJI))
        confirm = chat.send(postback_event(ALICE, draft_button(comment, "スキップ")))
        assert "この内容で送信しますか" in confirm[0]["text"]
        done = chat.send(postback_event(ALICE, draft_button(confirm, "送信")))

    assert "R20" in done[0]["text"]
    assert "道路管理課" in done[0]["text"]
    assert "0422-51-5131" in done[0]["text"]
    [report] = store.list()
    assert report.category == "streetlight"
    assert report.address == KICHIJOJI[2]
    stored = (settings.photos_dir / report.photos[0].path).read_bytes()
    assert b"SecretCam" not in stored


def test_how_to_report_question_gets_the_report_route(chat, answerer, store):
    messages = chat.send(text_event(ALICE, "マンホールが壊れているときはどうすれば?"))
    assert "このLINEで通報できます" in messages[0]["text"]
    assert answerer.questions == []
    assert store.load_draft(store.hash_user(ALICE)) is None


def test_question_on_something_else_goes_to_answerer(chat, answerer, store):
    chat.send(text_event(ALICE, "粗大ごみはどこに出せばいいですか?"))
    assert answerer.questions == ["粗大ごみはどこに出せばいいですか?"]
    assert store.load_draft(store.hash_user(ALICE)) is None


def test_cancel_through_the_app(chat, store):
    chat.send(text_event(ALICE, "通報"))
    cancelled = chat.send(text_event(ALICE, "キャンセル"))
    assert cancelled[0]["text"] == texts.REPORT_CANCELLED
    assert store.load_draft(store.hash_user(ALICE)) is None


def test_expiry_through_the_app(chat, clock, store):
    chat.send(text_event(ALICE, "通報"))
    clock.now += timedelta(minutes=31)
    expired = chat.send(text_event(ALICE, "道路"))
    assert expired[0]["text"] == texts.REPORT_EXPIRED.format(idle="30分")
    assert store.load_draft(store.hash_user(ALICE)) is None


def test_restart_mid_flow(app_factory, fake, store):
    fake.add_content("img1", jpeg_with_exif())
    with TestClient(app_factory()) as client:
        chat = Chat(client, fake)
        chat.send(text_event(ALICE, "公園のブランコが壊れている"))
        received = chat.send(image_event(ALICE, "img1"))
    next_data = draft_button(received, "次へ")

    with TestClient(app_factory()) as client:
        chat = Chat(client, fake)
        chat.send(postback_event(ALICE, next_data))
        chat.send(location_event(ALICE, 35.7178, 139.5661))
        confirm = chat.send(text_event(ALICE, "鎖が切れています"))
        assert "鎖が切れています" in confirm[0]["text"]
        done = chat.send(postback_event(ALICE, draft_button(confirm, "送信")))
    assert "緑のまち推進課" in done[0]["text"]
    [report] = store.list()
    assert report.category == "park"
    assert len(report.photos) == 1


def test_outside_city_through_the_app(chat, fake, store):
    fake.add_content("img1", jpeg_with_exif())
    chat.send(text_event(ALICE, "街灯が消えています"))
    received = chat.send(image_event(ALICE, "img1"))
    chat.send(postback_event(ALICE, draft_button(received, "次へ")))
    noted = chat.send(location_event(ALICE, 35.7050, 139.6030, "東京都杉並区"))
    assert noted[0]["text"] == OUTSIDE_CITY
    confirm = chat.send(postback_event(ALICE, draft_button(noted, "スキップ")))
    chat.send(postback_event(ALICE, draft_button(confirm, "送信")))
    [report] = store.list()
    assert report.outside_city


def test_not_an_image_through_the_app(chat, fake, store):
    fake.add_content("doc1", b"%PDF-1.7 not an image", content_type="image/jpeg")
    chat.send(text_event(ALICE, "街灯が消えています"))
    rejected = chat.send(image_event(ALICE, "doc1"))
    assert rejected[0]["text"] == texts.REPORT_PHOTO_INVALID
    draft = store.load_draft(store.hash_user(ALICE))
    assert draft.photos == []


def test_redelivered_submit_gives_one_report(chat, fake, store):
    fake.add_content("img1", jpeg_with_exif())
    chat.send(text_event(ALICE, "街灯が消えています"))
    received = chat.send(image_event(ALICE, "img1"))
    chat.send(postback_event(ALICE, draft_button(received, "次へ")))
    comment = chat.send(location_event(ALICE, *KICHIJOJI))
    confirm = chat.send(postback_event(ALICE, draft_button(comment, "スキップ")))
    submit_data = draft_button(confirm, "送信")

    submit = postback_event(ALICE, submit_data, event_id="01SUBMITEVENT0000000000001")
    chat.send(submit)
    # LINE redelivers the same event: the inbox drops it, so no reply follows.
    redelivered = dict(submit, deliveryContext={"isRedelivery": True})
    chat.post(redelivered)
    # The resident taps 送信 again: a new event with the same draft.
    again = chat.send(postback_event(ALICE, submit_data))
    receipt = store.list()[0].receipt_no
    assert again[0]["text"].startswith(
        f"通報を送信しました。受付番号は {receipt} です。"
    )
    assert len(store.list()) == 1
    # Events of one user are handled in order: a reply to the redelivered event
    # would have arrived before the last one.
    assert len(fake.requests_to(REPLY, accepted_only=True)) == chat.replies_seen


def test_two_residents_in_one_body(chat, fake, store):
    fake.add_content("a1", jpeg_with_exif())
    fake.add_content("b1", jpeg_with_exif())
    chat.post(
        text_event(ALICE, "街灯が消えています"),
        text_event(BOB, "下水のマンホールから水があふれています"),
        image_event(ALICE, "a1"),
        image_event(BOB, "b1"),
    )
    chat.replies(4)
    alice = store.load_draft(store.hash_user(ALICE))
    bob = store.load_draft(store.hash_user(BOB))
    assert alice.category == "streetlight"
    assert bob.category == "sewer"
    assert len(alice.photos) == 1
    assert len(bob.photos) == 1
    assert alice.draft_id != bob.draft_id


def test_unfollow_forgets_the_resident(chat, fake, store):
    chat.send(text_event(ALICE, "通報"))
    old_draft = store.load_draft(store.hash_user(ALICE))
    chat.post(unfollow_event(ALICE))
    # Events of one user are handled in order, so this reply comes after unfollow.
    restarted = chat.send(text_event(ALICE, "通報"))
    assert restarted[0]["text"].startswith(texts.REPORT_ASK_CATEGORY)
    draft = store.load_draft(store.hash_user(ALICE))
    assert draft.draft_id != old_draft.draft_id


def test_open311_is_served_by_the_app(chat):
    response = chat.client.get("/open311/v2/services.json")
    assert response.status_code == 200
    assert {service["service_code"] for service in response.json()} >= {"road"}
    assert chat.client.get("/open311/v2/requests.json").json() == []


def quick_items(messages: list[dict]) -> list[dict]:
    return [item["action"] for item in messages[-1]["quickReply"]["items"]]


def reach_comment(chat: Chat, fake: FakeLineApi) -> list[dict]:
    fake.add_content("img1", jpeg_with_exif())
    chat.send(text_event(ALICE, "街灯が消えています"))
    received = chat.send(image_event(ALICE, "img1"))
    chat.send(postback_event(ALICE, draft_button(received, "次へ")))
    return chat.send(location_event(ALICE, *KICHIJOJI))


def test_question_at_comment_through_the_app(chat, fake, answerer, store):
    reach_comment(chat, fake)
    asked = chat.send(text_event(ALICE, "市役所の開庁時間は？"))
    actions = quick_items(asked)
    assert [action["label"] for action in actions] == ["補足にする", "質問として送る"]
    assert actions[1]["type"] == "message"
    assert answerer.questions == []

    # 質問として送る: LINE sends the action's text as the resident's message.
    answered = chat.send(text_event(ALICE, actions[1]["text"]))
    assert answered[0]["text"] == "FALLBACK"
    assert answerer.questions == ["市役所の開庁時間は？"]
    draft = store.load_draft(store.hash_user(ALICE))
    assert draft.step == "comment"
    assert draft.comment is None

    confirm = chat.send(text_event(ALICE, "夜は真っ暗です"))
    chat.send(postback_event(ALICE, draft_button(confirm, "送信")))
    [report] = store.list()
    assert report.comment == "夜は真っ暗です"


def test_invalid_location_through_the_app(chat, fake, store):
    fake.add_content("img1", jpeg_with_exif())
    chat.send(text_event(ALICE, "街灯が消えています"))
    received = chat.send(image_event(ALICE, "img1"))
    chat.send(postback_event(ALICE, draft_button(received, "次へ")))
    rejected = chat.send(location_event(ALICE, 999.0, 999.0))
    assert rejected[0]["text"] == texts.REPORT_LOCATION_INVALID
    assert quick_items(rejected)[0]["type"] == "location"
    # JSON has no NaN, but Python's parser accepts the token, so check it too.
    body = webhook_body([location_event(ALICE, float("nan"), 139.57)])
    assert b"NaN" in body
    chat.client.post(
        "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
    )
    assert chat.replies(1)[0][0]["text"] == texts.REPORT_LOCATION_INVALID
    draft = store.load_draft(store.hash_user(ALICE))
    assert draft.step == "location"
    assert draft.latitude is None
    accepted = chat.send(location_event(ALICE, *KICHIJOJI))
    assert accepted[0]["text"] == texts.REPORT_ASK_COMMENT


def test_urgent_at_night_through_the_app(chat, clock):
    # Saturday 5 December 2026, 04:20 in Japan.
    clock.now = datetime(2026, 12, 4, 19, 20, tzinfo=UTC)
    text = "道路が大きく陥没していて車が落ちそうです、すぐ来てください"
    messages = chat.send(text_event(ALICE, text))
    lines = messages[0]["text"].splitlines()
    assert lines[0] == texts.REPORT_URGENT_EMERGENCY_CALL
    assert "0422-51-5131" in messages[0]["text"]
    assert "12月7日（月）8:30" in messages[0]["text"]
    assert "写真" in messages[1]["text"]


def test_other_report_needs_text_through_the_app(chat, fake, store):
    fake.add_content("img1", jpeg_with_exif())
    asked = chat.send(text_event(ALICE, "通報"))
    chosen = chat.send(postback_event(ALICE, draft_button(asked, "その他")))
    received = chat.send(image_event(ALICE, "img1"))
    assert "その他" in chosen[0]["text"]
    chat.send(postback_event(ALICE, draft_button(received, "次へ")))
    prompt = chat.send(location_event(ALICE, *KICHIJOJI))
    assert prompt[0]["text"] == texts.REPORT_ASK_DESCRIPTION
    assert [action["label"] for action in quick_items(prompt)] == ["やめる"]
    again = chat.send(text_event(ALICE, "スキップ"))
    assert again[0]["text"] == texts.REPORT_DESCRIPTION_REQUIRED
    confirm = chat.send(text_event(ALICE, "歩道に自転車が何台も倒れています"))
    chat.send(postback_event(ALICE, draft_button(confirm, "送信")))
    [report] = store.list()
    assert report.category == "other"
    assert report.comment == "歩道に自転車が何台も倒れています"


def test_emergency_at_the_photo_step_gets_119_first(chat, store):
    chat.send(text_event(ALICE, "公園の遊具が壊れています"))
    messages = chat.send(text_event(ALICE, "火事です"))
    assert messages[0]["text"] == texts.EMERGENCY_FIRST
    # The draft waits, and the second message asks for the photo again.
    assert "写真" in messages[1]["text"]
    assert len(messages) == 2


def group_text(text: str, **message: object) -> dict:
    event = text_event(ALICE, text)
    event["source"] = {"type": "group", "groupId": "C" + "1" * 32, "userId": ALICE}
    event["message"].update(message)
    return event


def test_group_chatter_gets_no_reply(chat, fake, answerer):
    chat.post(group_text("今日のランチどうする？"))
    chat.send(text_event(ALICE, "粗大ごみの出し方"))  # the next reply is this one
    assert answerer.questions == ["粗大ごみの出し方"]


MENTION = {"mentionees": [{"index": 0, "length": 4, "isSelf": True}]}


def test_group_question_that_mentions_the_account_is_answered(chat, answerer):
    messages = chat.send(group_text("@市役所 粗大ごみの出し方", mention=MENTION))
    assert answerer.questions == ["粗大ごみの出し方"]
    assert messages[-1]["text"] == "FALLBACK"
    assert all("quickReply" not in message for message in messages)


@pytest.mark.parametrize(
    "text",
    [
        "@市役所 通報",
        "@市役所 受信設定",
        "@市役所 ねえ 通報",
        "@市役所 道路に穴があいてます",
    ],
)
def test_group_report_request_points_to_chat(chat, text):
    messages = chat.send(group_text(text, mention=MENTION))
    assert [message["text"] for message in messages] == [texts.ONE_TO_ONE_ONLY]


@pytest.mark.parametrize("text", ["@市役所", "@市役所 使い方"])
def test_group_bare_mention_gets_hint(chat, answerer, text):
    messages = chat.send(group_text(text, mention=MENTION))
    assert [message["text"] for message in messages] == [texts.GROUP_HELP]
    assert answerer.questions == []


def test_group_report_button_points_to_chat(chat):
    event = postback_event(ALICE, "flow=report&action=start")
    event["source"] = {"type": "group", "groupId": "C" + "1" * 32, "userId": ALICE}
    messages = chat.send(event)
    assert [message["text"] for message in messages] == [texts.ONE_TO_ONE_ONLY]


def test_group_emergency_gets_119_first(chat):
    messages = chat.send(group_text("@市役所 火事を通報したい", mention=MENTION))
    assert [message["text"] for message in messages] == [
        texts.EMERGENCY_FIRST,
        texts.ONE_TO_ONE_ONLY,
    ]


def test_sent_report_change_gets_phone_route(chat, answerer, store):
    messages = chat.send(text_event(ALICE, "さっきの通報をキャンセルしたいです"))
    assert messages[0]["text"].startswith("送信済みの通報は、LINEでは取り消し")
    assert "0422-51-5131" in messages[0]["text"]
    assert answerer.questions == []
    assert store.load_draft(store.hash_user(ALICE)) is None
