"""The URLs a new crawl run starts with, before it follows any link.

A new run queues its start page, the pages its sitemaps list, the pages already
stored in its scope, and the stored aliases due for a check. A resumed run has
its queue in the store and takes no seeds.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin

from crawler.fetch import Fetcher
from crawler.scope import CrawlScope
from crawler.sitemap import parse_sitemap
from crawler.store import PageStore
from crawler.urls import is_file_url, origin, resolve_link

logger = logging.getLogger(__name__)

# Alias reasons whose URL had the content of another page when it was last seen.
RECHECKED_REASONS = ("duplicate", "canonical")


async def seed_urls(
    scope: CrawlScope,
    fetcher: Fetcher,
    store: PageStore,
    final_start: str,
    *,
    aliases: Collection[str],
    refetch: bool,
) -> list[tuple[str, int, str]]:
    """Return (URL, depth, source) of the URLs a new run queues, in queue order.

    ``final_start`` is the start page after its redirects and ``aliases`` the
    stored alias URLs. Every alias is queued again with ``refetch``, and otherwise
    only those :func:`stale_aliases` returns. The caller drops the URLs outside
    the scope and the duplicate and canonical aliases found by other sources.
    """
    seeds = [(final_start, 0, "start")]
    for url in await sitemap_page_urls(scope, fetcher):
        seeds.append((url, 1, "sitemap"))
    # Stored pages outside the scope, such as those of the old origin after a
    # site moved, are neither fetched nor removed. The summary counts them.
    for url in store.known_urls():
        if scope.contains(url):
            seeds.append((url, 0, "known"))
    if refetch:
        seeds.extend((url, 0, "alias") for url in sorted(aliases))
    else:
        days = scope.config.alias_recheck_days
        seeds.extend((url, 0, "alias") for url in stale_aliases(store, days))
    return seeds


def stale_aliases(store: PageStore, days: float) -> list[str]:
    """Return the duplicate and canonical aliases last seen ``days`` ago or earlier."""
    age = timedelta(days=days)
    cutoff = (datetime.now(UTC) - age).isoformat(timespec="seconds")
    return store.aliases_seen_by(cutoff, RECHECKED_REASONS)


async def sitemap_page_urls(scope: CrawlScope, fetcher: Fetcher) -> list[str]:
    """Return the in-scope page URLs that the site's sitemaps list.

    The sitemaps are /sitemap.xml and those robots.txt names. Reads at most
    ``scope.config.max_sitemaps`` sitemap files, nested sitemap indexes included.
    """
    host = origin(scope.start_url)
    queue = list(scope.robots_for(scope.start_url).sitemaps)
    queue.append(urljoin(host, "/sitemap.xml"))
    seen: set[str] = set()
    pages: list[str] = []
    while queue and len(seen) < scope.config.max_sitemaps:
        sitemap_url = resolve_link(host, queue.pop(0))
        if sitemap_url is None:  # not http(s), a bad port or IPv6 host
            continue
        if sitemap_url in seen or not scope.contains(sitemap_url):
            continue
        seen.add(sitemap_url)
        if not scope.robots_for(sitemap_url).allows(sitemap_url):
            continue
        result = await fetcher.fetch(
            sitemap_url, html_only=False, check_hop=scope.hop_reason
        )
        if result.error is not None or result.status != 200:
            logger.info(
                "no sitemap at %s (%s)",
                sitemap_url,
                result.error or f"HTTP {result.status}",
            )
            continue
        try:
            sitemap = parse_sitemap(result.body)
        except ValueError as exc:
            logger.warning("sitemap %s is invalid: %s", sitemap_url, exc)
            continue
        for loc in sitemap.sitemaps:
            nested = resolve_link(sitemap_url, loc)
            if nested is not None:
                queue.append(nested)
        for loc in sitemap.pages:
            page = resolve_link(sitemap_url, loc)
            if page is None:
                continue
            if scope.contains(page) and not is_file_url(page):
                pages.append(page)
        logger.info("sitemap %s lists %d URLs", sitemap_url, len(sitemap.pages))
    unread = [url for url in dict.fromkeys(queue) if url not in seen]
    if unread:
        logger.warning(
            "read %d sitemap files, the limit; %d more were left unread (%s%s): "
            "their pages are found through links only",
            len(seen),
            len(unread),
            ", ".join(unread[:3]),
            ", ..." if len(unread) > 3 else "",
        )
    return pages
