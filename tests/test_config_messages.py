"""Settings that point at the wrong kind of file get messages that name them."""

from __future__ import annotations

import pytest

from cityline.errors import ConfigError, DataDirError
from cityline.settings import Settings
from index.artifact import IndexWriteError
from index.build import build_from_records
from index.fields import PageRecord
from tests.console import run_console
from tests.crawl_site import FakeSite
from webhook.broadcasts.categories import load_catalog


@pytest.mark.parametrize("from_env", [False, True])
def test_data_dir_file_names_setting(tmp_path, monkeypatch, capsys, from_env):
    blocker = tmp_path / "data"
    blocker.write_text("")
    if from_env:
        monkeypatch.setenv("CITYLINE_DATA_DIR", str(blocker))
        argv = ["cityline", "pages"]
        name = "CITYLINE_DATA_DIR"
    else:
        argv = ["cityline", "--data-dir", str(blocker), "pages"]
        name = "--data-dir"
    result = run_console(argv, monkeypatch, capsys)
    assert result.returncode == 2
    assert f"is a file, not a folder; point {name} at a folder" in result.stderr


def test_data_dir_under_a_file_names_the_file(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "afile"
    blocker.write_text("")
    argv = ["cityline", "--data-dir", str(blocker / "sub"), "ask", "ごみ"]
    result = run_console(argv, monkeypatch, capsys)
    assert result.returncode == 2
    assert f"{str(blocker)!r} is a file, so the folder" in result.stderr
    assert blocker.read_text() == ""


@pytest.mark.parametrize("command", ["pages", "index", "crawl"])
def test_page_store_folder_is_named(tmp_path, monkeypatch, capsys, command):
    folder = tmp_path / "pages.db"
    folder.mkdir()
    with FakeSite() as site:
        site.page("/", "トップ", "<p>市からのお知らせ</p>")
        extra = ["--delay", "0", site.url("/")] if command == "crawl" else []
        argv = ["cityline", "--data-dir", str(tmp_path), command, *extra]
        result = run_console(argv, monkeypatch, capsys)

    assert result.returncode == 2
    assert (
        f"error: the page store {str(folder)!r} is a folder, where a crawl keeps "
        "a SQLite file; move it away"
    ) in result.stderr
    assert folder.is_dir()


@pytest.mark.parametrize(
    "command",
    [
        ["reports", "list"],
        ["reports", "export", "--format", "json"],
        ["reports", "set-status", "R2026-000001", "accepted", "--note", "確認中"],
        ["reports", "remove", "R2026-000001", "--reason", "重複"],
        ["broadcast", "log"],
        ["broadcast", "send", "--category", "bosai", "--text", "a", "--dry-run"],
        ["broadcast", "cancel", "20260101-000000-abcdef"],
    ],
)
def test_app_database_folder_is_named(tmp_path, monkeypatch, capsys, command):
    monkeypatch.delenv("CITYLINE_DATABASE_URL", raising=False)
    folder = tmp_path / "cityline.db"
    folder.mkdir()
    argv = ["cityline", "--data-dir", str(tmp_path), *command]

    result = run_console(argv, monkeypatch, capsys)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]

    assert result.returncode == 2
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(
        f"error: database {str(folder.resolve())!r} is a folder, where cityline "
        "keeps a SQLite file; move it away"
    )
    assert folder.is_dir()


def test_empty_data_dir_is_rejected(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    result = run_console(["cityline", "--data-dir", "", "pages"], monkeypatch, capsys)
    assert result.returncode == 2
    assert "empty value names no folder" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_category_file_names_the_variable(tmp_path):
    settings = Settings(
        data_dir=tmp_path, receive_categories_path=tmp_path / "nope.json"
    )
    with pytest.raises(ConfigError, match="CITYLINE_RECEIVE_CATEGORIES_FILE"):
        load_catalog(settings)


def test_key_folder_names_variable(tmp_path):
    settings = Settings(data_dir=tmp_path, user_hash_key_path=tmp_path)
    with pytest.raises(DataDirError, match="set CITYLINE_USER_HASH_KEY_FILE to the"):
        settings.user_hash_key()


def test_index_file_says_move_it(tmp_path):
    index_dir = tmp_path / "index"
    index_dir.write_text("")
    pages = [PageRecord(url="https://city.example/a.html", title="犬", text="犬の登録")]
    with pytest.raises(IndexWriteError, match="Move that file away"):
        build_from_records(pages, index_dir)


def test_staff_commands_never_create_a_user_hash_key(tmp_path):
    from cityline.db import create_db_engine
    from webhook.broadcasts import cli as broadcast_cli
    from webhook.broadcasts.store import ReceiveSettingsStore
    from webhook.reports import cli as reports_cli

    settings = Settings(data_dir=tmp_path)
    engine = create_db_engine(settings.app_database_url)
    ReceiveSettingsStore(engine, settings.user_hash_key())
    engine.dispose()
    (tmp_path / "user-hash.key").rename(tmp_path.parent / f"{tmp_path.name}.key")

    reports_cli._open_existing(settings)
    broadcast_cli._open(settings)
    assert not (tmp_path / "user-hash.key").exists()
