"""Crawl settings: polite defaults for a real city site, overridden by flags."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from cityline.errors import ConfigError

# The longest --delay accepted, in seconds: an hour between two requests.
MAX_DELAY = 3600.0
# More requests in flight to one host than this is no longer polite to a city
# server, and the crawl gets slower, not faster, on one event loop.
MAX_CONCURRENCY = 16
# Maximum read timeout, in seconds.
MAX_TIMEOUT = 600.0
# Maximum alias recheck period, in days: ten years.
MAX_ALIAS_RECHECK_DAYS = 3650.0
# A longer chain is a loop or a misconfigured site; each hop costs a request.
MAX_REDIRECTS = 20


@dataclass(frozen=True)
class CrawlConfig:
    """Limits and politeness of one crawl.

    Times are in seconds and sizes in bytes. ``concurrency`` is the number of
    requests in flight per host, and ``delay`` the minimum time between the starts
    of two requests to one host. A robots.txt ``Crawl-delay`` raises the delay and
    is never lowered by it. ``max_per_pattern`` bounds chains of
    same-pattern pages (path and query with digits collapsed) that link to each
    other, such as a calendar's next-month links. A link from a page to a URL of
    the page's own pattern is not followed once that many such links, plus the
    stored pages of the pattern, are queued. Links from other pages, sitemap URLs
    and stored pages are always followed.

    A crawl that finds more than ``max_removed_share`` (0 to 1) of the stored
    pages gone (404, 410 or a noindex robots meta tag) keeps them all, since a
    site outage or a broken CMS looks like that. The share is checked only when at
    least ``min_removals_checked`` pages are gone, so small sites and everyday
    removals are not held.

    A duplicate or canonical alias (a URL whose content was another page's) is
    fetched again once it was last seen ``alias_recheck_days`` days ago, so that
    a URL that got content of its own is stored within that time even when its
    target page never changes. 0 fetches every such alias on every crawl.

    After ``max_unavailable_in_a_row`` URLs in a row fail on the server's side
    (no connection, a timeout, a server error after the retries), the crawl
    fetches no more URLs: the site went down during the crawl, and each further
    URL would only cost its retries and load a struggling server.
    """

    concurrency: int = 2
    delay: float = 1.0
    max_pages: int = 10_000
    max_depth: int = 12
    max_url_length: int = 512
    max_per_pattern: int = 20
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = 5 * 1024 * 1024
    max_retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 120.0
    max_redirects: int = 5
    max_sitemaps: int = 50
    allowed_prefixes: tuple[str, ...] = ()
    max_removed_share: float = 0.2
    min_removals_checked: int = 10
    alias_recheck_days: float = 30.0
    max_unavailable_in_a_row: int = 20

    def __post_init__(self) -> None:
        checks = [
            (
                "concurrency",
                1 <= self.concurrency <= MAX_CONCURRENCY,
                f"use 1 to {MAX_CONCURRENCY}",
            ),
            (
                "delay",
                0 <= self.delay <= MAX_DELAY,
                f"use 0 to {MAX_DELAY:g} seconds",
            ),
            ("max_pages", self.max_pages >= 1, "use 1 or more"),
            ("max_depth", self.max_depth >= 0, "use 0 or more"),
            ("max_per_pattern", self.max_per_pattern >= 1, "use 1 or more"),
            ("max_retries", self.max_retries >= 0, "use 0 or more"),
            (
                "max_redirects",
                0 <= self.max_redirects <= MAX_REDIRECTS,
                f"use 0 to {MAX_REDIRECTS}",
            ),
            (
                "max_removed_share",
                0 <= self.max_removed_share <= 1,
                "use a share from 0 to 1",
            ),
            ("min_removals_checked", self.min_removals_checked >= 1, "use 1 or more"),
            (
                "max_unavailable_in_a_row",
                self.max_unavailable_in_a_row >= 1,
                "use 1 or more",
            ),
            (
                "alias_recheck_days",
                0 <= self.alias_recheck_days <= MAX_ALIAS_RECHECK_DAYS,
                f"use 0 to {MAX_ALIAS_RECHECK_DAYS:g} days",
            ),
            (
                "read_timeout",
                0 < self.read_timeout <= MAX_TIMEOUT,
                f"use more than 0 and at most {MAX_TIMEOUT:g} seconds",
            ),
        ]
        for name, ok, fix in checks:
            if not ok:
                value = getattr(self, name)
                raise ConfigError(f"crawl setting {name}={value!r} is invalid; {fix}")
        for prefix in self.allowed_prefixes:
            _check_prefix(prefix)

    def removals_exceed_limit(self, removals: int, stored: int) -> bool:
        """Return whether ``removals`` of ``stored`` live pages are too many."""
        if removals < self.min_removals_checked:
            return False
        return removals > self.max_removed_share * stored


def _check_prefix(prefix: str) -> None:
    """Raise ConfigError unless ``prefix`` starts with http(s)://HOST."""
    try:
        parts = urlsplit(prefix)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an invalid IPv6 host
        valid = False
    if not valid:
        raise ConfigError(
            f"allowed URL prefix {prefix!r} is invalid; pass --allow-prefix an "
            "http(s) URL prefix such as https://www.city.example.lg.jp/kurashi/"
        )
