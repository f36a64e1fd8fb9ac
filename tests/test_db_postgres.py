import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from cityline.db import create_db_engine, ensure_schema
from cityline.settings import Settings
from webhook.broadcasts.categories import Catalog
from webhook.broadcasts.delivery_log import DeliveryLog
from webhook.broadcasts.sender import (
    BroadcastRequest,
    BroadcastSender,
    DeliveryBusyError,
)
from webhook.broadcasts.store import ReceiveSettingsStore


def test_ensure_schema_on_postgres(postgres_url):
    metadata = MetaData()
    things = Table(
        "pg_things",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(20)),
    )
    engine = create_db_engine(postgres_url)
    ensure_schema(engine, "pg_things", metadata, 1)
    ensure_schema(engine, "pg_things", metadata, 1)

    with engine.begin() as connection:
        connection.execute(insert(things).values(name="街灯"))
    with engine.connect() as connection:
        names = connection.execute(select(things.c.name)).scalars().all()
    assert names == ["街灯"]


def test_broadcast_delivery_lock_is_shared_through_postgres(postgres_url, tmp_path):
    engine = create_db_engine(postgres_url)
    settings = Settings(data_dir=tmp_path / "b", database_url=postgres_url)
    store = ReceiveSettingsStore(engine, b"k" * 32)
    sender = BroadcastSender(settings, store, DeliveryLog(engine), Catalog(), object())
    other_data_dir = DeliveryLog(create_db_engine(postgres_url))

    before = [record.id for record in DeliveryLog(engine).recent()]

    with other_data_dir.advisory_lock() as taken:
        assert taken
        with pytest.raises(DeliveryBusyError, match="app database postgresql"):
            sender.send(BroadcastRequest("bosai", ("訓練のお知らせ",)))

    # The server is shared by the session's tests, so only new rows count.
    assert [record.id for record in DeliveryLog(engine).recent()] == before
