"""Tests of the staff CLI, the published files and the Open311 API."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cityline.cli import cli, main
from cityline.db import create_db_engine, sqlite_file
from cityline.settings import Settings
from cityline.terminal import display_width
from webhook.reports import cli as reports_cli
from webhook.reports.cli import open_store
from webhook.reports.models import Draft, StoredPhoto
from webhook.reports.open311 import build_open311_router
from webhook.reports.public import FIELDS, PublicReport, public_reports
from webhook.reports.publish import inert_cell, publish, render_csv
from webhook.reports.store import ReportStore, new_draft_id

USER_ID = "Uprivate1234567890abcdef12345678"
COMMENT = "山田さんの家の前の穴です。電話090-1234-5678"
DESCRIPTION = "道路に穴があいています"
ADDRESS = "吉祥寺本町1丁目2-3 鈴木様方"
PHOTO_PATH = "ab/secretphoto1234.jpg"


def make_draft(category="road", latitude=35.70312, longitude=139.57987, **extra):
    photo = StoredPhoto(
        path=PHOTO_PATH, sha256="0" * 64, width=4, height=3, size_bytes=9
    )
    values = {
        "draft_id": new_draft_id(),
        "step": "confirm",
        "category": category,
        "photos": [photo],
        "latitude": latitude,
        "longitude": longitude,
        "address": ADDRESS,
        "description": DESCRIPTION,
        "comment": COMMENT,
    }
    values.update(extra)
    return Draft(**values)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def store(settings) -> ReportStore:
    return open_store(settings)


@pytest.fixture
def seeded(store):
    """Submit four reports: accepted, resolved, removed and still submitted."""
    user_hash = store.hash_user(USER_ID)
    numbers = []
    for latitude in (35.70312, 35.7101, 35.7152, 35.7203):
        report, _ = store.submit(user_hash, make_draft(latitude=latitude), "道路管理課")
        numbers.append(report.receipt_no)
    accepted, resolved, removed, _submitted = numbers
    store.set_status(accepted, "accepted", changed_by="t", note="写真と場所を確認")
    store.set_status(resolved, "accepted", changed_by="t", note="確認")
    store.set_status(resolved, "resolved", changed_by="t", note="<b>補修</b>しました")
    store.set_status(removed, "removed", changed_by="t", note="広告")
    return numbers


def public_record(receipt_no: str) -> PublicReport:
    return PublicReport(
        receipt_no=receipt_no,
        category="road",
        category_name="道路",
        department="道路管理課",
        status="accepted",
        status_name="受付済",
        created_at="2026-04-01T09:00:00+09:00",
        accepted_at="2026-04-01T10:00:00+09:00",
        updated_at="2026-04-01T10:00:00+09:00",
        closed_at=None,
        latitude=35.70312,
        longitude=139.57987,
        town="中町",
        result_note="確認",
    )


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "published 0 reports"),
        (1, "published 1 report "),
        (2, "published 2 reports"),
    ],
)
def test_publish_log_counts_reports(tmp_path, caplog, count, expected):
    records = [public_record(f"R-{number}") for number in range(count)]
    caplog.set_level(logging.INFO, logger="webhook.reports.publish")
    publish(records, tmp_path / "public", datetime(2026, 4, 2, tzinfo=UTC))
    assert expected in caplog.text


def run_cli(settings: Settings, *args: str):
    runner = CliRunner()
    return runner.invoke(cli, ["--data-dir", str(settings.data_dir), *args])


def run_main(monkeypatch, capsys, settings: Settings, *args: str):
    """Run the real entry point; return (exit code, stdout, stderr)."""
    monkeypatch.setattr(
        sys, "argv", ["cityline", "--data-dir", str(settings.data_dir), *args]
    )
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    return exited.value.code, captured.out, captured.err


# Staff commands ---------------------------------------------------------------


def test_list_json_has_the_required_keys(settings, seeded):
    result = run_cli(settings, "reports", "list", "--json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 4
    for record in records:
        assert {"receipt_no", "category", "department", "status", "created_at"} <= set(
            record
        )
        assert record["department"] == "道路管理課"
    assert "user_hash" not in records[0]


def test_list_filters_by_status_and_department(settings, seeded):
    result = run_cli(settings, "reports", "list", "--status", "accepted", "--json")
    assert [r["receipt_no"] for r in json.loads(result.stdout)] == [seeded[0]]
    result = run_cli(settings, "reports", "list", "--department", "下水道課", "--json")
    assert json.loads(result.stdout) == []
    result = run_cli(settings, "reports", "list")
    assert seeded[0] in result.stdout
    header = result.stdout.splitlines()[0].split()
    assert header[:4] == ["receipt", "status", "category", "department"]


def test_show_prints_history(settings, seeded):
    result = run_cli(settings, "reports", "show", seeded[1])
    assert result.exit_code == 0, result.output
    assert "accepted -> resolved" in result.stdout
    assert COMMENT in result.stdout


def test_note_with_windows_line_breaks_is_accepted(settings, seeded, store):
    note = "業者手配済み\r\n来週施工予定"
    args = ("reports", "set-status", seeded[0], "in_progress", "--note", note)
    result = run_cli(settings, *args)

    assert result.exit_code == 0, result.output
    assert store.get(seeded[0]).history[-1].note == note


def test_set_status_and_remove(settings, seeded, store):
    result = run_cli(
        settings,
        "reports",
        "set-status",
        seeded[0],
        "in_progress",
        "--note",
        "業者手配済み",
        "--by",
        "佐藤",
    )
    assert result.exit_code == 0, result.output
    report = store.get(seeded[0])
    assert report.status == "in_progress"
    assert report.history[-1].changed_by == "佐藤"
    assert report.history[-1].note == "業者手配済み"

    result = run_cli(
        settings, "reports", "remove", seeded[3], "--reason", "他人の個人情報"
    )
    assert result.exit_code == 0, result.output
    removed = store.get(seeded[3])
    assert removed.status == "removed"
    assert removed.result_note == "他人の個人情報"
    # A submitted report was never public, so no published file lists it.
    assert "reports publish" not in result.output

    result = run_cli(settings, "reports", "remove", seeded[0], "--reason", "広告")
    assert result.exit_code == 0, result.output
    assert "run `cityline reports publish --out DIR` again" in result.output


def test_set_category_moves_report_to_department(settings, seeded, store):
    before = store.get(seeded[0])
    result = run_cli(
        settings,
        "reports",
        "set-category",
        seeded[0],
        "sewer",
        "--note",
        "側溝のつまり",
    )
    assert result.exit_code == 0, result.output
    report = store.get(seeded[0])
    assert report.category == "sewer"
    assert report.department == "下水道課"
    assert report.status == before.status
    assert report.history[-1].note == "分類を変更: road → sewer（側溝のつまり）"
    assert report.result_note == before.result_note

    unknown = run_cli(settings, "reports", "set-category", seeded[0], "water")
    assert unknown.exit_code == 2
    assert "'water' is not one of" in unknown.output


def test_set_category_to_same_category_is_rejected(
    monkeypatch, capsys, settings, seeded
):
    code, _out, err = run_main(
        monkeypatch,
        capsys,
        settings,
        "reports",
        "set-category",
        seeded[0],
        "road",
        "--note",
        "確認",
    )
    assert code == 2
    assert "is in category 'road' already" in err


def test_full_width_receipt_number_is_found(settings, seeded, store):
    typed = seeded[0][:-1] + chr(ord(seeded[0][-1]) + 0xFEE0)
    result = run_cli(settings, "reports", "show", typed)
    assert result.exit_code == 0, result.output
    assert seeded[0] in result.stdout


def test_removal_after_content_deletion_says_nothing_is_left(
    monkeypatch, capsys, settings, seeded
):
    assert (
        run_cli(
            settings,
            "reports",
            "remove",
            seeded[2],
            "--reason",
            "広告",
            "--delete-content",
        ).exit_code
        == 0
    )
    code, _out, err = run_main(
        monkeypatch,
        capsys,
        settings,
        "reports",
        "remove",
        seeded[2],
        "--reason",
        "広告",
    )
    assert code == 2
    assert "nothing is left to do" in err


@pytest.mark.parametrize("dash", ["\u2212", "\u30fc"])
def test_receipt_number_with_input_mode_dash_is_found(settings, seeded, dash):
    result = run_cli(settings, "reports", "show", seeded[0].replace("-", dash))
    assert result.exit_code == 0, result.output


def test_second_removal_names_delete_content(monkeypatch, capsys, settings, seeded):
    code, _out, err = run_main(
        monkeypatch,
        capsys,
        settings,
        "reports",
        "remove",
        seeded[2],
        "--reason",
        "広告",
    )
    assert code == 2
    assert "removed already; add --delete-content" in err


def test_remove_with_delete_content(settings, seeded, store):
    photo = settings.photos_dir / PHOTO_PATH
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"jpeg")
    result = run_cli(
        settings, "reports", "remove", seeded[0], "--reason", "中傷", "--delete-content"
    )
    assert result.exit_code == 0, result.output
    report = store.get(seeded[0])
    assert report.comment is None
    assert report.description is None
    assert report.address is None
    assert report.latitude == 35.703
    assert report.longitude == 139.58
    assert report.photos == ()
    assert not photo.exists()


def test_photo_left_on_disk_is_named(settings, seeded, store, monkeypatch, capsys):
    photo = settings.photos_dir / PHOTO_PATH
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"jpeg")
    real_unlink = Path.unlink

    def fail_for_photo(path: Path, missing_ok: bool = False) -> None:
        if path.name == photo.name:
            raise PermissionError(1, "Operation not permitted")
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", fail_for_photo)
    code, out, err = run_main(
        monkeypatch,
        capsys,
        settings,
        *("reports", "remove", seeded[0], "--reason", "中傷", "--delete-content"),
    )
    assert code == 2
    assert "removed, 0 photos deleted" in out
    assert str(photo.resolve()) in err
    assert "Operation not permitted" in err
    assert "run the same command again" in err
    assert store.get(seeded[0]).status == "removed"
    assert [p.path for p in store.get(seeded[0]).photos] == [PHOTO_PATH]

    # Once the cause is fixed, the same command deletes the file it named.
    monkeypatch.setattr(Path, "unlink", real_unlink)
    args = ("reports", "remove", seeded[0], "--reason", "中傷", "--delete-content")
    result = run_cli(settings, *args)
    assert result.exit_code == 0, result.output
    assert "removed, 1 photo deleted" in result.output
    assert not photo.exists()
    assert store.get(seeded[0]).photos == ()


def test_deleted_content_leaves_no_bytes_in_database(settings, store):
    secret = "佐藤花子さんの家の前です。sato.hanako@example.jp"
    user_hash = store.hash_user(USER_ID)
    report, _ = store.submit(user_hash, make_draft(comment=secret), "道路管理課")
    result = run_cli(
        settings,
        "reports",
        "remove",
        report.receipt_no,
        "--reason",
        "個人情報",
        "--delete-content",
    )
    assert result.exit_code == 0, result.output
    database = sqlite_file(settings.app_database_url)
    files = [database, database.with_name(database.name + "-wal")]
    stored = b"".join(path.read_bytes() for path in files if path.exists())
    assert secret.encode() not in stored


def test_delete_content_after_removal(settings, seeded, store):
    photo = settings.photos_dir / PHOTO_PATH
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"jpeg")
    first = run_cli(settings, "reports", "remove", seeded[0], "--reason", "中傷")
    assert first.exit_code == 0, first.output
    history = len(store.get(seeded[0]).history)

    again = run_cli(
        settings, "reports", "remove", seeded[0], "--reason", "中傷", "--delete-content"
    )

    assert again.exit_code == 0, again.output
    report = store.get(seeded[0])
    assert report.status == "removed"
    assert len(report.history) == history + 1
    assert report.history[-1].old_status == "removed"
    assert report.history[-1].new_status == "removed"
    assert report.history[-1].note == "内容を削除: 中傷"
    assert report.comment is None
    assert report.description is None
    assert report.photos == ()
    assert not photo.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["show", "R2026-999999"], "'R2026-999999' not found"),
        (["show", "X123"], "a receipt number looks like R2026-000001"),
        (["show", "R" * 5000], f"report '{'R' * 60}...' not found"),
        (
            ["set-status", "R2026-000001", "done", "--note", "x"],
            "unknown status 'done'",
        ),
        (["set-status", "R2026-000003", "accepted", "--note", "x"], "'removed'"),
        (
            ["set-status", "R2026-000001", "removed", "--note", "x"],
            "use that command instead",
        ),
        (
            ["set-status", "R2026-000001", "Removed", "--note", "x"],
            "use that command instead",
        ),
        (["list", "--status", "open"], "unknown status 'open'"),
        (["export", "--format", "xml"], "'xml' is not supported"),
        (["export", "--format", "csv", "--out", ""], "--out '' is empty"),
        (["export", "--format", "csv", "--out", "."], "--out '.' is a folder"),
        (
            ["set-status", "R2026-000001", "accepted", "--note", "長" * 501],
            "--note has 501 characters, more than 500",
        ),
        (
            ["set-status", "R2026-000001", "accepted", "--note", "確認\x1b[31m済み"],
            "control character '\\x1b' at position 3",
        ),
        (
            ["set-status", "R2026-000001", "accepted", "--note", "\u200b"],
            "is empty",
        ),
        (
            ["set-status", "R2026-000001", "accepted", "--note", "x", "--by", " "],
            "--by ' ' is empty",
        ),
        (
            ["set-status", "R2026-000001", "accepted", "--note", "x", "--by", "x" * 51],
            "--by has 51 characters, more than 50",
        ),
        (
            ["remove", "R2026-000001", "--reason", "中傷", "--by", ""],
            "--by '' is empty",
        ),
        (
            [
                "set-status",
                "R2026-000001",
                "accepted",
                "--note",
                "x",
                "--by",
                "田中\n鈴木",
            ],
            "contains a line break or a tab",
        ),
        (
            [
                "set-status",
                "R2026-000001",
                "accepted",
                "--note",
                "x",
                "--by",
                "田中\u2028鈴木",
            ],
            "contains a line break or a tab",
        ),
        (
            ["set-status", "R2026-000001", "accepted", "--note", "確認\u202e済み"],
            "control character '\\u202e' at position 3",
        ),
    ],
)
def test_bad_input_gives_one_error_line(
    monkeypatch, capsys, settings, seeded, store, args, expected
):
    before = [(r.receipt_no, r.status, len(r.history)) for r in store.list()]
    code, out, err = run_main(monkeypatch, capsys, settings, "reports", *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    after = [(r.receipt_no, r.status, len(r.history)) for r in store.list()]
    assert after == before


def test_export_to_dash_prints_to_stdout(settings, seeded, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ("reports", "export", "--format", "csv", "--out", "-")
    result = run_cli(settings, *args)

    assert result.exit_code == 0, result.output
    assert result.output.startswith("receipt_no,")
    assert not (tmp_path / "-").exists()


def test_export_csv_and_json(settings, seeded, tmp_path):
    out = tmp_path / "export.csv"
    result = run_cli(
        settings, "reports", "export", "--format", "csv", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 4
    assert rows[0]["comment"] == COMMENT
    [resolved_row] = [row for row in rows if row["status"] == "resolved"]
    resolved = resolved_row["history"].splitlines()
    assert len(resolved) == 3
    assert resolved[-1].endswith("accepted -> resolved by t: <b>補修</b>しました")
    result = run_cli(settings, "reports", "export", "--format", "json")
    records = json.loads(result.stdout)
    assert len(records[0]["history"]) >= 1


def export_to(
    monkeypatch, capsys, settings, target: Path, *options: str
) -> tuple[int, str]:
    """Run `reports export --format csv --out target` with ``options``; return
    (exit code, stderr)."""
    code, _out, err = run_main(
        monkeypatch,
        capsys,
        settings,
        *("reports", "export", "--format", "csv", "--out", str(target), *options),
    )
    return code, err


def test_full_disk_during_export_keeps_old_file(
    monkeypatch, capsys, settings, seeded, tmp_path
):
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    target = out_dir / "reports.csv"
    target.write_text("earlier export\n", encoding="utf-8")
    real_fdopen = os.fdopen

    class FullDisk:
        """The export's temporary file, on a disk that fills up after 3 chars."""

        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            self.handle.close()

        def write(self, text):
            self.handle.write(text[:3])
            self.handle.flush()
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(
        os, "fdopen", lambda *args, **kwargs: FullDisk(real_fdopen(*args, **kwargs))
    )
    code, err = export_to(monkeypatch, capsys, settings, target, "--force")

    assert code == 2
    assert "cannot write the export" in err
    assert target.read_bytes() == b"earlier export\n"
    assert sorted(path.name for path in out_dir.iterdir()) == ["reports.csv"]


def test_export_onto_existing_file_needs_force(
    monkeypatch, capsys, settings, seeded, tmp_path
):
    target = tmp_path / "reports.csv"
    target.write_text("earlier export\n", encoding="utf-8")

    code, err = export_to(monkeypatch, capsys, settings, target)

    lines = err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1, err
    assert f"--out {str(target)!r} exists already" in lines[0]
    assert "pass --force to replace it" in lines[0]
    assert target.read_text(encoding="utf-8") == "earlier export\n"

    result = run_cli(
        settings,
        *("reports", "export", "--format", "csv", "--out", str(target), "--force"),
    )

    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8-sig").startswith("receipt_no,")


def test_export_to_device_needs_no_force(settings, seeded):
    result = run_cli(
        settings, "reports", "export", "--format", "csv", "--out", os.devnull
    )

    assert result.exit_code == 0, result.output
    assert "written to /dev/null" in result.output


def test_export_onto_public_files_rejected(
    monkeypatch, capsys, settings, seeded, tmp_path
):
    public = tmp_path / "public"
    assert run_cli(settings, "reports", "publish", "--out", str(public)).exit_code == 0
    before = (public / "reports.csv").read_bytes()
    code, err = export_to(monkeypatch, capsys, settings, public / "reports.csv")
    assert code == 2
    assert "in a folder of public files" in err
    assert (public / "reports.csv").read_bytes() == before


def test_export_keeps_mode_of_file_it_replaces(
    monkeypatch, capsys, settings, seeded, tmp_path
):
    kept = tmp_path / "kept.csv"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o640)
    fresh = tmp_path / "fresh.csv"
    for target in (kept, fresh):
        result = run_cli(
            settings,
            *("reports", "export", "--format", "csv", "--out", str(target), "--force"),
        )
        assert result.exit_code == 0, result.output
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


@pytest.mark.parametrize("name", ["cityline.db", "user-hash.key", "new.csv"])
def test_export_into_data_dir_rejected(
    monkeypatch, capsys, settings, seeded, store, name
):
    target = settings.data_dir / name
    before = target.read_bytes() if target.exists() else None
    code, err = export_to(monkeypatch, capsys, settings, target)
    assert code == 2
    assert "inside the data dir" in err
    assert str(target) in err
    after = target.read_bytes() if target.exists() else None
    assert after == before
    assert len(store.list()) == 4


@pytest.mark.parametrize(
    ("out", "fragment"),
    [
        ("", "is empty"),
        ("{data}", "a folder cityline keeps"),
        ("{data}/photos", "a folder cityline keeps"),
        ("{data}/photos/2026", "a folder cityline keeps"),
        ("{data}/cityline.db", "is a file, not a folder"),
    ],
)
def test_publish_target_rejected(monkeypatch, capsys, settings, seeded, out, fragment):
    out = out.replace("{data}", str(settings.data_dir))
    code, _out, err = run_main(
        monkeypatch, capsys, settings, "reports", "publish", "--out", out
    )
    assert code == 2
    assert fragment in err


def test_publish_into_root_rejected(monkeypatch, capsys, settings, seeded):
    before = sorted(os.listdir("/"))

    code, _out, err = run_main(
        monkeypatch, capsys, settings, "reports", "publish", "--out", "/"
    )

    lines = err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1, err
    assert "--out '/' is the filesystem root" in lines[0]
    assert "such as public-reports" in lines[0]
    assert sorted(os.listdir("/")) == before


@pytest.mark.parametrize(
    "entries",
    [
        ["notes.txt"],
        ["index.html", "style.css"],
        ["reports.json/"],
        [f"file{number}.txt" for number in range(7)],
    ],
)
def test_publish_into_used_folder_rejected(
    monkeypatch, capsys, settings, seeded, tmp_path, entries
):
    out_dir = tmp_path / "site"
    out_dir.mkdir()
    for entry in entries:
        if entry.endswith("/"):
            (out_dir / entry).mkdir()
        else:
            (out_dir / entry).write_text("kept\n", encoding="utf-8")
    before = sorted(path.name for path in out_dir.iterdir())

    code, _out, err = run_main(
        monkeypatch, capsys, settings, "reports", "publish", "--out", str(out_dir)
    )

    lines = err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1, err
    assert f"--out {str(out_dir)!r} contains entries" in lines[0]
    assert "pass a new or empty folder" in lines[0]
    assert sorted(path.name for path in out_dir.iterdir()) == before
    for entry in entries:
        if not entry.endswith("/"):
            assert (out_dir / entry).read_text(encoding="utf-8") == "kept\n"


def test_publish_error_lists_five_entries(
    monkeypatch, capsys, settings, seeded, tmp_path
):
    out_dir = tmp_path / "site"
    out_dir.mkdir()
    for number in range(7):
        (out_dir / f"file{number}.txt").write_text("kept\n", encoding="utf-8")

    _code, _out, err = run_main(
        monkeypatch, capsys, settings, "reports", "publish", "--out", str(out_dir)
    )

    assert "file0.txt, file1.txt, file2.txt, file3.txt, file4.txt and 2 more" in err


def test_publish_into_current_folder_rejected(
    monkeypatch, capsys, settings, seeded, tmp_path
):
    (tmp_path / "notes.txt").write_text("kept\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    code, _out, err = run_main(
        monkeypatch, capsys, settings, "reports", "publish", "--out", "."
    )

    assert code == 2
    assert "--out '.' contains entries" in err
    assert "(data, notes.txt)" in err
    assert not (tmp_path / "index.html").exists()


@pytest.mark.parametrize(
    "leftover", [[], [".reports.json.tmp"], ["index.html", ".index.html.tmp"]]
)
def test_publish_into_own_or_empty_folder(settings, seeded, tmp_path, leftover):
    out_dir = tmp_path / "public"
    out_dir.mkdir()
    for name in leftover:
        (out_dir / name).write_text("old\n", encoding="utf-8")

    first = run_cli(settings, "reports", "publish", "--out", str(out_dir))
    again = run_cli(settings, "reports", "publish", "--out", str(out_dir))

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert json.loads((out_dir / "reports.json").read_text())["count"] == 2


def test_full_disk_during_publish_keeps_old_files(
    settings, seeded, store, tmp_path, monkeypatch
):
    out_dir = tmp_path / "public"
    assert run_cli(settings, "reports", "publish", "--out", str(out_dir)).exit_code == 0
    before = {path.name: path.read_bytes() for path in out_dir.iterdir()}
    real_write_text = Path.write_text

    def full_disk_at_html(path, *args, **kwargs):
        if path.name.startswith(".index.html"):
            raise OSError(28, "No space left on device")
        return real_write_text(path, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk_at_html)
    store.set_status(seeded[0], "in_progress", changed_by="t", note="手配済み")
    result = run_cli(settings, "reports", "publish", "--out", str(out_dir))

    assert result.exit_code != 0
    after = {path.name: path.read_bytes() for path in out_dir.iterdir()}
    assert after == before


def test_export_onto_key_outside_data_dir_rejected(
    monkeypatch, capsys, tmp_path, seeded, settings
):
    key = tmp_path / "secret" / "user-hash.key"
    key.parent.mkdir()
    key.write_bytes(settings.user_hash_key())
    monkeypatch.setenv("CITYLINE_USER_HASH_KEY_FILE", str(key))
    code, err = export_to(monkeypatch, capsys, settings, key)
    assert code == 2
    assert "which cityline keeps" in err
    assert key.read_bytes() == settings.user_hash_key()


def test_export_onto_wal_file_rejected(monkeypatch, capsys, seeded, settings):
    database = sqlite_file(settings.app_database_url)
    wal = database.with_name(database.name + "-wal")
    code, err = export_to(monkeypatch, capsys, settings, wal)
    assert code == 2
    assert "which cityline keeps" in err or "inside the data dir" in err


def test_export_onto_hard_link_rejected(
    monkeypatch, capsys, tmp_path, seeded, settings
):
    database = sqlite_file(settings.app_database_url)
    link = tmp_path / "link.db"
    os.link(database, link)
    before = database.read_bytes()
    code, err = export_to(monkeypatch, capsys, settings, link)
    assert code == 2
    assert "which cityline keeps" in err
    assert database.read_bytes() == before


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (
            '=HYPERLINK("http://127.0.0.1/x","写真")',
            '\'=HYPERLINK("http://127.0.0.1/x","写真")',
        ),
        ("+81 90", "'+81 90"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("道路に穴", "道路に穴"),
        (35.7, 35.7),
    ],
)
def test_export_cells_never_start_a_formula(value, shown):
    assert inert_cell(value) == shown


def test_published_csv_cells_never_start_a_formula():
    row = {name: None for name in FIELDS}
    row["result_note"] = '=HYPERLINK("http://127.0.0.1/x","詳細")'
    [_, cells] = list(csv.reader(io.StringIO(render_csv([row]))))
    assert (
        cells[FIELDS.index("result_note")]
        == '\'=HYPERLINK("http://127.0.0.1/x","詳細")'
    )


# Published files --------------------------------------------------------------


def test_publish_writes_public_files_without_personal_data(settings, seeded, store):
    out = settings.data_dir.parent / "public"
    result = run_cli(settings, "reports", "publish", "--out", str(out))
    assert result.exit_code == 0, result.output
    files = {
        name: (out / name).read_text(encoding="utf-8-sig")
        for name in ("index.html", "reports.csv", "reports.json")
    }
    user_hash = store.hash_user(USER_ID)
    secrets = [
        USER_ID,
        user_hash,
        COMMENT,
        DESCRIPTION,
        PHOTO_PATH,
        "secretphoto",
        "鈴木",
        "35.70312",
        "139.57987",
        "090-1234-5678",
    ]
    for name, content in files.items():
        for secret in secrets:
            assert secret not in content, f"{secret!r} found in {name}"

    document = json.loads(files["reports.json"])
    published = {record["receipt_no"]: record for record in document["reports"]}
    accepted, resolved, removed, submitted = seeded
    assert set(published) == {accepted, resolved}
    assert published[accepted]["latitude"] == 35.703
    assert published[accepted]["longitude"] == 139.58
    assert published[accepted]["town"] == "吉祥寺本町"
    assert published[resolved]["result_note"] == "<b>補修</b>しました"
    assert published[resolved]["closed_at"] is not None
    assert published[accepted]["created_at"].endswith("+09:00")

    assert "&lt;b&gt;補修&lt;/b&gt;しました" in files["index.html"]
    assert "<b>補修" not in files["index.html"]
    assert removed not in files["index.html"]
    assert submitted not in files["reports.csv"]
    rows = list(csv.reader(files["reports.csv"].splitlines()))
    assert rows[0][0] == "受付番号"
    assert len(rows) == 3


# Open311 ----------------------------------------------------------------------


@pytest.fixture
def api(settings, seeded):
    app = FastAPI()
    engine = create_db_engine(settings.app_database_url)
    app.include_router(build_open311_router(settings, engine))
    with TestClient(app) as client:
        yield client
    engine.dispose()


def test_open311_services(api):
    response = api.get("/open311/v2/services.json")
    assert response.status_code == 200
    services = {service["service_code"]: service for service in response.json()}
    assert set(services) == {"road", "streetlight", "tree", "park", "sewer", "other"}
    assert services["park"]["group"] == "緑のまち推進課"
    assert services["road"]["type"] == "realtime"
    assert services["road"]["metadata"] is False


def test_open311_requests_are_public_only(api, seeded, store):
    response = api.get("/open311/v2/requests.json")
    assert response.status_code == 200
    body = response.text
    requests = {item["service_request_id"]: item for item in response.json()}
    assert set(requests) == {seeded[0], seeded[1]}
    assert requests[seeded[0]]["status"] == "open"
    assert requests[seeded[1]]["status"] == "closed"
    assert requests[seeded[1]]["status_notes"] == "<b>補修</b>しました"
    assert requests[seeded[0]]["lat"] == 35.703
    assert requests[seeded[0]]["address"] == "吉祥寺本町"
    assert requests[seeded[0]]["agency_responsible"] == "道路管理課"
    for secret in [
        USER_ID,
        store.hash_user(USER_ID),
        COMMENT,
        DESCRIPTION,
        PHOTO_PATH,
        "鈴木",
    ]:
        assert secret not in body


def test_open311_filters(api, seeded):
    def ids(**params):
        response = api.get("/open311/v2/requests.json", params=params)
        assert response.status_code == 200, response.text
        return {item["service_request_id"] for item in response.json()}

    assert ids(status="open") == {seeded[0]}
    assert ids(status="closed") == {seeded[1]}
    assert ids(status="open,closed") == {seeded[0], seeded[1]}
    assert ids(service_code="tree") == set()
    assert ids(service_code="road,tree") == {seeded[0], seeded[1]}
    assert ids(service_request_id=f"{seeded[1]},{seeded[2]}") == {seeded[1]}
    # Typed as residents type them: no R, lower case, full-width digits.
    without_r = seeded[1].removeprefix("R")
    assert ids(service_request_id=without_r) == {seeded[1]}
    assert ids(service_request_id=seeded[1].lower()) == {seeded[1]}
    now = datetime.now(UTC)
    assert ids(start_date=(now - timedelta(days=1)).isoformat()) == {
        seeded[0],
        seeded[1],
    }
    assert ids(end_date=(now - timedelta(days=2)).isoformat()) == set()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "pending"}, "status 'pending'"),
        ({"service_code": "bridge"}, "service_code 'bridge'"),
        ({"start_date": "yesterday"}, "start_date 'yesterday'"),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "more than 90 days",
        ),
        (
            {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            "before start_date",
        ),
        ({"start_date": "9999-12-31"}, "date '9999-12-31' is too far"),
        ({"end_date": "0001-01-02"}, "date '0001-01-02' is too far"),
        ({"start_date": "0001-01-01"}, "start_date '0001-01-01' is too far"),
        ({"end_date": "0001-01-01"}, "end_date '0001-01-01' is too far"),
    ],
)
def test_open311_bad_filters(api, params, expected):
    response = api.get("/open311/v2/requests.json", params=params)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400
    assert expected in error["description"]


def test_open311_single_request(api, seeded):
    response = api.get(f"/open311/v2/requests/{seeded[0]}.json")
    assert response.status_code == 200
    [item] = response.json()
    assert item["service_request_id"] == seeded[0]
    for hidden in (seeded[2], seeded[3], "R2026-999999"):
        response = api.get(f"/open311/v2/requests/{hidden}.json")
        assert response.status_code == 404
        assert response.json()[0]["code"] == 404


def test_point_outside_the_city_is_not_published(store):
    user_hash = store.hash_user(USER_ID)
    draft = make_draft(latitude=35.6895, longitude=139.6917, outside_city=True)
    report, _ = store.submit(user_hash, draft, "道路管理課")
    store.set_status(report.receipt_no, "not_city_managed", changed_by="t", note="市外")
    [public] = public_reports(store.list())
    assert public.latitude is None
    assert public.longitude is None
    assert public.town is None


def test_list_columns_line_up_under_header(settings, store):
    user_hash = store.hash_user(USER_ID)
    store.submit(user_hash, make_draft(), "道路管理課")
    store.submit(user_hash, make_draft(category="tree"), "緑のまち推進課")
    result = run_cli(settings, "reports", "list")
    header, *rows = result.stdout.splitlines()
    # The terminal column where "received" and "place" start in the header,
    # counting each kanji as two columns, is where the time and the place
    # start in every row.
    received = display_width(header[: header.index("received")])
    place = display_width(header[: header.index("place")])
    for row in rows:
        time_start = re.search(r"\d{4}-\d\d-\d\dT", row).start()
        assert display_width(row[:time_start]) == received
        assert display_width(row[: row.index(" ", time_start) + 2]) == place


def test_list_cuts_a_long_place_to_one_line(settings, store):
    user_hash = store.hash_user(USER_ID)
    store.submit(user_hash, make_draft(address="中町1丁目" + "あ" * 150), "道路管理課")
    result = run_cli(settings, "reports", "list")
    [line] = [line for line in result.output.splitlines() if line.startswith("R")]
    assert "中町1丁目" in line
    assert "あ" * 40 not in line
    assert "…" in line


def test_show_escapes_control_characters(settings, store):
    user_hash = store.hash_user(USER_ID)
    draft = make_draft(comment="穴です\x1b[2J\nstatus: resolved\u202e逆")
    report, _ = store.submit(user_hash, draft, "道路管理課")

    result = run_cli(settings, "reports", "show", report.receipt_no)

    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "\u202e" not in result.output
    assert "comment: 穴です\\x1b[2J\\nstatus: resolved\\u202e逆" in result.output
    assert "\nstatus: resolved" not in result.output


def test_show_json_escapes_direction_marks(settings, store):
    user_hash = store.hash_user(USER_ID)
    comment = "穴です\x1b[2J\u202e逆\x9b"
    report, _ = store.submit(user_hash, make_draft(comment=comment), "道路管理課")

    result = run_cli(settings, "reports", "show", report.receipt_no, "--json")

    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.output
    assert "\x9b" not in result.output
    assert json.loads(result.output)["comment"] == comment


def test_export_to_terminal_escapes_controls(settings, store, monkeypatch):
    user_hash = store.hash_user(USER_ID)
    store.submit(user_hash, make_draft(comment="穴\x1b[2J\u202e逆"), "道路管理課")
    monkeypatch.setattr(reports_cli, "_stdout_is_terminal", lambda: True)
    result = run_cli(settings, "reports", "export", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "\u202e" not in result.output
    assert "穴\\x1b[2J\\u202e逆" in result.output


def test_show_finds_number_typed_without_r(settings, seeded):
    number = seeded[0].removeprefix("R")
    result = run_cli(settings, "reports", "show", number)
    assert result.exit_code == 0, result.output
    assert seeded[0] in result.stdout


def test_show_empty_number_asks_for_one(settings, seeded):
    result = run_cli(settings, "reports", "show", " ")
    assert result.exit_code != 0
    assert "the receipt number is empty" in str(result.exception)


def test_refused_change_lists_settable_statuses(settings, seeded):
    accepted = seeded[0]
    result = run_cli(
        settings, "reports", "set-status", accepted, "submitted", "--note", "戻す"
    )
    assert result.exit_code != 0
    message = str(result.exception)
    assert "allowed from 'accepted':" in message
    allowed = message.split("allowed from 'accepted':")[1]
    assert "removed," not in allowed
    assert "`cityline reports remove` removes it" in allowed


def test_set_status_empty_number_asks_for_one(settings, seeded):
    result = run_cli(settings, "reports", "set-status", " ", "accepted", "--note", "x")
    assert result.exit_code != 0
    assert "the receipt number is empty" in str(result.exception)


def test_open311_times_and_windows_name_the_hour(api, seeded):
    items = api.get("/open311/v2/requests.json").json()
    assert items
    for item in items:
        assert item["requested_datetime"].endswith(":00:00+09:00"), item

    now = datetime.now(UTC)
    narrow = {
        "start_date": (now - timedelta(seconds=1)).isoformat(),
        "end_date": now.isoformat(),
    }
    found = api.get("/open311/v2/requests.json", params=narrow).json()
    hour = now.replace(minute=0, second=0, microsecond=0)
    wide = {
        "start_date": hour.isoformat(),
        "end_date": (hour + timedelta(hours=1, microseconds=-1)).isoformat(),
    }
    assert found == api.get("/open311/v2/requests.json", params=wide).json()


def test_far_end_date_keeps_its_hour(api, seeded):
    params = {
        "start_date": "9999-12-01T00:00:00+00:00",
        "end_date": "9999-12-31T23:30:00+00:00",
    }
    assert api.get("/open311/v2/requests.json", params=params).status_code == 200


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_export_to_full_stdout_is_one_error(settings, seeded):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "cityline.cli",
                "--data-dir",
                str(settings.data_dir),
                "reports",
                "export",
                "--format",
                "csv",
            ],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: cannot write the export to standard output (No space left on "
        "device); free space on that disk, or pass --out a file in a writable "
        "folder on another disk"
    ]
