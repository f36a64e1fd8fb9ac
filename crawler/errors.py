"""Errors of the crawl and pages commands.

Each is a CitylineError, so the command line prints it as one ``error: ...`` line.
It exits 3 when the site cannot be crawled now, or could be crawled only in part
(SiteUnavailableError, TooManyRemovalsError, IncompleteCrawlError), and 2
otherwise. A crawl checks the start URL, the data dir, the host and the start page
first, so a CrawlError leaves the store as it was.
"""

from cityline.errors import CitylineError


class CrawlError(CitylineError):
    """Raised when a crawl cannot start."""


class StartUrlError(CrawlError):
    """Raised when the start URL is not an absolute http(s) URL."""


class SiteUnavailableError(CrawlError):
    """Raised when the site cannot be crawled now: its robots.txt fails with a
    server error or a timeout, its start page returns a server error, or it sends
    one page for every URL, as during maintenance."""

    exit_code = 3


class UnreachableHostError(SiteUnavailableError):
    """Raised when the start host does not answer."""


class StartPageError(CrawlError):
    """Raised when the start page is not an HTML page the crawl may fetch."""


class PageStoreError(CitylineError):
    """Raised when the page store or a page asked for is missing."""


class TooManyRemovalsError(CitylineError):
    """Raised after a crawl that kept its gone pages because they were too many."""

    exit_code = 3


class IncompleteCrawlError(CitylineError):
    """Raised after a crawl whose URLs failed on the server's side too often; what
    it fetched is stored."""

    exit_code = 3


class InterruptedCrawlError(CitylineError):
    """Raised when Ctrl-C stops a crawl or the index rebuild after it."""

    exit_code = 130
