"""The crawl loop: from a start URL and the sitemaps into the page store.

A crawl first checks what could fail for the whole run: the start URL, the data
dir, the host (robots.txt) and the start page. Only then does it open the store, so
that bad input leaves the store as it was. It then seeds the frontier with the start
page, the sitemap URLs and the pages already stored, and works through the frontier
breadth-first. A re-crawl fetches a stored page with If-None-Match and
If-Modified-Since, unless the page was extracted by another extractor version or
a full re-fetch was requested. Those pages are fetched without
conditional headers, so a 304 cannot keep the fields an older extractor produced.

The frontier lives in the store. A crawl that is interrupted leaves its run
unfinished, and the next crawl from the same start URL resumes it: URLs already
handled keep their outcome and only queued ones are fetched.

This module runs the loop. The checks on the start page are in
:mod:`crawler.start_page`, the canonical links in :mod:`crawler.canonical`, the
frontier in :mod:`crawler.frontier`, and the outcome of each URL in
:mod:`crawler.outcomes`.

Guards against a site that is down while it answers 200 (see :class:`CrawlSummary`
for what they report):

- Soft 404 probe: before the store is opened, the crawl fetches one random URL of
  the start host, which no page of the site can have. When that returns an HTML
  page with status 200, the site sends its "not found" or maintenance page for
  URLs that do not exist, and any fetched page with the same title and text is
  handled as a 404. A start page with that content ends the crawl with
  SiteUnavailableError.
- Removal guard: the stored pages this run found gone (404, 410, noindex or a soft
  404) and those it merged into another page (same content, a canonical link or a
  redirect) count as lost. When more than ``max_removed_share`` of the pages stored
  before the run are lost, the run restores the pages, aliases and file links it
  started with (``PageStore.settle_run``), so it changes nothing in them.
- Alias re-checks: a URL stored as a duplicate or canonical alias is not queued
  from links or sitemaps. It is fetched again with ``refetch``, when its target
  page changes or is found gone in this run, so that pages merged while the site
  was broken come back once it recovers, and when it was last seen
  ``alias_recheck_days`` ago. An old URL that redirects is fetched again
  whenever a link or the sitemap still names it, so that a section redirected
  during maintenance comes back when the redirect ends. A permanent redirect to
  a page this run stored already is not followed again.
- Temporary redirects (302, 303, 307) move nothing: the page stays at the URL
  that redirects, with the content it leads to, and a copy found that way is
  fetched again while a link names it.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time

from cityline.settings import Settings
from crawler.canonical import CanonicalLinks, find_canonical_origin
from crawler.config import CrawlConfig
from crawler.extract import EXTRACTOR_VERSION
from crawler.fetch import Fetcher, FetchResult
from crawler.fetched_page import TEMPORARY_REDIRECTS
from crawler.frontier import Frontier
from crawler.lock import writer_lock
from crawler.outcomes import NOINDEX_WHY, OutcomeRecorder
from crawler.progress import Progress
from crawler.records import FrontierEntry
from crawler.scope import CrawlScope
from crawler.seeds import RECHECKED_REASONS, seed_urls
from crawler.start_page import StartPageChecks
from crawler.store import PageStore
from crawler.summary import CrawlSummary
from crawler.urls import validate_start_url

logger = logging.getLogger(__name__)


def crawl_site(
    settings: Settings,
    start_url: str,
    config: CrawlConfig,
    progress: Progress | None = None,
    refetch: bool = False,
) -> CrawlSummary:
    """Crawl from ``start_url`` into the page store of ``settings``.

    Stored pages are fetched conditionally unless ``refetch`` is true or they were
    extracted by another extractor version. ``refetch`` applies to this call only,
    so an interrupted crawl resumed without it fetches the rest conditionally.
    Raises StartUrlError, DataDirError, SiteUnavailableError (UnreachableHostError
    among them) or StartPageError before the store is touched. KeyboardInterrupt
    leaves the run resumable.
    """
    start = validate_start_url(start_url, config.max_url_length)
    existed = settings.data_dir.exists()
    settings.ensure_data_dir()
    try:
        crawl = Crawl(
            settings,
            start,
            config,
            progress or Progress(enabled=False),
            refetch=refetch,
        )
        return asyncio.run(crawl.run())
    except Exception:
        # A crawl that failed before the store was opened (an unreachable site,
        # a start URL that is no HTML page) leaves no empty data dir behind.
        if not existed:
            with contextlib.suppress(OSError):
                settings.data_dir.rmdir()
        raise


class Crawl:
    """One crawl run. Use :func:`crawl_site` rather than this class directly."""

    def __init__(
        self,
        settings: Settings,
        start_url: str,
        config: CrawlConfig,
        progress,
        refetch: bool = False,
    ) -> None:
        self.settings = settings
        self.refetch = refetch
        self.unconditional = 0
        self.unconditional_reason: str | None = None
        self.scope = CrawlScope(start_url, config, settings.crawler_user_agent)
        self.config = config
        self.progress = progress
        self.user_agent = settings.crawler_user_agent_header
        self.store: PageStore | None = None
        self.run_id = 0
        self.frontier = Frontier(self.scope, config)
        self.soft_404_hash: str | None = None
        self.soft_404_url: str | None = None
        self.fetched = 0
        self.in_flight = 0
        self.wakeup = asyncio.Condition()

    # The run -----------------------------------------------------------------

    async def run(self) -> CrawlSummary:
        started = time.monotonic()
        async with Fetcher(self.config, self.user_agent) as fetcher:
            self.fetcher = fetcher
            await self.scope.load_robots(fetcher, self.scope.start_url, required=True)
            for prefix in self.config.allowed_prefixes:
                await self.scope.load_robots(self.fetcher, prefix, required=False)
            requested_start = self.scope.start_url
            start_page = StartPageChecks(self.scope, fetcher)
            start_result, final_start = await start_page.fetch_start_page()
            self.soft_404_hash = await start_page.probe_soft_404(
                start_result, final_start
            )
            self.soft_404_url = start_page.soft_404_url
            canonical_origin = await find_canonical_origin(
                self.scope, start_result, final_start, requested_start
            )
            self.canonical = CanonicalLinks(self.scope, canonical_origin)

            with writer_lock(self.settings.pages_db_path):
                return await self._crawl(started, start_result, final_start)

    async def _crawl(
        self, started: float, start_result: FetchResult, final_start: str
    ) -> CrawlSummary:
        """Fill the store from the checked start page on; the caller holds the lock."""
        self.store = PageStore.open(self.settings.pages_db_path)
        try:
            resumed = await self._begin(final_start)
            self.outcomes = OutcomeRecorder(
                self.store,
                self.run_id,
                self.scope,
                self.frontier,
                self.canonical,
                soft_404_hash=self.soft_404_hash,
                soft_404_url=self.soft_404_url,
            )
            self._explain_unconditional()
            if not resumed or self.frontier.states.get(final_start) == "queued":
                self._claim(final_start)
                await self.outcomes.apply(
                    self.frontier.entries[final_start], start_result
                )
                self.in_flight -= 1
            await self._work()
            self.outcomes.remove_disallowed()
            self.canonical.warn_collapse(self.fetched)
            self.canonical.warn_ignored()
        except BaseException:
            self.store.add_run_seconds(self.run_id, time.monotonic() - started)
            self.progress.close()
            self.store.close()
            raise
        self.progress.close()
        gone, merged, keep = self._lost_pages()
        self.store.settle_run(self.run_id, time.monotonic() - started, keep=keep)
        summary = self._summary(resumed, gone, merged, keep)
        self.store.close()
        return summary

    def _lost_pages(
        self,
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]], bool]:
        """Return (gone, merged, keep) for the pages stored before this run.

        ``gone`` lists (URL, why) of the pages found gone, and ``merged`` the
        (URL, target) of those merged into another page. ``keep`` is true when
        the two together exceed ``config.max_removed_share`` of the pages in the
        crawl's scope that were stored before the run. Gone pages whose content
        came back at a URL that was their alias are listed but do not count. A
        run resumed from an older release has no snapshot of those pages: it
        counts the gone pages against the pages stored now.
        """
        gone = [(url, why) for url, _, why in self.store.pending_removals(self.run_id)]
        if self.store.has_snapshot(self.run_id):
            before = [u for u in self.store.snapshot_urls() if self.scope.contains(u)]
            merged = self.store.collapsed_pages(before)
            stored = len(before)
            # Pages live again at a URL that was their alias (a section moved
            # back, a copy standing in for a deleted page) are listed but lose
            # nothing, so the removal guard leaves them out.
            moved_back = set(self.store.moved_back([url for url, _ in gone]))
        else:
            merged = []
            moved_back = set()
            stored = sum(
                1 for url in self.store.known_urls() if self.scope.contains(url)
            )
        lost = [url for url, _ in gone if url not in moved_back]
        keep = self.config.removals_exceed_limit(len(lost) + len(merged), stored)
        if keep:
            logger.warning(
                "keeping the %d stored pages as they were: this crawl found %d gone "
                "and merged %d into other pages, over the limit of %.0f%%",
                stored,
                len(lost),
                len(merged),
                self.config.max_removed_share * 100,
            )
        return gone, merged, keep

    async def _begin(self, final_start: str) -> bool:
        """Resume the unfinished run of this start URL, or begin a new run."""
        unfinished = self.store.unfinished_run()
        aliases = self.store.aliases()
        self.frontier.known_aliases = set(aliases)
        for alias_url, (target, reason) in aliases.items():
            if reason in RECHECKED_REASONS:
                self.frontier.recheckable.setdefault(target, []).append(alias_url)
        self.frontier.relinkable_aliases = self.store.relinkable_aliases(
            TEMPORARY_REDIRECTS
        )
        if unfinished is not None and unfinished[1] == self.scope.start_url:
            self.run_id = unfinished[0]
            for row in self.store.frontier_rows(self.run_id):
                entry = FrontierEntry(
                    row.url, row.seq, row.depth, row.source, row.pattern, row.referrer
                )
                self.frontier.remember(entry, row.state)
            self.fetched = sum(
                1
                for s in self.frontier.states.values()
                if s not in ("queued", "robots")
            )
            logger.info(
                "resuming the unfinished crawl of %s: %d URLs handled, %d queued",
                self.scope.start_url,
                self.fetched,
                len(self.frontier.heap),
            )
            if final_start not in self.frontier.entries:
                self.frontier.add(final_start, 0, "start", None)
                self.store.enqueue(self.run_id, [self.frontier.entries[final_start]])
            return True
        if unfinished is not None:
            logger.warning(
                "the unfinished crawl of %s is not resumed, because this crawl starts "
                "at %s; the pages it fetched are kept, and a later crawl from there "
                "starts over",
                unfinished[1],
                self.scope.start_url,
            )

        seeds = await seed_urls(
            self.scope,
            self.fetcher,
            self.store,
            final_start,
            aliases=aliases,
            refetch=self.refetch,
        )
        added = []
        for url, depth, source in seeds:
            if url in self.frontier.entries or not self.scope.contains(url):
                continue
            if self.frontier.skipped_alias(url) and source not in ("start", "alias"):
                continue
            added.append(self.frontier.add(url, depth, source, None))
        self.frontier.rechecked = sum(1 for entry in added if entry.source == "alias")
        self.run_id = self.store.start_run(self.scope.start_url, added)
        logger.info("crawl of %s seeded with %d URLs", self.scope.start_url, len(added))
        return False

    async def _work(self) -> None:
        workers = [
            asyncio.create_task(self._worker()) for _ in range(self.config.concurrency)
        ]
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()

    async def _worker(self) -> None:
        while True:
            entry = await self._next_entry()
            if entry is None:
                return
            try:
                await self._handle(entry)
            finally:
                async with self.wakeup:
                    self.in_flight -= 1
                    self.wakeup.notify_all()
                self._show_progress()

    async def _next_entry(self) -> FrontierEntry | None:
        async with self.wakeup:
            while True:
                while (
                    self.frontier.heap
                    and self.fetched < self.config.max_pages
                    and not self._site_went_down()
                ):
                    _depth, _seq, url = heapq.heappop(self.frontier.heap)
                    if self.frontier.states.get(url) == "queued":
                        self._claim(url)
                        return self.frontier.entries[url]
                if self.in_flight == 0:
                    self.wakeup.notify_all()
                    return None
                await self.wakeup.wait()

    def _site_went_down(self) -> bool:
        """Tell whether so many URLs in a row failed on the server's side that
        the crawl should fetch no more (``config.max_unavailable_in_a_row``)."""
        return (
            self.outcomes.unavailable_in_a_row >= self.config.max_unavailable_in_a_row
        )

    def _claim(self, url: str) -> None:
        self.frontier.states[url] = "fetching"
        self.fetched += 1
        self.in_flight += 1

    # One URL -----------------------------------------------------------------

    async def _handle(self, entry: FrontierEntry) -> None:
        url = entry.url
        if not self.scope.knows_robots(url):
            # An in-scope origin met only in links: the other scheme of the start
            # host (http and https), whose robots.txt may differ.
            await self.scope.load_robots(self.fetcher, url, required=False)
        if not self.scope.robots_for(url).allows(url):
            self.outcomes.record(url, "robots")
            return
        stored = self.outcomes.stored(url)
        headers = {}
        if stored is not None and not stored.removed:
            if self.refetch or stored.extractor_version != EXTRACTOR_VERSION:
                self.unconditional += 1
            else:
                if stored.etag:
                    headers["If-None-Match"] = stored.etag
                if stored.last_modified:
                    headers["If-Modified-Since"] = stored.last_modified
        try:
            # A page held back for its canonical URL was fetched already.
            result = self.outcomes.held_results.pop(url, None)
            if result is None:
                result = await self.fetcher.fetch(
                    url,
                    headers=headers,
                    check_hop=self.scope.hop_reason,
                    # A migrated site links old URLs whose new pages were fetched.
                    stop_at=self.outcomes.pages_now.__contains__,
                )
            await self.outcomes.apply(entry, result)
        except Exception as exc:  # noqa: BLE001 - one bad page must not end a crawl
            logger.exception("failed to fetch or process %s", url)
            self.outcomes.record(url, "failed", reason=f"unexpected error: {exc!r}")

    def _explain_unconditional(self) -> None:
        """Set and log why stored pages are fetched without conditional headers."""
        counts = self.store.count_by_extractor_version()
        if self.refetch:
            planned = sum(counts.values())
            self.unconditional_reason = "a full re-fetch was requested (--refetch)"
        else:
            outdated = sorted(v for v in counts if v != EXTRACTOR_VERSION)
            if not outdated:
                return
            planned = sum(counts[v] for v in outdated)
            versions = ", ".join(str(v) for v in outdated)
            self.unconditional_reason = (
                f"they were extracted by extractor version"
                f"{'s' if len(outdated) > 1 else ''} {versions} and this cityline "
                f"uses version {EXTRACTOR_VERSION}"
            )
        logger.info(
            "up to %d stored pages are fetched without conditional headers, because %s",
            planned,
            self.unconditional_reason,
        )

    def _show_progress(self) -> None:
        if not self.progress.due():
            return  # counting the queue costs a pass over every URL
        queued = sum(1 for s in self.frontier.states.values() if s == "queued")
        self.progress.update(self.fetched, queued, self.outcomes.failed_now)

    # The summary -------------------------------------------------------------

    def _summary(
        self,
        resumed: bool,
        gone: list[tuple[str, str]],
        merged: list[tuple[str, str]],
        keep: bool,
    ) -> CrawlSummary:
        counts = self.store.outcome_counts(self.run_id)
        site_down = self._site_went_down()
        summary = CrawlSummary(
            start_url=self.scope.start_url,
            new=counts.get("new", 0),
            changed=counts.get("changed", 0),
            unchanged=counts.get("unchanged", 0),
            removed=0 if keep else counts.get("removed", 0),
            removals_held=len(gone) if keep else 0,
            merged=0 if keep else len(merged),
            merges_held=len(merged) if keep else 0,
            rechecked_aliases=self.frontier.rechecked,
            max_removed_share=self.config.max_removed_share,
            failed=counts.get("failed", 0),
            robots_skipped=counts.get("robots", 0),
            # A stored page found noindex is removed, and counts here too.
            noindex_skipped=counts.get("noindex", 0)
            + sum(1 for _, why in gone if why == NOINDEX_WHY),
            pages=self.store.count_pages(),
            duplicates=counts.get("duplicate", 0),
            redirects=counts.get("redirect", 0),
            files=len(self.store.files()),
            limited=self.frontier.limited,
            resumed=resumed,
            stopped_at_max_pages=counts.get("queued", 0) > 0 and not site_down,
            stopped_unavailable=site_down,
            unconditional=self.unconditional,
            unconditional_reason=self.unconditional_reason,
            outside_scope=sum(
                1 for url in self.store.known_urls() if not self.scope.contains(url)
            ),
            allowed_prefixes=self.config.allowed_prefixes,
            failures=self.store.failures(self.run_id),
            still_gone_urls=self.store.failures(self.run_id, state="gone"),
            gone_urls=gone,
            merged_urls=merged,
            wrong_canonical_urls=list(self.canonical.kept_apart),
            fetched_now=self.fetched,
            unavailable=self.outcomes.unavailable,
        )
        summary.seconds = self.store.run_seconds(self.run_id)
        return summary
