"""Re-crawls of the demo site while it serves one page for many URLs, and after."""

from __future__ import annotations

import sqlite3
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from crawler.records import utc_now
from tests.crawl_site import QuietServer

server = pytest.importorskip("cityline.demo.server", reason="the demo site is missing")

MAINTENANCE = (
    "<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'>"
    "<title>メンテナンス中</title></head><body><main><h1>メンテナンス中</h1>"
    "<p>ただいまサイトを点検しています。しばらくしてからお越しください。</p>"
    "</main></body></html>"
)
NOT_FOUND = (
    "<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'>"
    "<title>ページが見つかりません</title></head><body><main>"
    "<h1>ページが見つかりません</h1><p>アドレスをお確かめください。</p>"
    "</main></body></html>"
)
UNAVAILABLE = (
    "<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'>"
    "<title>一時的にご覧になれません</title></head><body><main>"
    "<h1>一時的にご覧になれません</h1><p>このページは準備中です。</p>"
    "</main></body></html>"
)


class SwitchableSite:
    """The demo site on one loopback port, switched to a failure mode and back.

    Modes:

    - ``demo``: the demo site.
    - ``maintenance``: one 200 page for every URL.
    - ``soft404``: the demo top page, and one 200 "not found" page for every other
      URL.
    - ``collapse``: the demo top page, one 200 page for every other path of the
      demo site, and 404 for paths it does not have.

    ``robots.txt`` is 404 in every mode except ``demo``.
    """

    def __init__(self) -> None:
        self.demo = server.DemoSite()
        self.base_url = self.demo.start()
        self.port = self.demo.port
        self.root = self.demo.root
        self.home = (self.root / "index.html").read_bytes()
        self.other: QuietServer | None = None

    def switch(self, mode: str) -> None:
        """Serve ``mode`` from now on, on the same port."""
        self.demo.stop()
        self._stop_other()
        if mode == "demo":
            self.demo.start()
            return
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                status, body = site.respond(mode, self.path.split("?")[0])
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.other = QuietServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.other.serve_forever, daemon=True).start()

    def respond(self, mode: str, path: str) -> tuple[int, bytes]:
        """Return the status and body that ``mode`` sends for ``path``."""
        if path == "/robots.txt":
            return 404, b""
        if mode == "maintenance":
            return 200, MAINTENANCE.encode("utf-8")
        if path in ("/", "/index.html"):
            return 200, self.home
        if mode == "soft404":
            return 200, NOT_FOUND.encode("utf-8")
        if self._demo_has(path):
            return 200, UNAVAILABLE.encode("utf-8")
        return 404, NOT_FOUND.encode("utf-8")

    def _demo_has(self, path: str) -> bool:
        target = (self.root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        return target.is_file() and self.root in target.parents

    def close(self) -> None:
        self._stop_other()
        self.demo.stop()

    def _stop_other(self) -> None:
        if self.other is not None:
            self.other.shutdown()
            self.other.server_close()
            self.other = None


@pytest.fixture
def site():
    switchable = SwitchableSite()
    try:
        yield switchable
    finally:
        switchable.close()


@pytest.fixture
def stored(invoke, tmp_path, site):
    """A data dir with a crawl of the demo site and its index; the site's URL."""
    data_dir = tmp_path / "data"
    result = invoke(data_dir, "crawl", site.base_url + "/", "--delay", "0")
    assert result.returncode == 0, result.stderr
    return data_dir, site.base_url + "/"


def store_rows(data_dir: Path) -> dict[str, list[tuple]]:
    """Return every row of the pages, aliases and file links tables, sorted."""
    connection = sqlite3.connect(data_dir / "pages.db")
    try:
        return {
            table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall())
            for table in ("pages", "page_aliases", "page_files")
        }
    finally:
        connection.close()


def live_urls(data_dir: Path) -> set[str]:
    connection = sqlite3.connect(data_dir / "pages.db")
    try:
        rows = connection.execute("SELECT url FROM pages WHERE NOT removed")
        return {url for (url,) in rows}
    finally:
        connection.close()


def index_state(data_dir: Path) -> tuple[str, list[str]]:
    """Return the current index build and the names of every build."""
    index_dir = data_dir / "index"
    current = (index_dir / "CURRENT").read_text(encoding="utf-8")
    return current, sorted(p.name for p in (index_dir / "builds").iterdir())


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_maintenance_site_changes_nothing(invoke, site, stored):
    data_dir, url = stored
    rows, index, urls = store_rows(data_dir), index_state(data_dir), live_urls(data_dir)
    site.switch("maintenance")
    held = invoke(data_dir, "crawl", url, "--delay", "0", "--retries", "0")
    allowed = invoke(data_dir, "crawl", url, "--delay", "0", "--allow-removals")

    assert held.returncode == 3
    assert len(error_lines(held)) == 1
    assert "maintenance" in error_lines(held)[0]
    assert url in error_lines(held)[0]
    assert allowed.returncode == 3
    assert store_rows(data_dir) == rows
    assert index_state(data_dir) == index

    site.switch("demo")
    back = invoke(data_dir, "crawl", url, "--delay", "0")
    assert back.returncode == 0, back.stderr
    assert live_urls(data_dir) == urls


def test_soft_404_site_is_held(invoke, site, stored):
    data_dir, url = stored
    rows, index, urls = store_rows(data_dir), index_state(data_dir), live_urls(data_dir)
    site.switch("soft404")
    held = invoke(data_dir, "crawl", url, "--delay", "0", "--retries", "0")
    errors = error_lines(held)

    assert held.returncode == 3
    assert len(errors) == 1
    assert "were found gone" in errors[0]
    assert "soft 404" in errors[0]
    assert "--allow-removals" in errors[0]
    assert "removed 0" in held.stdout
    assert "as they were before this crawl" in held.stdout
    assert store_rows(data_dir) == rows
    assert index_state(data_dir) == index

    site.switch("demo")
    back = invoke(data_dir, "crawl", url, "--delay", "0")
    assert back.returncode == 0, back.stderr
    assert "new 0" in back.stdout
    assert live_urls(data_dir) == urls


def test_soft_404_pages_removed_when_allowed(invoke, site, stored):
    data_dir, url = stored
    urls = live_urls(data_dir)
    site.switch("soft404")
    allowed = invoke(
        data_dir, "crawl", url, "--delay", "0", "--retries", "0", "--allow-removals"
    )

    assert allowed.returncode == 0, allowed.stderr
    assert live_urls(data_dir) == {url}
    connection = sqlite3.connect(data_dir / "pages.db")
    titles = [t for (t,) in connection.execute("SELECT title FROM pages")]
    connection.close()
    assert "ページが見つかりません" not in titles
    assert len(urls) > 50


def test_collapse_into_one_page_is_held(invoke, site, stored):
    data_dir, url = stored
    rows, index = store_rows(data_dir), index_state(data_dir)
    site.switch("collapse")
    held = invoke(data_dir, "crawl", url, "--delay", "0", "--retries", "0")
    errors = error_lines(held)

    assert held.returncode == 3
    assert len(errors) == 1
    assert "merged into other pages" in errors[0]
    assert "--max-removed-share" in errors[0]
    assert store_rows(data_dir) == rows
    assert index_state(data_dir) == index


def test_allowed_collapse_heals_after_recovery(invoke, site, stored):
    data_dir, url = stored
    urls = live_urls(data_dir)
    site.switch("collapse")
    allowed = invoke(
        data_dir, "crawl", url, "--delay", "0", "--retries", "0", "--allow-removals"
    )
    collapsed = live_urls(data_dir)
    site.switch("demo")
    back = invoke(data_dir, "crawl", url, "--delay", "0")

    assert allowed.returncode == 0, allowed.stderr
    assert "merged" in allowed.stdout
    assert len(collapsed) <= 2
    assert back.returncode == 0, back.stderr
    assert "alias URLs again" in back.stdout
    # The calendar is a trap window: which months it stores depends on the run.
    assert without_calendar(live_urls(data_dir)) == without_calendar(urls)


def without_calendar(urls: set[str]) -> set[str]:
    return {url for url in urls if server.CALENDAR_PATH not in url}


def collapse_store(data_dir: Path, url: str) -> None:
    """Merge every stored page into the top page, as older releases did in maintenance.

    The top page gets other text, and every other page becomes a duplicate alias
    of it, seen now, so that only the change of the top page makes the next crawl
    fetch them again.
    """
    connection = sqlite3.connect(data_dir / "pages.db")
    with connection:
        others = [
            other
            for (other,) in connection.execute(
                "SELECT url FROM pages WHERE url != ?", (url,)
            )
        ]
        connection.execute(
            "UPDATE pages SET title = 'メンテナンス中', text = '点検中です。', "
            "content_hash = 'maintenance' WHERE url = ?",
            (url,),
        )
        connection.execute("DELETE FROM pages WHERE url != ?", (url,))
        connection.executemany(
            "INSERT INTO page_aliases (url, target_url, reason, status, seen_at) "
            "VALUES (?, ?, 'duplicate', NULL, ?)",
            [(other, url, utc_now()) for other in others],
        )
    connection.close()


def test_store_collapsed_earlier_heals(invoke, stored):
    data_dir, url = stored
    urls = live_urls(data_dir)
    collapse_store(data_dir, url)
    collapsed = live_urls(data_dir)
    back = invoke(data_dir, "crawl", url, "--delay", "0")

    assert collapsed == {url}
    assert back.returncode == 0, back.stderr
    assert f"fetched {len(urls) - 1} alias URLs again" in back.stdout
    assert live_urls(data_dir) == urls
