"""A send of the text that the same category received within the last hour is
rejected before anything is stored or sent, unless staff pass --again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from cityline.db import create_db_engine, sqlite_url
from cityline.errors import DataDirError
from cityline.fake_line_api import FakeLineApi
from cityline.locks import exclusive_lock
from cityline.settings import Settings
from tests.console import run_console
from webhook.broadcasts.categories import Catalog
from webhook.broadcasts.delivery_log import DeliveryLog
from webhook.broadcasts.sender import (
    DELIVERY_LOCK_NAME,
    REPEAT_WINDOW,
    BroadcastRequest,
    BroadcastSender,
    BroadcastStoppedError,
    DeliveryBusyError,
    RepeatedBroadcastError,
)
from webhook.broadcasts.store import ReceiveSettingsStore, subscriptions
from webhook.line_client import LineClient

MULTICAST = "/v2/bot/message/multicast"
HASH_KEY = b"k" * 32
TEXT = ("公園の清掃活動のお知らせ",)


def user(number: int) -> str:
    return f"U{number:032x}"


class Clock:
    """A clock that tests move forward; starts at 2026-05-01 03:00 UTC (12:00 JST)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


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
    """Store 30 subscribers of kosodate and of bosai, 12 in sakai, 12 in nakacho
    and 12 in their 30s."""
    settings_store = ReceiveSettingsStore(engine, HASH_KEY)
    with engine.begin() as connection:
        connection.execute(
            insert(subscriptions),
            [{"user_id": user(n), "category": "kosodate"} for n in range(30)],
        )
        connection.execute(
            insert(subscriptions),
            [{"user_id": user(n), "category": "bosai"} for n in range(30)],
        )
    for number in range(12):
        settings_store.set_attribute(user(number), "area", "sakai")
        settings_store.set_attribute(user(number + 12), "area", "nakacho")
        settings_store.set_attribute(user(number), "age_band", "30s")
    return settings_store


@pytest.fixture
def log(engine) -> DeliveryLog:
    return DeliveryLog(engine)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sender(settings, store, log, clock):
    client = LineClient(settings, sleep=lambda seconds: None)
    yield BroadcastSender(settings, store, log, Catalog(), client, clock=clock)
    client.close()


def request(
    category: str = "kosodate",
    bodies: tuple[str, ...] = TEXT,
    url: str | None = None,
    **filters: str,
) -> BroadcastRequest:
    return BroadcastRequest(category, bodies, url, filters)


def test_repeat_within_hour_rejected(sender, log, clock, fake):
    first = sender.send(request())
    clock.advance(timedelta(minutes=1))
    sent_before = len(fake.requests_to(MULTICAST))

    with pytest.raises(RepeatedBroadcastError) as raised:
        sender.send(request())

    message = str(raised.value)
    assert f"broadcast {first.broadcast_id} sent the same text" in message
    assert "at 2026-05-01 12:00 JST (1 minute ago)" in message
    assert "pass --again" in message
    assert len(fake.requests_to(MULTICAST)) == sent_before
    assert [record.id for record in log.recent()] == [first.broadcast_id]


def test_repeat_names_the_link(sender, clock):
    link = "https://www.city.example.lg.jp/event.html"
    sender.send(request(url=link))
    clock.advance(timedelta(minutes=59))

    with pytest.raises(RepeatedBroadcastError, match="same text and link") as raised:
        sender.send(request(url=link))

    assert "(59 minutes ago)" in str(raised.value)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://www.city.example.lg.jp", "https://www.city.example.lg.jp/"),
        (
            "https://www.city.example.lg.jp/a.html",
            "https://WWW.City.example.lg.jp/a.html?",
        ),
        (
            "https://www.city.example.lg.jp/子育て/",
            "https://www.city.example.lg.jp:443/%E5%AD%90%E8%82%B2%E3%81%A6/",
        ),
        (
            "https://www.city.example.lg.jp/a.html",
            "https://www.city.example.lg.jp./a.html",
        ),
    ],
)
def test_repeat_of_the_same_link_spelled_otherwise_rejected(
    sender, clock, first, second
):
    sender.send(request(url=first))
    clock.advance(timedelta(minutes=1))

    with pytest.raises(RepeatedBroadcastError, match="same text and link"):
        sender.send(request(url=second))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "https://www.city.example.lg.jp/a.html",
            "https://www.city.example.lg.jp/A.html",
        ),
        (
            "https://www.city.example.lg.jp/a?p=1",
            "https://www.city.example.lg.jp/a?p=2",
        ),
        ("https://www.city.example.lg.jp/a#x", "https://www.city.example.lg.jp/a#y"),
        ("https://www.city.example.lg.jp/a%2Fb", "https://www.city.example.lg.jp/a/b"),
        (
            "https://www.city.example.lg.jp/a?x=1%262",
            "https://www.city.example.lg.jp/a?x=1&2",
        ),
    ],
)
def test_other_page_is_no_repeat(sender, clock, first, second):
    sender.send(request(url=first))
    clock.advance(timedelta(minutes=1))

    assert sender.send(request(url=second)).sent_now == 1


def test_text_with_an_invisible_character_is_a_repeat(sender, clock):
    sender.send(request(bodies=("公園の清掃活動のお知らせ",)))
    clock.advance(timedelta(minutes=1))

    with pytest.raises(RepeatedBroadcastError):
        sender.send(request(bodies=("公園の清掃\u200b活動のお知らせ",)))


def test_dry_run_of_an_unfinished_copy_warns(sender, fake, caplog):
    fake.fail_next(MULTICAST, 500, times=100)
    with pytest.raises(BroadcastStoppedError):
        sender.send(request())

    sender.dry_run(request())

    assert "a send would fail: broadcast" in caplog.text
    assert "is unfinished" in caplog.text


def test_unusable_lock_file_is_named(sender, settings):
    (settings.data_dir / DELIVERY_LOCK_NAME).mkdir()

    with pytest.raises(DataDirError, match="cannot open the broadcast lock file"):
        sender.send(request())


def test_dry_run_of_a_repeat_warns(sender, clock, caplog):
    first = sender.send(request())
    clock.advance(timedelta(minutes=1))

    outcome = sender.dry_run(request())

    assert outcome.dry_run
    assert "a send without --again would fail" in caplog.text
    assert f"broadcast {first.broadcast_id} sent the same text" in caplog.text


def test_repeat_with_again_is_sent(sender, log, clock, fake, caplog):
    first = sender.send(request())
    clock.advance(timedelta(minutes=1))

    second = sender.send(request(), again=True)

    assert second.sent_now == 1
    assert len(fake.requests_to(MULTICAST, accepted_only=True)) == 2
    assert len(log.recent()) == 2
    assert f"sending the text of broadcast {first.broadcast_id}" in caplog.text


def test_repeat_after_window_is_sent(sender, clock):
    sender.send(request())
    clock.advance(REPEAT_WINDOW + timedelta(minutes=1))

    outcome = sender.send(request())

    assert outcome.sent_now == 1


@pytest.mark.parametrize(
    "second",
    [
        request(bodies=("公園の清掃活動は雨天中止です",)),
        request(url="https://www.city.example.lg.jp/event.html"),
        request(category="bosai"),
        request(area="nakacho"),
    ],
    ids=["other text", "other link", "other category", "other area"],
)
def test_different_broadcast_is_sent(sender, clock, second):
    sender.send(request(area="sakai"))
    clock.advance(timedelta(minutes=1))

    outcome = sender.send(second)

    assert outcome.sent_now == 1


@pytest.mark.parametrize(
    "second",
    [request(), request(area="sakai", age_band="30s")],
    ids=["whole category", "narrower filter"],
)
def test_overlapping_audience_is_a_repeat(sender, clock, second):
    sender.send(request(area="sakai"))
    clock.advance(timedelta(minutes=5))

    with pytest.raises(RepeatedBroadcastError):
        sender.send(second)


def test_broadcast_never_accepted_is_no_repeat(sender, log, clock, fake):
    # LINE responds with 429 to a request it did not take, so none was delivered.
    fake.fail_next(MULTICAST, 429, times=4)
    with pytest.raises(BroadcastStoppedError):
        sender.send(request())
    (stopped,) = log.unfinished()
    log.cancel(stopped.id, clock())
    clock.advance(timedelta(minutes=1))

    outcome = sender.send(request())

    assert outcome.sent_now == 1


def test_server_error_send_is_a_repeat(sender, log, clock, fake):
    # After a 5xx, LINE may have delivered the message all the same.
    fake.fail_next(MULTICAST, 500, times=4)
    with pytest.raises(BroadcastStoppedError, match="may have been delivered"):
        sender.send(request())
    (stopped,) = log.unfinished()
    log.cancel(stopped.id, clock())
    clock.advance(timedelta(minutes=2))
    sent_before = len(fake.requests_to(MULTICAST))

    with pytest.raises(RepeatedBroadcastError) as raised:
        sender.send(request())

    message = str(raised.value)
    assert f"broadcast {stopped.id} sent a request with the same text" in message
    assert "which LINE did not confirm" in message
    assert "at 2026-05-01 12:00 JST (2 minutes ago)" in message
    assert len(fake.requests_to(MULTICAST)) == sent_before
    assert sender.send(request(), again=True).sent_now == 1


def test_unconfirmed_send_after_window_is_sent(sender, log, clock, fake):
    fake.fail_next(MULTICAST, 500, times=4)
    with pytest.raises(BroadcastStoppedError):
        sender.send(request())
    (stopped,) = log.unfinished()
    log.cancel(stopped.id, clock())
    clock.advance(REPEAT_WINDOW + timedelta(minutes=1))

    assert sender.send(request()).sent_now == 1


def run_send(monkeypatch, capsys, settings: Settings, fake, *options: str):
    """Run `cityline broadcast send` to kosodate with TEXT and ``options``."""
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "test-token")
    monkeypatch.setenv("CITYLINE_LINE_API_URL", fake.base_url)
    monkeypatch.setenv("CITYLINE_LINE_DATA_API_URL", fake.base_url)
    monkeypatch.setenv(
        "CITYLINE_DATABASE_URL", sqlite_url(settings.data_dir / "app.db")
    )
    monkeypatch.setenv("CITYLINE_USER_HASH_KEY_FILE", str(settings.data_dir / "k"))
    (settings.data_dir / "k").write_bytes(HASH_KEY)
    (settings.data_dir / "k").chmod(0o600)
    argv = ["cityline", "--data-dir", str(settings.data_dir), "broadcast", "send"]
    argv += ["--category", "kosodate", "--text", TEXT[0], *options]
    return run_console(argv, monkeypatch, capsys)


def test_send_twice_from_command_line(monkeypatch, capsys, settings, store, fake):
    first = run_send(monkeypatch, capsys, settings, fake)
    second = run_send(monkeypatch, capsys, settings, fake)
    sent_after_second = len(fake.requests_to(MULTICAST))
    third = run_send(monkeypatch, capsys, settings, fake, "--again")

    assert first.returncode == 0, first.stderr
    broadcast_id = first.stdout.split()[1].rstrip(":")
    lines = second.stderr.strip().splitlines()
    assert second.returncode == 2
    assert second.stdout == ""
    assert lines[-1].startswith(f"error: broadcast {broadcast_id} sent the same text")
    assert "--again" in lines[-1]
    assert sent_after_second == 1
    assert third.returncode == 0, third.stderr
    assert len(fake.requests_to(MULTICAST)) == 2


def test_delivery_during_another_is_rejected(sender, settings, log, fake):
    fake.fail_next(MULTICAST, 500, times=100)
    with pytest.raises(BroadcastStoppedError):
        sender.send(request())
    [stopped] = log.recent()
    sent_before = len(fake.requests_to(MULTICAST))

    with exclusive_lock(settings.data_dir / DELIVERY_LOCK_NAME, RuntimeError()):
        with pytest.raises(DeliveryBusyError, match="process \\d+ is sending") as busy:
            sender.resume(stopped.id)
        assert "run `cityline broadcast resume`" in str(busy.value)
        assert busy.value.exit_code == 3
        with pytest.raises(DeliveryBusyError) as busy:
            sender.send(request(bodies=("別のお知らせ",)))
        assert "nothing of this broadcast was stored or sent" in str(busy.value)
        assert "run the same `cityline broadcast send` again" in str(busy.value)

    assert len(fake.requests_to(MULTICAST)) == sent_before
    assert [record.id for record in log.recent()] == [stopped.id]
