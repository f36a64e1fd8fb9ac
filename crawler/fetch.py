"""A polite HTTP fetcher: per-host limits, delays, timeouts, size cap and retries.

Every request goes through the gate of its host, which lets at most
``CrawlConfig.concurrency`` requests be in flight and starts them at least the host's
delay apart. 429 and 5xx responses, timeouts and dropped connections are retried with
exponential backoff, waiting at least as long as a ``Retry-After`` header requests.
Other 4xx responses and refused connections are not retried. Redirects are followed
by hand, so that each hop is checked against the crawl scope and robots.txt.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlsplit

import httpx

from crawler.config import CrawlConfig
from crawler.urls import absolute_link, resolve_link

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types servers give to files they cannot name; the body is sniffed for HTML.
UNNAMED_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
SNIFF_BYTES = 512


@dataclass
class FetchResult:
    """The outcome of one fetch, after redirects.

    ``error`` is None on any HTTP response that ended the fetch (including 404 and
    304) and a reason otherwise. ``error_kind`` is one of ``connect``, ``timeout``,
    ``size``, ``http`` (retries used up), ``redirect`` (loop or too many hops),
    ``blocked`` (a hop left the scope or robots.txt disallows it) and ``transport``.
    ``redirects`` lists the (URL, status) of each hop that redirected.
    """

    url: str
    final_url: str
    status: int | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    redirects: list[tuple[str, int]] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None

    @property
    def media_type(self) -> str:
        """The lower-case media type of Content-Type, without parameters."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_html(self) -> bool:
        """Whether the response is HTML by type or, for an unnamed type, by body."""
        if self.media_type in HTML_TYPES:
            return True
        return self.media_type in UNNAMED_TYPES and looks_like_html(self.body)


class HostGate:
    """Limits in-flight requests to one host and spaces their starts."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self.delay = delay
        self._lock = asyncio.Lock()
        self._last_start = float("-inf")

    def set_delay(self, delay: float) -> None:
        """Change the delay, including before the request after the last one."""
        self.delay = delay

    async def __aenter__(self) -> HostGate:
        await self.semaphore.acquire()
        try:
            async with self._lock:
                wait = self._last_start + self.delay - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._last_start = time.monotonic()
        except BaseException:
            self.semaphore.release()
            raise
        return self

    async def __aexit__(self, *exc_info) -> None:
        self.semaphore.release()


class Fetcher:
    """Fetches URLs politely for one crawl. Use it as an async context manager."""

    def __init__(self, config: CrawlConfig, user_agent: str) -> None:
        self.config = config
        self.user_agent = user_agent
        self._gates: dict[str, HostGate] = {}
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        timeout = httpx.Timeout(
            connect=self.config.connect_timeout,
            read=self.config.read_timeout,
            write=self.config.read_timeout,
            pool=None,
        )
        self._client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": self.user_agent},
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self._client is not None:
            await self._client.aclose()

    def set_host_delay(self, url: str, delay: float) -> None:
        """Set the delay between request starts to the host of ``url``."""
        self._gate(url).set_delay(delay)

    def _gate(self, url: str) -> HostGate:
        host = urlsplit(url).netloc
        gate = self._gates.get(host)
        if gate is None:
            gate = HostGate(self.config.concurrency, self.config.delay)
            self._gates[host] = gate
        return gate

    async def fetch(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        check_hop: Callable[[str], str | None] | None = None,
        html_only: bool = True,
        stop_at: Callable[[str], bool] | None = None,
    ) -> FetchResult:
        """Fetch ``url``, following redirects up to the configured bound.

        ``headers`` (conditional headers, say) go with the first request only.
        ``check_hop`` returns a reason to stop at a redirect target, or None to go
        on. With ``html_only`` the body of a non-HTML response is not downloaded.
        When ``stop_at`` returns True for the target of a permanent redirect
        (301, 308), that target is not requested: the result ends there with the
        redirect's status and no error, as for a page the caller has already.
        """
        result = FetchResult(url=url, final_url=url)
        # ``current`` is the page's normalised URL; ``requested`` is the URL sent,
        # which a redirect gives as written: dir/ may redirect to dir/index.html,
        # which normalises back to dir/.
        current = requested = url
        seen = {url}
        request_headers = headers or {}
        for _ in range(self.config.max_redirects + 1):
            status, response_headers, body, error, kind = await self._get(
                requested, request_headers, html_only
            )
            result.final_url = current
            result.status = status
            result.headers = response_headers
            result.body = body
            if error is not None:
                result.error, result.error_kind = error, kind
                return result
            location = response_headers.get("location")
            if status not in REDIRECT_STATUSES or not location:
                return result
            target = resolve_link(requested, location)
            if target is None:
                result.error, result.error_kind = (
                    f"redirect to an invalid or non-http(s) URL {location!r}",
                    "redirect",
                )
                return result
            result.redirects.append((current, status))
            permanent = status in PERMANENT_REDIRECTS
            if (
                stop_at is not None
                and permanent
                and target != current
                and stop_at(target)
            ):
                result.final_url = target
                return result
            next_request = target
            if target == current:
                next_request = absolute_link(requested, location) or target
            if next_request in seen:
                result.error, result.error_kind = (
                    f"redirect loop: {requested} -> {next_request} (Location: "
                    f"{location!r})",
                    "redirect",
                )
                return result
            reason = check_hop(target) if check_hop else None
            if reason is not None:
                result.final_url = target
                result.error = f"redirect to {target} not followed: {reason}"
                result.error_kind = "blocked"
                return result
            seen.add(next_request)
            current, requested = target, next_request
            request_headers = {}
        result.error = f"more than {self.config.max_redirects} redirects"
        result.error_kind = "redirect"
        return result

    async def _get(
        self, url: str, headers: dict[str, str], html_only: bool
    ) -> _Attempt:
        """GET one URL with retries; return the last try's outcome."""
        if self._client is None:
            raise RuntimeError(
                f"cannot fetch {url!r} because the Fetcher is not open. "
                "Use it as 'async with Fetcher(config, user_agent) as fetcher:'"
            )
        config = self.config
        last = _Attempt(None, httpx.Headers(), b"", "no attempt made", "transport")
        for attempt in range(config.max_retries + 1):
            retry_after: float | None = None
            try:
                async with self._gate(url):
                    last = await asyncio.wait_for(
                        self._get_once(url, headers, html_only),
                        timeout=config.connect_timeout + 2 * config.read_timeout,
                    )
            except (httpx.TimeoutException, TimeoutError):
                last = _Attempt(
                    None, httpx.Headers(), b"", _timed_out(config), "timeout"
                )
            except httpx.ConnectError as exc:
                return _Attempt(
                    None,
                    httpx.Headers(),
                    b"",
                    f"connection failed: {exc}",
                    "connect",
                )
            except httpx.TransportError as exc:
                last = _Attempt(
                    None,
                    httpx.Headers(),
                    b"",
                    f"transport error: {exc}",
                    "transport",
                )

            status, response_headers, _body, error, _kind = last
            retryable = (status is not None and (status == 429 or status >= 500)) or (
                error is not None and status is None
            )
            if not retryable:
                return last
            if status is not None:
                retry_after = parse_retry_after(response_headers.get("retry-after"))
            if attempt == config.max_retries:
                break
            wait = config.backoff * 2**attempt
            if retry_after is not None:
                if retry_after > config.max_retry_after:
                    return _Attempt(
                        status,
                        response_headers,
                        b"",
                        f"HTTP {status} with Retry-After {retry_after:.0f} s, more "
                        f"than the {config.max_retry_after:.0f} s limit",
                        "http",
                    )
                wait = max(wait, retry_after)
            logger.info(
                "retrying %s in %.1f s after %s (attempt %d of %d)",
                url,
                wait,
                error or f"HTTP {status}",
                attempt + 1,
                config.max_retries,
            )
            await asyncio.sleep(wait)

        status, response_headers, body, error, kind = last
        if error is None:
            error = f"HTTP {status} after {config.max_retries} retries"
            kind = "http"
        elif config.max_retries:
            error = f"{error} after {config.max_retries} retries"
        if kind == "timeout":
            error += "; raise the read limit with `cityline crawl --timeout`"
        return _Attempt(status, response_headers, body, error, kind)

    async def _get_once(
        self, url: str, headers: dict[str, str], html_only: bool
    ) -> _Attempt:
        """GET one URL once, reading the body of a 200 response up to the size
        limit (and only of HTML with ``html_only``)."""
        max_bytes = self.config.max_bytes
        async with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status != 200:
                await response.aclose()
                return _Attempt(status, response.headers, b"", None, None)
            media_type = (
                response.headers.get("content-type", "").split(";")[0].strip().lower()
            )
            if html_only and media_type not in HTML_TYPES | UNNAMED_TYPES:
                return _Attempt(status, response.headers, b"", None, None)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                return _Attempt(
                    status, response.headers, b"", _too_large(max_bytes), "size"
                )
            chunks = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    return _Attempt(
                        status, response.headers, b"", _too_large(max_bytes), "size"
                    )
                chunks.append(chunk)
            return _Attempt(status, response.headers, b"".join(chunks), None, None)


class _Attempt(NamedTuple):
    """The outcome of one GET: ``status`` is None when no response came, and
    ``error`` with its ``kind`` (timeout, connect, transport, size, http) is
    None for a response read in full."""

    status: int | None
    headers: httpx.Headers
    body: bytes
    error: str | None
    kind: str | None


def looks_like_html(body: bytes) -> bool:
    """Return whether ``body`` starts like an HTML document."""
    head = body[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<!--"))


def _too_large(max_bytes: int) -> str:
    return (
        f"response is larger than the {max_bytes} byte limit (raise it with "
        "`cityline crawl --max-bytes`)"
    )


def _timed_out(config: CrawlConfig) -> str:
    return (
        f"timed out (connect {config.connect_timeout:g} s, read "
        f"{config.read_timeout:g} s)"
    )


def parse_retry_after(value: str | None) -> float | None:
    """Return the seconds a Retry-After header requests (number or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
