"""The frontier of one crawl run in memory: the state of each URL, the queue of
those still to fetch, and the rules that decide which links and aliases join it."""

from __future__ import annotations

import heapq
import logging
from collections import Counter

from crawler.config import CrawlConfig
from crawler.extract import Link
from crawler.records import FrontierEntry
from crawler.scope import CrawlScope
from crawler.urls import is_file_url, url_pattern

logger = logging.getLogger(__name__)


class Frontier:
    """The URLs of one crawl run, by state, and the queue ordered by depth.

    ``known_aliases`` are the alias URLs in the store and those this run added.
    ``limited`` counts the links left out by a crawl limit.
    """

    def __init__(self, scope: CrawlScope, config: CrawlConfig) -> None:
        self.scope = scope
        self.config = config
        self.states: dict[str, str] = {}
        self.entries: dict[str, FrontierEntry] = {}
        self.heap: list[tuple[int, int, str]] = []
        self.pattern_counts: Counter[str] = Counter()
        self.known_aliases: set[str] = set()
        # Stored aliases that links and sitemaps may queue again: old URLs of
        # redirects, and copies found through a temporary redirect.
        self.relinkable_aliases: set[str] = set()
        # Duplicate and canonical aliases by target URL, for recheck_aliases.
        self.recheckable: dict[str, list[str]] = {}
        self.rechecked = 0
        # Entries held back until another URL has an outcome, by that URL.
        self.held: dict[str, list[FrontierEntry]] = {}
        self.seq = 0
        self.limited = 0

    def add(
        self, url: str, depth: int, source: str, referrer: str | None
    ) -> FrontierEntry:
        """Queue ``url`` as a new entry and return the entry."""
        self.seq += 1
        entry = FrontierEntry(url, self.seq, depth, source, url_pattern(url), referrer)
        self.remember(entry, "queued")
        return entry

    def remember(self, entry: FrontierEntry, state: str) -> None:
        """Keep ``entry`` in ``state``, and queue it when that state is queued."""
        self.entries[entry.url] = entry
        self.states[entry.url] = state
        self.seq = max(self.seq, entry.seq)
        # A trap is a chain of pages of one pattern, each linking to the next or
        # to the next but one, so the limit counts the links that continue such
        # a chain. Pages and aliases stored by earlier crawls count too, so that
        # a re-crawl does not extend a chain.
        chained = (
            entry.source == "link"
            and entry.referrer is not None
            and entry.pattern in self._chain_patterns(entry.referrer)
        )
        if chained or entry.source in ("known", "alias"):
            self.pattern_counts[entry.pattern] += 1
        if state == "queued":
            heapq.heappush(self.heap, (entry.depth, entry.seq, entry.url))

    def _chain_patterns(self, referrer: str) -> set[str]:
        """Return the patterns that a link from ``referrer`` continues a chain of:
        the referrer's own and that of the page that linked to it."""
        patterns = {url_pattern(referrer)}
        parent = self.entries.get(referrer)
        if parent is not None and parent.referrer is not None:
            patterns.add(url_pattern(parent.referrer))
        return patterns

    def follow(
        self,
        entry: FrontierEntry,
        page_links: list[Link],
        nofollow: bool,
        page_url: str,
    ) -> tuple[list[FrontierEntry], list[tuple[str, str, str]]]:
        """Return the frontier entries and file rows for a page's links."""
        links: list[FrontierEntry] = []
        files: list[tuple[str, str, str]] = []
        for link in page_links:
            if is_file_url(link.url):
                files.append((link.url, page_url, link.text))
                continue
            if nofollow or not self.scope.contains(link.url):
                continue
            if link.url in self.entries or self.skipped_alias(link.url):
                continue
            depth = entry.depth + 1
            pattern = url_pattern(link.url)
            # Only links that continue a chain of one pattern count, so that
            # category folders with many numbered pages are not cut. A chain may
            # alternate two patterns (month page -> day page -> next month).
            # NOTE: a stored page is seeded without the page that linked to it,
            # so a re-crawl may still add one step to an alternating chain.
            trap = (
                pattern in self._chain_patterns(page_url)
                and self.pattern_counts[pattern] >= self.config.max_per_pattern
            )
            if (
                depth > self.config.max_depth
                or len(link.url) > self.config.max_url_length
                or trap
            ):
                self.limited += 1
                logger.debug("not queueing %s: a crawl limit applies", link.url)
                continue
            links.append(self.add(link.url, depth, "link", page_url))
        return links, files

    def hold(
        self, entry: FrontierEntry, until: str, source: str
    ) -> FrontierEntry | None:
        """Hold ``entry`` back until ``until`` has an outcome (see :meth:`release`).

        ``until`` is queued from ``source`` when the frontier does not know it
        yet; its new entry is returned then, else None.
        """
        added = None
        if until not in self.entries:
            added = self.add(until, entry.depth, source, entry.url)
        self.states[entry.url] = "held"
        self.held.setdefault(until, []).append(entry)
        return added

    def release(self, url: str) -> None:
        """Queue again the entries held back until ``url`` had an outcome."""
        for entry in self.held.pop(url, []):
            self.seq += 1
            self.states[entry.url] = "queued"
            heapq.heappush(self.heap, (entry.depth, self.seq, entry.url))

    def skipped_alias(self, url: str) -> bool:
        """Tell whether a link or sitemap entry to ``url`` is left out because
        ``url`` is an alias: a duplicate or canonical one. The old URL of a
        redirect is fetched again, since the site still names it and the
        redirect may have ended."""
        return url in self.known_aliases and url not in self.relinkable_aliases

    def recheck_aliases(self, target: str, depth: int) -> list[FrontierEntry]:
        """Queue the duplicate and canonical aliases of ``target`` again.

        Called when ``target`` changed or is gone, since the URLs that had its
        content may have other content now.
        """
        entries = []
        for alias_url in self.recheckable.pop(target, []):
            if alias_url in self.entries or not self.scope.contains(alias_url):
                continue
            entries.append(self.add(alias_url, depth, "alias", None))
        if entries:
            logger.info(
                "fetching %d aliases of %s again, because it changed or is gone",
                len(entries),
                target,
            )
        self.rechecked += len(entries)
        return entries
