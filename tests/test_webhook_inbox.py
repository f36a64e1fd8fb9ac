"""The inbox store on a real SQLite file: dedupe, order, clearing and pruning."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from cityline.db import create_db_engine, sqlite_url
from webhook.inbox import Inbox, inbox_events, inbox_follow_marks
from webhook.privacy import UserHasher
from webhook.testing import follow_event, postback_event, text_event, unfollow_event


@pytest.fixture
def engine(tmp_path):
    engine = create_db_engine(sqlite_url(tmp_path / "app.db"))
    yield engine
    engine.dispose()


@pytest.fixture
def inbox(engine):
    return Inbox(engine, UserHasher(b"k" * 32))


def rows(engine):
    with engine.connect() as connection:
        return connection.execute(select(inbox_events)).mappings().all()


def test_add_stores_new_events_once(inbox):
    first = text_event("Ua", "一")
    second = text_event("Ub", "二")
    assert [item.event_id for item in inbox.add([first, second, first])] == [
        first["webhookEventId"],
        second["webhookEventId"],
    ]
    assert inbox.add([first, second]) == []


def test_pending_oldest_first_with_raw_event(inbox):
    events = [text_event("Ua", f"質問{i}") for i in range(5)]
    inbox.add(events[:2])
    inbox.add(events[2:])
    pending = inbox.pending()
    assert [item.raw["message"]["text"] for item in pending] == [
        f"質問{i}" for i in range(5)
    ]
    assert len({item.source_hash for item in pending}) == 1


def test_source_hash_is_keyed_not_user_id(inbox, engine):
    inbox.add([text_event("Usecret", "本文")])
    [row] = rows(engine)
    assert "Usecret" not in row["source_hash"]
    assert row["source_hash"] == UserHasher(b"k" * 32).hash("Usecret")
    assert row["source_hash"] != UserHasher(b"j" * 32).hash("Usecret")


def test_mark_handled_clears_body(inbox, engine):
    [item] = inbox.add([text_event("Ua", "本文")])
    inbox.mark_handled(item.seq)
    [row] = rows(engine)
    assert row["body"] is None
    assert row["source_hash"] is None
    assert row["handled_at"] is not None
    assert inbox.pending() == []
    assert inbox.add([text_event("Ua", "本文", event_id=item.event_id)]) == []


def test_forget_source_keeps_later_events(inbox):
    older, unfollow, refollow = inbox.add(
        [text_event("Ua", "古い"), unfollow_event("Ua"), follow_event("Ua")]
    )
    assert inbox.forget_source("Ua", before_seq=unfollow.seq) == 1
    assert [item.event_id for item in inbox.pending()] == [
        unfollow.event_id,
        refollow.event_id,
    ]


def test_prune_deletes_old_handled_ids(inbox, engine):
    old, recent, pending = inbox.add([text_event("Ua", str(i)) for i in range(3)])
    inbox.mark_handled(old.seq)
    inbox.mark_handled(recent.seq)
    with engine.begin() as connection:
        connection.execute(
            update(inbox_events)
            .where(inbox_events.c.seq == old.seq)
            .values(handled_at=time.time() - 8 * 24 * 3600)
        )
    assert inbox.prune() == 1
    assert [row["seq"] for row in rows(engine)] == [recent.seq, pending.seq]


def read_only_engine(path):
    return create_db_engine(f"sqlite:///file:{path}?mode=ro&uri=true")


def test_check_writable_fails_on_read_only_database(tmp_path):
    path = tmp_path / "app.db"
    engine = create_db_engine(sqlite_url(path))
    Inbox(engine, UserHasher(b"k" * 32)).check_writable()
    engine.dispose()
    read_only = read_only_engine(path)
    inbox = Inbox(read_only, UserHasher(b"k" * 32))
    with pytest.raises(OperationalError, match="readonly"):
        inbox.check_writable()
    read_only.dispose()


def test_late_events_before_unfollow_ignored(inbox):
    sent = int(time.time() * 1000)
    early = postback_event("Ua", "flow=settings&action=toggle&category=kenko&to=on")
    early["timestamp"] = sent - 5000
    unfollow = unfollow_event("Ua")
    unfollow["timestamp"] = sent
    later = follow_event("Ua")
    later["timestamp"] = sent + 1000
    other = text_event("Ub", "別の人")
    other["timestamp"] = sent - 5000

    [stored_unfollow] = inbox.add([unfollow])
    assert stored_unfollow.event_id == unfollow["webhookEventId"]
    added = inbox.add([early, other, later])
    assert [item.event_id for item in added] == [
        other["webhookEventId"],
        later["webhookEventId"],
    ]


def test_follow_marks_are_pruned_with_old_ids(inbox, engine):
    inbox.add([unfollow_event("Ua")])
    with engine.begin() as connection:
        connection.execute(
            update(inbox_follow_marks).values(noted_at=time.time() - 8 * 24 * 3600)
        )
    inbox.prune()
    with engine.connect() as connection:
        assert connection.execute(select(inbox_follow_marks)).all() == []


def stamped(event: dict, ms: int) -> dict:
    event["timestamp"] = ms
    return event


def test_unfollow_older_than_a_later_follow_is_ignored(inbox):
    now = int(time.time() * 1000)
    inbox.add([stamped(follow_event("Ua"), now - 3000)])
    stale = stamped(unfollow_event("Ua"), now - 5000)
    assert inbox.add([stale]) == []


def test_call_stored_in_sending_order(inbox):
    now = int(time.time() * 1000)
    unfollow = stamped(unfollow_event("Ua"), now - 5000)
    earlier = stamped(postback_event("Ua", "flow=settings&action=show"), now - 6000)
    stored = inbox.add([unfollow, earlier])
    assert [item.event_id for item in stored] == [
        earlier["webhookEventId"],
        unfollow["webhookEventId"],
    ]


def test_events_without_id_are_counted_in_one_line(inbox, caplog):
    caplog.set_level("WARNING", logger="webhook.inbox")
    assert inbox.add([{}] * 1000 + [text_event("Uaaa", "質問")]) != []
    lines = [
        r.getMessage() for r in caplog.records if "webhookEventId" in r.getMessage()
    ]
    assert lines == ["skipped 1000 LINE events without webhookEventId"]
