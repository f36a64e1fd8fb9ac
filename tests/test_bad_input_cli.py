"""Bad databases and data dirs: the CLI prints one error line and changes nothing."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from cityline.cli import _database_advice
from cityline.demo.run import DEMO_LOCK, DEMO_MARKER, _demo_lock
from crawler.store import PageStore


def error_lines(stderr: str) -> list[str]:
    """Return the stderr lines that are not log lines."""
    return [line for line in stderr.splitlines() if " INFO " not in line]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_garbage_page_store_is_rejected(invoke, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store = data_dir / "pages.db"
    store.write_bytes(os.urandom(20_000))
    before = digest(store)

    result = invoke(data_dir, "pages")

    lines = error_lines(result.stderr)
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert "is corrupt or not a database" in lines[0]
    assert digest(store) == before


def test_foreign_page_store_is_rejected(invoke, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store = data_dir / "pages.db"
    with sqlite3.connect(store) as connection:
        connection.execute("CREATE TABLE pages (x INTEGER)")
        connection.execute("INSERT INTO pages VALUES (1)")
    connection.close()

    result = invoke(data_dir, "pages", "--json")

    lines = error_lines(result.stderr)
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert "already has table(s) pages but no pages schema version" in lines[0]
    with sqlite3.connect(store) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master").fetchall()
        rows = connection.execute("SELECT x FROM pages").fetchall()
    connection.close()
    assert tables == [("pages",)]
    assert rows == [(1,)]


def test_concurrent_demo_leaves_running_one_alone(invoke, tmp_path):
    data_dir = tmp_path / "data"
    demo_dir = data_dir / "demo"
    demo_dir.mkdir(parents=True)
    (demo_dir / DEMO_MARKER).write_text("cityline demo data\n")
    (demo_dir / "pages.db").write_bytes(b"in use by the first demo")

    with _demo_lock(data_dir / DEMO_LOCK):
        result = invoke(data_dir, "demo")

    lines = error_lines(result.stderr)
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert "another cityline demo is running" in lines[0]
    assert (demo_dir / "pages.db").read_bytes() == b"in use by the first demo"


def test_demo_under_a_file_is_rejected(invoke, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")

    result = invoke(blocker / "data", "demo")

    lines = error_lines(result.stderr)
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert f"{str(blocker)!r} is a file, so the folder" in lines[0]
    assert blocker.read_text() == "keep me"


def test_corrupt_table_page_gives_one_error_line(invoke, tmp_path):
    data_dir = tmp_path / "data"
    store_path = data_dir / "pages.db"
    PageStore.open(store_path).close()
    with sqlite3.connect(store_path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root_page = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'pages'"
        ).fetchone()[0]
    connection.close()
    with store_path.open("r+b") as handle:
        handle.seek((root_page - 1) * page_size)
        handle.write(b"\xee" * page_size)

    result = invoke(data_dir, "pages")

    lines = error_lines(result.stderr)
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: page store ")
    assert str(store_path) in lines[0]
    assert "is corrupt" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["crawl", "--delay", "-1", "http://h.test/"], "'--delay': -1.0 is not"),
        (["crawl", "--concurrency", "abc", "http://h.test/"], "'--concurrency'"),
        (["crawl", "--concurrency", "100000", "http://h.test/"], "1<=x<=16"),
        (["crawl", "--timeout", "nan", "http://h.test/"], "not a finite number"),
        (["crawl", "--alias-recheck-days", "inf", "http://h.test/"], "'--alias"),
        (["ask", "--top", str(2**63), "住民票"], "1<=x<=1000"),
        (["evaluate", "--top", str(2**64), "q.jsonl"], "1<=x<=1000"),
        (["reports", "set-status", "R1", "accepted"], "Missing option '--note'"),
        (["crawll"], "No such command 'crawll'. Did you mean 'crawl'?"),
        (["report", "list"], "Did you mean 'reports'?"),
    ],
)
def test_usage_error_is_one_line(invoke, tmp_path, args, expected):
    data_dir = tmp_path / "data"

    result = invoke(data_dir, *args)

    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    assert "--help`" in lines[0]
    assert not data_dir.exists()


@pytest.mark.parametrize(
    ("reason", "advice"),
    [
        ("attempt to write a readonly database", "is read-only"),
        ("database is locked", "do not move the file"),
        ("database or disk is full", "free space"),
        ("database disk image is malformed", "restore it from a backup"),
    ],
)
def test_database_error_advice_fits_cause(reason, advice):
    text = _database_advice(reason)
    assert advice in text
    if advice != "restore it from a backup":
        assert "backup or move it away" not in text


def test_interrupted_index_rebuild_names_the_index_in_use(
    invoke, tmp_path, monkeypatch
):
    def interrupted(settings):
        raise KeyboardInterrupt

    monkeypatch.setattr("index.cli.build_index", interrupted)
    result = invoke(tmp_path / "data", "index")
    assert result.returncode == 130
    assert result.stderr.strip().splitlines()[-1] == (
        "error: the index rebuild was interrupted; the index in use is the last "
        "one that finished building, and the same command builds a new one"
    )


def test_interrupt_inside_compiled_loop_exits_130(invoke, tmp_path, monkeypatch):
    # numba hands Ctrl-C back as a SystemError whose cause is the interrupt.
    def interrupted(settings):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise SystemError("returned a result with an exception set") from exc

    monkeypatch.setattr("index.cli.build_index", interrupted)
    result = invoke(tmp_path / "data", "index")
    assert result.returncode == 130
    assert result.stderr.strip().splitlines()[-1] == "interrupted"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["reports", "list", "--data-dir", "x"],
            "`cityline --data-dir ... reports list ...`",
        ),
        (["ask", "-v", "住民票"], "`cityline -v ask ...`"),
    ],
)
def test_global_option_after_the_command_is_placed(invoke, tmp_path, args, expected):
    result = invoke(tmp_path / "data", *args)

    assert result.returncode == 2
    assert "is an option of cityline itself" in result.stderr
    assert expected in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["dev", "send", "--url", "http://127.0.0.1:1/callback", "text", "a"],
            "`cityline dev send follow --url ...`",
        ),
        (["broadcast", "--text", "a"], "`cityline broadcast send --text ...`"),
    ],
)
def test_subcommand_option_before_the_subcommand_is_placed(
    invoke, tmp_path, args, expected
):
    result = invoke(tmp_path / "data", *args)

    assert result.returncode == 2
    assert "so it goes after the subcommand" in result.stderr
    assert expected in result.stderr


@pytest.mark.parametrize("command", ["ask", "evaluate"])
def test_missing_data_dir_is_named_before_the_index(invoke, tmp_path, command):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "a", "gold": []}\n')
    data_dir = tmp_path / "typo"
    argument = "住民票" if command == "ask" else str(questions)

    result = invoke(data_dir, command, argument)

    lines = error_lines(result.stderr)
    assert result.returncode == 2
    assert lines == [
        f"error: data dir {str(data_dir)!r} does not exist; pass the folder that "
        "`cityline crawl` filled with --data-dir or CITYLINE_DATA_DIR"
    ]
    assert not data_dir.exists()


def test_huge_error_is_cut_in_the_middle(invoke, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()

    result = invoke(data_dir, "reports", "list", "--status", "x" * 100_000)

    [line] = result.stderr.strip().splitlines()
    assert result.returncode == 2
    assert len(line) < 2_100
    assert line.startswith("error: unknown status 'xxx")
    assert "characters cut ..." in line
    assert line.endswith("removed")
