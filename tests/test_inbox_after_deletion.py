"""Events sent before a resident deleted their receive settings are ignored.

LINE delivers an event again when its first delivery failed, possibly after
events sent later. An answer or a follow sent before 受信設定を削除 but
delivered after it would otherwise store again what the resident deleted.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from cityline.db import create_db_engine, sqlite_url
from cityline.fake_line_api import FakeLineApi
from webhook.app import create_app
from webhook.broadcasts.categories import Catalog
from webhook.broadcasts.flow import SettingsFlow, build_settings_flow
from webhook.broadcasts.store import ReceiveSettingsStore
from webhook.events import to_incoming_event
from webhook.handler import erasure_check
from webhook.inbox import Inbox, inbox_deletion_marks
from webhook.line_client import LineClient
from webhook.privacy import UserHasher
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

RESIDENT = "U" + "e" * 32
OTHER = "U" + "f" * 32
KEY = b"k" * 32
SET_AREA = "flow=settings&action=set&attr=area&value=sakai"
DELETE_ALL = "flow=settings&action=delete&confirmed=1"
REPLY = "/v2/bot/message/reply"


def stamped(event: dict, ms: int) -> dict:
    event["timestamp"] = ms
    return event


def now_ms() -> int:
    return int(time.time() * 1000)


@pytest.fixture
def engine(tmp_path):
    engine = create_db_engine(sqlite_url(tmp_path / "app.db"))
    yield engine
    engine.dispose()


@pytest.fixture
def flow(engine) -> SettingsFlow:
    return SettingsFlow(ReceiveSettingsStore(engine, KEY), Catalog())


@pytest.fixture
def inbox(engine, flow) -> Inbox:
    return Inbox(engine, UserHasher(KEY), erases_data=erasure_check([flow]))


def stored_ids(items) -> list[str]:
    return [item.event_id for item in items]


def test_answer_sent_before_deletion_ignored(inbox):
    sent = now_ms()
    inbox.add([stamped(postback_event(RESIDENT, DELETE_ALL), sent)])
    late_answer = stamped(postback_event(RESIDENT, SET_AREA), sent - 5000)
    late_follow = stamped(follow_event(RESIDENT), sent - 4000)
    other = stamped(postback_event(OTHER, SET_AREA), sent - 5000)
    newer = stamped(postback_event(RESIDENT, SET_AREA), sent + 1000)

    added = inbox.add([late_answer, late_follow, other, newer])

    assert stored_ids(added) == [other["webhookEventId"], newer["webhookEventId"]]


def test_report_and_question_sent_before_deletion_kept(inbox):
    sent = now_ms()
    inbox.add([stamped(postback_event(RESIDENT, DELETE_ALL), sent)])
    submit = stamped(postback_event(RESIDENT, "flow=report&action=submit"), sent - 5000)
    question = stamped(text_event(RESIDENT, "粗大ごみの出し方は?"), sent - 4000)

    added = inbox.add([submit, question])

    assert stored_ids(added) == [submit["webhookEventId"], question["webhookEventId"]]


def test_same_body_keeps_sending_order(inbox):
    sent = now_ms()
    answer = stamped(postback_event(RESIDENT, SET_AREA), sent - 5000)
    deletion = stamped(postback_event(RESIDENT, DELETE_ALL), sent)

    added = inbox.add([deletion, answer])

    assert stored_ids(added) == [answer["webhookEventId"], deletion["webhookEventId"]]


def test_same_millisecond_is_kept(inbox):
    sent = now_ms()
    inbox.add([stamped(postback_event(RESIDENT, DELETE_ALL), sent)])
    same = stamped(postback_event(RESIDENT, SET_AREA), sent)

    assert stored_ids(inbox.add([same])) == [same["webhookEventId"]]


def test_older_unfollow_still_stored(inbox):
    sent = now_ms()
    inbox.add([stamped(postback_event(RESIDENT, DELETE_ALL), sent)])
    unfollow = stamped(unfollow_event(RESIDENT), sent - 5000)

    assert stored_ids(inbox.add([unfollow])) == [unfollow["webhookEventId"]]


@pytest.mark.parametrize(
    "event",
    [
        postback_event(RESIDENT, "flow=settings&action=delete"),
        text_event(RESIDENT, "受信設定を削除"),
        postback_event(RESIDENT, SET_AREA),
    ],
    ids=["unconfirmed", "text", "answer"],
)
def test_other_events_leave_no_mark(inbox, engine, event):
    sent = now_ms()
    inbox.add([stamped(event, sent)])
    late = stamped(postback_event(RESIDENT, SET_AREA), sent - 5000)

    assert stored_ids(inbox.add([late])) == [late["webhookEventId"]]
    with engine.connect() as connection:
        assert connection.execute(select(inbox_deletion_marks)).all() == []


def test_mark_has_hash_and_time_only(inbox, engine):
    sent = now_ms()
    inbox.add([stamped(postback_event(RESIDENT, DELETE_ALL), sent)])
    inbox.add([stamped(postback_event(RESIDENT, DELETE_ALL), sent - 9000)])

    with engine.connect() as connection:
        [row] = connection.execute(select(inbox_deletion_marks)).mappings().all()
    assert set(row) == {"source_hash", "deleted_ms", "noted_at"}
    assert row["source_hash"] == UserHasher(KEY).hash(RESIDENT)
    assert row["deleted_ms"] == sent


def test_deletion_marks_pruned_with_old_ids(inbox, engine):
    inbox.add([postback_event(RESIDENT, DELETE_ALL)])
    with engine.begin() as connection:
        connection.execute(
            update(inbox_deletion_marks).values(noted_at=time.time() - 8 * 24 * 3600)
        )

    inbox.prune()

    with engine.connect() as connection:
        assert connection.execute(select(inbox_deletion_marks)).all() == []


def test_group_postback_erases_nothing(flow):
    event = postback_event(RESIDENT, DELETE_ALL)
    event["source"] = {"type": "group", "groupId": "C" + "1" * 32, "userId": RESIDENT}

    assert flow.erases_user_data(to_incoming_event(event)) is False


def test_confirmed_delete_erases(flow):
    event = to_incoming_event(postback_event(RESIDENT, DELETE_ALL))

    assert flow.erases_user_data(event) is True


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def app_settings(tmp_path, fake):
    return loopback_settings(tmp_path / "data", fake.base_url)


@pytest.fixture
def client(app_settings):
    engine = create_db_engine(app_settings.app_database_url)
    app = create_app(
        app_settings,
        answerer=None,
        engine=engine,
        flows=[build_settings_flow(app_settings, engine)],
        line_client=LineClient(app_settings, backoff_base_s=0.01),
    )
    with TestClient(app) as test_client:
        yield test_client
    engine.dispose()


def post(client: TestClient, *events: dict) -> None:
    body = webhook_body(list(events))
    response = client.post(
        "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
    )
    assert response.status_code == 200
    assert client.app.state.service.worker.wait_idle(10)


def test_late_answer_stays_deleted(client, app_settings, fake):
    store = ReceiveSettingsStore(client.app.state.engine, app_settings.user_hash_key())
    sent = now_ms()
    post(client, stamped(follow_event(RESIDENT), sent - 60_000))
    post(client, stamped(postback_event(RESIDENT, SET_AREA), sent - 30_000))
    post(client, stamped(postback_event(RESIDENT, DELETE_ALL), sent))
    replies_before = len(fake.requests_to(REPLY))

    late_answer = stamped(
        postback_event(RESIDENT, SET_AREA, redelivery=True), sent - 20_000
    )
    late_follow = stamped(follow_event(RESIDENT, redelivery=True), sent - 10_000)
    post(client, late_answer, late_follow)

    assert store.own_settings(RESIDENT).is_empty
    assert len(fake.requests_to(REPLY)) == replies_before

    post(client, stamped(postback_event(RESIDENT, SET_AREA), sent + 1000))
    assert store.own_settings(RESIDENT).attributes == {"area": "sakai"}
