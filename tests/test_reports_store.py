"""Tests of the report store: receipts, statuses, duplicates, forgetting users."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from cityline.db import create_db_engine, sqlite_url
from webhook.reports.models import Draft, StoredPhoto
from webhook.reports.statuses import (
    STATUSES,
    TRANSITIONS,
    InvalidTransitionError,
    UnknownStatusError,
)
from webhook.reports.store import (
    ConcurrentChangeError,
    ReportNotFoundError,
    ReportStore,
    new_draft_id,
    receipt_key,
)

KEY = b"k" * 32


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 4, 1, 0, tzinfo=UTC))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Yield an empty app database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "app.db")
        return
    server_url = make_url(request.getfixturevalue("postgres_url"))
    name = f"reports_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server_url.set(database=name).render_as_string(hide_password=False)
    admin.dispose()


@pytest.fixture
def store(database_url, clock) -> ReportStore:
    engine = create_db_engine(database_url)
    yield ReportStore(engine, KEY, clock=clock)
    engine.dispose()


def make_draft(category="road", latitude=35.7031, longitude=139.5798, **extra):
    photo = StoredPhoto(
        path="ab/x.jpg", sha256="0" * 64, width=4, height=3, size_bytes=9
    )
    return Draft(
        draft_id=new_draft_id(),
        step="confirm",
        category=category,
        photos=[photo],
        latitude=latitude,
        longitude=longitude,
        comment=extra.pop("comment", "穴が深い"),
        **extra,
    )


def test_receipt_numbers_count_up_per_year(store, clock):
    first, _ = store.submit("h1", make_draft(), "道路管理課")
    second, _ = store.submit("h1", make_draft(latitude=35.72), "道路管理課")
    assert first.receipt_no == "R2026-000001"
    assert second.receipt_no == "R2026-000002"
    clock.now = datetime(2027, 1, 5, 1, 0, tzinfo=UTC)
    third, _ = store.submit("h1", make_draft(latitude=35.71), "道路管理課")
    assert third.receipt_no == "R2027-000001"


def test_submit_is_idempotent_by_draft(store):
    draft = make_draft()
    report, created = store.submit("h1", draft, "道路管理課")
    again, created_again = store.submit("h1", draft, "道路管理課")
    assert created
    assert not created_again
    assert again.receipt_no == report.receipt_no
    assert len(store.list()) == 1


def test_submit_deletes_the_draft(store):
    draft = make_draft()
    store.save_draft("h1", draft)
    store.submit("h1", draft, "道路管理課")
    assert store.load_draft("h1") is None


def test_submit_requires_photo_and_location(store):
    no_photo = make_draft()
    no_photo.photos = []
    with pytest.raises(ValueError, match="no photo"):
        store.submit("h1", no_photo, "道路管理課")
    nowhere = make_draft(latitude=None, longitude=None)
    with pytest.raises(ValueError, match="no location"):
        store.submit("h1", nowhere, "道路管理課")


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(999.0, 999.0), (35.7, 181.0), (float("nan"), 139.5)]
)
def test_submit_rejects_invalid_point(store, latitude, longitude):
    draft = make_draft(latitude=latitude, longitude=longitude)
    with pytest.raises(ValueError, match="invalid point"):
        store.submit("h1", draft, "道路管理課")
    assert store.list() == []


def test_report_fields_round_trip(store):
    draft = make_draft(address="吉祥寺本町1丁目", urgent=True, outside_city=False)
    report, _ = store.submit("h1", draft, "道路管理課")
    loaded = store.get(report.receipt_no)
    assert loaded.category == "road"
    assert loaded.department == "道路管理課"
    assert loaded.status == "submitted"
    assert loaded.address == "吉祥寺本町1丁目"
    assert loaded.urgent
    assert loaded.comment == "穴が深い"
    assert loaded.photos[0].path == "ab/x.jpg"
    assert loaded.created_at == datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
    assert loaded.history[0].new_status == "submitted"
    assert loaded.history[0].changed_by == "resident"


def test_user_id_is_stored_only_as_keyed_hash(tmp_path, store):
    user_hash = store.hash_user("U1234567890abcdef")
    assert user_hash != "U1234567890abcdef"
    assert len(user_hash) == 64
    assert ReportStore(store.engine, b"other key").hash_user("U1234567890abcdef") != (
        user_hash
    )
    store.submit(user_hash, make_draft(), "道路管理課")
    with store.engine.connect() as connection:
        dump = "\n".join(
            str(row)
            for table in ("report_reports", "report_status_history", "report_photos")
            for row in connection.execute(text(f"SELECT * FROM {table}"))
        )
    assert "U1234567890abcdef" not in dump


def test_every_allowed_status_change(store, clock):
    for old, targets in TRANSITIONS.items():
        for new in targets:
            report, _ = store.submit(
                "h1", make_draft(latitude=None, address="中町1丁目"), "道路管理課"
            )
            path = _path_to(old)
            for step in path:
                store.set_status(
                    report.receipt_no, step, changed_by="tanaka", note=step
                )
            clock.now += timedelta(minutes=1)
            changed = store.set_status(
                report.receipt_no, new, changed_by="suzuki", note=f"{old}->{new}"
            )
            assert changed.status == new
            last = changed.history[-1]
            assert (last.old_status, last.new_status) == (old, new)
            assert last.changed_by == "suzuki"
            assert last.note == f"{old}->{new}"
            assert last.changed_at == clock.now


def _path_to(status: str) -> list[str]:
    paths = {
        "submitted": [],
        "accepted": ["accepted"],
        "in_progress": ["accepted", "in_progress"],
        "resolved": ["accepted", "resolved"],
        "not_city_managed": ["not_city_managed"],
        "rejected": ["rejected"],
        "removed": ["removed"],
    }
    return paths[status]


def test_invalid_status_change_names_the_status(store):
    report, _ = store.submit("h1", make_draft(), "道路管理課")
    store.set_status(report.receipt_no, "removed", changed_by="t", note="広告")
    with pytest.raises(InvalidTransitionError, match="'removed'.*'accepted'"):
        store.set_status(report.receipt_no, "accepted", changed_by="t", note="")
    assert store.get(report.receipt_no).status == "removed"
    assert len(store.get(report.receipt_no).history) == 2


def test_status_changed_meanwhile_writes_nothing(store):
    report, _ = store.submit("h1", make_draft(), "道路管理課")
    other = ReportStore(store.engine, KEY, clock=store.now)
    raced = []

    def change_first(conn, cursor, statement, parameters, context, executemany):
        # Another staff member's change lands between this read and this write.
        if statement.lstrip().upper().startswith("UPDATE REPORT_REPORTS") and not raced:
            raced.append(True)
            other.set_status(report.receipt_no, "rejected", changed_by="b", note="b")

    event.listen(store.engine, "before_cursor_execute", change_first)
    try:
        with pytest.raises(ConcurrentChangeError, match="by someone else"):
            store.set_status(report.receipt_no, "accepted", changed_by="a", note="a")
    finally:
        event.remove(store.engine, "before_cursor_execute", change_first)

    stored = store.get(report.receipt_no)
    assert stored.status == "rejected"
    assert [entry.new_status for entry in stored.history] == ["submitted", "rejected"]


def test_submitted_cannot_jump_to_resolved(store):
    report, _ = store.submit("h1", make_draft(), "道路管理課")
    with pytest.raises(InvalidTransitionError, match="'submitted'"):
        store.set_status(report.receipt_no, "resolved", changed_by="t", note="")


def test_unknown_status_and_report(store):
    report, _ = store.submit("h1", make_draft(), "道路管理課")
    with pytest.raises(UnknownStatusError, match="'done'"):
        store.set_status(report.receipt_no, "done", changed_by="t", note="")
    with pytest.raises(ReportNotFoundError, match="R2026-999999"):
        store.set_status("R2026-999999", "accepted", changed_by="t", note="")


def test_times_follow_the_status(store, clock):
    report, _ = store.submit("h1", make_draft(), "道路管理課")
    clock.now += timedelta(hours=1)
    accepted = store.set_status(report.receipt_no, "accepted", changed_by="t", note="")
    assert accepted.accepted_at == clock.now
    assert accepted.closed_at is None
    clock.now += timedelta(hours=1)
    resolved = store.set_status(
        report.receipt_no, "resolved", changed_by="t", note="補修"
    )
    assert resolved.closed_at == clock.now
    assert resolved.result_note == "補修"


def test_nearby_open_report_of_same_category_is_linked(store):
    first, _ = store.submit("h1", make_draft(), "道路管理課")
    # About 22 m north of the first report.
    near, _ = store.submit("h2", make_draft(latitude=35.7033), "道路管理課")
    # About 44 m south: too far from both.
    far, _ = store.submit("h3", make_draft(latitude=35.7027), "道路管理課")
    other_kind, _ = store.submit(
        "h4", make_draft(category="streetlight", latitude=35.7031), "道路管理課"
    )
    assert near.duplicate_of == first.receipt_no
    assert far.duplicate_of is None
    assert other_kind.duplicate_of is None


def test_duplicate_links_point_at_the_first_report(store):
    first, _ = store.submit("h1", make_draft(latitude=35.70300), "道路管理課")
    second, _ = store.submit("h2", make_draft(latitude=35.70320), "道路管理課")
    third, _ = store.submit("h3", make_draft(latitude=35.70321), "道路管理課")
    assert second.duplicate_of == first.receipt_no
    assert third.duplicate_of == first.receipt_no


def test_closed_reports_are_not_duplicate_targets(store):
    first, _ = store.submit("h1", make_draft(), "道路管理課")
    store.set_status(first.receipt_no, "rejected", changed_by="t", note="")
    near, _ = store.submit("h2", make_draft(latitude=35.7032), "道路管理課")
    assert near.duplicate_of is None


def test_drafts_survive_a_new_store(database_url, store, clock):
    draft = Draft(draft_id=new_draft_id(), step="photo", category="tree")
    store.save_draft("h1", draft)
    reopened = ReportStore(create_db_engine(database_url), KEY)
    loaded = reopened.load_draft("h1")
    assert loaded.draft_id == draft.draft_id
    assert loaded.category == "tree"
    assert loaded.updated_at == clock.now


def test_forget_user_deletes_draft_and_unlinks_reports(store):
    store.submit("h1", make_draft(), "道路管理課")
    store.submit("h2", make_draft(latitude=35.72), "道路管理課")
    store.save_draft("h1", Draft(draft_id=new_draft_id(), step="photo"))
    draft, unlinked = store.forget_user("h1")
    assert draft is not None
    assert unlinked == 1
    assert store.load_draft("h1") is None
    hashes = sorted(str(report.user_hash) for report in store.list())
    assert hashes == ["None", "h2"]


def test_count_since(store, clock):
    store.submit("h1", make_draft(), "道路管理課")
    clock.now += timedelta(days=2)
    store.submit("h1", make_draft(latitude=35.72), "道路管理課")
    assert store.count_since("h1", clock.now - timedelta(days=1)) == 1
    assert store.count_since("h2", clock.now - timedelta(days=1)) == 0


def test_list_filters(store):
    store.submit("h1", make_draft(), "道路管理課")
    tree, _ = store.submit("h1", make_draft(category="tree"), "緑のまち推進課")
    store.set_status(tree.receipt_no, "accepted", changed_by="t", note="")
    assert [r.receipt_no for r in store.list(department="緑のまち推進課")] == [
        tree.receipt_no
    ]
    assert [r.receipt_no for r in store.list(status="accepted")] == [tree.receipt_no]
    assert len(store.list()) == 2
    assert set(STATUSES) >= {r.status for r in store.list()}


def test_concurrent_submits_get_unique_receipts(database_url, clock):
    engine = create_db_engine(database_url)
    ReportStore(engine, KEY, clock=clock)
    errors: list[Exception] = []
    receipts: list[str] = []
    lock = threading.Lock()

    def submit_many(worker: int) -> None:
        store = ReportStore(engine, KEY, clock=clock)
        for number in range(8):
            draft = make_draft(latitude=35.70 + worker * 0.01 + number * 0.001)
            try:
                report, _ = store.submit(f"h{worker}", draft, "道路管理課")
            except IntegrityError:
                # The first report of a year may race on the counter row once.
                report, _ = store.submit(f"h{worker}", draft, "道路管理課")
            except Exception as exc:
                errors.append(exc)
                return
            with lock:
                receipts.append(report.receipt_no)

    threads = [threading.Thread(target=submit_many, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert errors == []
    assert len(receipts) == 32
    assert len(set(receipts)) == 32


@pytest.mark.parametrize(
    "typed",
    [
        "R2026-000001",
        "r2026-000001",
        "2026-000001",
        "R２０２６−０００００１",
        "R2026 000001",
        "R2026000001",
        "2026 - 000001",
    ],
)
def test_receipt_number_as_residents_type_it(typed):
    assert receipt_key(typed) == "R2026-000001"


def test_other_text_is_no_receipt_number():
    assert receipt_key("X123") == "X123"
