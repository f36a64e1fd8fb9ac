"""Database errors never carry the values of a statement: they hold LINE user ids
and residents' messages, and errors end up in logs."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, MetaData, String, Table, insert
from sqlalchemy.exc import IntegrityError

from cityline.db import (
    create_db_engine,
    create_read_only_engine,
    ensure_schema,
    sqlite_file,
    sqlite_url,
)
from cityline.errors import DataDirError

USER_ID = "U4af4980629d3a1b2c3d4e5f6a7b8c9d0"

metadata = MetaData()
residents = Table("residents", metadata, Column("user_id", String, primary_key=True))


def test_failed_write_hides_the_user_id(tmp_path):
    engine = create_db_engine(sqlite_url(tmp_path / "app.db"))
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(residents).values(user_id=USER_ID))

    with pytest.raises(IntegrityError) as raised, engine.begin() as connection:
        connection.execute(insert(residents).values(user_id=USER_ID))

    assert USER_ID not in str(raised.value)
    assert "hidden" in str(raised.value)


def test_read_only_engine_hides_the_user_id(tmp_path):
    path = tmp_path / "app.db"
    writer = create_db_engine(sqlite_url(path))
    metadata.create_all(writer)
    writer.dispose()
    engine = create_read_only_engine(sqlite_url(path))

    with pytest.raises(Exception) as raised, engine.begin() as connection:
        connection.execute(insert(residents).values(user_id=USER_ID))

    assert USER_ID not in str(raised.value)


def test_sqlite_uri_reads_file_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "data" / "app.db"
    url = f"sqlite:///file:{path}?uri=true"

    engine = create_db_engine(url)
    metadata.create_all(engine)
    engine.dispose()

    assert sqlite_file(url) == path
    assert path.is_file()
    assert not (tmp_path / "file:").exists()


@pytest.mark.parametrize("create", [create_db_engine, create_read_only_engine])
def test_folder_path_is_rejected(tmp_path, create):
    folder = tmp_path / "app.db"
    folder.mkdir()

    with pytest.raises(DataDirError) as raised:
        create(sqlite_url(folder))

    assert f"{str(folder)!r} is a folder" in str(raised.value)
    assert "move it away" in str(raised.value)


def test_read_only_open_failure_says_reading(tmp_path):
    engine = create_read_only_engine(sqlite_url(tmp_path / "missing.db"))

    with pytest.raises(DataDirError) as raised:
        ensure_schema(engine, "residents", metadata, 1)

    assert "cannot be opened for reading" in str(raised.value)
    assert not (tmp_path / "missing.db").exists()
