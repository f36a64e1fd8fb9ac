"""Re-crawls of a folder-backed loopback site whose files are deleted between crawls."""

from __future__ import annotations

import dataclasses
import functools
import os
import threading
import time
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from crawler.crawl import crawl_site
from crawler.store import PageStore
from tests.crawl_site import FAST, QuietServer, html_page, settings_for

PAGE_COUNT = 30


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def folder_site(tmp_path):
    """Serve ``tmp_path/site`` (a top page linking PAGE_COUNT pages) on 127.0.0.1."""
    root = tmp_path / "site"
    root.mkdir()
    links = "".join(f"<a href='/p{i:02}.html'>{i}</a>" for i in range(PAGE_COUNT))
    (root / "index.html").write_text(html_page("トップ", links), encoding="utf-8")
    for i in range(PAGE_COUNT):
        body = f"<p>ページ{i}の本文です。</p>"
        page = html_page(f"ページ{i}", body)
        (root / f"p{i:02}.html").write_text(page, encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(root))
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def delete_pages(root: Path, count: int) -> None:
    for i in range(count):
        (root / f"p{i:02}.html").unlink()


def live_urls(settings) -> list[str]:
    with PageStore.open(settings.pages_db_path) as store:
        return [page.url for page in store.iter_pages()]


def test_outage_keeps_every_page(tmp_path, folder_site):
    root, url = folder_site
    settings = settings_for(tmp_path)
    first = crawl_site(settings, url, FAST)
    delete_pages(root, 20)
    second = crawl_site(settings, url, FAST)

    assert first.pages == PAGE_COUNT + 1
    assert second.removed == 0
    assert second.removals_held == 20
    assert second.pages == PAGE_COUNT + 1
    assert "kept 20 pages found gone" in second.format()
    assert second.format().splitlines()[1].startswith("  found new 0, changed 0")
    assert second.format().splitlines()[1].endswith("; none of it applied (see below)")
    assert len(live_urls(settings)) == PAGE_COUNT + 1


def test_removals_below_limit_are_applied(tmp_path, folder_site):
    root, url = folder_site
    settings = settings_for(tmp_path)
    crawl_site(settings, url, FAST)
    delete_pages(root, 3)
    summary = crawl_site(settings, url, FAST)

    assert summary.removed == 3
    assert summary.removals_held == 0
    assert summary.pages == PAGE_COUNT - 2
    with PageStore.open(settings.pages_db_path) as store:
        every = {page.url: page for page in store.iter_pages(include_removed=True)}
    assert every[url + "p00.html"].removed
    assert every[url + "p00.html"].status == 404
    assert not every[url + "p03.html"].removed


def test_held_removals_apply_when_allowed(tmp_path, folder_site):
    root, url = folder_site
    settings = settings_for(tmp_path)
    crawl_site(settings, url, FAST)
    delete_pages(root, 20)
    crawl_site(settings, url, FAST)
    allowed = crawl_site(
        settings, url, dataclasses.replace(FAST, max_removed_share=1.0)
    )

    assert allowed.resumed is False
    assert allowed.removed == 20
    assert allowed.pages == PAGE_COUNT - 19


def test_cli_outage_exits_2_and_keeps_the_index(invoke, tmp_path, folder_site):
    root, url = folder_site
    data_dir = tmp_path / "data"
    first = invoke(data_dir, "crawl", url, "--delay", "0")
    assert first.returncode == 0, first.stderr
    builds = sorted(p.name for p in (data_dir / "index").iterdir())
    delete_pages(root, 20)
    held = invoke(data_dir, "crawl", url, "--delay", "0")
    errors = [line for line in held.stderr.splitlines() if line.startswith("error:")]

    assert held.returncode == 3
    assert len(errors) == 1
    assert "20 stored pages were found gone" in errors[0]
    assert "--allow-removals" in errors[0]
    assert "--max-removed-share" in errors[0]
    assert "removed 0" in held.stdout
    assert sorted(p.name for p in (data_dir / "index").iterdir()) == builds
    assert len(live_urls(settings_for(tmp_path))) == PAGE_COUNT + 1

    accepted = invoke(data_dir, "crawl", url, "--delay", "0", "--allow-removals")
    assert accepted.returncode == 0, accepted.stderr
    assert "removed 20" in accepted.stdout
    assert len(live_urls(settings_for(tmp_path))) == PAGE_COUNT - 19


def test_cli_higher_share_accepts_removals(invoke, tmp_path, folder_site):
    root, url = folder_site
    data_dir = tmp_path / "data"
    invoke(data_dir, "crawl", url, "--delay", "0", "--no-index")
    delete_pages(root, 20)
    result = invoke(
        data_dir,
        "crawl",
        url,
        "--delay",
        "0",
        "--no-index",
        "--max-removed-share",
        "0.7",
    )

    assert result.returncode == 0, result.stderr
    assert "removed 20" in result.stdout


@pytest.mark.parametrize("share", ["-0.1", "1.5", "much"])
def test_cli_rejects_invalid_max_removed_share(invoke, tmp_path, folder_site, share):
    _root, url = folder_site
    result = invoke(tmp_path / "data", "crawl", url, "--max-removed-share", share)

    assert result.returncode == 2
    assert "--max-removed-share" in result.stderr
    assert not (tmp_path / "data").exists()


def test_moved_page_is_stored_at_new_url(tmp_path, folder_site):
    root, url = folder_site
    settings = settings_for(tmp_path)
    crawl_site(settings, url, FAST)
    moved = (root / "p00.html").read_text(encoding="utf-8")
    (root / "p00.html").unlink()
    (root / "new.html").write_text(moved, encoding="utf-8")
    index = (root / "index.html").read_text(encoding="utf-8")
    index = index.replace("/p00.html", "/new.html")
    (root / "index.html").write_text(index, encoding="utf-8")
    summary = crawl_site(settings, url, FAST)

    assert summary.removed == 1
    assert summary.new == 1
    assert summary.duplicates == 0
    assert url + "new.html" in live_urls(settings)
    assert url + "p00.html" not in live_urls(settings)


def test_removed_pages_are_named(tmp_path, folder_site):
    root, url = folder_site
    settings = settings_for(tmp_path)
    crawl_site(settings, url, FAST)
    delete_pages(root, 2)
    summary = crawl_site(settings, url, FAST)

    assert sorted(summary.gone_urls) == [
        (url + "p00.html", "HTTP 404"),
        (url + "p01.html", "HTTP 404"),
    ]
    assert f"  gone: {url}p00.html (HTTP 404)" in summary.format().splitlines()
    assert {"url": url + "p00.html", "reason": "HTTP 404"} in summary.to_json()[
        "gone_urls"
    ]


def test_held_removals_are_named(tmp_path, folder_site):
    root, url = folder_site
    settings = settings_for(tmp_path)
    crawl_site(settings, url, FAST)
    delete_pages(root, 20)
    summary = crawl_site(settings, url, FAST)

    assert summary.removals_held == 20
    assert len(summary.gone_urls) == 20
    assert f"  gone: {url}p19.html (HTTP 404)" in summary.format().splitlines()


def test_long_gone_list_is_cut_in_text_only():
    from crawler.summary import LISTED_URLS, CrawlSummary

    gone = [(f"http://127.0.0.1/p{i}.html", "HTTP 410") for i in range(53)]
    summary = CrawlSummary(start_url="http://127.0.0.1/", gone_urls=gone)
    lines = summary.format().splitlines()

    assert LISTED_URLS == 50
    assert sum(line.startswith("  gone: http") for line in lines) == LISTED_URLS
    assert "  gone: 3 more (`cityline crawl --json` lists them all)" in lines
    assert len(summary.to_json()["gone_urls"]) == 53


def test_merged_pages_are_named_with_their_target():
    from crawler.summary import CrawlSummary

    merged = [("http://127.0.0.1/old.html", "http://127.0.0.1/new.html")]
    summary = CrawlSummary(start_url="http://127.0.0.1/", merged_urls=merged)

    expected = "  merged: http://127.0.0.1/old.html into http://127.0.0.1/new.html"
    assert expected in summary.format().splitlines()
    assert summary.to_json()["merged_urls"] == [
        {"url": "http://127.0.0.1/old.html", "into": "http://127.0.0.1/new.html"}
    ]


def test_removed_page_still_linked_is_not_a_failure(tmp_path, folder_site):
    root, url = folder_site
    settings = settings_for(tmp_path)
    crawl_site(settings, url, FAST)
    delete_pages(root, 1)
    crawl_site(settings, url, FAST)
    summary = crawl_site(settings, url, FAST)

    assert (summary.failed, summary.removed, summary.failures) == (0, 0, [])
    assert summary.still_gone_urls == [(url + "p00.html", "HTTP 404")]
    lines = summary.format().splitlines()
    assert f"  still gone: {url}p00.html (HTTP 404)" in lines
    assert summary.to_json()["still_gone"] == 1


def test_page_that_comes_back_counts_as_new(tmp_path, folder_site):
    root, url = folder_site
    settings = settings_for(tmp_path)
    crawl_site(settings, url, FAST)
    page = (root / "p00.html").read_bytes()
    delete_pages(root, 1)
    crawl_site(settings, url, FAST)
    (root / "p00.html").write_bytes(page)
    summary = crawl_site(settings, url, FAST)

    assert (summary.new, summary.changed) == (1, 0)
    assert url + "p00.html" in live_urls(settings)


def test_status_counts_leave_removed_pages_out(tmp_path, folder_site):
    root, url = folder_site
    settings = settings_for(tmp_path)
    crawl_site(settings, url, FAST)
    delete_pages(root, 1)
    noindex = html_page(
        "ページ1", "<p>本文</p>", "<meta name='robots' content='noindex'>"
    )
    (root / "p01.html").write_text(noindex, encoding="utf-8")
    # A later modification time, so that If-Modified-Since cannot get a 304
    # when the first crawl read the page in the same second.
    later = time.time() + 10
    os.utime(root / "p01.html", (later, later))
    crawl_site(settings, url, FAST)

    with PageStore.open(settings.pages_db_path) as store:
        counts = store.count_by_status()
    assert counts["removed"] == 2
    assert counts["pages"] == counts["http_200"] == PAGE_COUNT - 1
    assert "http_404" not in counts
