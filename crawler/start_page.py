"""The checks on the start page that come before a crawl opens the store.

They raise when the site cannot be crawled now, and look for its soft 404 page.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from urllib.parse import urljoin

from crawler.decode import binary_body_reason, looks_binary
from crawler.errors import SiteUnavailableError, StartPageError, UnreachableHostError
from crawler.extract import Extracted
from crawler.fetch import Fetcher, FetchResult
from crawler.fetched_page import hash_content, page_home, parse_page
from crawler.not_found import notice_title
from crawler.scope import CrawlScope
from crawler.urls import is_file_url, origin

logger = logging.getLogger(__name__)

# Path prefix of the URL that probe_soft_404 fetches, before random hex digits.
_PROBE_PREFIX = "cityline-soft-404-check-"


class StartPageChecks:
    """The checks on the start page of one crawl, made with ``fetcher``.

    ``scope.start_url`` changes when the site moved to another host, and
    ``soft_404_url`` is set when :meth:`probe_soft_404` finds a soft 404 page.
    """

    def __init__(self, scope: CrawlScope, fetcher: Fetcher) -> None:
        self.scope = scope
        self.fetcher = fetcher
        self.soft_404_url: str | None = None

    async def fetch_start_page(self, moved: bool = False) -> tuple[FetchResult, str]:
        """Fetch the start page and return it with the URL where its page lives.

        Raises SiteUnavailableError (UnreachableHostError among them) or
        StartPageError when the start page cannot be crawled. ``moved`` is true
        once the start URL has been moved to the host that the site redirects to.
        """
        url = self.scope.start_url
        self._check_start_robots(url)
        result = await self.fetcher.fetch(url, check_hop=self.scope.hop_reason)
        target = result.final_url
        if (
            result.error_kind == "blocked"
            and origin(target) != origin(url)
            and not moved
        ):
            return await self._follow_moved_site(url, target)
        await self._raise_for_start_result(url, result)
        # The top page stays at its URL while it redirects for a while (/ to
        # /top/), as any page does (see page_home).
        home, _moves = page_home(url, result.final_url, result.redirects)
        return result, home

    def _check_start_robots(self, url: str) -> None:
        """Raise unless robots.txt allows the crawler to fetch the start URL."""
        rules = self.scope.robots_for(url)
        if rules.disallow_everything:
            raise SiteUnavailableError(
                f"robots.txt of {origin(url)!r} could not be fetched (a server error "
                "or a timeout), which RFC 9309 treats as disallowing everything; try "
                "again later"
            )
        if not rules.allows(url):
            raise StartPageError(
                f"start URL {url!r} is disallowed by {origin(url)}/robots.txt for "
                f"{self.scope.user_agent!r}; pick a page robots.txt allows"
            )

    async def _follow_moved_site(
        self, url: str, target: str
    ) -> tuple[FetchResult, str]:
        """Make ``target``, on another host, the start URL and fetch it instead."""
        # A site that moved (http to https, say) redirects its top page: the
        # crawl then covers the host it moved to.
        logger.info("start URL %s redirects to %s; crawling that host", url, target)
        self.scope.start_url = target
        await self.scope.load_robots(self.fetcher, target, required=True)
        return await self.fetch_start_page(moved=True)

    async def _raise_for_start_result(self, url: str, result: FetchResult) -> None:
        """Raise unless the start page was fetched as HTML with status 200.

        A network failure raises UnreachableHostError. A server error, a 429 after
        the retries, a 403 and a non-HTML notice that the site returns for every
        URL raise SiteUnavailableError, because the site may be back later. Any
        other failure raises StartPageError.
        """
        if result.error_kind in ("connect", "timeout", "transport"):
            raise UnreachableHostError(
                f"start page {url!r} cannot be fetched ({result.error}); check the "
                "URL, that the site is up and the network"
            )
        if result.error_kind == "http":
            # Retries used up on 429 or a server error: the site is busy or down.
            raise SiteUnavailableError(
                f"start page {url!r} cannot be fetched: {result.error}; crawl again "
                "when the site is back"
            )
        if result.error is not None:
            raise StartPageError(
                f"start page {url!r} cannot be crawled: {result.error}; pass a start "
                "URL that answers with an HTML page on the same host"
            )
        if result.status >= 500:
            raise SiteUnavailableError(
                f"start page {url!r} returned HTTP {result.status}, a server error; "
                "crawl again when the site is back"
            )
        if result.status == 403:
            # A firewall in front of the site, during an attack or a maintenance,
            # or a rule against this crawler's user agent.
            raise SiteUnavailableError(
                f"start page {url!r} returned HTTP 403: the site denied access to "
                f"the crawler ({self.scope.user_agent!r}); crawl again "
                "later, or ask the site's admins to allow this user agent"
            )
        if result.status != 200:
            raise StartPageError(
                f"start page {url!r} returned HTTP {result.status}; pass the URL of a "
                "page that exists"
            )
        content_type = result.headers.get("content-type")
        if result.is_html and looks_binary(result.body, content_type):
            reason = binary_body_reason(result.body, content_type)
            raise StartPageError(f"start page {url!r} cannot be crawled: {reason}")
        if not result.is_html:
            await self._check_not_html_everywhere(result)
            raise StartPageError(
                f"start page {url!r} is {result.media_type!r}, not HTML; pass the URL "
                "of an HTML page such as the site's top page"
            )
        _decoded, page = await asyncio.to_thread(
            parse_page, result.body, content_type, result.final_url
        )
        title = notice_title(page.title, page.head_title)
        if title is not None:
            raise StartPageError(
                f'start page {url!r} is a "page not found" notice (titled '
                f"{title!r}); pass the URL of a page that exists, such as the "
                "site's top page"
            )

    async def _check_not_html_everywhere(self, start_result: FetchResult) -> None:
        """Raise SiteUnavailableError when a URL that does not exist returns what
        the start page returned: status 200 with the same media type, not HTML.

        A site in maintenance may serve one plain-text notice for every URL. The
        start page is then not the wrong URL (exit 2) but a site that cannot be
        crawled now (exit 3). A probe that robots.txt disallows, or that returns
        anything else, leaves the start page to the caller's error.
        """
        start = start_result.final_url
        probe = urljoin(start, f"/{_PROBE_PREFIX}{secrets.token_hex(8)}.html")
        if not self.scope.robots_for(probe).allows(probe):
            return
        result = await self.fetcher.fetch(probe, check_hop=self.scope.hop_reason)
        if result.error is not None or result.status != 200:
            return
        if result.media_type != start_result.media_type:
            return
        raise SiteUnavailableError(
            f"start page {start!r} is {start_result.media_type!r}, not HTML, and "
            f"{probe!r}, a URL that does not exist, answers the same way, so the "
            "site sends one notice for every URL, as during maintenance; crawl "
            "again when the site is back"
        )

    async def probe_soft_404(
        self, start_result: FetchResult, final_start: str
    ) -> str | None:
        """Fetch a random URL of the start host; return its content hash if 200 HTML.

        A page returned with status 200 for a URL that no page has is a soft 404
        page. Returns None when the probe URL returns anything else, redirects to
        the start page (a site that sends unknown URLs home) or is disallowed by
        robots.txt. A probe with the start page's title and text is a site that
        sends one page for every URL. When that page links to other pages of the
        crawl, it is the real top page, served for unknown URLs too, and None is
        returned. Otherwise, as during maintenance, SiteUnavailableError is raised.
        """
        # NOTE: a soft 404 page that quotes the requested URL differs for every URL,
        # so the probe misses it. Such a page is still found by its title when
        # that reads as a notice (crawler.not_found). Otherwise only the removal
        # guard counts the pages it replaces.
        probe = urljoin(final_start, f"/{_PROBE_PREFIX}{secrets.token_hex(8)}.html")
        if not self.scope.robots_for(probe).allows(probe):
            return None
        result = await self.fetcher.fetch(probe, check_hop=self.scope.hop_reason)
        if result.error is not None or result.status != 200 or not result.is_html:
            return None
        if result.final_url == final_start:
            return None
        content_type = result.headers.get("content-type")
        _decoded, probed = await asyncio.to_thread(
            parse_page, result.body, content_type, result.final_url
        )
        probe_hash = hash_content(probed)
        start_type = start_result.headers.get("content-type")
        _decoded, start = await asyncio.to_thread(
            parse_page, start_result.body, start_type, final_start
        )
        if hash_content(start) == probe_hash:
            if self._links_elsewhere(start, final_start):
                logger.info(
                    "%s, a URL that does not exist, returned the start page; soft "
                    "404 pages are not looked for",
                    probe,
                )
                return None
            raise SiteUnavailableError(
                f"start page {final_start!r} has the same title and text "
                f"({start.title!r}) as {probe!r}, a URL that does not exist, so the "
                "site sends one page for every URL, as during maintenance; crawl "
                "again when the site is back"
            )
        logger.info(
            "%s, a URL that does not exist, returned HTTP 200 with the page %r; "
            "pages with the same title and text are handled as not found (soft 404)",
            probe,
            probed.title,
        )
        self.soft_404_url = probe
        return probe_hash

    def _links_elsewhere(self, page: Extracted, page_url: str) -> bool:
        """Return whether ``page`` links to a page of the crawl other than itself."""
        return any(
            link.url != page_url
            and self.scope.contains(link.url)
            and not is_file_url(link.url)
            for link in page.links
        )
