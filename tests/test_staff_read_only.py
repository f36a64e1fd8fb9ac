"""Staff commands that only show data: they never change the app database or
create the user-hash key, so they also work on a read-only copy of the data dir."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from cityline.db import create_db_engine
from cityline.settings import Settings
from tests.test_bad_input_reports import submit_road_report
from tests.test_pages_read_only import make_read_only, make_writable
from webhook.broadcasts.store import ReceiveSettingsStore
from webhook.reports.cli import open_store

RESIDENTS = 12


def fill_app_database(data_dir: Path) -> str:
    """Store one road report and RESIDENTS bosai subscribers; return the receipt."""
    settings = Settings(data_dir=data_dir)
    store = open_store(settings)
    receipt_no = submit_road_report(store, "Ustaff")
    store.engine.dispose()
    engine = create_db_engine(settings.app_database_url)
    subscribers = ReceiveSettingsStore(engine, settings.user_hash_key())
    for number in range(RESIDENTS):
        user_id = f"U{number:032x}"
        subscribers.set_subscription(user_id, "bosai", True)
        subscribers.set_attribute(user_id, "area", "kichijoji_honcho")
    engine.dispose()
    return receipt_no


def read_commands(receipt_no: str, out: Path) -> list[list[str]]:
    return [
        ["reports", "list"],
        ["reports", "show", receipt_no],
        ["reports", "export", "--format", "csv"],
        ["reports", "publish", "--out", str(out)],
        ["broadcast", "categories"],
        ["broadcast", "log"],
        ["broadcast", "stats"],
        ["broadcast", "send", "--dry-run", "--category", "bosai", "--text", "訓練"],
    ]


def database_hash(data_dir: Path) -> str:
    return hashlib.sha256((data_dir / "cityline.db").read_bytes()).hexdigest()


@pytest.fixture
def data_dir(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def test_reads_leave_the_database_unchanged(invoke, data_dir, tmp_path):
    receipt_no = fill_app_database(data_dir)
    before = database_hash(data_dir)

    for command in read_commands(receipt_no, tmp_path / "public"):
        result = invoke(data_dir, *command)
        assert result.returncode == 0, (command, result.stderr)
        assert database_hash(data_dir) == before, command


def test_reads_need_no_user_hash_key(invoke, data_dir, tmp_path):
    receipt_no = fill_app_database(data_dir)
    (data_dir / "user-hash.key").unlink()

    for command in read_commands(receipt_no, tmp_path / "public"):
        result = invoke(data_dir, *command)
        assert result.returncode == 0, (command, result.stderr)
    assert not (data_dir / "user-hash.key").exists()


def test_filtered_dry_run_names_the_missing_key(invoke, data_dir):
    fill_app_database(data_dir)
    (data_dir / "user-hash.key").unlink()
    command = ["broadcast", "send", "--dry-run", "--category", "bosai"]
    filtered = [*command, "--area", "kichijoji_honcho", "--text", "訓練"]

    result = invoke(data_dir, *filtered)

    assert result.returncode == 2
    assert "user-hash.key' not found" in result.stderr
    assert not (data_dir / "user-hash.key").exists()


def test_report_list_shows_the_stored_report(invoke, data_dir):
    receipt_no = fill_app_database(data_dir)
    result = invoke(data_dir, "reports", "list")
    assert receipt_no in result.stdout


def test_show_list_and_export_give_one_photo_path(invoke, data_dir):
    receipt_no = fill_app_database(data_dir)
    expected = str((data_dir / "photos" / "ab" / "p.jpg").absolute())

    show_text = invoke(data_dir, "reports", "show", receipt_no).stdout
    shown_json = json.loads(
        invoke(data_dir, "reports", "show", receipt_no, "--json").stdout
    )
    listed = json.loads(invoke(data_dir, "reports", "list", "--json").stdout)
    exported = json.loads(
        invoke(data_dir, "reports", "export", "--format", "json").stdout
    )

    assert f"photos: {expected}\n" in show_text
    assert shown_json["photos"] == [expected]
    assert listed[0]["photos"] == [expected]
    assert exported[0]["photos"] == [expected]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only folders")
def test_reads_work_on_a_read_only_copy(invoke, data_dir, tmp_path):
    receipt_no = fill_app_database(data_dir)
    copy = tmp_path / "ro"
    shutil.copytree(data_dir, copy)
    make_read_only(copy)
    try:
        results = [
            (command, invoke(copy, *command))
            for command in read_commands(receipt_no, tmp_path / "public")
        ]
    finally:
        make_writable(copy)

    for command, result in results:
        assert result.returncode == 0, (command, result.stderr)


def test_dry_run_counts_the_subscribers(invoke, data_dir):
    fill_app_database(data_dir)
    command = ["broadcast", "send", "--dry-run", "--category", "bosai"]
    result = invoke(data_dir, *command, "--text", "訓練", "--json")
    assert json.loads(result.stdout)["recipients"] == RESIDENTS


def test_database_without_tables_is_named(invoke, data_dir):
    engine = create_db_engine(f"sqlite:///{data_dir / 'cityline.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE other (a INTEGER)")
    engine.dispose()

    result = invoke(data_dir, "reports", "list")

    assert result.returncode == 2
    assert str(data_dir / "cityline.db") in result.stderr
    assert "has no reports tables" in result.stderr
