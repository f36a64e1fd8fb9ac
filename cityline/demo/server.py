"""Loopback HTTP server for the demo city site.

Serves the static files under ``site/`` and a few dynamic paths that crawler tests
need: permanent redirects read from ``redirects.tsv``, ``robots.txt`` and
``sitemap.xml`` with the served origin filled in, an endless event calendar, and a
``/slow/`` path that responds after a configurable delay. Static files carry
``Last-Modified`` and ``ETag`` and answer 304 to ``If-Modified-Since`` and
``If-None-Match``.
"""

from __future__ import annotations

import argparse
import email.utils
import html
import ipaddress
import logging
import mimetypes
import os
import posixpath
import socket
import threading
import time
import urllib.parse
from datetime import UTC, date, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

logger = logging.getLogger(__name__)

CITY_NAME = "みどり市"
SITE_NAME = f"{CITY_NAME}公式ホームページ"
DEFAULT_SITE_DIR = Path(__file__).resolve().parent / "site"
ORIGIN_PLACEHOLDER = b"{{ORIGIN}}"
CALENDAR_PATH = "/event/calendar.html"
# Host of the demo city's public site; every page names its canonical URL there, so
# an index built from the loopback server links to that host, not to a dead port.
CANONICAL_ORIGIN = "https://www.city.example.lg.jp"
SLOW_PREFIX = "/slow/"
# The server replaces the origin placeholder in these files with the served origin.
ORIGIN_FILES = frozenset({"/robots.txt", "/sitemap.xml"})
# Files in the site folder that configure the server and are never served.
HIDDEN_FILES = frozenset({"/redirects.tsv"})

# Fictional events, of which the calendar shows three in each month.
EVENTS = (
    ("みどり市民まつり", "中央公園", "模擬店やステージ発表があります。"),
    (
        "親子で楽しむ読み聞かせ会",
        "中央図書館",
        "3歳から小学2年生までのお子さんと保護者の方が対象です。",
    ),
    (
        "防災訓練（若葉台地区）",
        "若葉台小学校",
        "消火器の使い方や応急手当を体験できます。",
    ),
    (
        "ごみ減量フェア",
        "クリーンセンター",
        "リサイクル工房の見学と不用品の交換会を行います。",
    ),
    (
        "はじめての筋力トレーニング講座",
        "市民体育館",
        "65歳以上の方が対象です。動きやすい服装でお越しください。",
    ),
    ("公園の花壇づくりボランティア", "緑が丘公園", "軍手とスコップは市で用意します。"),
    (
        "子育てひろば 出張相談会",
        "東町コミュニティセンター",
        "保健師と保育士に子育ての相談ができます。",
    ),
    ("夜の星空観察会", "北町運動広場", "雨天の場合は中止します。"),
)


def is_loopback_host(host: str) -> bool:
    """Return True if ``host`` names a loopback address (``localhost`` included)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_redirects(path: Path) -> dict[str, str]:
    """Read ``old<TAB>new`` path lines, skipping blank lines and ``#`` comments."""
    redirects: dict[str, str] = {}
    if not path.is_file():
        return redirects
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        old, sep, new = line.partition("\t")
        if not sep or not old.startswith("/") or not new.strip():
            raise ValueError(
                f"invalid redirect line {number} in {path}: {line!r}; "
                "expected '/old/path<TAB>/new/path'"
            )
        redirects[old] = new.strip()
    return redirects


def parse_year_month(value: str | None, today: date) -> tuple[int, int] | None:
    """Parse a ``YYYYMM`` query value, where None means the current month.

    Returns None for a malformed value or a month outside 1-12.
    """
    if value is None:
        return today.year, today.month
    if len(value) != 6 or not value.isdigit():
        return None
    year, month = int(value[:4]), int(value[4:])
    if not 1 <= month <= 12 or year < 1:
        return None
    return year, month


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def render_calendar(year: int, month: int) -> str:
    """Render one month of the event calendar with links to the adjacent months.

    The canonical link names the month shown, also when ``ym`` was omitted.
    """
    prev_y, prev_m = shift_month(year, month, -1)
    next_y, next_m = shift_month(year, month, 1)
    seed = year * 12 + month
    items = []
    for offset in range(3):
        name, place, note = EVENTS[(seed + offset * 3) % len(EVENTS)]
        day = (seed * 7 + offset * 9) % 27 + 1
        items.append(
            f'<li><span class="date">{month}月{day}日</span> '
            f"{html.escape(name)}（会場：{html.escape(place)}）{html.escape(note)}</li>"
        )
    title = f"イベントカレンダー（{year}年{month}月）"
    canonical = f"{CANONICAL_ORIGIN}{CALENDAR_PATH}?ym={year:04d}{month:02d}"
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>{title}｜{SITE_NAME}</title>
<link rel="canonical" href="{canonical}">
</head>
<body id="top">
<header id="header">
<div class="logo"><a href="/index.html">{CITY_NAME}</a></div>
</header>
<div id="breadcrumb"><a href="/index.html">ホーム</a> &gt;
<a href="/event/index.html">イベント</a> &gt; <span>{title}</span></div>
<main id="main">
<h1>{title}</h1>
<ul class="events">
{chr(10).join(items)}
</ul>
<p class="month-nav">
<a href="{CALENDAR_PATH}?ym={prev_y:04d}{prev_m:02d}">前の月</a>
<a href="{CALENDAR_PATH}?ym={next_y:04d}{next_m:02d}">次の月</a>
</p>
</main>
<footer id="footer">
<p class="copyright"><small>Copyright (C) {CITY_NAME}</small></p>
</footer>
</body>
</html>
"""


def make_etag(stat: os.stat_result) -> str:
    return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'


def etag_matches(header: str, etag: str) -> bool:
    """Apply the weak comparison of RFC 9110 to an If-None-Match header value."""
    if header.strip() == "*":
        return True
    expected = etag.removeprefix("W/")
    for candidate in header.split(","):
        if candidate.strip().removeprefix("W/") == expected:
            return True
    return False


class DemoRequestHandler(BaseHTTPRequestHandler):
    """Request handler for one :class:`DemoSite`; see the module docstring."""

    server: _DemoHTTPServer
    server_version = "CitylineDemo/1.0"

    def do_GET(self) -> None:
        self.handle_request(send_body=True)

    def do_HEAD(self) -> None:
        self.handle_request(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def handle_request(self, send_body: bool) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = urllib.parse.parse_qs(url.query)
        site = self.server.site
        if path in site.redirects:
            self.send_redirect(site.redirects[path])
        elif path.startswith(SLOW_PREFIX) or path == SLOW_PREFIX.rstrip("/"):
            time.sleep(site.slow_delay_s)
            body = '<!DOCTYPE html><html><head><meta charset="utf-8">'
            body += "<title>slow</title></head><body><p>遅い応答</p></body></html>"
            self.send_bytes(body.encode("utf-8"), "text/html; charset=utf-8", send_body)
        elif path == CALENDAR_PATH:
            self.send_calendar(query.get("ym", [None])[0], send_body)
        else:
            self.send_static(path, send_body)

    def send_redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_calendar(self, ym: str | None, send_body: bool) -> None:
        parsed = parse_year_month(ym, date.today())
        if parsed is None:
            self.send_error(
                HTTPStatus.BAD_REQUEST, explain=f"Invalid ym {ym!r}; use YYYYMM."
            )
            return
        body = render_calendar(*parsed).encode("utf-8")
        self.send_bytes(body, "text/html; charset=utf-8", send_body)

    def send_bytes(self, body: bytes, content_type: str, send_body: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def resolve_file(self, path: str) -> Path | None:
        """Map a URL path to a file under the site root, or None if there is none.

        ``posixpath.normpath`` drops ``..`` segments of an absolute path, so the
        result always stays under the root.
        """
        normalized = posixpath.normpath(path)
        if normalized in HIDDEN_FILES:
            return None
        target = self.server.site.root / normalized.lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return None
        return target

    def send_static(self, path: str, send_body: bool) -> None:
        target = self.resolve_file(path)
        if target is None:
            self.send_error(HTTPStatus.NOT_FOUND, explain=f"No page at {path!r}.")
            return
        if target.name == "index.html" and not path.endswith(("/", ".html")):
            # Like most web servers, send a folder without its slash to the folder.
            self.send_redirect(path + "/")
            return
        stat = target.stat()
        etag = make_etag(stat)
        last_modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        if self.is_not_modified(stat, etag):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return
        body = target.read_bytes()
        if path in ORIGIN_FILES:
            body = body.replace(
                ORIGIN_PLACEHOLDER, self.served_origin().encode("ascii")
            )
        content_type = (
            mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        )
        if content_type.startswith("text/") and target.suffix != ".html":
            # HTML declares its own charset in <meta>; the Shift_JIS pages rely on it.
            content_type += "; charset=utf-8"
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", last_modified)
        self.send_header("ETag", etag)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def is_not_modified(self, stat: os.stat_result, etag: str) -> bool:
        """Evaluate the conditional headers, giving If-None-Match precedence."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag_matches(if_none_match, etag)
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
        return modified <= since

    def served_origin(self) -> str:
        host = (
            self.headers.get("Host")
            or f"{self.server.site.host}:{self.server.site.port}"
        )
        return f"http://{host}"


class _DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: DemoSite) -> None:
        self.site = site
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, DemoRequestHandler)

    def handle_error(self, request: object, client_address: tuple) -> None:
        # The default prints a traceback to stderr. A client that gives up early,
        # as the timeout tests do, makes the write fail with a broken pipe.
        logger.debug("request from %s failed", client_address, exc_info=True)


class DemoSite:
    """The demo city site served on a loopback address in a background thread.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. ``port=0``
    picks a free port; ``base_url`` and ``port`` are set once started.
    ``slow_delay_s`` is how long, in seconds, requests under ``/slow/`` wait.
    """

    def __init__(
        self,
        root: Path = DEFAULT_SITE_DIR,
        host: str = "127.0.0.1",
        port: int = 0,
        slow_delay_s: float = 0.0,
    ) -> None:
        if not is_loopback_host(host):
            raise ValueError(
                f"host {host!r} is not a loopback address; use 127.0.0.1 or ::1"
            )
        root = Path(root)
        if not (root / "index.html").is_file():
            raise FileNotFoundError(
                f"site root {str(root)!r} has no index.html; pass the demo site folder"
            )
        if slow_delay_s < 0:
            raise ValueError(f"slow_delay_s must be >= 0, got {slow_delay_s!r}")
        self.root = root.resolve()
        self.host = host
        self.port = port
        self.slow_delay_s = slow_delay_s
        self.redirects = load_redirects(self.root / "redirects.tsv")
        self.base_url: str | None = None
        self._server: _DemoHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Bind the socket, start serving in a daemon thread and return the base URL."""
        if self._server is not None:
            raise RuntimeError(
                f"demo site already running at {self.base_url}; call stop() first"
            )
        self._server = _DemoHTTPServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="cityline-demo-site", daemon=True
        )
        self._thread.start()
        logger.info("demo site serving %s at %s", self.root, self.base_url)
        return self.base_url

    def stop(self) -> None:
        """Stop serving and close the socket; a no-op when not running."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        logger.info("demo site at %s stopped", self.base_url)
        self._server = None
        self._thread = None

    def __enter__(self) -> DemoSite:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the cityline demo city site.")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument(
        "--port", type=int, default=0, help="TCP port; 0 picks a free one"
    )
    parser.add_argument(
        "--slow-delay", type=float, default=2.0, help="delay of /slow/ in seconds"
    )
    parser.add_argument(
        "--root", type=Path, default=DEFAULT_SITE_DIR, help="site folder"
    )
    args = parser.parse_args(argv)
    site = DemoSite(args.root, args.host, args.port, args.slow_delay)
    print(site.start(), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()


if __name__ == "__main__":
    main()
