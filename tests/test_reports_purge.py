"""Tests of the draft purge when a resident saves a draft in the middle of it.

Two engines on one SQLite file play the purging thread and the resident's
thread. A ``before_cursor_execute`` hook saves the resident's draft at the
moment the purge is about to write, which is the interleaving under test.
The last test starts a purge in a second thread while one is running.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from cityline.db import create_db_engine, sqlite_url
from cityline.settings import Settings
from webhook.reports.flow import ReportFlow
from webhook.reports.models import Draft, StoredPhoto
from webhook.reports.store import ReportStore

KEY = b"k" * 32
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def photo(path: str) -> StoredPhoto:
    return StoredPhoto(path=path, sha256="0" * 64, width=4, height=3, size_bytes=9)


@pytest.fixture
def engines(tmp_path):
    """Yield the purger's and the resident's engine on one SQLite file."""
    url = sqlite_url(tmp_path / "app.db")
    purger_engine = create_db_engine(url)
    resident_engine = create_db_engine(url)
    yield purger_engine, resident_engine
    purger_engine.dispose()
    resident_engine.dispose()


def save_at(engine, when: datetime, user_hash: str, draft: Draft) -> None:
    ReportStore(engine, KEY, clock=lambda: when).save_draft(user_hash, draft)


def run_before_first(engine, statement_start: str, action) -> None:
    """Run ``action`` once, just before ``engine`` first executes a statement
    that starts with ``statement_start``."""

    done: list[bool] = []

    def hook(conn, cursor, statement, params, context, executemany):
        if statement.startswith(statement_start) and not done:
            done.append(True)
            action()

    event.listen(engine, "before_cursor_execute", hook)


def test_purge_keeps_draft_saved_meanwhile(engines):
    purger_engine, resident_engine = engines
    week_ago = NOW - timedelta(days=8)
    save_at(resident_engine, week_ago, "u1", Draft(draft_id="old1", step="photo"))
    other = Draft(draft_id="old2", step="photo", photos=[photo("ab/old2.jpg")])
    save_at(resident_engine, week_ago, "u2", other)
    fresh = Draft(draft_id="fresh", step="photo", photos=[photo("ab/fresh.jpg")])
    run_before_first(
        purger_engine,
        "DELETE FROM report_drafts",
        lambda: save_at(resident_engine, NOW, "u1", fresh),
    )

    purger = ReportStore(purger_engine, KEY, clock=lambda: NOW)
    purged = purger.purge_drafts(NOW - timedelta(days=7))

    assert [draft.draft_id for draft in purged] == ["old2"]
    assert purged[0].photos[0].path == "ab/old2.jpg"
    kept = purger.load_draft("u1")
    assert kept is not None
    assert kept.draft_id == "fresh"
    assert [p.path for p in kept.photos] == ["ab/fresh.jpg"]
    assert purger.load_draft("u2") is None


def test_strip_skips_draft_saved_meanwhile(engines):
    purger_engine, resident_engine = engines
    hours_ago = NOW - timedelta(hours=4)
    draft = Draft(draft_id="d1", step="photo", photos=[photo("ab/one.jpg")])
    save_at(resident_engine, hours_ago, "u1", draft)
    other = Draft(draft_id="d2", step="photo", photos=[photo("ab/two.jpg")])
    save_at(resident_engine, hours_ago, "u2", other)
    # The resident, back late, sends the place: the draft moves on with its photo.
    draft.step = "comment"
    draft.latitude, draft.longitude = 35.7031, 139.5798
    run_before_first(
        purger_engine,
        "UPDATE report_drafts",
        lambda: save_at(resident_engine, NOW, "u1", draft),
    )

    purger = ReportStore(purger_engine, KEY, clock=lambda: NOW)
    paths = purger.strip_idle_photos(NOW - timedelta(hours=3))

    assert paths == ["ab/two.jpg"]
    kept = purger.load_draft("u1")
    assert kept.step == "comment"
    assert kept.latitude == 35.7031
    assert [p.path for p in kept.photos] == ["ab/one.jpg"]
    assert purger.load_draft("u2").photos == []


def test_purge_skipped_while_running(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    engine = create_db_engine(settings.app_database_url)
    flow = ReportFlow(settings, engine, lambda message_id: b"", clock=Clock(NOW))
    entered = threading.Event()
    release = threading.Event()
    calls: list[str] = []
    purge_drafts = flow.store.purge_drafts

    def purge_drafts_slowly(idle_before: datetime) -> list[Draft]:
        calls.append(threading.current_thread().name)
        if len(calls) > 1:
            release.set()  # a second purge ran: let the first one finish too
        entered.set()
        # NOTE: the timeout only keeps a broken lock from hanging the suite.
        release.wait(timeout=60)
        return purge_drafts(idle_before)

    flow.store.purge_drafts = purge_drafts_slowly
    first = threading.Thread(target=flow._purge_if_due, args=(NOW,), name="first")
    first.start()
    entered.wait(timeout=60)

    # Another resident's event arrives while the first purge is running.
    flow._purge_if_due(NOW + timedelta(minutes=20))
    release.set()
    first.join()
    engine.dispose()

    assert calls == ["first"]


def test_unlisted_photo_files_are_deleted_once_old(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    engine = create_db_engine(settings.app_database_url)
    flow = ReportFlow(settings, engine, lambda message_id: b"", clock=Clock(NOW))
    save_at(engine, NOW, "resident", Draft(draft_id="d1", step="photo"))
    draft = flow.store.load_draft("resident")
    draft.photos.append(photo("aa/listed.jpg"))
    flow.store.save_draft("resident", draft)
    files = {
        name: settings.photos_dir / name
        for name in ("aa/listed.jpg", "aa/orphan.jpg", "bb/new.jpg", "bb/cut.tmp")
    }
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"jpeg")
    old = (NOW - timedelta(days=2)).timestamp()
    for name in ("aa/listed.jpg", "aa/orphan.jpg", "bb/cut.tmp"):
        os.utime(files[name], (old, old))

    flow._purge_if_due(NOW)
    engine.dispose()

    # A file that nothing lists goes once a day old; a newer one may belong to a
    # draft being saved.
    assert files["aa/listed.jpg"].exists()
    assert files["bb/new.jpg"].exists()
    assert not files["aa/orphan.jpg"].exists()
    assert not files["bb/cut.tmp"].exists()
