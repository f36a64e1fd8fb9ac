"""The pages command on a read-only data dir, and on a pages.db with damaged pages."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from crawler.records import StoredPage, utc_now
from crawler.store import PageStore
from tests.test_crawl_extractor_version import make_old_store


def fill_store(data_dir: Path, count: int) -> None:
    """Write ``count`` pages of about 3 KB text each into a new page store."""
    now = utc_now()
    with PageStore.open(data_dir / "pages.db") as store:
        for i in range(count):
            url = f"http://127.0.0.1:9/p{i:04}.html"
            text = f"ページ{i}の本文です。" * 200
            store.put_page(
                StoredPage(
                    url=url,
                    canonical_url=url,
                    title=f"ページ{i}",
                    breadcrumbs=["ホーム"],
                    text=text,
                    page_number=None,
                    updated=None,
                    encoding="utf-8",
                    status=200,
                    content_hash=hashlib.sha256(text.encode()).hexdigest(),
                    fetched_at=now,
                    changed_at=now,
                )
            )


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def make_read_only(folder: Path) -> None:
    for path in [folder, *folder.iterdir()]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def make_writable(folder: Path) -> None:
    folder.chmod(0o700)
    for path in folder.iterdir():
        path.chmod(0o600)


def test_pages_leaves_the_store_unchanged(invoke, tmp_path):
    data_dir = tmp_path / "data"
    fill_store(data_dir, 5)
    before = file_hashes(data_dir)
    counts = invoke(data_dir, "pages", "--json")
    page = invoke(data_dir, "pages", "http://127.0.0.1:9/p0001.html", "--json")

    assert counts.returncode == 0, counts.stderr
    assert json.loads(counts.stdout)["pages"] == 5
    assert page.returncode == 0, page.stderr
    assert json.loads(page.stdout)["title"] == "ページ1"
    assert file_hashes(data_dir)["pages.db"] == before["pages.db"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only folders")
def test_pages_on_read_only_copy(invoke, tmp_path):
    data_dir = tmp_path / "data"
    fill_store(data_dir, 5)
    copy = tmp_path / "ro"
    shutil.copytree(data_dir, copy)
    make_read_only(copy)
    try:
        counts = invoke(copy, "pages", "--json")
        page = invoke(copy, "pages", "http://127.0.0.1:9/p0001.html")
    finally:
        make_writable(copy)

    assert counts.returncode == 0, counts.stderr
    assert json.loads(counts.stdout)["pages"] == 5
    assert page.returncode == 0, page.stderr
    assert "title: ページ1" in page.stdout


@pytest.mark.parametrize("command", [["pages"], ["index"]])
def test_damaged_store_is_named(invoke, tmp_path, command):
    data_dir = tmp_path / "data"
    fill_store(data_dir, 120)
    path = data_dir / "pages.db"
    assert path.stat().st_size > 230_000
    with open(path, "r+b") as handle:
        handle.seek(200_000)
        handle.write(b"\xa5" * 30_000)
    result = invoke(data_dir, *command)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]

    assert result.returncode == 2
    assert len(errors) == 1
    assert str(path) in errors[0]
    assert "is corrupt" in errors[0]
    assert "restore it from a backup" in errors[0]


def test_pages_upgrades_store_without_versions(invoke, tmp_path):
    data_dir = tmp_path / "data"
    make_old_store(data_dir / "pages.db", ["http://127.0.0.1:9/a.html"])
    result = invoke(data_dir, "pages", "http://127.0.0.1:9/a.html", "--json")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["extractor_version"] == 1
