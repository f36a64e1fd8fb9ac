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
import heapq
import logging
import time

from cityline.settings import Settings
from crawler.canonical import CanonicalLinks, find_canonical_origin
from crawler.config import CrawlConfig
from crawler.decode import binary_body_reason, looks_binary
from crawler.extract import EXTRACTOR_VERSION, Extracted, Link
from crawler.fetch import Fetcher, FetchResult
from crawler.fetched_page import (
    TEMPORARY_REDIRECTS,
    hash_content,
    page_home,
    parse_page,
)
from crawler.frontier import Frontier
from crawler.lock import writer_lock
from crawler.progress import Progress
from crawler.records import AliasRow, FrontierEntry, StoredPage, utc_now
from crawler.scope import CrawlScope
from crawler.seeds import RECHECKED_REASONS, seed_urls
from crawler.start_page import StartPageChecks
from crawler.store import PageStore
from crawler.summary import CrawlSummary
from crawler.urls import (
    validate_start_url,
)

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
    settings.ensure_data_dir()
    crawl = Crawl(
        settings, start, config, progress or Progress(enabled=False), refetch=refetch
    )
    return asyncio.run(crawl.run())


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
        # URLs of the pages this call stored or found unchanged. A redirect to
        # one of them is not followed again (see Fetcher.fetch's stop_at).
        self.pages_now: set[str] = set()
        self.soft_404_hash: str | None = None
        self.soft_404_url: str | None = None
        self.fetched = 0
        self.in_flight = 0
        self.failed_now = 0
        # URLs of this call that failed on the server's side (UNAVAILABLE_KINDS).
        self.unavailable = 0
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
            self._explain_unconditional()
            if not resumed or self.frontier.states.get(final_start) == "queued":
                self._claim(final_start)
                await self._apply(self.frontier.entries[final_start], start_result)
                self.in_flight -= 1
            await self._work()
            self._remove_disallowed()
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

    def _remove_disallowed(self) -> None:
        """Record the stored pages that robots.txt now disallows as gone.

        The crawl no longer fetches them, so without this they would stay in the
        index however long the site has disallowed them. They leave it as a
        noindex page does, and count toward the removal guard.
        """
        for url in self.store.known_urls():
            if not self.scope.contains(url) or not self.scope.knows_robots(url):
                continue
            rules = self.scope.robots_for(url)
            # A robots.txt that failed to load disallows everything for this run
            # only. That is no statement about the pages, so they stay.
            if rules.disallow_everything or rules.allows(url):
                continue
            if self._stored(url) is None:
                continue
            logger.info("removing %s: robots.txt now disallows it", url)
            self._record(url, "removed", removed_url=url, status=200)

    def _lost_pages(self) -> tuple[int, int, bool]:
        """Return (gone, merged, keep) for the pages stored before this run.

        ``gone`` counts the pages found gone, except those whose page came back to
        a URL that redirected to them (a section moved back), ``merged`` those
        merged into another page, and ``keep`` is true when the two together exceed
        ``config.max_removed_share`` of the pages in the crawl's scope that were
        stored before the run. A run resumed from an older release has no snapshot
        of those pages: it counts the gone pages against the pages stored now.
        """
        gone_urls = [url for url, _status in self.store.pending_removals(self.run_id)]
        gone = len(gone_urls)
        if self.store.has_snapshot(self.run_id):
            before = [u for u in self.store.snapshot_urls() if self.scope.contains(u)]
            merged = len(self.store.collapsed_pages(before))
            stored = len(before)
            # Pages that came back to the URL a redirect had moved them from.
            gone -= len(self.store.moved_back(gone_urls))
        else:
            merged = 0
            stored = sum(
                1 for url in self.store.known_urls() if self.scope.contains(url)
            )
        keep = self.config.removals_exceed_limit(gone + merged, stored)
        if keep:
            logger.warning(
                "keeping the %d stored pages as they were: this crawl found %d gone "
                "and merged %d into other pages, over the limit of %.0f%%",
                stored,
                gone,
                merged,
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
                while self.frontier.heap and self.fetched < self.config.max_pages:
                    _depth, _seq, url = heapq.heappop(self.frontier.heap)
                    if self.frontier.states.get(url) == "queued":
                        self._claim(url)
                        return self.frontier.entries[url]
                if self.in_flight == 0:
                    self.wakeup.notify_all()
                    return None
                await self.wakeup.wait()

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
            self._record(url, "robots")
            return
        stored = self._stored(url)
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
            result = await self.fetcher.fetch(
                url,
                headers=headers,
                check_hop=self.scope.hop_reason,
                # A migrated site links old URLs whose new pages were fetched.
                stop_at=self.pages_now.__contains__,
            )
            await self._apply(entry, result)
        except Exception as exc:  # noqa: BLE001 - one bad page must not end a crawl
            logger.exception("failed to fetch or process %s", url)
            self._record(url, "failed", reason=f"unexpected error: {exc!r}")

    async def _apply(self, entry: FrontierEntry, result: FetchResult) -> None:
        """Turn a fetch result into the store's rows and the frontier's next URLs."""
        url = entry.url
        final = result.final_url
        # Permanent redirects (301, 308) move a page. From the first temporary one
        # (302, 303, 307) on, it stays where it is (see page_home).
        home, moves = page_home(url, final, result.redirects)
        temporary = home != final
        aliases = [(hop, home, "redirect", status) for hop, status in moves]
        if result.error is not None:
            self._apply_error(url, result, aliases)
            return
        if final != url and not temporary and self._redirect_settled(url, final):
            self._record(url, "redirect", aliases=aliases)
            return
        stored = self._stored(home)
        status = result.status

        if status == 304:
            self._apply_not_modified(entry, home, stored, final)
            return
        if status in (404, 410):
            self._apply_gone(entry, home, stored, status)
            return
        if status != 200:
            self._record(url, "failed", reason=f"HTTP {status}")
            return
        if not result.is_html:
            files = [(final, entry.referrer or "", "")]
            self._record(
                url, "file", aliases=aliases, files=files, done=[(final, "file")]
            )
            return

        content_type = result.headers.get("content-type")
        if looks_binary(result.body, content_type):
            # A site that sends such bodies for many pages is broken for now.
            self.unavailable += 1
            reason = binary_body_reason(result.body, content_type)
            self._record(url, "failed", reason=reason)
            return
        await self._apply_html(entry, result, home, moves, stored, aliases)

    def _apply_error(
        self,
        url: str,
        result: FetchResult,
        aliases: list[AliasRow],
    ) -> None:
        """Record a fetch of ``url`` that failed with ``result.error``."""
        # Redirects are remembered only when the target returned a page, so that a
        # transient failure does not hide the old URL from the next crawl. A hop off
        # the crawl scope is remembered, because a retry would not follow it either.
        if result.error_kind in UNAVAILABLE_KINDS:
            self.unavailable += 1
        final_aliases = aliases if result.error_kind == "blocked" else []
        self._record(url, "failed", reason=result.error, aliases=final_aliases)

    def _apply_not_modified(
        self,
        entry: FrontierEntry,
        home: str,
        stored: StoredPage | None,
        final: str,
    ) -> None:
        """Record a 304 response: the page stored at ``home`` is unchanged."""
        # The body is not sent again, so the links stored last time are followed.
        links, files = [], []
        if stored is not None:
            stored_links = [Link(u, "") for u in stored.links]
            links, files = self.frontier.follow(entry, stored_links, False, final)
        self._record(
            entry.url,
            "unchanged",
            touch_url=home,
            status=200,
            files=[f for f in files if f[2]],
            enqueue=links,
        )

    def _apply_gone(
        self,
        entry: FrontierEntry,
        home: str,
        stored: StoredPage | None,
        status: int,
    ) -> None:
        """Record a 404 or 410 response for the page that lives at ``home``."""
        if stored is None and home != entry.url:
            # A page moved to a URL that is not found is gone from its own.
            home, stored = entry.url, self._stored(entry.url)
        self._record_gone(entry, home, stored, status, f"HTTP {status}")

    async def _apply_html(
        self,
        entry: FrontierEntry,
        result: FetchResult,
        home: str,
        moves: list[tuple[str, int]],
        stored: StoredPage | None,
        aliases: list[AliasRow],
    ) -> None:
        """Store the page of an HTML response with status 200, unless it is a soft
        404 page or a duplicate of another page.

        ``home`` is where the page lives, ``moves`` the permanent redirects that
        moved it there, ``stored`` the page stored at ``home`` and ``aliases`` the
        aliases that those redirects add.
        """
        url = entry.url
        final = result.final_url
        # Parsing is CPU work; a thread keeps the event loop fetching meanwhile.
        decoded, extracted = await asyncio.to_thread(
            parse_page, result.body, result.headers.get("content-type"), final
        )
        content_hash = hash_content(extracted)
        if content_hash == self.soft_404_hash:
            reason = f"soft 404: the same page as {self.soft_404_url}"
            self._record_gone(entry, home, stored, 404, reason)
            return
        page_url, aliases = self.canonical.target(
            home, extracted.canonical_url, aliases
        )
        if page_url != home:
            if self.frontier.states.get(page_url) not in (None, "queued", "fetching"):
                self._record(url, "duplicate", aliases=aliases)
                return
            stored = self._stored(page_url)

        links, files = self.frontier.follow(
            entry, extracted.links, extracted.nofollow, page_url
        )
        done = [(u, "redirect") for u in (final, page_url) if u != url]
        duplicate = self._duplicate_alias(
            url, result, home, moves, page_url, content_hash
        )
        if duplicate is not None:
            aliases.append(duplicate)
            self._record(
                url, "duplicate", aliases=aliases, files=files, enqueue=links, done=done
            )
            return
        self._store_page(
            entry,
            result,
            page_url,
            stored,
            decoded.encoding,
            extracted,
            content_hash,
            aliases=aliases,
            files=files,
            links=links,
            done=done,
        )

    def _duplicate_alias(
        self,
        url: str,
        result: FetchResult,
        home: str,
        moves: list[tuple[str, int]],
        page_url: str,
        content_hash: str,
    ) -> AliasRow | None:
        """Return the alias from ``page_url`` to a live page elsewhere with the
        same content, or None when no other page has ``content_hash``."""
        # The fetched URL and the redirect hops become aliases of this page, so
        # a stored page under one of them is this page, moved: no duplicate. The
        # target of a temporary redirect keeps its own page.
        moved = {home, *(hop for hop, _ in moves)}
        duplicate_of = self.store.find_by_hash(
            content_hash,
            other_than={page_url, url, *moved},
            run_id=self.run_id,
            accept=self.scope.contains,
        )
        if duplicate_of is None:
            return None
        # The status of a temporary redirect marks a copy that a link fetches
        # again, so that the page comes back when the redirect ends.
        status = (
            next(s for _, s in result.redirects if s in TEMPORARY_REDIRECTS)
            if home != result.final_url
            else None
        )
        return (page_url, duplicate_of, "duplicate", status)

    def _store_page(
        self,
        entry: FrontierEntry,
        result: FetchResult,
        page_url: str,
        stored: StoredPage | None,
        encoding: str,
        extracted: Extracted,
        content_hash: str,
        *,
        aliases: list[AliasRow],
        files: list[tuple[str, str, str]],
        links: list[FrontierEntry],
        done: list[tuple[str, str]],
    ) -> None:
        """Store the page fetched for ``entry`` at ``page_url`` with the rows it
        adds, unless its robots meta tag or X-Robots-Tag header contains noindex.

        ``stored`` is the page stored at ``page_url`` before, if any. A changed
        page also queues its duplicate and canonical aliases again.
        """
        url = entry.url
        now = utc_now()
        if stored is None:
            state, changed_at = "new", now
        elif stored.removed or stored.content_hash != content_hash:
            state, changed_at = "changed", now
            links += self.frontier.recheck_aliases(page_url, entry.depth)
        else:
            state, changed_at = "unchanged", stored.changed_at
        page = StoredPage(
            url=page_url,
            canonical_url=self.canonical.shown_url(page_url, extracted.canonical_href),
            title=extracted.title,
            breadcrumbs=extracted.breadcrumbs,
            text=extracted.text,
            page_number=extracted.page_number,
            updated=extracted.updated,
            encoding=encoding,
            status=200,
            content_hash=content_hash,
            fetched_at=now,
            changed_at=changed_at,
            removed=False,
            etag=result.headers.get("etag"),
            last_modified=result.headers.get("last-modified"),
            links=[link.url for link in extracted.links],
            extractor_version=EXTRACTOR_VERSION,
        )
        # The X-Robots-Tag header carries the same directives as the robots meta tag.
        header_noindex = _forbids_indexing(result.headers.get("x-robots-tag", ""))
        if extracted.noindex or header_noindex:
            self._apply_noindex(
                url,
                page_url,
                stored,
                aliases=aliases,
                files=files,
                links=links,
                done=done,
            )
            return
        if page_url == url:
            self._record(
                url, state, page=page, aliases=aliases, files=files, enqueue=links
            )
            return
        # The outcome belongs to the page's own URL; the fetched URL redirected or
        # named another URL as canonical.
        done = [
            (u, "redirect") for u in (result.final_url,) if u not in (url, page_url)
        ]
        self._record(
            url,
            "redirect",
            page=page,
            aliases=aliases,
            files=files,
            enqueue=links,
            done=[*done, (page_url, state)],
        )

    def _apply_noindex(
        self,
        url: str,
        page_url: str,
        stored: StoredPage | None,
        *,
        aliases: list[AliasRow],
        files: list[tuple[str, str, str]],
        links: list[FrontierEntry],
        done: list[tuple[str, str]],
    ) -> None:
        """Record a page whose robots meta tag or X-Robots-Tag header contains
        noindex: it is not stored, and a live page stored at ``page_url`` is
        recorded as gone."""
        logger.info(
            "not storing %s: its robots meta tag or X-Robots-Tag header "
            "contains noindex",
            page_url,
        )
        removed = stored.url if stored is not None and not stored.removed else None
        if removed is None:
            state = "noindex"
        else:
            state = "removed" if removed == url else "redirect"
        self._record(
            url,
            state,
            aliases=aliases,
            enqueue=links,
            files=files,
            done=done,
            removed_url=removed,
            status=200,
        )

    def _redirect_settled(self, url: str, final: str) -> bool:
        """Return whether the page at ``final``, where ``url`` redirects, is known.

        It is when this run handled ``final`` already or it is an alias, unless it
        is an alias of ``url`` itself: the page then moved from ``url`` to
        ``final``, which must become the page.
        """
        if final in self.frontier.known_aliases:
            return self.store.alias_target(final) != url
        return self.frontier.states.get(final) not in (None, "queued")

    def _record_gone(
        self,
        entry: FrontierEntry,
        final: str,
        stored: StoredPage | None,
        status: int,
        reason: str,
    ) -> None:
        """Record a URL that returned ``status`` 404 or 410, or a soft 404 page."""
        url = entry.url
        if stored is None or stored.removed:
            self._record(url, "failed", reason=reason)
            return
        state = "removed" if final == url else "redirect"
        rechecks = self.frontier.recheck_aliases(final, entry.depth)
        self._record(url, state, removed_url=final, status=status, enqueue=rechecks)

    def _record(
        self,
        url: str,
        state: str,
        *,
        reason: str | None = None,
        aliases=(),
        files=(),
        enqueue=(),
        done=(),
        page: StoredPage | None = None,
        removed_url: str | None = None,
        touch_url: str | None = None,
        status: int | None = None,
    ) -> None:
        # Queued entries are in the heap already; the worker that called this
        # wakes the others when it finishes the URL.
        robots_skipped = [
            (item.url, "robots")
            for item in enqueue
            if self.scope.knows_robots(item.url)
            and not self.scope.robots_for(item.url).allows(item.url)
        ]
        self.store.record_outcome(
            self.run_id,
            url,
            state,
            reason=reason,
            page=page,
            aliases=list(aliases),
            files=list(files),
            enqueue=list(enqueue),
            done_urls=list(done) + robots_skipped,
            removed_url=removed_url,
            status=status,
            touch_url=touch_url,
        )
        self.frontier.states[url] = state
        if page is not None:
            self.pages_now.add(page.url)
        if touch_url is not None:
            self.pages_now.add(touch_url)
        for other, other_state in list(done) + robots_skipped:
            self.frontier.states[other] = other_state
        if removed_url is not None:
            self.frontier.states[removed_url] = "removed"
        for alias_url, *_ in aliases:
            self.frontier.known_aliases.add(alias_url)
        if state == "failed":
            self.failed_now += 1
            logger.warning("failed %s: %s", url, reason)

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

    def _stored(self, url: str) -> StoredPage | None:
        page = self.store.get(url)
        if page is not None and page.url != url:
            return None  # an alias of another page, not a page of its own
        return page

    def _show_progress(self) -> None:
        if not self.progress.due():
            return  # counting the queue costs a pass over every URL
        queued = sum(1 for s in self.frontier.states.values() if s == "queued")
        self.progress.update(self.fetched, queued, self.failed_now)

    # Sitemaps and the summary --------------------------------------------------

    def _summary(
        self, resumed: bool, gone: int, merged: int, keep: bool
    ) -> CrawlSummary:
        counts = self.store.outcome_counts(self.run_id)
        summary = CrawlSummary(
            start_url=self.scope.start_url,
            new=counts.get("new", 0),
            changed=counts.get("changed", 0),
            unchanged=counts.get("unchanged", 0),
            removed=0 if keep else counts.get("removed", 0),
            removals_held=gone if keep else 0,
            merged=0 if keep else merged,
            merges_held=merged if keep else 0,
            rechecked_aliases=self.frontier.rechecked,
            max_removed_share=self.config.max_removed_share,
            failed=counts.get("failed", 0),
            robots_skipped=counts.get("robots", 0),
            noindex_skipped=counts.get("noindex", 0),
            pages=self.store.count_pages(),
            duplicates=counts.get("duplicate", 0),
            redirects=counts.get("redirect", 0),
            files=len(self.store.files()),
            limited=self.frontier.limited,
            resumed=resumed,
            stopped_at_max_pages=counts.get("queued", 0) > 0,
            unconditional=self.unconditional,
            unconditional_reason=self.unconditional_reason,
            outside_scope=sum(
                1 for url in self.store.known_urls() if not self.scope.contains(url)
            ),
            allowed_prefixes=self.config.allowed_prefixes,
            failures=self.store.failures(self.run_id),
            fetched_now=self.fetched,
            unavailable=self.unavailable,
        )
        summary.seconds = self.store.run_seconds(self.run_id)
        return summary


# Fetch errors on the server's side or the way to it: no connection, a timeout,
# a dropped connection, or a server error or 429 after the retries. A crawl where
# many URLs fail so, or send binary bodies as pages, is incomplete
# (CrawlSummary.mostly_unavailable).
UNAVAILABLE_KINDS = frozenset({"connect", "timeout", "transport", "http"})


def _forbids_indexing(header: str) -> bool:
    """Tell whether an X-Robots-Tag value forbids indexing for every crawler.

    A value aimed at one named crawler ("otherbot: noindex") is left alone.
    """
    for part in header.lower().split(","):
        directive = part.strip()
        if ":" in directive:  # a named crawler's rule, or unavailable_after: DATE
            continue
        if directive in ("noindex", "none"):
            return True
    return False
