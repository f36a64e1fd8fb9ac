"""A small loopback web site with routes defined per test, for the crawler tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from cityline.settings import Settings
from crawler.config import CrawlConfig

Responder = Callable[["Request"], tuple[int, dict[str, str], bytes]]

# Fast settings for tests: no delay, short timeouts, quick retries.
FAST = CrawlConfig(
    delay=0,
    connect_timeout=2,
    read_timeout=2,
    max_retries=2,
    backoff=0.01,
)


@dataclass
class Request:
    """One request the site received."""

    path: str
    headers: dict[str, str]
    at: float


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    responder: Responder | None = None
    delay: float = 0.0


class QuietServer(ThreadingHTTPServer):
    """A server that ignores clients closing connections early, as crawlers do."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass


class FakeSite:
    """A ThreadingHTTPServer on 127.0.0.1 serving the routes a test adds.

    A route matches the request's path and query exactly, else its path alone.
    Unknown paths return 404, ``/robots.txt`` included unless a test adds it, or
    the ``fallback`` route when a test sets one.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.fallback: Route | None = None
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                request = Request(self.path, dict(self.headers), time.monotonic())
                with site._lock:
                    site.requests.append(request)
                status, headers, body = site._respond(request)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if "Content-Length" not in headers:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    def __enter__(self) -> FakeSite:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(
        self,
        path: str,
        body: str | bytes = b"",
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        responder: Responder | None = None,
        delay: float = 0.0,
    ) -> None:
        """Serve ``body`` (str is UTF-8) at ``path``, or what ``responder`` returns."""
        all_headers = dict(headers or {})
        if content_type is not None:
            all_headers.setdefault("Content-Type", content_type)
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(status, data, all_headers, responder, delay)

    def serve_unknown_paths(
        self,
        body: str,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
    ) -> None:
        """Serve ``body`` for every path without a route, as a soft 404 site does."""
        data = body.encode("utf-8")
        headers = {"Content-Type": content_type}
        self.fallback = Route(status, data, headers)

    def page(self, path: str, title: str, body: str = "", **kwargs) -> None:
        """Serve a small HTML page with an h1 and ``body`` inside <main>."""
        self.add(path, html_page(title, body), **kwargs)

    def paths(self) -> list[str]:
        """Return the paths requested so far, in order."""
        with self._lock:
            return [r.path for r in self.requests]

    def requests_for(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _respond(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        route = self.routes.get(request.path) or self.routes.get(
            urlsplit(request.path).path
        )
        if route is None:
            route = self.fallback
        if route is None:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        if route.delay:
            time.sleep(route.delay)
        if route.responder is not None:
            return route.responder(request)
        return route.status, route.headers, route.body


def html_page(title: str, body: str = "", head: str = "") -> str:
    """Return an HTML page in a CMS-like template with furniture around <main>."""
    return (
        "<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'>"
        f"<title>{title}｜テスト市公式サイト</title>{head}</head><body>"
        "<header><a href='/'>テスト市</a><nav><a href='/'>ホーム</a></nav></header>"
        f"<main><h1>{title}</h1>{body}</main>"
        "<footer><p>テスト市役所 フッターの住所</p></footer></body></html>"
    )


def settings_for(tmp_path) -> Settings:
    """Return settings whose data dir is inside ``tmp_path``."""
    return Settings(data_dir=tmp_path / "data")
