"""Extractor versions in the page store: old stores, and re-extraction on re-crawl."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading

from crawler.crawl import crawl_site
from crawler.extract import EXTRACTOR_VERSION
from crawler.schema import SCHEMA_VERSION
from crawler.store import PageStore
from tests.crawl_site import FAST, FakeSite, html_page, settings_for

# The schema of a page store written before extractor versions were recorded: the
# sqlite_master entries of a store that release created, reindented.
OLD_STORE_DDL = """
CREATE TABLE schema_versions (
    component VARCHAR(64) NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (component)
);
CREATE TABLE pages (
    url VARCHAR NOT NULL,
    canonical_url VARCHAR NOT NULL,
    title TEXT NOT NULL,
    breadcrumbs TEXT NOT NULL,
    text TEXT NOT NULL,
    page_number VARCHAR,
    updated VARCHAR,
    encoding VARCHAR NOT NULL,
    status INTEGER NOT NULL,
    content_hash VARCHAR NOT NULL,
    etag VARCHAR,
    last_modified VARCHAR,
    links TEXT NOT NULL,
    fetched_at VARCHAR NOT NULL,
    changed_at VARCHAR NOT NULL,
    removed BOOLEAN NOT NULL,
    PRIMARY KEY (url)
);
CREATE INDEX ix_pages_content_hash ON pages (content_hash);
CREATE TABLE page_aliases (
    url VARCHAR NOT NULL,
    target_url VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    status INTEGER,
    seen_at VARCHAR NOT NULL,
    PRIMARY KEY (url)
);
CREATE TABLE page_files (
    url VARCHAR NOT NULL,
    page_url VARCHAR NOT NULL,
    link_text TEXT NOT NULL,
    seen_at VARCHAR NOT NULL,
    PRIMARY KEY (url, page_url)
);
CREATE TABLE crawl_runs (
    id INTEGER NOT NULL,
    start_url VARCHAR NOT NULL,
    started_at VARCHAR NOT NULL,
    finished_at VARCHAR,
    seconds FLOAT NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE crawl_frontier (
    run_id INTEGER NOT NULL,
    url VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    source VARCHAR NOT NULL,
    pattern VARCHAR NOT NULL,
    referrer VARCHAR,
    state VARCHAR NOT NULL,
    reason TEXT,
    PRIMARY KEY (run_id, url),
    FOREIGN KEY(run_id) REFERENCES crawl_runs (id)
);
INSERT INTO schema_versions VALUES ('pages', 1);
INSERT INTO crawl_runs VALUES (1, 'http://old.example/', '2026-01-01T00:00:00+00:00',
    '2026-01-01T00:01:00+00:00', 60.0);
"""

OLD_TITLE = "旧い抽出のタイトル"
ETAG = '"same"'


def make_old_store(path, urls: list[str]) -> None:
    """Write a store as the previous release did, one page per URL, old titles."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.executescript(OLD_STORE_DDL)
        for number, url in enumerate(urls):
            connection.execute(
                "INSERT INTO pages VALUES "
                "(?, ?, ?, '[]', '古い本文', NULL, NULL, 'utf-8', 200, ?, ?, NULL, "
                "'[]', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 0)",
                (url, url, OLD_TITLE, f"old-hash-{number}", ETAG),
            )
    connection.close()


def serve_with_etag(site: FakeSite, path: str, title: str, body: str = "") -> None:
    """Serve a page that returns 304 whenever the request carries its ETag."""
    page = html_page(title, body).encode()

    def respond(request):
        if request.headers.get("If-None-Match") == ETAG:
            return 304, {"ETag": ETAG}, b""
        return 200, {"Content-Type": "text/html; charset=utf-8", "ETag": ETAG}, page

    site.add(path, responder=respond)


def conditional_paths(site: FakeSite) -> list[str]:
    return [r.path for r in site.requests if "If-None-Match" in r.headers]


def stored_versions(db) -> dict[str, int]:
    with PageStore.open(db) as store:
        return {page.url: page.extractor_version for page in store.iter_pages()}


def test_old_store_opens_as_version_1(tmp_path):
    db = tmp_path / "pages.db"
    make_old_store(db, ["http://old.example/", "http://old.example/a.html"])

    with PageStore.open(db) as store:
        pages = list(store.iter_pages())
        counts = store.count_by_extractor_version()
    with PageStore.open(db) as store:  # a second open finds the column in place
        again = store.get("http://old.example/a.html")
    with sqlite3.connect(db) as connection:
        schema_version = connection.execute(
            "SELECT version FROM schema_versions WHERE component = 'pages'"
        ).fetchone()[0]
    connection.close()

    assert [page.title for page in pages] == [OLD_TITLE, OLD_TITLE]
    assert [page.extractor_version for page in pages] == [1, 1]
    assert counts == {1: 2}
    assert again.extractor_version == 1
    assert schema_version == SCHEMA_VERSION == 1


def test_rows_written_without_version_count_as_1(tmp_path):
    # Releases before extractor versions insert pages without the column.
    db = tmp_path / "pages.db"
    PageStore.open(db).close()
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO pages (url, canonical_url, title, breadcrumbs, text, "
            "encoding, status, content_hash, links, fetched_at, changed_at, removed) "
            "VALUES ('http://x.example/', 'http://x.example/', 't', '[]', '', "
            "'utf-8', 200, 'h', '[]', 'now', 'now', 0)"
        )
    connection.close()

    with PageStore.open(db) as store:
        page = store.get("http://x.example/")
    assert page.extractor_version == 1


def test_crawl_stores_current_extractor_version(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a>")
        site.page("/a.html", "ページA")
        summary = crawl_site(settings, site.url("/"), FAST)

    assert summary.unconditional_reason is None
    assert "without conditional headers" not in summary.format()
    assert set(stored_versions(settings.pages_db_path).values()) == {EXTRACTOR_VERSION}


def test_old_store_recrawl_extracts_every_page_again(tmp_path):
    settings = settings_for(tmp_path)
    db = settings.pages_db_path
    paths = ["/", "/a.html", "/b.html"]
    with FakeSite() as site:
        serve_with_etag(site, "/", "トップ", "<a href='/a.html'>a</a>")
        serve_with_etag(site, "/a.html", "ページA", "<a href='/b.html'>b</a>")
        serve_with_etag(site, "/b.html", "ページB")
        make_old_store(db, [site.url(p) for p in paths])

        first = crawl_site(settings, site.url("/"), FAST)
        first_conditional = conditional_paths(site)
        with PageStore.open(db) as store:
            titles = {p: store.get(site.url(p)).title for p in paths}
        site.requests.clear()
        second = crawl_site(settings, site.url("/"), FAST)
        second_conditional = conditional_paths(site)

    assert first_conditional == []
    assert first.changed == 3
    assert first.unchanged == 0
    # The start page is fetched before the store is read, so it is not counted.
    assert first.unconditional == 2
    assert (
        "re-fetched 2 stored pages without conditional headers, because they were "
        f"extracted by extractor version 1 and this cityline uses version "
        f"{EXTRACTOR_VERSION}"
    ) in first.format()
    assert titles == {"/": "トップ", "/a.html": "ページA", "/b.html": "ページB"}
    assert set(stored_versions(db).values()) == {EXTRACTOR_VERSION}
    assert sorted(second_conditional) == ["/a.html", "/b.html"]
    assert second.unchanged == 3
    assert second.unconditional_reason is None


def test_only_outdated_pages_skip_conditional_headers(tmp_path):
    settings = settings_for(tmp_path)
    db = settings.pages_db_path
    with FakeSite() as site:
        serve_with_etag(site, "/", "トップ", "<a href='/a.html'>a</a>")
        serve_with_etag(site, "/a.html", "ページA", "<a href='/b.html'>b</a>")
        serve_with_etag(site, "/b.html", "ページB")
        crawl_site(settings, site.url("/"), FAST)
        with sqlite3.connect(db) as connection:
            connection.execute(
                "UPDATE pages SET extractor_version = 1 WHERE url = ?",
                (site.url("/b.html"),),
            )
        connection.close()
        site.requests.clear()
        summary = crawl_site(settings, site.url("/"), FAST)
        conditional = conditional_paths(site)
        b_requests = site.requests_for("/b.html")

    assert conditional == ["/a.html"]
    assert len(b_requests) == 1
    assert summary.unconditional == 1
    assert summary.unchanged == 3
    assert stored_versions(db)[site.url("/b.html")] == EXTRACTOR_VERSION


def test_newer_extractor_version_is_extracted_again(tmp_path):
    # A store written by a newer release counts as outdated too.
    settings = settings_for(tmp_path)
    db = settings.pages_db_path
    with FakeSite() as site:
        serve_with_etag(site, "/", "トップ", "<a href='/a.html'>a</a>")
        serve_with_etag(site, "/a.html", "ページA")
        crawl_site(settings, site.url("/"), FAST)
        with sqlite3.connect(db) as connection:
            connection.execute(
                "UPDATE pages SET extractor_version = ?", (EXTRACTOR_VERSION + 1,)
            )
        connection.close()
        site.requests.clear()
        summary = crawl_site(settings, site.url("/"), FAST)
        conditional = conditional_paths(site)

    assert conditional == []
    assert f"extractor version {EXTRACTOR_VERSION + 1} and" in summary.format()
    assert set(stored_versions(db).values()) == {EXTRACTOR_VERSION}


def test_refetch_fetches_current_pages_unconditionally(tmp_path):
    settings = settings_for(tmp_path)
    with FakeSite() as site:
        serve_with_etag(site, "/", "トップ", "<a href='/a.html'>a</a>")
        serve_with_etag(site, "/a.html", "ページA")
        crawl_site(settings, site.url("/"), FAST)
        site.requests.clear()
        summary = crawl_site(settings, site.url("/"), FAST, refetch=True)
        conditional = conditional_paths(site)

    assert conditional == []
    assert summary.unconditional == 1
    assert summary.unchanged == 2
    assert "because a full re-fetch was requested (--refetch)" in summary.format()


def test_interrupted_reextraction_resumes_unconditionally(tmp_path):
    settings = settings_for(tmp_path)
    db = settings.pages_db_path
    total = 10
    stop_at = 5
    reached = threading.Event()
    release = threading.Event()
    with FakeSite() as site:
        links = "".join(f"<a href='/p{i}.html'>p{i}</a>" for i in range(total))
        serve_with_etag(site, "/", "トップ", links)
        for i in range(total):
            serve_with_etag(site, f"/p{i}.html", f"ページ{i}")
        blocked_page = site.routes[f"/p{stop_at}.html"].responder

        def block_first_request(request):
            # The first request waits here until the crawl has been killed.
            if not reached.is_set():
                reached.set()
                release.wait(timeout=60)
            return blocked_page(request)

        site.add(f"/p{stop_at}.html", responder=block_first_request)
        page_urls = [site.url(f"/p{i}.html") for i in range(total)]
        make_old_store(db, [site.url("/"), *page_urls])

        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cityline.cli",
                "--data-dir",
                str(settings.data_dir),
                "crawl",
                site.url("/"),
                "--no-index",
                "--delay",
                "0",
                "--concurrency",
                "1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert reached.wait(timeout=60), "the crawl never requested the page"
            process.send_signal(signal.SIGKILL)
            _out, err = process.communicate(timeout=30)
        finally:
            release.set()
            if process.poll() is None:
                process.kill()
        killed_versions = stored_versions(db)
        first_conditional = conditional_paths(site)

        site.requests.clear()
        resumed = crawl_site(settings, site.url("/"), FAST)
        resumed_conditional = conditional_paths(site)
        resumed_paths = site.paths()
        site.requests.clear()
        after = crawl_site(settings, site.url("/"), FAST)
        after_conditional = conditional_paths(site)

    assert first_conditional == [], err
    # Pages handled before the kill were extracted again, and the rest were not.
    assert [killed_versions[url] for url in page_urls] == [EXTRACTOR_VERSION] * (
        stop_at
    ) + [1] * (total - stop_at)
    assert resumed.resumed
    assert resumed_conditional == []
    assert resumed.unconditional == total - stop_at
    assert "because they were extracted by extractor version 1" in resumed.format()
    for i in range(stop_at):
        assert f"/p{i}.html" not in resumed_paths
    assert set(stored_versions(db).values()) == {EXTRACTOR_VERSION}
    with PageStore.open(db) as store:
        titles = [store.get(url).title for url in page_urls]
    assert titles == [f"ページ{i}" for i in range(total)]
    assert sorted(after_conditional) == sorted(f"/p{i}.html" for i in range(total))
    assert after.unchanged == total + 1
