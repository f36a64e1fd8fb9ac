"""Broadcast sending through the fake LINE API: chunks, retry keys and resuming."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError

from cityline.db import create_db_engine, sqlite_url
from cityline.errors import ConfigError
from cityline.fake_line_api import FakeLineApi
from cityline.settings import Settings
from webhook.broadcasts import delivery_log as delivery_log_module
from webhook.broadcasts.categories import Catalog
from webhook.broadcasts.cli import terminate_as_interrupt
from webhook.broadcasts.delivery_log import DeliveryLog
from webhook.broadcasts.messages import InvalidBroadcastError
from webhook.broadcasts.privacy import AudienceTooSmallError
from webhook.broadcasts.sender import (
    BroadcastRequest,
    BroadcastSender,
    BroadcastStoppedError,
    DuplicateBroadcastError,
    RetryKeyExpiredError,
)
from webhook.broadcasts.store import (
    ReceiveSettingsStore,
    chunks,
    erase_deleted_rows,
    subscriptions,
)
from webhook.line_client import LineApiError, LineClient

MULTICAST = "/v2/bot/message/multicast"
BROADCAST = "/v2/bot/message/broadcast"
HASH_KEY = b"k" * 32


def user(number: int) -> str:
    return f"U{number:032x}"


class StopAfter:
    """A LineClient wrapper that raises KeyboardInterrupt on a chosen call.

    ``after_sending`` makes it raise once the request was sent, as a crash
    between LINE's response and the delivery log's update would.
    """

    def __init__(self, client: LineClient, call: int, after_sending: bool = False):
        self._client = client
        self._call = call
        self._after_sending = after_sending
        self.calls = 0

    def multicast(self, user_ids, messages, retry_key):
        self.calls += 1
        if self.calls == self._call and not self._after_sending:
            raise KeyboardInterrupt
        accepted = self._client.multicast(user_ids, messages, retry_key)
        if self.calls == self._call:
            raise KeyboardInterrupt
        return accepted

    def broadcast(self, messages, retry_key):
        return self._client.broadcast(messages, retry_key)


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def settings(tmp_path, fake) -> Settings:
    return Settings(
        data_dir=tmp_path,
        line_channel_access_token="test-token",
        line_api_url=fake.base_url,
        line_data_api_url=fake.base_url,
    )


@pytest.fixture
def engine(tmp_path):
    return create_db_engine(sqlite_url(tmp_path / "app.db"))


@pytest.fixture
def store(engine) -> ReceiveSettingsStore:
    return ReceiveSettingsStore(engine, HASH_KEY)


@pytest.fixture
def log(engine) -> DeliveryLog:
    return DeliveryLog(engine)


@pytest.fixture
def client(settings):
    line_client = LineClient(settings, sleep=lambda seconds: None)
    yield line_client
    line_client.close()


def subscribe_many(store: ReceiveSettingsStore, category: str, count: int) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(subscriptions),
            [{"user_id": user(n), "category": category} for n in range(count)],
        )


def make_sender(settings, store, log, client, **kwargs) -> BroadcastSender:
    return BroadcastSender(settings, store, log, Catalog(), client, **kwargs)


def recipients_of(requests) -> list[str]:
    return [uid for request in requests for uid in request.json["to"]]


def test_1234_subscribers_take_three_multicasts(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 1234)
    sender = make_sender(settings, store, log, client)

    outcome = sender.send(BroadcastRequest("防災・安全", ("大雨に注意してください。",)))

    requests = fake.requests_to(MULTICAST, accepted_only=True)
    assert [len(request.json["to"]) for request in requests] == [500, 500, 234]
    keys = [request.headers["x-line-retry-key"] for request in requests]
    assert len(set(keys)) == 3
    assert sorted(recipients_of(requests)) == [user(n) for n in range(1234)]
    assert outcome.recipients == 1234
    assert outcome.chunks == 3
    assert outcome.sent_now == 3
    assert outcome.pending == 0
    assert log.get(outcome.broadcast_id).status == "finished"


def test_message_header_link_quick_reply(settings, store, log, client, fake):
    subscribe_many(store, "gomi", 3)
    sender = make_sender(settings, store, log, client)

    sender.send(
        BroadcastRequest(
            "gomi", ("年末のごみ収集日", "1月4日から通常どおり"), "https://example.jp/g"
        )
    )

    body = fake.requests_to(MULTICAST)[0].json
    messages = body["messages"]
    assert [message["type"] for message in messages] == ["text", "text", "flex"]
    assert messages[0]["text"] == "【ごみ・環境】\n年末のごみ収集日"
    button = messages[2]["contents"]["body"]["contents"][1]
    assert button["action"]["uri"] == "https://example.jp/g"
    assert "quickReply" in messages[2]
    assert "quickReply" not in messages[0]


def test_retry_keys_are_stored_before_sending(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 1234)
    stopper = StopAfter(client, call=1)
    sender = make_sender(settings, store, log, stopper)

    with pytest.raises(KeyboardInterrupt):
        sender.send(BroadcastRequest("bosai", ("訓練のお知らせ",)))

    assert fake.requests_to(MULTICAST) == []
    with store.engine.connect() as connection:
        rows = connection.execute(select(chunks.c.retry_key, chunks.c.status)).all()
    assert len(rows) == 3
    assert {status for _, status in rows} == {"pending"}


def test_stopped_run_resumes_with_remaining_chunks(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 1234)
    stopper = StopAfter(client, call=2)
    with pytest.raises(KeyboardInterrupt):
        make_sender(settings, store, log, stopper).send(
            BroadcastRequest("bosai", ("避難所の開設",))
        )
    first = fake.requests_to(MULTICAST, accepted_only=True)
    assert len(first) == 1
    (unfinished,) = log.unfinished()
    assert unfinished.pending_count == 2

    outcome = make_sender(settings, store, log, client).resume(unfinished.id)

    requests = fake.requests_to(MULTICAST, accepted_only=True)
    assert len(requests) == 3
    keys = [request.headers["x-line-retry-key"] for request in requests]
    assert len(set(keys)) == 3
    assert sorted(recipients_of(requests)) == [user(n) for n in range(1234)]
    assert outcome.sent_now == 2
    assert outcome.already_sent == 0
    assert log.get(unfinished.id).status == "finished"
    assert all(r.json["messages"] == first[0].json["messages"] for r in requests)


def test_crash_after_accept_gets_409(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 1234)
    stopper = StopAfter(client, call=2, after_sending=True)
    with pytest.raises(KeyboardInterrupt):
        make_sender(settings, store, log, stopper).send(
            BroadcastRequest("bosai", ("断水のお知らせ",))
        )
    (unfinished,) = log.unfinished()

    outcome = make_sender(settings, store, log, client).resume(unfinished.id)

    accepted = fake.requests_to(MULTICAST, accepted_only=True)
    conflicts = [r for r in fake.requests_to(MULTICAST) if r.status == 409]
    assert len(accepted) == 3
    assert len(conflicts) == 1
    assert (
        conflicts[0].headers["x-line-retry-key"]
        == (accepted[1].headers["x-line-retry-key"])
    )
    assert outcome.sent_now == 1
    assert outcome.already_sent == 1
    record = log.get(unfinished.id)
    assert [chunk.status for chunk in record.chunks] == [
        "sent",
        "already_sent",
        "sent",
    ]


def test_429_is_retried_then_sent(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 600)
    fake.fail_next(MULTICAST, 429, headers={"Retry-After": "0"})

    outcome = make_sender(settings, store, log, client).send(
        BroadcastRequest("bosai", ("気象警報",))
    )

    statuses = [request.status for request in fake.requests_to(MULTICAST)]
    assert statuses == [429, 200, 200]
    first, retried = fake.requests_to(MULTICAST)[:2]
    assert first.headers["x-line-retry-key"] == retried.headers["x-line-retry-key"]
    assert outcome.sent_now == 2
    assert outcome.pending == 0


def test_quota_failure_names_the_message_quota(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 20)
    sender = make_sender(settings, store, log, client)
    fake.fail_next(MULTICAST, 429, times=10, headers={"Retry-After": "0"})

    with pytest.raises(BroadcastStoppedError, match="monthly message quota"):
        sender.send(BroadcastRequest("bosai", ("停電情報",)))


def test_persistent_failure_stops_and_resume_finishes(
    settings, store, log, client, fake
):
    subscribe_many(store, "bosai", 700)
    sender = make_sender(settings, store, log, client)
    fake.fail_next(MULTICAST, 500, times=4)

    with pytest.raises(BroadcastStoppedError, match="stopped at chunk 1 of 2") as error:
        sender.send(BroadcastRequest("bosai", ("停電情報",)))
    assert "cityline broadcast resume" in str(error.value)
    (unfinished,) = log.unfinished()
    assert "status 500" in unfinished.chunks[0].last_error

    outcome = sender.resume(unfinished.id)
    assert outcome.sent_now == 2
    assert log.get(unfinished.id).status == "finished"


def test_repeat_of_unfinished_broadcast_is_rejected(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 700)
    subscribe_many(store, "kosodate", 20)
    sender = make_sender(settings, store, log, client)
    fake.fail_next(MULTICAST, 500, times=4)
    with pytest.raises(BroadcastStoppedError):
        sender.send(BroadcastRequest("bosai", ("停電情報",)))
    (unfinished,) = log.unfinished()
    sent_before = len(fake.requests)

    with pytest.raises(DuplicateBroadcastError, match="resume") as error:
        sender.send(BroadcastRequest("bosai", ("停電情報",)))
    assert unfinished.id in str(error.value)
    assert len(fake.requests) == sent_before
    assert [record.id for record in log.unfinished()] == [unfinished.id]

    other = sender.send(BroadcastRequest("bosai", ("別の停電情報",)))
    assert other.sent_now == 2
    to_kosodate = sender.send(BroadcastRequest("kosodate", ("停電情報",)))
    assert to_kosodate.sent_now == 1


def test_filter_reaching_nine_rejected(settings, store, log, client, fake):
    subscribe_many(store, "kosodate", 40)
    for number in range(9):
        store.set_attribute(user(number), "area", "sakurazutsumi")
    sender = make_sender(settings, store, log, client)

    with pytest.raises(AudienceTooSmallError, match="at least 10"):
        sender.send(BroadcastRequest("kosodate", ("健診",), filters={"area": "桜堤"}))
    with pytest.raises(AudienceTooSmallError):
        sender.dry_run(
            BroadcastRequest("kosodate", ("健診",), filters={"area": "桜堤"})
        )

    assert fake.requests == []
    assert log.recent() == []


def test_filter_reaching_ten_is_sent(settings, store, log, client, fake):
    subscribe_many(store, "kosodate", 40)
    for number in range(10):
        store.set_attribute(user(number), "area", "sakurazutsumi")
        store.set_attribute(user(number), "age_band", "30s")

    outcome = make_sender(settings, store, log, client).send(
        BroadcastRequest(
            "kosodate", ("健診",), filters={"area": "桜堤", "age_band": "30s"}
        )
    )

    (request,) = fake.requests_to(MULTICAST)
    assert sorted(request.json["to"]) == [user(n) for n in range(10)]
    assert outcome.recipients == 10
    assert log.get(outcome.broadcast_id).filters == {
        "area": "sakurazutsumi",
        "age_band": "30s",
    }


def test_user_ids_are_dropped_when_send_finishes(settings, store, log, client):
    subscribe_many(store, "bosai", 800)
    make_sender(settings, store, log, client).send(BroadcastRequest("bosai", ("a",)))

    with store.engine.connect() as connection:
        stored = connection.execute(select(chunks.c.user_ids)).scalars().all()
    assert stored == [None, None]


def test_log_keeps_counts_text_and_filters(settings, store, log, client):
    subscribe_many(store, "bunka", 501)
    outcome = make_sender(settings, store, log, client).send(
        BroadcastRequest("bunka", ("市民まつり",), "https://example.jp/m")
    )

    record = log.get(outcome.broadcast_id)
    assert record.category == "bunka"
    assert record.text == "市民まつり"
    assert record.url == "https://example.jp/m"
    assert record.filters == {}
    assert [chunk.recipients for chunk in record.chunks] == [500, 1]
    assert all(chunk.finished_at is not None for chunk in record.chunks)


@pytest.mark.parametrize(
    ("bodies", "url", "message"),
    [
        (("a",) * 6, None, "at most 5"),
        (("a",) * 5, "https://example.jp", "at most 5"),
        (("あ" * 4995,), None, "shorten it by"),
        (("😀" * 2500,), None, "UTF-16 code units"),
        (("a",), "http://example.jp", "not an https URL"),
        (("a",), "https://", "not an https URL"),
        (("a",), "https://example.jp/" + "a" * 1000, "at most|LINE allows 1000"),
        (("  ",), None, "needs text"),
    ],
)
def test_limits_are_checked_before_sending(
    settings, store, log, client, fake, bodies, url, message
):
    subscribe_many(store, "bosai", 3)
    sender = make_sender(settings, store, log, client)

    with pytest.raises(InvalidBroadcastError, match=message):
        sender.send(BroadcastRequest("bosai", bodies, url))

    assert fake.requests == []
    assert log.recent() == []


def test_longest_allowed_text_is_sent(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 1)
    header = len("【防災・安全】\n")
    make_sender(settings, store, log, client).send(
        BroadcastRequest("bosai", ("あ" * (5000 - header),))
    )
    assert len(fake.requests_to(MULTICAST, accepted_only=True)) == 1


def test_unknown_choices_list_valid_keys(settings, store, log, client):
    sender = make_sender(settings, store, log, client)
    with pytest.raises(ConfigError, match="unknown category 'weather'.*bosai"):
        sender.dry_run(BroadcastRequest("weather", ("a",)))
    with pytest.raises(ConfigError, match="unknown area '新宿'.*sakai"):
        sender.dry_run(BroadcastRequest("bosai", ("a",), filters={"area": "新宿"}))


def test_safety_uses_line_broadcast_when_configured(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 20)
    broadcast_settings = Settings(
        data_dir=settings.data_dir,
        line_channel_access_token="test-token",
        line_api_url=fake.base_url,
        use_line_broadcast_for_safety=True,
    )
    sender = make_sender(broadcast_settings, store, log, client)

    outcome = sender.send(BroadcastRequest("bosai", ("地震情報",)))

    assert len(fake.requests_to(BROADCAST, accepted_only=True)) == 1
    assert fake.requests_to(MULTICAST) == []
    assert outcome.mode == "broadcast"
    assert outcome.recipients is None
    assert outcome.to_json()["recipients"] is None


def test_safety_with_filters_still_uses_multicast(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 20)
    for number in range(12):
        store.set_attribute(user(number), "area", "sakai")
    broadcast_settings = Settings(
        data_dir=settings.data_dir,
        line_channel_access_token="test-token",
        line_api_url=fake.base_url,
        use_line_broadcast_for_safety=True,
    )
    sender = make_sender(broadcast_settings, store, log, client)

    sender.send(BroadcastRequest("bosai", ("境の冠水",), filters={"area": "境"}))

    assert fake.requests_to(BROADCAST) == []
    assert len(fake.requests_to(MULTICAST)[0].json["to"]) == 12


def test_dry_run_counts_without_storing(settings, store, log, fake):
    subscribe_many(store, "zei", 1001)
    sender = make_sender(settings, store, log, None)

    outcome = sender.dry_run(BroadcastRequest("税・保険・年金", ("納期限",)))

    assert outcome.recipients == 1001
    assert outcome.chunks == 3
    assert outcome.dry_run is True
    assert fake.requests == []
    assert log.recent() == []


def test_small_counts_are_rounded_in_json(settings, store, log):
    subscribe_many(store, "zei", 4)
    outcome = make_sender(settings, store, log, None).dry_run(
        BroadcastRequest("zei", ("a",))
    )
    assert outcome.to_json()["recipients"] == "<10"


def test_resume_rejects_day_old_attempts(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 700)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    stopper = StopAfter(client, call=2)
    with pytest.raises(KeyboardInterrupt):
        make_sender(settings, store, log, stopper, clock=lambda: start).send(
            BroadcastRequest("bosai", ("a",))
        )
    (unfinished,) = log.unfinished()
    later = start + timedelta(hours=25)
    sender = make_sender(settings, store, log, client, clock=lambda: later)

    with pytest.raises(RetryKeyExpiredError, match="more than 24 hours"):
        sender.resume(unfinished.id)
    assert len(fake.requests_to(MULTICAST)) == 1

    outcome = sender.resume(unfinished.id, force=True)
    assert outcome.sent_now == 1


def test_interrupted_send_names_resume(settings, store, log, client, caplog):
    subscribe_many(store, "bosai", 700)
    with pytest.raises(KeyboardInterrupt):
        make_sender(settings, store, log, StopAfter(client, call=2)).send(
            BroadcastRequest("bosai", ("a",))
        )
    (unfinished,) = log.unfinished()
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(
        f"cityline broadcast resume {unfinished.id}" in message for message in warnings
    )


def test_cancel_drops_pending_user_ids(settings, store, log, client):
    subscribe_many(store, "bosai", 700)
    with pytest.raises(KeyboardInterrupt):
        make_sender(settings, store, log, StopAfter(client, call=2)).send(
            BroadcastRequest("bosai", ("a",))
        )
    (unfinished,) = log.unfinished()

    record = log.cancel(unfinished.id, datetime.now(UTC))

    assert record.status == "cancelled"
    assert [chunk.status for chunk in record.chunks] == ["sent", "cancelled"]
    with store.engine.connect() as connection:
        assert connection.execute(select(chunks.c.user_ids)).scalars().all() == [
            None,
            None,
        ]
    assert log.unfinished() == []


class CancelDuringFirstCall:
    """A LineClient wrapper that cancels the broadcast while its first request is
    in flight, as `cityline broadcast cancel` run during a send would."""

    def __init__(self, client: LineClient, log: DeliveryLog):
        self._client = client
        self._log = log

    def multicast(self, user_ids, messages, retry_key):
        for record in self._log.unfinished():
            self._log.cancel(record.id, datetime.now(UTC))
        return self._client.multicast(user_ids, messages, retry_key)

    def broadcast(self, messages, retry_key):
        return self._client.broadcast(messages, retry_key)


def test_cancel_stops_running_send(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 1200)
    sender = make_sender(settings, store, log, CancelDuringFirstCall(client, log))

    outcome = sender.send(BroadcastRequest("bosai", ("a",)))

    record = log.get(outcome.broadcast_id)
    assert record.status == "cancelled"
    assert [chunk.status for chunk in record.chunks] == [
        "sent",
        "cancelled",
        "cancelled",
    ]
    assert len(fake.requests_to(MULTICAST)) == 1
    assert outcome.sent_now == 1
    assert outcome.status == "cancelled"
    assert outcome.to_json()["status"] == "cancelled"


def test_sigterm_is_taken_as_ctrl_c():
    before = signal.getsignal(signal.SIGTERM)

    with pytest.raises(KeyboardInterrupt), terminate_as_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)

    assert signal.getsignal(signal.SIGTERM) is before


class CancelThenFail:
    """A LineClient wrapper whose first request fails after a cancel was made."""

    def __init__(self, log: DeliveryLog):
        self._log = log

    def multicast(self, user_ids, messages, retry_key):
        for record in self._log.unfinished():
            self._log.cancel(record.id, datetime.now(UTC))
        raise LineApiError("multicast", status=500, body="down", request_id="r1")

    def broadcast(self, messages, retry_key):
        raise AssertionError("not used")


def test_cancel_during_failing_chunk_says_cancelled(settings, store, log):
    subscribe_many(store, "bosai", 700)
    sender = make_sender(settings, store, log, CancelThenFail(log))
    with pytest.raises(BroadcastStoppedError, match="was cancelled while chunk 1"):
        sender.send(BroadcastRequest("bosai", ("a",)))


def test_unfollow_leaves_unsent_chunks(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 700)
    with pytest.raises(KeyboardInterrupt):
        make_sender(settings, store, log, StopAfter(client, call=1)).send(
            BroadcastRequest("bosai", ("a",))
        )
    (unfinished,) = log.unfinished()
    store.delete_resident(user(650))

    make_sender(settings, store, log, client).resume(unfinished.id)

    sent = recipients_of(fake.requests_to(MULTICAST, accepted_only=True))
    assert user(650) not in sent
    assert len(sent) == 699
    assert log.get(unfinished.id).recipients == 699


def test_leaving_during_a_send_is_counted_once(settings, store, log, client):
    subscribe_many(store, "bosai", 700)
    with pytest.raises(KeyboardInterrupt):
        make_sender(settings, store, log, StopAfter(client, call=1)).send(
            BroadcastRequest("bosai", ("a",))
        )
    (unfinished,) = log.unfinished()
    # The sender read the chunk, then the server took the leaver out of it.
    stale = log.pending_chunks(unfinished.id)[-1]
    store.delete_resident(user(650))
    log.narrow_chunk(stale, [u for u in stale.user_ids if u != user(650)])

    assert log.get(unfinished.id).recipients == 699


def test_leaving_between_read_and_write_is_counted_once(
    settings, store, log, client, monkeypatch
):
    subscribe_many(store, "bosai", 700)
    with pytest.raises(KeyboardInterrupt):
        make_sender(settings, store, log, StopAfter(client, call=1)).send(
            BroadcastRequest("bosai", ("a",))
        )
    (unfinished,) = log.unfinished()
    chunk = log.pending_chunks(unfinished.id)[-1]
    wanted = [u for u in chunk.user_ids if u != user(600)]
    real_loads = delivery_log_module.json.loads
    left = []

    def leave_then_load(text):
        # The server takes a leaver out of the chunk after narrow_chunk read it.
        if not left:
            left.append(True)
            store.delete_resident(user(650))
        return real_loads(text)

    monkeypatch.setattr(delivery_log_module.json, "loads", leave_then_load)
    log.narrow_chunk(chunk, wanted)
    monkeypatch.undo()

    stored = log.pending_chunks(unfinished.id)[-1].user_ids
    assert user(650) not in stored
    assert user(600) not in stored
    assert log.get(unfinished.id).recipients == 698


def test_turning_a_category_off_leaves_unsent_chunks(
    settings, store, log, client, fake
):
    subscribe_many(store, "bosai", 700)
    store.set_subscription(user(651), "kosodate", True)
    with pytest.raises(KeyboardInterrupt):
        make_sender(settings, store, log, StopAfter(client, call=1)).send(
            BroadcastRequest("bosai", ("a",))
        )
    (unfinished,) = log.unfinished()
    store.set_subscription(user(650), "bosai", False)
    store.set_subscription(user(651), "kosodate", False)

    make_sender(settings, store, log, client).resume(unfinished.id)

    sent = recipients_of(fake.requests_to(MULTICAST, accepted_only=True))
    assert user(650) not in sent
    assert user(651) in sent
    assert log.get(unfinished.id).recipients == 699


STALE_START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def interrupt_a_broadcast(settings, store, log, client) -> None:
    """Start a 700-recipient broadcast at STALE_START and stop it after one
    multicast, as a killed process would leave it."""
    subscribe_many(store, "bosai", 700)
    with pytest.raises(KeyboardInterrupt):
        make_sender(
            settings, store, log, StopAfter(client, call=2), clock=lambda: STALE_START
        ).send(BroadcastRequest("bosai", ("a",)))


def test_stale_unfinished_broadcast_is_cancelled(settings, store, log, client):
    interrupt_a_broadcast(settings, store, log, client)
    start = STALE_START
    (unfinished,) = log.unfinished()

    assert log.cancel_stale(start + timedelta(days=6)) == []
    assert log.cancel_stale(start + timedelta(days=8)) == [unfinished.id]

    assert log.get(unfinished.id).status == "cancelled"
    with store.engine.connect() as connection:
        stored = connection.execute(select(chunks.c.user_ids)).scalars().all()
    assert stored == [None, None]


def test_failed_stale_cancel_not_logged(
    settings, store, log, client, monkeypatch, caplog
):
    interrupt_a_broadcast(settings, store, log, client)

    def fail_cancel(broadcast_id, now):
        raise OperationalError("UPDATE broadcasts", {}, Exception("disk I/O error"))

    monkeypatch.setattr(log, "cancel", fail_cancel)
    with pytest.raises(OperationalError):
        log.cancel_stale(STALE_START + timedelta(days=8))

    assert "cancelled broadcast" not in caplog.text


def test_send_and_resume_on_postgres(postgres_url, settings, client, fake):
    engine = create_db_engine(postgres_url)
    store = ReceiveSettingsStore(engine, HASH_KEY)
    log = DeliveryLog(engine)
    with engine.begin() as connection:
        connection.execute(chunks.delete())
        connection.execute(subscriptions.delete())
    subscribe_many(store, "machi", 1234)
    with pytest.raises(KeyboardInterrupt):
        make_sender(settings, store, log, StopAfter(client, call=2)).send(
            BroadcastRequest("machi", ("道路工事",))
        )
    (unfinished,) = [r for r in log.unfinished() if r.category == "machi"]
    store.delete_resident(user(1200))

    outcome = make_sender(settings, store, log, client).resume(unfinished.id)

    sent = recipients_of(fake.requests_to(MULTICAST, accepted_only=True))
    assert len(sent) == 1233
    assert outcome.sent_now == 2
    record = log.get(unfinished.id)
    assert record.status == "finished"
    assert record.created_at.tzinfo is not None
    with engine.connect() as connection:
        stored = connection.execute(select(chunks.c.user_ids)).scalars().all()
    assert set(stored) == {None}


def database_bytes(engine, tmp_path) -> bytes:
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return (tmp_path / "app.db").read_bytes()


def test_finished_send_leaves_no_ids_in_file(
    settings, store, log, client, engine, tmp_path
):
    subscribe_many(store, "bosai", 1234)
    make_sender(settings, store, log, client).send(BroadcastRequest("bosai", ("a",)))
    with engine.begin() as connection:
        erase_deleted_rows(connection)
        connection.execute(subscriptions.delete())

    content = database_bytes(engine, tmp_path)

    assert user(0).encode() not in content
    assert all(user(n).encode() not in content for n in range(0, 1234, 97))


def test_deleted_resident_leaves_no_trace_in_file(store, engine, tmp_path):
    store.set_subscription(user(77), "gomi", True)
    store.set_subscription(user(78), "gomi", True)
    database_bytes(engine, tmp_path)

    store.delete_resident(user(77))

    content = database_bytes(engine, tmp_path)
    assert user(77).encode() not in content
    assert user(78).encode() in content


def stored_chunk_entries(store: ReceiveSettingsStore) -> list[str]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(chunks.c.user_ids)).scalars().all()
    return [entry for row in rows if row for entry in json.loads(row)]


def stopped_area_broadcast(settings, store, log, client, fake) -> BroadcastSender:
    """Send to 15 of 20 kosodate subscribers in 境 while LINE answers 500; return
    the sender, with the broadcast stopped before its only chunk went out."""
    subscribe_many(store, "kosodate", 20)
    for number in range(15):
        store.set_attribute(user(number), "area", "sakai")
    sender = make_sender(settings, store, log, client)
    fake.fail_next(MULTICAST, 500, times=4)
    with pytest.raises(BroadcastStoppedError):
        sender.send(BroadcastRequest("kosodate", ("健診",), filters={"area": "境"}))
    return sender


def test_stopped_filtered_broadcast_stores_no_user_id(
    settings, store, log, client, fake
):
    sender = stopped_area_broadcast(settings, store, log, client, fake)

    entries = stored_chunk_entries(store)
    assert len(entries) == 15
    assert not {user(number) for number in range(20)} & set(entries)

    (unfinished,) = log.unfinished()
    sender.resume(unfinished.id)
    assert sorted(recipients_of(fake.requests_to(MULTICAST, accepted_only=True))) == [
        user(number) for number in range(15)
    ]
    assert stored_chunk_entries(store) == []


def test_resume_leaves_out_residents_whose_settings_changed(
    settings, store, log, client, fake
):
    sender = stopped_area_broadcast(settings, store, log, client, fake)

    store.set_subscription(user(0), "kosodate", False)
    store.set_attribute(user(1), "area", None)
    (unfinished,) = log.unfinished()
    sender.resume(unfinished.id)

    sent = recipients_of(fake.requests_to(MULTICAST, accepted_only=True))
    assert sorted(sent) == [user(number) for number in range(2, 15)]
    assert log.get(unfinished.id).recipients == 13


def test_resume_skips_unsubscribed_residents(settings, store, log, client, fake):
    subscribe_many(store, "bosai", 30)
    sender = make_sender(settings, store, log, client)
    fake.fail_next(MULTICAST, 500, times=4)
    with pytest.raises(BroadcastStoppedError):
        sender.send(BroadcastRequest("bosai", ("停電情報",)))
    for number in range(30):
        store.set_subscription(user(number), "bosai", False)

    (unfinished,) = log.unfinished()
    outcome = sender.resume(unfinished.id)

    assert fake.requests_to(MULTICAST, accepted_only=True) == []
    assert outcome.sent_now == 0
    assert outcome.already_sent == 0
    record = log.get(unfinished.id)
    assert [chunk.status for chunk in record.chunks] == ["empty"]
    assert record.status == "finished"
