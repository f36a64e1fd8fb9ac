"""Receive settings store: per-resident changes, aggregates and the privacy floor."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event, insert, select

from cityline.db import create_db_engine, sqlite_url
from cityline.errors import DataDirError
from webhook.broadcasts.privacy import AudienceTooSmallError
from webhook.broadcasts.store import (
    ReceiveSettingsStore,
    attributes,
    friends,
    key_check,
    subscriptions,
)

HASH_KEY = b"k" * 32


def user(number: int) -> str:
    return f"U{number:032x}"


@pytest.fixture
def store(tmp_path) -> ReceiveSettingsStore:
    engine = create_db_engine(sqlite_url(tmp_path / "app.db"))
    return ReceiveSettingsStore(engine, HASH_KEY)


def test_new_friend_starts_with_safety_only(store):
    assert store.start_defaults(user(1)) is True
    assert store.own_settings(user(1)).categories == {"bosai"}


def test_start_defaults_keeps_existing_choices(store):
    store.set_subscription(user(1), "gomi", True)
    assert store.start_defaults(user(1)) is False
    assert store.own_settings(user(1)).categories == {"gomi"}


def test_repeated_follow_keeps_all_categories_off(store):
    store.start_defaults(user(1))
    store.set_subscription(user(1), "bosai", False)
    assert store.start_defaults(user(1)) is False
    assert store.own_settings(user(1)).is_empty


def test_resident_with_only_attributes_is_known(store):
    # A resident of a database made before greeted friends were recorded.
    store.set_attribute(user(1), "area", "sakai")
    assert store.start_defaults(user(1)) is False
    assert store.own_settings(user(1)).categories == set()


def test_friends_table_shares_no_key_with_attributes(store):
    for number in range(5):
        store.start_defaults(user(number))
        store.set_attribute(user(number), "gender", "female")
    with store.engine.connect() as connection:
        greeted = set(connection.execute(select(friends.c.user_id)).scalars())
        subjects = set(connection.execute(select(attributes.c.subject)).scalars())
    assert greeted == {user(number) for number in range(5)}
    assert greeted.isdisjoint(subjects)


def test_answers_are_not_stored_in_the_order_given(store):
    # Residents add the account and answer in the same order; the stored
    # answers must not come back in that order, or the friends' order would
    # name them.
    for number in range(30):
        store.start_defaults(user(number))
        store.set_attribute(user(number), "age_band", f"{20 + number % 5 * 10}s")
    with store.engine.connect() as connection:
        stored = list(connection.exec_driver_sql("SELECT subject FROM recv_attributes"))
    subjects = [row[0] for row in stored]
    assert subjects == sorted(subjects)
    answer_order = [store._subject(user(number)) for number in range(30)]
    assert subjects != answer_order


def older_store(tmp_path, answers: int) -> ReceiveSettingsStore:
    """Return a store whose answers table is made as cityline made it before,
    with rowids in answer order, holding ``answers`` answers."""
    engine = create_db_engine(sqlite_url(tmp_path / "app.db"))
    old = ReceiveSettingsStore(engine, HASH_KEY)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE recv_attributes")
        connection.exec_driver_sql(
            "CREATE TABLE recv_attributes (subject VARCHAR(64) PRIMARY KEY, "
            "gender VARCHAR(32), age_band VARCHAR(32), area VARCHAR(64))"
        )
    for number in range(answers):
        old.set_attribute(user(number), "area", "sakai")
    return old


def test_older_answers_lose_their_order(tmp_path):
    engine = older_store(tmp_path, answers=12).engine

    reopened = ReceiveSettingsStore(engine, HASH_KEY)

    with engine.connect() as connection:
        created = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'recv_attributes'"
        ).scalar_one()
        subjects = list(
            connection.exec_driver_sql("SELECT subject FROM recv_attributes").scalars()
        )
    assert "WITHOUT ROWID" in created.upper()
    assert subjects == sorted(subjects)
    assert len(subjects) == 12
    assert reopened.own_settings(user(3)).attributes == {"area": "sakai"}


def test_interrupted_rebuild_raises_its_own_error(tmp_path):
    # SQLite rolls the whole transaction back itself when it interrupts an
    # INSERT. The rebuild must raise that interrupt, not a failed ROLLBACK.
    engine = older_store(tmp_path, answers=12).engine
    engine.dispose()

    def interrupt_copy(connection, _record) -> None:
        statement = [""]
        connection.set_trace_callback(lambda sql: statement.__setitem__(0, sql))
        connection.set_progress_handler(
            lambda: statement[0].startswith("INSERT INTO recv_attributes_ordered"),
            1,
        )

    event.listen(engine, "connect", interrupt_copy)
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        ReceiveSettingsStore(engine, HASH_KEY)
    event.remove(engine, "connect", interrupt_copy)
    engine.dispose()

    with engine.connect() as connection:
        created = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'recv_attributes'"
        ).scalar_one()
        count = connection.exec_driver_sql(
            "SELECT count(*) FROM recv_attributes"
        ).scalar_one()
    assert "WITHOUT ROWID" not in created.upper()
    assert count == 12


def test_set_subscription_reports_changes(store):
    assert store.set_subscription(user(1), "kosodate", True) is True
    assert store.set_subscription(user(1), "kosodate", True) is False
    assert store.set_subscription(user(1), "kosodate", False) is True
    assert store.set_subscription(user(1), "kosodate", False) is False
    assert store.own_settings(user(1)).is_empty


def test_attributes_round_trip_and_no_answer_removes(store):
    store.set_attribute(user(1), "area", "sakai")
    store.set_attribute(user(1), "age_band", "30s")
    assert store.own_settings(user(1)).attributes == {
        "area": "sakai",
        "age_band": "30s",
    }

    store.set_attribute(user(1), "area", None)
    assert store.own_settings(user(1)).attributes == {"age_band": "30s"}
    store.set_attribute(user(1), "age_band", None)
    assert store.own_settings(user(1)).attributes == {}
    with store.engine.connect() as connection:
        assert connection.execute(select(attributes)).all() == []


def test_attribute_table_holds_no_user_id(store):
    store.set_subscription(user(7), "bosai", True)
    store.set_attribute(user(7), "gender", "female")
    with store.engine.connect() as connection:
        rows = connection.execute(select(attributes)).all()
    assert len(rows) == 1
    assert user(7) not in repr(rows)
    assert rows[0].subject != user(7)


def test_unknown_attribute_is_rejected(store):
    with pytest.raises(ValueError, match="unknown attribute 'income'"):
        store.set_attribute(user(1), "income", "high")


def test_delete_resident_removes_everything(store):
    store.start_defaults(user(1))
    store.set_subscription(user(1), "bosai", True)
    store.set_subscription(user(1), "gomi", True)
    store.set_attribute(user(1), "area", "sakai")
    store.set_subscription(user(2), "bosai", True)

    store.delete_resident(user(1))

    assert store.own_settings(user(1)).is_empty
    assert store.own_settings(user(2)).categories == {"bosai"}
    with store.engine.connect() as connection:
        assert connection.execute(select(attributes)).all() == []
        assert user(1) not in set(
            connection.execute(select(friends.c.user_id)).scalars()
        )


def test_counts_per_category_and_attribute(store):
    for number in range(12):
        store.set_subscription(user(number), "bosai", True)
    for number in range(3):
        store.set_subscription(user(number), "gomi", True)
        store.set_attribute(user(number), "area", "sakai")
    store.set_attribute(user(5), "gender", "male")

    assert store.count_residents() == 12
    assert store.count_subscribers() == {"bosai": 12, "gomi": 3}
    counts = store.count_attributes()
    assert counts["area"] == {"sakai": 3}
    assert counts["gender"] == {"male": 1}
    assert counts["age_band"] == {}


def test_audience_without_filters_may_be_small(store):
    for number in range(3):
        store.set_subscription(user(number), "gomi", True)
    audience = store.audience("gomi", {})
    assert audience.user_ids == (user(0), user(1), user(2))


def test_audience_filters_by_attributes(store):
    for number in range(30):
        store.set_subscription(user(number), "kosodate", True)
        store.set_attribute(user(number), "area", "sakai" if number < 12 else "nakacho")
    store.set_attribute(user(40), "area", "sakai")  # answered but not subscribed

    audience = store.audience("kosodate", {"area": "sakai"})

    assert audience.user_ids == tuple(user(n) for n in range(12))


def test_audience_of_nine_is_rejected(store):
    for number in range(20):
        store.set_subscription(user(number), "kenko", True)
    for number in range(9):
        store.set_attribute(user(number), "age_band", "70plus")

    with pytest.raises(AudienceTooSmallError, match="reach <10 residents") as error:
        store.audience("kenko", {"age_band": "70plus"})
    assert "at least 10" in str(error.value)


def test_audience_repr_hides_user_ids(store):
    store.set_subscription(user(1), "bosai", True)
    assert user(1) not in repr(store.audience("bosai", {}))


def test_store_works_on_postgres(postgres_url):
    engine = create_db_engine(postgres_url)
    store = ReceiveSettingsStore(engine, HASH_KEY)
    with engine.begin() as connection:
        connection.execute(
            insert(subscriptions),
            [{"user_id": user(n), "category": "bosai"} for n in range(15)],
        )
    for number in range(11):
        store.set_attribute(user(number), "area", "gotenyama")
    store.set_subscription(user(1), "gomi", True)

    assert store.count_subscribers()["bosai"] == 15
    assert len(store.audience("bosai", {"area": "gotenyama"})) == 11
    store.delete_resident(user(1))
    assert store.own_settings(user(1)).is_empty
    assert store.count_attributes()["area"] == {"gotenyama": 10}


def test_store_rejects_other_key(store):
    store.set_attribute(user(1), "area", "sakai")
    with pytest.raises(DataDirError, match="not the one this database"):
        ReceiveSettingsStore(store.engine, b"x" * 32)
    lazy = ReceiveSettingsStore(store.engine, lambda: b"y" * 32)
    with pytest.raises(DataDirError, match="point CITYLINE_USER_HASH_KEY_FILE"):
        lazy.own_settings(user(1))
    own = ReceiveSettingsStore(store.engine, HASH_KEY).own_settings(user(1))
    assert own.attributes == {"area": "sakai"}


def forget_fingerprint(store: ReceiveSettingsStore) -> None:
    """Make the database look written before key fingerprints were stored."""
    with store.engine.begin() as connection:
        connection.execute(key_check.delete())


def test_key_adopted_only_when_answers_match(store):
    store.set_subscription(user(1), "kenko", True)
    store.set_attribute(user(1), "area", "sakai")
    forget_fingerprint(store)

    with pytest.raises(DataDirError, match="not the one"):
        ReceiveSettingsStore(store.engine, b"x" * 32)
    staff = ReceiveSettingsStore(store.engine, lambda: HASH_KEY, adopt_key=False)
    assert staff.own_settings(user(1)).attributes == {"area": "sakai"}
    with store.engine.connect() as connection:
        assert connection.execute(select(key_check)).all() == []

    ReceiveSettingsStore(store.engine, HASH_KEY)
    with pytest.raises(DataDirError):
        ReceiveSettingsStore(store.engine, b"x" * 32)


def test_key_adopted_with_late_subscribers(store):
    with store.engine.begin() as connection:
        connection.execute(
            insert(subscriptions),
            [{"user_id": user(n), "category": "bosai"} for n in range(2500)],
        )
    store.set_attribute(user(2499), "area", "sakai")
    forget_fingerprint(store)
    ReceiveSettingsStore(store.engine, HASH_KEY)
    with store.engine.connect() as connection:
        assert connection.execute(select(key_check)).all() != []


def test_interrupted_rebuild_keeps_the_answers(tmp_path):
    engine = older_store(tmp_path, answers=5).engine
    with engine.begin() as connection:
        # A view in the way makes the rebuild fail half-way.
        connection.exec_driver_sql(
            "CREATE VIEW recv_attributes_ordered AS SELECT 1 AS one"
        )

    with pytest.raises(Exception, match="view"):
        ReceiveSettingsStore(engine, HASH_KEY)

    with engine.begin() as connection:
        tables = set(
            connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            ).scalars()
        )
        count = connection.exec_driver_sql(
            "SELECT count(*) FROM recv_attributes"
        ).scalar_one()
        connection.exec_driver_sql("DROP VIEW recv_attributes_ordered")
    assert count == 5
    assert not any(name.startswith("recv_attributes_") for name in tables)
    reopened = ReceiveSettingsStore(engine, HASH_KEY)
    assert reopened.own_settings(user(2)).attributes == {"area": "sakai"}
