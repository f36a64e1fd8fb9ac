"""Bad input to `cityline reports`: one error line, exit 2, reports unchanged."""

from __future__ import annotations

import pytest

from cityline.settings import Settings
from tests.console import run_console
from webhook.reports.cli import open_store
from webhook.reports.models import Draft, StoredPhoto
from webhook.reports.store import ReportStore, new_draft_id


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def store(settings) -> ReportStore:
    return open_store(settings)


def submit_road_report(store: ReportStore, user_id: str = "Utest") -> str:
    """Submit one road report with a photo and a place; return its receipt number."""
    photo = StoredPhoto(
        path="ab/p.jpg", sha256="0" * 64, width=4, height=3, size_bytes=9
    )
    draft = Draft(
        draft_id=new_draft_id(),
        step="confirm",
        category="road",
        photos=[photo],
        latitude=35.70312,
        longitude=139.57987,
        description="道路に穴があいています",
    )
    report, _ = store.submit(store.hash_user(user_id), draft, "道路管理課")
    return report.receipt_no


@pytest.fixture
def receipt_no(store) -> str:
    """Submit one road report and return its receipt number."""
    return submit_road_report(store)


def run_main(monkeypatch, capsys, settings: Settings, *args: str, database_url=None):
    """Run the real entry point; return (exit code, stdout, stderr)."""
    argv = ["cityline", "--data-dir", str(settings.data_dir), "reports", *args]
    if database_url is None:
        monkeypatch.delenv("CITYLINE_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("CITYLINE_DATABASE_URL", database_url)
    result = run_console(argv, monkeypatch, capsys)
    return result.returncode, result.stdout, result.stderr


def snapshot(store: ReportStore) -> list[tuple]:
    return [(r.receipt_no, r.status, len(r.history)) for r in store.list()]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["set-status", "{no}", "accepted", "--note", ""], "--note '' is empty"),
        (["set-status", "{no}", "accepted", "--note", "  "], "--note '  ' is empty"),
        (["remove", "{no}", "--reason", ""], "--reason '' is empty"),
        (
            ["set-status", "{no}", "accepted", "--note", "山田さん宅前 090-1111-2222"],
            "contains personal data",
        ),
        (
            ["remove", "{no}", "--reason", "連絡先 taro@example.jp が書かれている"],
            "contains personal data",
        ),
        (
            ["set-status", "{no}", "accepted", "--note", "吉祥寺北町の山田様宅の前"],
            "contains personal data",
        ),
        (
            ["set-status", "{no}", "accepted", "--note", "緯度35.7031 経度139.5797"],
            "contains personal data",
        ),
    ],
)
def test_blank_note_is_rejected(
    monkeypatch, capsys, settings, store, receipt_no, command, expected
):
    before = snapshot(store)
    args = [part.replace("{no}", receipt_no) for part in command]

    code, _out, err = run_main(monkeypatch, capsys, settings, *args)

    lines = err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    assert snapshot(store) == before


def test_export_into_a_file_path_fails_cleanly(
    monkeypatch, capsys, settings, receipt_no, tmp_path
):
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    target = blocker / "export.csv"

    code, _out, err = run_main(
        monkeypatch, capsys, settings, "export", "--format", "csv", "--out", str(target)
    )

    lines = err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1, err
    assert f"cannot write the export to {str(target)!r}" in lines[0]
    assert blocker.read_text() == "keep me"


def test_publish_into_a_file_path_fails_cleanly(
    monkeypatch, capsys, settings, receipt_no, tmp_path
):
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    target = blocker / "public"

    code, _out, err = run_main(
        monkeypatch, capsys, settings, "publish", "--out", str(target)
    )

    lines = err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1, err
    assert f"cannot write the public files to {str(target)!r}" in lines[0]
    assert blocker.read_text() == "keep me"


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["show", "R2026-000001"],
        ["export", "--format", "json"],
        ["set-status", "R2026-000001", "accepted", "--note", "確認"],
    ],
)
def test_missing_database_is_not_created(monkeypatch, capsys, tmp_path, args):
    settings = Settings(data_dir=tmp_path / "typo")

    code, out, err = run_main(monkeypatch, capsys, settings, *args)

    lines = err.strip().splitlines()
    assert code == 2
    assert out == ""
    assert len(lines) == 1, err
    assert lines[0].startswith("error: no app database at ")
    assert not settings.data_dir.exists()


@pytest.mark.parametrize(
    "args", [["list"], ["set-status", "R2026-000001", "accepted", "--note", "確認"]]
)
def test_missing_sqlite_url_is_not_created(monkeypatch, capsys, tmp_path, args):
    settings = Settings(data_dir=tmp_path / "data")
    typo = tmp_path / "x" / "typo" / "cityline.db"

    code, out, err = run_main(
        monkeypatch, capsys, settings, *args, database_url=f"sqlite:///{typo}"
    )

    lines = err.strip().splitlines()
    assert code == 2
    assert out == ""
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: no app database at {str(typo)!r}")
    assert "check CITYLINE_DATABASE_URL=" in lines[0]
    assert not (tmp_path / "x").exists()
    assert not settings.data_dir.exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://staff:pw@localhost/city", "uses 'mysql', which cityline does not"),
        ("postgresql+psycopg2://staff@localhost/city", "needs the driver 'psycopg2'"),
    ],
)
def test_unusable_database_url_is_one_line(
    monkeypatch, capsys, tmp_path, url, expected
):
    settings = Settings(data_dir=tmp_path / "data")

    code, out, err = run_main(monkeypatch, capsys, settings, "list", database_url=url)

    lines = err.strip().splitlines()
    assert code == 2
    assert out == ""
    assert len(lines) == 1, err
    assert expected in lines[0]
    assert "use sqlite:///PATH or postgresql+psycopg://" in lines[0]
    assert "pw" not in lines[0]


def test_one_report_is_counted_in_singular(monkeypatch, capsys, settings, receipt_no):
    out_file = settings.data_dir.parent / "export.json"

    listed = run_main(monkeypatch, capsys, settings, "list")
    exported = run_main(
        monkeypatch,
        capsys,
        settings,
        "export",
        "--format",
        "json",
        "--out",
        str(out_file),
    )
    published = run_main(
        monkeypatch,
        capsys,
        settings,
        "publish",
        "--out",
        str(settings.data_dir / "pub"),
    )

    assert listed[0] == 0
    assert listed[2].strip().splitlines()[-1] == "1 report"
    assert exported[0] == 0
    assert f"1 report written to {out_file}" in exported[2]
    assert published[0] == 0
    # Only accepted reports are public, and this one is still submitted.
    assert "0 reports published to " in published[1]


def test_city_hall_number_in_a_note_is_accepted(
    monkeypatch, capsys, settings, store, receipt_no
):
    code, _out, err = run_main(
        monkeypatch,
        capsys,
        settings,
        "set-status",
        receipt_no,
        "accepted",
        "--note",
        "市役所代表 0422-51-5131 まで",
    )
    assert code == 0, err


@pytest.mark.parametrize("note", ["業者さんに依頼しました", "水道局様へ引き継ぎ"])
def test_note_naming_a_trade_or_office_is_accepted(
    monkeypatch, capsys, settings, store, receipt_no, note
):
    code, _out, err = run_main(
        monkeypatch,
        capsys,
        settings,
        "set-status",
        receipt_no,
        "accepted",
        "--note",
        note,
    )
    assert code == 0, err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["list", "--department", "道路"], "--department '道路' is not a known"),
        (["list", "--department", "道路管理化"], "use one of 下水道課, 総合窓口"),
        (["list", "--department", ""], "--department '' is not a known"),
        (["list", "--department", "道路", "--json"], "--department '道路'"),
        (["list", "--status", "done"], "unknown status 'done'"),
        (["list", "--status", ""], "unknown status ''"),
        (["list", "--status", "done", "--json"], "unknown status 'done'"),
        (["export", "--format", "xml"], "export format 'xml' is not supported"),
        (["export", "--format", ""], "export format '' is not supported"),
    ],
)
def test_bad_filter_fails_without_count(
    monkeypatch, capsys, settings, receipt_no, args, expected
):
    code, out, err = run_main(monkeypatch, capsys, settings, *args)

    lines = err.strip().splitlines()
    assert code == 2
    assert out == ""
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    assert "0 reports" not in err


def test_known_department_without_reports_counts_zero(
    monkeypatch, capsys, settings, receipt_no
):
    code, out, err = run_main(
        monkeypatch, capsys, settings, "list", "--department", "下水道課"
    )

    assert code == 0
    assert out == ""
    assert err.strip() == "0 reports"


def test_set_status_lists_no_removed_status(monkeypatch, capsys, settings, receipt_no):
    args = ("set-status", receipt_no, "done", "--note", "確認")
    code, out, err = run_main(monkeypatch, capsys, settings, *args)

    assert code == 2
    assert "unknown status 'done'" in err
    assert "removed" not in err


def test_note_with_two_details_names_both(
    monkeypatch, capsys, settings, store, receipt_no
):
    note = "鈴木様から連絡あり 090-1234-5678"
    args = ["set-status", receipt_no, "accepted", "--note", note]

    code, _out, err = run_main(monkeypatch, capsys, settings, *args)

    assert code == 2
    assert "in 2 places" in err
    assert "'090-1234-5678'" in err
    assert "'鈴木様'" in err
