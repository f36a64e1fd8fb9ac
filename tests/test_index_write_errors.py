"""An index folder that cannot be written: one error line, the old index kept.

Tests run as root, where a chmod does not stop writes, so most of them make the
index writer raise OSError(EROFS) as a read-only mount does. Two use a real
failure: an index path below a regular file.
"""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import pytest

from cityline.errors import CitylineError
from cityline.settings import Settings
from crawler.crawl import crawl_site
from crawler.store import PageStore
from index import artifact
from index.artifact import IndexWriteError, load_model
from index.build import build_from_records, build_index
from index.fields import PageRecord
from tests.crawl_site import FAST, FakeSite

PAGES = [
    PageRecord(
        url="https://city.example/gomi.html",
        title="ごみの出し方",
        breadcrumbs=["くらし", "ごみ"],
        text="燃えるごみは週2回の収集です。",
    ),
    PageRecord(
        url="https://city.example/koen.html",
        title="公園の利用",
        breadcrumbs=["くらし", "公園"],
        text="公園の遊具が壊れたときは連絡してください。",
    ),
]
READ_ONLY = "[Errno 30] Read-only file system"


def read_only_writer(model, folder: Path) -> None:
    """Write one file of the build, then fail as a read-only mount would."""
    (folder / "terms.json").write_text("[]", encoding="utf-8")
    path = str(folder / "term_idf.npy")
    raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)


def index_state(index_dir: Path) -> tuple[str, list[str], list[str]]:
    """Return the pointer, the build folders and the other files of the index."""
    builds = sorted(path.name for path in (index_dir / "builds").iterdir())
    others = sorted(path.name for path in index_dir.iterdir())
    pointer = (index_dir / "CURRENT").read_text(encoding="utf-8")
    return pointer, builds, others


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def built(settings) -> Path:
    """Build a first index of PAGES[:1] and return the index folder."""
    build_from_records(PAGES[:1], settings.index_dir)
    return settings.index_dir


# The writer ------------------------------------------------------------------------


def test_write_error_keeps_current_index(built, monkeypatch):
    before = index_state(built)
    monkeypatch.setattr(artifact, "_write_files", read_only_writer)

    with pytest.raises(IndexWriteError) as raised:
        build_from_records(PAGES, built)

    assert index_state(built) == before
    model, _ = load_model(built)
    assert model.page_count == 1
    message = str(raised.value)
    assert repr(str(built)) in message
    assert READ_ONLY in message
    assert "Run `cityline index` once the folder is writable" in message
    assert isinstance(raised.value, CitylineError)
    assert raised.value.error.errno == errno.EROFS


def test_pointer_error_removes_new_build(built, monkeypatch):
    before = index_state(built)
    real_replace = os.replace

    def replace(source, target):
        if Path(target).name == artifact.POINTER_NAME:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)

    with pytest.raises(IndexWriteError, match=r"\[Errno 30\]"):
        build_from_records(PAGES, built)

    # No new build folder, and no temporary pointer file either.
    assert index_state(built) == before


def test_sync_error_after_swap_keeps_new_build(built, monkeypatch, caplog):
    real_sync = artifact._sync_path

    def sync(path: Path) -> None:
        if path == built:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))
        real_sync(path)

    monkeypatch.setattr(artifact, "_sync_path", sync)

    with caplog.at_level(logging.WARNING, logger="index.artifact"):
        report = build_from_records(PAGES, built)

    pointer, builds, _ = index_state(built)
    assert pointer.strip() == report.folder.name
    assert report.folder.name in builds
    assert load_model(built)[0].page_count == 2
    assert "is current, but syncing" in caplog.text


def test_interrupt_removes_partial_build(built, monkeypatch):
    before = index_state(built)

    def interrupted_writer(model, folder: Path) -> None:
        (folder / "terms.json").write_text("[]", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(artifact, "_write_files", interrupted_writer)

    with pytest.raises(KeyboardInterrupt):
        build_from_records(PAGES, built)

    assert index_state(built) == before


def test_unwritable_folder_fails_before_tokenizing(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")

    def no_build(*args, **kwargs):
        raise AssertionError("the pages were tokenized before the folder check")

    monkeypatch.setattr("index.build.build_model", no_build)

    with pytest.raises(IndexWriteError) as raised:
        build_from_records(PAGES, blocker / "index")

    assert "[Errno 20] Not a directory" in str(raised.value)
    assert repr(str(blocker / "index")) in str(raised.value)


def test_write_error_message_names_done_work(tmp_path):
    error = OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / "x"))
    plain = IndexWriteError(tmp_path, error)
    after = plain.after("the crawl was stored", "the removed pages")

    assert str(plain).startswith("the index was not rebuilt, because")
    assert str(after).startswith("the crawl was stored, but the index was not")
    assert "so it still lists the removed pages." in str(after)
    assert after.error is error
    assert after.index_dir == tmp_path


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
        OSError("22039 requested and 496 written"),
    ],
)
def test_full_disk_asks_for_space(tmp_path, error):
    message = str(IndexWriteError(tmp_path, error))
    assert "Free space on its disk, then run `cityline index`" in message


# The commands ----------------------------------------------------------------------


def serve_pages(site: FakeSite) -> None:
    site.page("/", "トップ", "<a href='/gomi.html'>ごみ</a>")
    site.page("/gomi.html", "ごみの出し方", "<p>燃えるごみは週2回の収集です。</p>")


def live_urls(data_dir: Path) -> set[str]:
    with PageStore.open(data_dir / "pages.db") as store:
        return {page.url for page in store.iter_pages()}


def assert_one_error_line(result) -> str:
    """Check that ``result`` failed with exit 2 and one error line; return it."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = error_lines(result)
    return line


def test_index_command_write_error(invoke, settings, monkeypatch):
    with FakeSite() as site:
        serve_pages(site)
        crawl_site(settings, site.url("/"), FAST)
    build_index(settings)
    before = index_state(settings.index_dir)
    monkeypatch.setattr(artifact, "_write_files", read_only_writer)

    result = invoke(settings.data_dir, "index")

    line = assert_one_error_line(result)
    assert line.startswith("error: the index was not rebuilt, because")
    assert repr(str(settings.index_dir)) in line
    assert READ_ONLY in line
    assert index_state(settings.index_dir) == before


def test_index_command_real_folder_error(invoke, settings):
    settings.ensure_data_dir()
    with FakeSite() as site:
        serve_pages(site)
        crawl_site(settings, site.url("/"), FAST)
    settings.index_dir.write_text("", encoding="utf-8")

    result = invoke(settings.data_dir, "index")

    line = assert_one_error_line(result)
    assert "[Errno 20] Not a directory" in line
    assert settings.index_dir.is_file()


def test_remove_host_write_error(invoke, settings, monkeypatch):
    with FakeSite() as old, FakeSite() as new:
        serve_pages(old)
        serve_pages(new)
        crawl_site(settings, old.url("/"), FAST)
        crawl_site(settings, new.url("/"), FAST)
    build_index(settings)
    before = index_state(settings.index_dir)
    monkeypatch.setattr(artifact, "_write_files", read_only_writer)

    result = invoke(
        settings.data_dir, "pages", "--remove-host", old.base_url, "--confirm"
    )

    line = assert_one_error_line(result)
    assert line.startswith(
        "error: the listed pages were removed from the page store, but the index "
        "was not rebuilt"
    )
    assert "so it still lists the removed pages" in line
    assert READ_ONLY in line
    assert result.stdout.startswith("removed 2 stored pages of")
    assert live_urls(settings.data_dir) == {new.url("/"), new.url("/gomi.html")}
    assert index_state(settings.index_dir) == before


def test_crawl_write_error(invoke, settings, monkeypatch):
    with FakeSite() as first:
        serve_pages(first)
        crawl_site(settings, first.url("/"), FAST)
    build_index(settings)
    before = index_state(settings.index_dir)
    monkeypatch.setattr(artifact, "_write_files", read_only_writer)

    with FakeSite() as site:
        serve_pages(site)
        result = invoke(settings.data_dir, "crawl", site.url("/"), "--delay", "0")

    line = assert_one_error_line(result)
    assert line.startswith("error: the crawl was stored, but the index was not")
    assert READ_ONLY in line
    assert site.url("/gomi.html") in live_urls(settings.data_dir)
    assert index_state(settings.index_dir) == before


def test_index_folder_that_is_a_file_is_named(tmp_path):
    index_dir = tmp_path / "index"
    index_dir.write_text("x")
    assert artifact.pointer_stamp(index_dir) is None
    with pytest.raises(artifact.IndexNotFoundError, match="is a file; move it away"):
        load_model(index_dir)


def test_pointer_that_is_a_folder_is_named(built):
    pointer = built / artifact.POINTER_NAME
    pointer.unlink()
    pointer.mkdir()
    with pytest.raises(artifact.IndexVersionError, match="is a folder, where the"):
        load_model(built)
    with pytest.raises(IndexWriteError, match="move that folder away"):
        build_from_records(
            [PageRecord(url="https://city.example/a", title="a", text="犬")], built
        )
