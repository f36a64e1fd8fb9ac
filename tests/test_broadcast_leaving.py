"""A resident who leaves, or turns a category off, leaves unattempted chunks.

A filtered broadcast stores subjects in its chunks and any other stores user
ids, so both kinds are checked. The race with the sender's narrowing is run on
PostgreSQL only: on SQLite the resident's transaction holds the write lock from
its first DELETE, so the sender cannot write between its read and its write.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from cityline.db import create_db_engine, sqlite_url
from webhook.broadcasts.delivery_log import BroadcastRecord, DeliveryLog
from webhook.broadcasts.store import Audience, ReceiveSettingsStore

HASH_KEY = b"k" * 32
NOW = datetime(2026, 5, 1, tzinfo=UTC)


def user(number: int) -> str:
    return f"U{number:032x}"


USERS = [user(number) for number in range(1, 5)]


@pytest.fixture
def engine(tmp_path):
    engine = create_db_engine(sqlite_url(tmp_path / "app.db"))
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine) -> ReceiveSettingsStore:
    return ReceiveSettingsStore(engine, HASH_KEY)


@pytest.fixture
def log(engine) -> DeliveryLog:
    return DeliveryLog(engine)


def create_broadcast(
    log: DeliveryLog, store: ReceiveSettingsStore, category: str, filtered: bool
) -> BroadcastRecord:
    """Store a broadcast to USERS, as the sender stores it, without sending."""
    if filtered:
        audience = Audience(store.subjects(USERS))
    else:
        audience = Audience(tuple(USERS))
    return log.create(
        category=category,
        filters={"area": "sakai"} if filtered else {},
        text="t",
        url=None,
        messages=[],
        audience=audience,
        chunk_size=500,
        now=NOW,
    )


def stored_entries(log: DeliveryLog, record: BroadcastRecord) -> tuple[str, ...]:
    (chunk,) = log.pending_chunks(record.id)
    return chunk.user_ids


@pytest.mark.parametrize("filtered", [False, True])
def test_unfollow_leaves_unattempted_chunk(store, log, filtered):
    record = create_broadcast(log, store, "bosai", filtered)

    store.delete_resident(USERS[0])

    entries = stored_entries(log, record)
    assert len(entries) == 3
    assert USERS[0] not in entries
    assert store.subjects([USERS[0]])[0] not in entries
    assert log.get(record.id).recipients == 3


@pytest.mark.parametrize("filtered", [False, True])
def test_category_off_leaves_its_chunks_only(store, log, filtered):
    for category in ("bosai", "kosodate"):
        store.set_subscription(USERS[0], category, True)
    bosai = create_broadcast(log, store, "bosai", filtered)
    kosodate = create_broadcast(log, store, "kosodate", filtered)

    store.set_subscription(USERS[0], "bosai", False)

    left_entries = stored_entries(log, bosai)
    assert USERS[0] not in left_entries
    assert store.subjects([USERS[0]])[0] not in left_entries
    assert log.get(bosai.id).recipients == 3
    assert len(stored_entries(log, kosodate)) == 4
    assert log.get(kosodate.id).recipients == 4


def test_unfollow_leaves_attempted_chunk_alone(store, log):
    record = create_broadcast(log, store, "bosai", filtered=True)
    (chunk,) = log.pending_chunks(record.id)
    log.mark_attempt(chunk, NOW)

    store.delete_resident(USERS[0])

    assert stored_entries(log, record) == store.subjects(USERS)
    assert log.get(record.id).recipients == 4


@pytest.fixture
def postgres_database(postgres_url) -> str:
    """Yield the URL of a new, empty PostgreSQL database."""
    server_url = make_url(postgres_url)
    name = f"leaving_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server_url.set(database=name).render_as_string(hide_password=False)
    admin.dispose()


def test_category_off_keeps_sender_narrowing(postgres_database):
    server_engine = create_db_engine(postgres_database)
    sender_engine = create_db_engine(postgres_database)
    server = ReceiveSettingsStore(server_engine, HASH_KEY)
    for resident in USERS:
        server.set_subscription(resident, "bosai", True)
    log = DeliveryLog(sender_engine)
    record = create_broadcast(log, server, "bosai", filtered=False)
    (chunk,) = log.pending_chunks(record.id)
    narrowed: list[bool] = []

    def sender_narrows(conn, cursor, statement, params, context, executemany):
        if statement.startswith("UPDATE recv_broadcast_chunks") and not narrowed:
            narrowed.append(True)
            # The sender drops USERS[1], who turned the category off earlier.
            log.narrow_chunk(chunk, [USERS[0], USERS[2], USERS[3]])

    event.listen(server_engine, "before_cursor_execute", sender_narrows)
    server.set_subscription(USERS[3], "bosai", False)
    entries = stored_entries(log, record)
    recipients = log.get(record.id).recipients
    server_engine.dispose()
    sender_engine.dispose()

    assert narrowed == [True]
    assert entries == (USERS[0], USERS[2])
    assert recipients == 2
