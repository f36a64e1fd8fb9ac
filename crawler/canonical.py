"""Canonical links: the URL a page is stored under, the URL residents get for
it, and the host that a mirror's start page names as the live site."""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections import Counter
from urllib.parse import SplitResult, urlsplit

from crawler.fetch import FetchResult
from crawler.fetched_page import parse_page
from crawler.records import AliasRow, StoredPage
from crawler.scope import CrawlScope
from crawler.urls import normalize_url, origin

logger = logging.getLogger(__name__)

# warn_collapse warns when one canonical URL absorbs at least this many fetched
# pages, and at least half of them. warn_ignored warns when this many pages name
# canonical links on one other host.
COLLAPSE_MIN_PAGES = 10


class CanonicalLinks:
    """The canonical-link rules of one crawl, and counts of the links it met for
    the warnings at its end."""

    def __init__(self, scope: CrawlScope, canonical_origin: str | None) -> None:
        self.scope = scope
        # The other host that the start page names as its canonical one with the
        # same path, as a mirror names the live site; see shown_url.
        self.canonical_origin = canonical_origin
        # Fetched URLs that named each in-scope canonical URL in this run.
        self.canonical_counts: Counter[str] = Counter()
        # Canonical links ignored by shown_url, per origin.
        self.ignored_canonical: Counter[str] = Counter()
        # (URL, canonical URL) of the pages that names_another_page kept apart.
        self.kept_apart: list[tuple[str, str]] = []

    def target(
        self,
        home: str,
        canonical: str | None,
        aliases: list[AliasRow],
    ) -> tuple[str, list[AliasRow]]:
        """Return the URL to store the page at ``home`` under, and ``aliases``
        with a canonical alias when that URL is another one.

        The page goes to its canonical URL when that URL is in the crawl's scope
        and robots.txt allows it, and stays at ``home`` otherwise. It also stays
        when the canonical URL redirected to ``home`` on the way here (an alias
        in ``aliases``): storing it there would make each URL an alias of the
        other, and the page would live at neither.
        """
        if not (
            canonical
            and canonical != home
            and self.scope.contains(canonical)
            and self.scope.robots_for(canonical).allows(canonical)
        ):
            return home, aliases
        if any(alias_url == canonical for alias_url, *_ in aliases):
            logger.info(
                "%s names %s as canonical, which redirects to it; kept at %s",
                home,
                canonical,
                home,
            )
            return home, aliases
        # A page whose canonical URL has no page stored yet is fetched again
        # after that URL (OutcomeRecorder._defer_to), so that names_another_page
        # can tell a wrong canonical link even on a first crawl.
        self.canonical_counts[canonical] += 1
        return canonical, [*aliases, (home, canonical, "canonical", None)]

    def names_another_page(
        self,
        home: str,
        canonical: str,
        stored: StoredPage | None,
        title: str,
        content_hash: str,
        breadcrumbs: list[str],
    ) -> bool:
        """Tell whether the page at ``home`` names, as its canonical URL, a page
        stored there that is another page: one with other content, and another
        title or another section (breadcrumbs). That is a template mistake (a
        page copied from another kept the other's canonical link), and the page
        then stays at ``home``.

        A removed page, one of the same content, or one of the same title in
        the same section (a print or mobile copy) is no other page: the
        canonical link then merges the two as usual. Two pages are in one
        section when the section labels of one trail appear in the other's in
        order, or when either names no section.
        """
        if stored is None or stored.removed:
            return False
        if stored.content_hash == content_hash:
            return False
        if _same_title(stored.title, title) and _same_section(
            _sections(stored.breadcrumbs, stored.title),
            _sections(breadcrumbs, title),
        ):
            return False
        logger.warning(
            "%s names %s as its canonical URL, but that is another page (%r, not "
            "%r); both are kept as pages, and %s is given its own URL. Fix the "
            "canonical link in the page's template",
            home,
            canonical,
            stored.title,
            title,
            home,
        )
        self.kept_apart.append((home, canonical))
        return True

    def shown_url(self, page_url: str, canonical_href: str | None) -> str:
        """Return the URL that residents are given for the page at ``page_url``.

        That is its canonical link when the link is in the crawl's scope. A
        mirror of the live site names the live page instead, so a link on the
        host that the start page names as canonical (``canonical_origin``)
        counts too when it has the page's own path and query. Any other
        canonical link off the scope is ignored, so a template mistake or
        injected markup cannot send residents to another site.
        """
        if not canonical_href or canonical_href == page_url:
            return page_url
        if "@" not in urlsplit(canonical_href).netloc:
            if self.scope.contains(canonical_href):
                return canonical_href
            if (
                self.canonical_origin is not None
                and origin(canonical_href) == self.canonical_origin
                and _same_place(page_url, canonical_href)
            ):
                return canonical_href
        logger.info(
            "ignoring the canonical link %r of %s: it leaves the crawl's scope for "
            "another host or path",
            canonical_href,
            page_url,
        )
        self.ignored_canonical[origin(canonical_href)] += 1
        return page_url

    def warn_collapse(self, fetched: int) -> None:
        """Warn when most of the ``fetched`` pages name one URL as their canonical URL.

        A CMS template that gives every page the top page's canonical link
        merges the site into one page, and the pages behind it are never
        followed. The removal guard catches that only on later crawls.
        """
        if not self.canonical_counts:
            return
        target, count = self.canonical_counts.most_common(1)[0]
        if count < COLLAPSE_MIN_PAGES or count * 2 < fetched:
            return
        logger.warning(
            "%d of the %d fetched pages name %s as their canonical URL, so they "
            "were stored as that one page; if the site's template sets the same "
            "canonical link on every page, ask its admins to fix it",
            count,
            fetched,
            target,
        )

    def warn_ignored(self) -> None:
        """Warn when many pages name canonical links on one other host.

        That is how a mirror names the live site. Without the start page naming
        that host too, residents get the crawled URLs instead.
        """
        if not self.ignored_canonical:
            return
        host, count = self.ignored_canonical.most_common(1)[0]
        if count < COLLAPSE_MIN_PAGES:
            return
        logger.warning(
            "%d pages name canonical links on %s, which were ignored because the "
            "start page does not name that host as its canonical one; residents "
            "get the crawled URLs of these pages",
            count,
            host,
        )


async def find_canonical_origin(
    scope: CrawlScope,
    start_result: FetchResult,
    final_start: str,
    requested_start: str,
) -> str | None:
    """Return the origin of the start page's canonical link when it names
    another host with the start page's own path (as requested, or after its
    redirects: / to /top.html), else None."""
    content_type = start_result.headers.get("content-type")
    _decoded, start = await asyncio.to_thread(
        parse_page, start_result.body, content_type, final_start
    )
    href = start.canonical_href
    if not href or scope.contains(href) or "@" in urlsplit(href).netloc:
        return None
    if not (_same_place(final_start, href) or _same_place(requested_start, href)):
        return None
    logger.info("the start page names %s as its canonical host", origin(href))
    return origin(href)


# File names that a web server serves for a folder's own URL (/kurashi/).
_FOLDER_INDEX = re.compile(r"/(index|default)\.(html?|php|aspx?)$", re.IGNORECASE)


def _same_place(first: str, second: str) -> bool:
    """Tell whether two URLs, of any hosts, have one path and query once
    normalised (escapes, parameter order, a folder's index file)."""
    try:
        first_parts = urlsplit(normalize_url(first))
        second_parts = urlsplit(normalize_url(second))
    except ValueError:  # a bad port or an invalid IPv6 host
        return False
    return _place_key(first_parts) == _place_key(second_parts)


def _place_key(parts: SplitResult) -> tuple[str, str]:
    """Return the path, without a folder's index file or a final /, and query."""
    return _folder_path(parts.path).rstrip("/"), parts.query


def _folder_path(path: str) -> str:
    """Return ``path`` with a folder's index file name left out: /a/index.html is
    /a/, because a server returns one page for both."""
    return _FOLDER_INDEX.sub("/", path)


def _same_title(first: str, second: str) -> bool:
    """Tell whether two page titles are the same after NFKC and with runs of
    white space as one space."""
    return _title_key(first) == _title_key(second)


def _sections(trail: list[str], title: str) -> list[str]:
    """Return the section labels of a breadcrumb trail: every label but the top
    page's (the first) and the page's own title."""
    own = _title_key(title)
    labels = [_title_key(label) for label in trail[1:]]
    return [label for label in labels if label != own]


def _same_section(first: list[str], second: list[str]) -> bool:
    """Tell whether two pages' section labels (see _sections) can be one
    section: the labels of one trail appear in the other's in the same order,
    or a trail names none.

    A mobile copy may trim the trail (健康・福祉 > 健診 as 健診) or extend it,
    while two departments part below a shared label (くらし > 税金 and
    くらし > 戸籍).
    """
    shorter, longer = sorted((first, second), key=len)
    rest = iter(longer)
    return all(label in rest for label in shorter)


def _title_key(title: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", title).split())
