"""Receive settings through the real app: signed events in, replies at the fake API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cityline.db import create_db_engine
from cityline.fake_line_api import FakeLineApi
from webhook import texts
from webhook.app import create_app
from webhook.broadcasts.categories import Catalog
from webhook.broadcasts.delivery_log import DeliveryLog
from webhook.broadcasts.flow import build_settings_flow
from webhook.broadcasts.sender import BroadcastRequest, BroadcastSender
from webhook.broadcasts.store import ReceiveSettingsStore
from webhook.line_client import LineClient
from webhook.replies import welcome_text
from webhook.testing import (
    TEST_CHANNEL_SECRET,
    follow_event,
    loopback_settings,
    postback_event,
    signed_headers,
    text_event,
    unfollow_event,
    webhook_body,
)

REPLY = "/v2/bot/message/reply"
RESIDENT = "U" + "b" * 32


class NoAnswerer:
    """An answerer that records questions; settings requests must never reach it."""

    def __init__(self) -> None:
        self.questions: list[str] = []

    def ask(self, question: str, top_k: int = 3):
        self.questions.append(question)
        raise AssertionError(f"the answerer got {question!r}")


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def settings(tmp_path, fake):
    return loopback_settings(tmp_path, fake.base_url)


@pytest.fixture
def engine(settings):
    engine = create_db_engine(settings.app_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(settings, engine) -> ReceiveSettingsStore:
    return ReceiveSettingsStore(engine, settings.user_hash_key())


@pytest.fixture
def answerer() -> NoAnswerer:
    return NoAnswerer()


@pytest.fixture
def client(settings, engine, answerer):
    app = create_app(
        settings,
        answerer=answerer,
        engine=engine,
        flows=[build_settings_flow(settings, engine)],
        line_client=LineClient(settings, backoff_base_s=0.01),
    )
    with TestClient(app) as test_client:
        yield test_client


def post(client: TestClient, events: list[dict]) -> None:
    body = webhook_body(events)
    response = client.post(
        "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
    )
    assert response.status_code == 200


def last_reply(fake: FakeLineApi, count: int) -> list[dict]:
    return fake.wait_for(REPLY, count)[count - 1].json["messages"]


def test_follow_subscribes_to_safety(client, fake, store, settings):
    post(client, [follow_event(RESIDENT)])
    [welcome] = last_reply(fake, 1)
    assert welcome["text"] == welcome_text(settings)
    assert "「防災・安全」のお知らせは、はじめから受け取る設定" in welcome["text"]
    assert store.own_settings(RESIDENT).categories == {"bosai"}


def test_repeated_follow_keeps_settings_and_says_so(client, fake, store, settings):
    post(client, [follow_event(RESIDENT)])
    last_reply(fake, 1)
    off = "flow=settings&action=toggle&category=bosai&to=off&confirmed=1"
    post(client, [postback_event(RESIDENT, off)])
    last_reply(fake, 2)
    assert "bosai" not in store.own_settings(RESIDENT).categories

    post(client, [follow_event(RESIDENT)])
    [welcome] = last_reply(fake, 3)
    assert welcome["text"] == welcome_text(settings, settings_kept=True)
    assert texts.WELCOME_SETTINGS_KEPT in welcome["text"]
    assert "bosai" not in store.own_settings(RESIDENT).categories


def test_text_shows_card_not_an_answer(client, fake, answerer):
    post(client, [text_event(RESIDENT, "受信設定")])
    [card] = last_reply(fake, 1)
    assert card["type"] == "flex"
    assert card["altText"] == texts.RECV_ALT_TEXT_NONE
    assert answerer.questions == []


def test_postback_toggles_and_confirms_safety(client, fake, store):
    post(client, [follow_event(RESIDENT)])
    last_reply(fake, 1)

    post(
        client,
        [postback_event(RESIDENT, "flow=settings&action=toggle&category=gomi&to=on")],
    )
    note, card = last_reply(fake, 2)
    assert note["text"] == texts.RECV_TURNED_ON.format(category="ごみ・環境")
    assert card["altText"] == "受信設定：防災・安全、ごみ・環境"
    assert store.own_settings(RESIDENT).categories == {"bosai", "gomi"}

    post(
        client,
        [postback_event(RESIDENT, "flow=settings&action=toggle&category=bosai&to=off")],
    )
    [question] = last_reply(fake, 3)
    assert question["template"]["type"] == "confirm"
    assert "bosai" in store.own_settings(RESIDENT).categories

    confirm = question["template"]["actions"][0]["data"]
    post(client, [postback_event(RESIDENT, confirm)])
    note, _card = last_reply(fake, 4)
    assert note["text"] == texts.RECV_TURNED_OFF.format(category="防災・安全")
    assert store.own_settings(RESIDENT).categories == {"gomi"}


def test_delete_by_postback_asks_then_deletes(client, fake, store):
    post(client, [follow_event(RESIDENT)])
    last_reply(fake, 1)

    post(client, [postback_event(RESIDENT, "flow=settings&action=delete")])
    [question] = last_reply(fake, 2)
    assert question["text"] == texts.RECV_DELETE_CONFIRM.format(safety="防災・安全")
    assert store.own_settings(RESIDENT).categories == {"bosai"}

    yes = question["quickReply"]["items"][0]["action"]
    post(client, [postback_event(RESIDENT, yes["data"])])
    [note] = last_reply(fake, 3)
    assert note["text"] == texts.RECV_DELETED
    assert store.own_settings(RESIDENT).is_empty


def test_attribute_set_by_postback(client, fake, store):
    post(client, [postback_event(RESIDENT, "flow=settings&action=pick&attr=age_band")])
    [picker] = last_reply(fake, 1)
    buttons = picker["contents"]["body"]["contents"][1:]
    thirties = next(b["action"] for b in buttons if b["action"]["label"] == "30代")

    post(client, [postback_event(RESIDENT, thirties["data"])])
    note, _card = last_reply(fake, 2)
    assert note["text"] == "年代を「30代」にしました。"
    assert store.own_settings(RESIDENT).attributes == {"age_band": "30s"}


def test_unfollow_deletes_settings(client, fake, store):
    post(client, [follow_event(RESIDENT)])
    last_reply(fake, 1)
    post(
        client,
        [postback_event(RESIDENT, "flow=settings&action=set&attr=area&value=sakai")],
    )
    last_reply(fake, 2)

    post(client, [unfollow_event(RESIDENT)])
    client.app.state.service.worker.wait_idle(10)

    assert store.own_settings(RESIDENT).is_empty


def test_real_wiring_routes_settings_postback(settings, engine, fake, store):
    app = create_app(
        settings,
        answerer=NoAnswerer(),
        engine=engine,
        line_client=LineClient(settings, backoff_base_s=0.01),
    )
    with TestClient(app) as test_client:
        post(test_client, [postback_event(RESIDENT, "flow=settings&action=show")])
        [card] = last_reply(fake, 1)
    assert card["type"] == "flex"
    assert card["contents"]["body"]["contents"][0]["text"] == texts.RECV_TITLE


def test_choices_in_line_decide_who_gets_a_send(client, fake, settings, engine):
    residents = [f"U{n:032x}" for n in range(12)]
    events = []
    for number, resident in enumerate(residents):
        events.append(follow_event(resident))
        toggle = "flow=settings&action=toggle&category=kosodate&to=on"
        events.append(postback_event(resident, toggle))
        area = "sakai" if number < 10 else "nakacho"
        events.append(
            postback_event(resident, f"flow=settings&action=set&attr=area&value={area}")
        )
    post(client, events)
    fake.wait_for(REPLY, len(events))

    store = ReceiveSettingsStore(engine, settings.user_hash_key())
    line_client = LineClient(settings, backoff_base_s=0.01)
    sender = BroadcastSender(
        settings, store, DeliveryLog(engine), Catalog(), line_client
    )
    outcome = sender.send(
        BroadcastRequest(
            "子育て・教育", ("境地区の子育て広場",), filters={"area": "境"}
        )
    )
    line_client.close()

    [request] = fake.requests_to("/v2/bot/message/multicast")
    assert sorted(request.json["to"]) == residents[:10]
    assert outcome.recipients == 10
