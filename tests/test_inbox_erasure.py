"""What the SQLite files keep of handled events: no user id, no answer.

The inbox stores each event's JSON until it is handled. These tests read the
bytes of the real database and -wal files, as someone with a copy of the data
dir could, after the events were handled and the resident's data deleted.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityline.db import create_db_engine, sqlite_url
from cityline.fake_line_api import FakeLineApi
from webhook import app as webhook_app
from webhook.app import create_app
from webhook.broadcasts.flow import build_settings_flow
from webhook.inbox import Inbox
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

RESIDENT = "U" + "c" * 32
OTHER = "U" + "d" * 32
SET_AREA = "flow=settings&action=set&attr=area&value=sakai"
SET_AGE = "flow=settings&action=set&attr=age_band&value=70plus"
DELETE_ALL = "flow=settings&action=delete&confirmed=1"


class NoAnswerer:
    def ask(self, question: str, top_k: int = 3):
        raise AssertionError(f"the answerer got {question!r}")


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def settings(tmp_path, fake):
    return loopback_settings(tmp_path, fake.base_url)


@pytest.fixture
def database(settings) -> Path:
    return settings.data_dir / "cityline.db"


@pytest.fixture
def app(settings, monkeypatch):
    """Return the app on a SQLite file; a requested checkpoint runs at once."""
    monkeypatch.setattr(webhook_app, "CHECKPOINT_DELAY_S", 0.0)
    engine = create_db_engine(settings.app_database_url)
    yield create_app(
        settings,
        answerer=NoAnswerer(),
        engine=engine,
        flows=[build_settings_flow(settings, engine)],
        line_client=LineClient(settings, backoff_base_s=0.01),
    )
    engine.dispose()


def post(client: TestClient, *events: dict) -> None:
    body = webhook_body(list(events))
    response = client.post(
        "/callback", content=body, headers=signed_headers(body, TEST_CHANNEL_SECRET)
    )
    assert response.status_code == 200


def post_in_turn(client: TestClient, *events: dict) -> None:
    """Post each event in its own body and wait until the worker handled it."""
    for event in events:
        post(client, event)
        assert client.app.state.service.worker.wait_idle(10)


def wait_for_checkpoint(database: Path, timeout_s: float = 10.0) -> None:
    """Wait until the -wal file is empty, as after the requested checkpoint; the
    assertions that follow tell what is left when it never is."""
    wal = Path(f"{database}-wal")
    deadline = time.monotonic() + timeout_s
    while wal.exists() and wal.stat().st_size and time.monotonic() < deadline:
        time.sleep(0.02)


def file_bytes(database: Path) -> dict[str, bytes]:
    """Return the bytes of the database file and of its -wal file, if any."""
    contents = {"db": database.read_bytes()}
    wal = Path(f"{database}-wal")
    contents["wal"] = wal.read_bytes() if wal.exists() else b""
    return contents


@pytest.fixture
def umask_022():
    """Run the test with the usual umask 022, which makes new files 0644."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_new_database_files_are_owner_only(tmp_path, umask_022):
    engine = create_db_engine(sqlite_url(tmp_path / "app.db"))
    inbox = Inbox(engine, UserHasher(b"k" * 32))
    inbox.add([follow_event(RESIDENT)])

    for name in ("app.db", "app.db-wal", "app.db-shm"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, f"{name} has mode {mode:o}"
    engine.dispose()


def test_readable_database_is_warned_once(tmp_path, umask_022, caplog):
    path = tmp_path / "old.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    path.chmod(0o644)
    engine = create_db_engine(sqlite_url(path))

    with caplog.at_level(logging.WARNING, logger="cityline.db"):
        for _ in range(2):
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            engine.dispose()

    warnings = [r.getMessage() for r in caplog.records if "chmod 600" in r.message]
    assert len(warnings) == 1
    assert str(path) in warnings[0]
    assert "mode 644" in warnings[0]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_connections_turn_on_secure_delete(tmp_path):
    engine = create_db_engine(sqlite_url(tmp_path / "app.db"))
    with engine.connect() as connection:
        value = connection.exec_driver_sql("PRAGMA secure_delete").scalar_one()
    engine.dispose()
    assert value == 1


def test_handled_events_leave_no_json(tmp_path):
    database = tmp_path / "app.db"
    engine = create_db_engine(sqlite_url(database))
    inbox = Inbox(engine, UserHasher(b"k" * 32))
    users = [f"U{n:032x}" for n in range(300)]
    items = inbox.add([postback_event(user, SET_AGE) for user in users])
    for item in items:
        inbox.mark_handled(item.seq)

    emptied = inbox.checkpoint()

    contents = file_bytes(database)
    engine.dispose()
    assert emptied
    assert contents["wal"] == b""
    assert b"70plus" not in contents["db"]
    assert [u for u in users if u.encode() in contents["db"]] == []


def test_checkpoint_in_use_is_tried_again(tmp_path):
    database = tmp_path / "app.db"
    engine = create_db_engine(sqlite_url(database))
    inbox = Inbox(engine, UserHasher(b"k" * 32))
    [item] = inbox.add([postback_event(RESIDENT, SET_AGE)])
    reader = sqlite3.connect(database)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM inbox_events").fetchone()
    inbox.mark_handled(item.seq)

    while_read = inbox.checkpoint()
    reader.rollback()
    reader.close()
    after_read = inbox.checkpoint()

    wal = Path(f"{database}-wal").read_bytes()
    engine.dispose()
    assert while_read is False
    assert after_read is True
    assert RESIDENT.encode() not in wal


def test_checkpoint_without_handled_events_does_nothing(tmp_path):
    database = tmp_path / "app.db"
    engine = create_db_engine(sqlite_url(database))
    inbox = Inbox(engine, UserHasher(b"k" * 32))
    inbox.add([postback_event(RESIDENT, SET_AGE)])

    emptied = inbox.checkpoint()

    wal = Path(f"{database}-wal").read_bytes()
    engine.dispose()
    assert emptied
    # The event is pending, so its JSON must stay readable for the worker.
    assert RESIDENT.encode() in wal


def test_deleted_answers_leave_no_trace(app, database):
    with TestClient(app) as client:
        post_in_turn(
            client,
            follow_event(RESIDENT),
            follow_event(OTHER),
            postback_event(RESIDENT, SET_AREA),
            postback_event(RESIDENT, SET_AGE),
            postback_event(RESIDENT, DELETE_ALL),
        )
        wait_for_checkpoint(database)
        contents = file_bytes(database)

    for name, content in contents.items():
        assert RESIDENT.encode() not in content, f"user id in the {name} file"
        assert b"value=sakai" not in content, f"area answer in the {name} file"
        assert b"70plus" not in content, f"age answer in the {name} file"
    assert OTHER.encode() in contents["db"]


def test_unfollow_leaves_no_trace(app, database):
    with TestClient(app) as client:
        post_in_turn(
            client,
            follow_event(RESIDENT),
            postback_event(RESIDENT, SET_AGE),
            unfollow_event(RESIDENT),
        )
        wait_for_checkpoint(database)
        contents = file_bytes(database)

    for name, content in contents.items():
        assert RESIDENT.encode() not in content, f"user id in the {name} file"
        assert b"70plus" not in content, f"age answer in the {name} file"


def test_stop_empties_the_wal(app, database):
    with TestClient(app) as client:
        post_in_turn(
            client, text_event(RESIDENT, "受信設定"), text_event(OTHER, "こんにちは")
        )

    contents = file_bytes(database)
    assert contents["wal"] == b""
    assert RESIDENT.encode() not in contents["db"]
    assert "こんにちは".encode() not in contents["db"]


@pytest.mark.parametrize(
    ("event", "requested"),
    [
        (postback_event(RESIDENT, SET_AGE), True),
        (postback_event(RESIDENT, "flow=settings&action=show"), True),
        (unfollow_event(RESIDENT), True),
        (postback_event(RESIDENT, "flow=report&action=start"), False),
        (text_event(RESIDENT, "こんにちは"), False),
        (follow_event(RESIDENT), False),
    ],
    ids=["answer", "settings card", "unfollow", "report", "text", "follow"],
)
def test_checkpoint_requested_after_private_events(app, event, requested):
    inbox = app.state.service.inbox
    [item] = inbox.add([event])

    app.state.service.handler.handle_item(item)

    assert inbox.wait_for_checkpoint_request(0) is requested
