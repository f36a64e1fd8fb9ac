import os
import socket
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table

from cityline.db import create_db_engine, ensure_schema, sqlite_url
from cityline.errors import ConfigError, DataDirError, SchemaVersionError
from cityline.settings import Settings


def test_settings_from_env_reads_prefixed_variables(tmp_path):
    settings = Settings.from_env(
        {
            "CITYLINE_DATA_DIR": str(tmp_path),
            "LINE_CHANNEL_SECRET": "secret",
            "CITYLINE_LINE_API_URL": "http://127.0.0.1:9/",
        }
    )
    assert settings.data_dir == tmp_path
    assert settings.line_channel_secret == "secret"
    assert settings.line_api_url == "http://127.0.0.1:9"
    assert "secret" not in repr(settings)


def test_settings_rejects_non_http_api_url():
    with pytest.raises(ConfigError, match="CITYLINE_LINE_API_URL='ftp://x'"):
        Settings.from_env({"CITYLINE_LINE_API_URL": "ftp://x"})


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "is empty"),
        (" ", "is empty"),
        ("http://", "with a host"),
        ("http://127.0.0.1:9 ", "whitespace"),
        ("https://api.line.me/v2", "ends in /v2"),
        ("https://api.line.me/?x=1", "query or fragment"),
        ("http://[::1", "not a valid URL"),
        ("http://127.0.0.1:99999", "not a valid URL"),
        ("http://127.0.0.1:abc", "not a valid URL"),
    ],
)
def test_settings_rejects_bad_api_url(value, fragment):
    with pytest.raises(ConfigError, match=fragment):
        Settings.from_env({"CITYLINE_LINE_API_URL": value})


def test_settings_accepts_api_url_with_prefix():
    settings = Settings.from_env({"CITYLINE_LINE_API_URL": "http://proxy.test/line/"})
    assert settings.line_api_url == "http://proxy.test/line"


@pytest.mark.parametrize(
    "value",
    [
        "local-secret ",
        "\nlocal-secret",
        "  ",
        "local\nsecret",
        "local secret",
        "local\x00secret",
        "local-secret\udce9",
        "local-秘密",
    ],
)
def test_settings_rejects_secret_with_whitespace(value):
    with pytest.raises(ConfigError, match="LINE_CHANNEL_SECRET") as error:
        Settings.from_env({"LINE_CHANNEL_SECRET": value})
    assert "local-secret" not in str(error.value)


def test_data_dir_not_writable_names_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    settings = Settings(data_dir=blocker / "data")
    with pytest.raises(DataDirError, match="data"):
        settings.ensure_data_dir()


def test_user_hash_key_is_stable(tmp_path):
    settings = Settings(data_dir=tmp_path)
    first = settings.user_hash_key()
    assert len(first) == 32
    assert settings.user_hash_key() == first
    assert (tmp_path / "user-hash.key").stat().st_mode & 0o777 == 0o600


def test_user_hash_key_file_outside_the_data_dir(tmp_path):
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    key_file = secrets_dir / "cityline.key"
    settings = Settings.from_env(
        {"CITYLINE_USER_HASH_KEY_FILE": str(key_file)}, data_dir=tmp_path / "data"
    )
    key = settings.user_hash_key()
    assert key_file.read_bytes() == key
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / "data" / "user-hash.key").exists()
    assert settings.existing_user_hash_key() == key


def test_key_file_missing_folder_named(tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data", user_hash_key_path=tmp_path / "nope" / "k.key"
    )
    with pytest.raises(DataDirError, match="nope.*create it"):
        settings.user_hash_key()


def test_key_file_not_created_beside_old_key(tmp_path):
    old = Settings(data_dir=tmp_path).user_hash_key()
    moved = tmp_path / "elsewhere.key"
    settings = Settings(data_dir=tmp_path, user_hash_key_path=moved)
    with pytest.raises(DataDirError, match="move that file"):
        settings.user_hash_key()
    assert not moved.exists()
    (tmp_path / "user-hash.key").rename(moved)
    assert settings.user_hash_key() == old


def test_missing_user_hash_key_file_names_the_setting(tmp_path):
    settings = Settings(data_dir=tmp_path, user_hash_key_path=tmp_path / "k.key")
    with pytest.raises(DataDirError, match="CITYLINE_USER_HASH_KEY_FILE to the key"):
        settings.existing_user_hash_key()


def test_short_user_hash_key_is_refused(tmp_path):
    (tmp_path / "user-hash.key").write_bytes(b"")
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(DataDirError, match="holds 0 bytes"):
        settings.user_hash_key()


def test_schema_version_mismatch_is_rejected(tmp_path: Path):
    url = sqlite_url(tmp_path / "x.db")
    metadata = MetaData()
    Table("things", metadata, Column("id", Integer, primary_key=True))
    ensure_schema(create_db_engine(url), "things", metadata, 1)
    ensure_schema(create_db_engine(url), "things", metadata, 1)
    with pytest.raises(SchemaVersionError, match="version 1"):
        ensure_schema(create_db_engine(url), "things", metadata, 2)


def test_sqlite_engine_uses_wal(tmp_path):
    engine = create_db_engine(sqlite_url(tmp_path / "w.db"))
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert mode == "wal"


def test_receive_categories_file_setting(tmp_path):
    path = tmp_path / "categories.json"
    settings = Settings.from_env({"CITYLINE_RECEIVE_CATEGORIES_FILE": str(path)})
    assert settings.receive_categories_path == path
    assert Settings.from_env({}).receive_categories_path is None


def test_rejected_database_stays_unchanged(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
        connection.execute("INSERT INTO things VALUES (1)")
    connection.close()
    before = path.read_bytes()
    metadata = MetaData()
    Table("things", metadata, Column("id", Integer, primary_key=True))

    with pytest.raises(SchemaVersionError, match="another program"):
        ensure_schema(create_db_engine(sqlite_url(path)), "things", metadata, 1)

    assert path.read_bytes() == before


def test_accepted_database_switches_to_wal(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE unrelated (id INTEGER PRIMARY KEY)")
    connection.close()
    metadata = MetaData()
    Table("things", metadata, Column("id", Integer, primary_key=True))

    engine = create_db_engine(sqlite_url(path))
    ensure_schema(engine, "things", metadata, 1)

    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert mode == "wal"


def test_refused_server_says_check_the_server(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = create_db_engine(f"postgresql+psycopg://staff@127.0.0.1:{port}/city")

    with pytest.raises(DataDirError) as caught:
        ensure_schema(engine, "demo", MetaData(), 1)

    message = str(caught.value)
    assert "\n" not in message
    assert "check that the database server is running" in message
    assert "data dir" not in message


def test_existing_app_database_url_never_creates_the_file(tmp_path):
    missing = tmp_path / "typo" / "cityline.db"
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{missing}")

    with pytest.raises(DataDirError, match="check CITYLINE_DATABASE_URL="):
        settings.existing_app_database_url()

    assert not missing.parent.exists()


@pytest.mark.parametrize("value", ["", "  "])
def test_empty_city_hall_phone_is_rejected(value):
    with pytest.raises(ConfigError, match="CITYLINE_CITY_HALL_PHONE=.* is empty"):
        Settings.from_env({"CITYLINE_CITY_HALL_PHONE": value})


def test_city_hall_phone_default_and_override():
    assert Settings.from_env({}).city_hall_phone == "0422-51-5131"
    custom = Settings.from_env({"CITYLINE_CITY_HALL_PHONE": " 03-1234-5678 "})
    assert custom.city_hall_phone == "03-1234-5678"


def test_key_that_is_no_regular_file_is_named(tmp_path):
    settings = Settings(data_dir=tmp_path, user_hash_key_path=Path(os.devnull))
    with pytest.raises(DataDirError, match="is not a regular file"):
        settings.user_hash_key()


def test_key_file_path_expands_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = Settings.from_env({"CITYLINE_USER_HASH_KEY_FILE": "~/uh.key"})
    assert settings.user_hash_key_path == tmp_path / "uh.key"


def test_copied_key_warned_about(tmp_path, caplog):
    key = Settings(data_dir=tmp_path).user_hash_key()
    copy = tmp_path.parent / f"{tmp_path.name}-copy.key"
    copy.write_bytes(key)
    Settings(data_dir=tmp_path, user_hash_key_path=copy).user_hash_key()
    assert "still holds a copy of the user-hash key" in caplog.text


def test_different_key_not_called_copy(tmp_path, caplog):
    Settings(data_dir=tmp_path).user_hash_key()
    other = tmp_path.parent / f"{tmp_path.name}-other.key"
    other.write_bytes(b"o" * 32)
    Settings(data_dir=tmp_path, user_hash_key_path=other).existing_user_hash_key()
    assert "holds another user-hash key" in caplog.text
    assert "delete that copy" not in caplog.text


def test_path_settings_given_as_text_become_paths(tmp_path):
    settings = Settings(data_dir=str(tmp_path), outside_services_path=str(tmp_path))
    assert settings.index_dir == tmp_path / "index"
    assert settings.outside_services_path == tmp_path


def test_path_setting_text_expands_home():
    settings = Settings(data_dir="~/cityline-data")
    assert settings.data_dir == Path.home() / "cityline-data"


def test_city_name_not_utf8_is_named():
    env = {
        "CITYLINE_CITY_NAME": "\udce9\udce9市",
        "CITYLINE_CITY_HALL_PHONE": "0422-00-0000",
    }
    with pytest.raises(ConfigError, match="CITYLINE_CITY_NAME contains bytes"):
        Settings.from_env(env)


def test_path_setting_may_hold_any_bytes(tmp_path):
    settings = Settings.from_env({"CITYLINE_DATA_DIR": str(tmp_path) + "/d\udce9"})
    assert settings.data_dir.name == "d\udce9"
